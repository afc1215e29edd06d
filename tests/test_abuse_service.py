"""Abuse corpus, service (issue 22): requests that cost more than they should.

``If-None-Match: *`` (or any revalidation) is answered without a solve and is not counted; a request that
solves is counted before it solves, so a burst cannot pass the limit. Through the real app (Flask's test
client); the same against gunicorn is in tests/test_service_gunicorn_abuse.py.
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES

from modelpick.solver import Catalog
from service import create_app

MINI = str(FIXTURES / "mini.yaml")
PROBLEM = "application/problem+json"
#: The two solved endpoints the rate limit counts by request (the frontiers count computed answers).
SOLVED = ("/recommend", "/candidates")


def _app(rate: str = "2 per minute"):
    return create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [MINI], "MODELPICK_RATE_LIMIT": rate})


@pytest.fixture
def solves(monkeypatch):
    """Counts solves (every /recommend and /candidates answer goes through Catalog.solve, solve_records or solve_json)."""
    calls = []
    for name in ("solve", "solve_records", "solve_json"):
        real = getattr(Catalog, name)
        monkeypatch.setattr(Catalog, name, lambda self, *a, _real=real, **k: calls.append(1) or _real(self, *a, **k))
    return calls


@pytest.mark.parametrize("extra", ["", "&batch_size=8", "&batch_size=best", "&objective=fps", "&runtime=ncnn"])
@pytest.mark.parametrize("path", SOLVED)
def test_if_none_match_star_is_a_304_without_a_solve_and_not_counted(solves, path, extra):
    client = _app("1 per minute").test_client()
    for fps in range(1, 13):  # twelve never-repeating queries, far over the limit of one
        r = client.get(f"{path}?device=board-a&estimates=include&min_fps={fps}{extra}", headers={"If-None-Match": "*"})
        assert r.status_code == 304, r.get_data(as_text=True)[:300]
        assert r.headers["ETag"].strip('"') and not r.data
    assert solves == []
    # the limit is untouched: the first request that solves is answered, the second is refused
    assert client.get(f"{path}?device=board-a&estimates=include").status_code in (200, 422)
    assert client.get(f"{path}?device=board-a&estimates=include&min_fps=1").status_code == 429


@pytest.mark.parametrize("path", SOLVED)
def test_the_answers_own_etag_is_a_304_without_a_solve(solves, path):
    client = _app("off").test_client()
    url = f"{path}?device=board-a&estimates=include"
    first = client.get(url)
    assert first.status_code == 200
    n = len(solves)
    fresh = _app("off").test_client()  # another worker: nothing cached, the ETag alone answers
    r = fresh.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert r.status_code == 304 and r.headers["ETag"] == first.headers["ETag"]
    assert len(solves) == n
    assert fresh.get(url, headers={"If-None-Match": '"not-this-one"'}).status_code == 200


@pytest.mark.parametrize("path", SOLVED)
def test_a_request_that_solves_is_counted_before_it_solves(monkeypatch, path):
    """The count is taken before the view runs: a solve that sees the count already includes itself."""
    app = _app("1 per minute")
    client = app.test_client()
    seen = []
    limiter = app.extensions["modelpick_limiter"]
    real = Catalog.solve_json if path == "/recommend" else Catalog.solve

    def watching(self, *a, **k):
        seen.append(limiter.current_limit.remaining if limiter.current_limit else None)
        return real(self, *a, **k)

    monkeypatch.setattr(Catalog, real.__name__, watching)
    assert client.get(f"{path}?device=board-a&estimates=include").status_code in (200, 422)
    assert seen and seen[0] == 0  # the one allowed request was already counted when it solved
    assert client.get(f"{path}?device=board-a&estimates=include&min_fps=2").status_code == 429


@pytest.mark.parametrize("path", SOLVED)
@pytest.mark.parametrize("query", ["device=nope", "device=board-a&min_fps=-1", "device=board-a&bogus=1",
                                   "device=board-a&min_fps=nan"])
def test_invalid_queries_with_star_are_a_400_and_not_counted(solves, path, query):
    client = _app("1 per minute").test_client()
    for _ in range(3):
        r = client.get(f"{path}?{query}&estimates=include", headers={"If-None-Match": "*"})
        assert r.status_code == 400 and r.mimetype == PROBLEM
        json.loads(r.data)
    assert solves == []
    assert client.get(f"{path}?device=board-a&estimates=include").status_code in (200, 422)


@pytest.mark.parametrize("path", SOLVED)
def test_cached_answers_pass_a_spent_limit(path):
    client = _app("1 per minute").test_client()
    url = f"{path}?device=board-a&estimates=include"
    first = client.get(url)
    assert client.get(f"{url}&min_fps=3").status_code == 429
    for _ in range(5):
        again = client.get(url)
        assert again.status_code == first.status_code and again.data == first.data
