"""Requests anyone can send that used to exhaust the service or break its error path (issue 11, section 1).

Each case is a regression test through Flask's test client; the gunicorn-level cases (respawn with a
broken file, reload, slow clients) are in tests/test_service_gunicorn_abuse.py.
"""

from __future__ import annotations

import json
import math

import pytest
from flask import Flask

from conftest import FIXTURES

from service import create_app, reload_catalog
from service.frontiers import MAX_GRID_LEVELS
from service.problems import Problem, jsonable, render

MINI = str(FIXTURES / "mini.yaml")
FRONTIERS = str(FIXTURES / "frontiers.yaml")
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def app():
    return create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [FRONTIERS], "MODELPICK_RATE_LIMIT": "off"})


def problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == PROBLEM
    return json.loads(resp.get_data())  # strict JSON: no NaN/Infinity


# ---------------------------------------------------------------------------
# /grid: bounded levels


def test_grid_refuses_more_levels_than_the_cap_naming_the_limit(client):
    levels = ",".join(str(i + 1) for i in range(MAX_GRID_LEVELS + 1))
    body = problem(client.get(f"/grid/mem-dev?fps_levels={levels}"), 400)
    assert f"at most {MAX_GRID_LEVELS} per axis" in body["detail"] and "fps_levels" in body["detail"]
    assert body["errors"][0]["param"] == "fps_levels"


def test_grid_of_490_by_490_levels_is_refused_before_any_solve(client, monkeypatch):
    from modelpick import bounds

    monkeypatch.setattr(bounds, "grid", lambda *a, **k: pytest.fail("solved a refused grid"))
    levels = ",".join(["1"] * 490)
    assert len(levels) < 2048  # it fits in the accepted query string
    body = problem(client.get(f"/grid/mem-dev?mem_levels_gb={levels}&fps_levels={levels[:200]}"), 400)
    assert "has 490 levels" in body["detail"]


def test_grid_at_the_cap_is_answered(client):
    levels = ",".join(str(i + 1) for i in range(MAX_GRID_LEVELS))
    r = client.get(f"/grid/mem-dev?mem_levels_gb={levels}&fps_levels={levels}")
    assert r.status_code == 200 and len(r.get_json()["cells"]) == MAX_GRID_LEVELS ** 2


@pytest.mark.parametrize("levels", ["1" + "0" * 400, "1" + "0" * 400 + ".5", "0.7," + "9" * 320])
def test_non_finite_levels_are_a_400_not_a_500(client, levels):
    body = problem(client.get(f"/grid/mem-dev?mem_levels_gb={levels}"), 400)
    assert "finite number" in body["detail"]
    assert body["errors"][0]["value"].endswith("...")  # the echoed value is cut


@pytest.mark.parametrize("url", ["/recommend?device=board-a&max_mem_gb=1" + "0" * 400,
                                 "/recommend?device=board-a&min_fps=1e999", "/bounds/lin-dev?fps=1e400",
                                 "/recommend?device=board-a&min_top1=nan", "/pareto/lin-dev?batch_size=1" + "0" * 30])
def test_non_finite_or_huge_numbers_are_rejected_at_parse_time(client, url):
    problem(client.get(url), 400)


# ---------------------------------------------------------------------------
# the problem renderer cannot fail


class _Unprintable:
    def __str__(self):
        raise RuntimeError("no")


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, {"a": [math.nan, {1, 2}]}, _Unprintable(),
                                   b"\xff\x00", 10**400, "x" * 10_000, [[[[[[[[[[["deep"]]]]]]]]]]], object()])
def test_render_never_fails(value):
    app = Flask(__name__)
    with app.test_request_context("/x"):
        resp = render(Problem("invalid-parameter", "bad", errors=[{"param": "p", "value": value}], extra=value))
    assert resp.status_code == 400
    body = json.loads(resp.get_data())  # valid, strict JSON
    assert body["detail"] == "bad"


def test_jsonable_keeps_plain_values():
    assert jsonable({"a": [1, 2.5, None, True, "s"]}) == {"a": [1, 2.5, None, True, "s"]}
    assert jsonable(math.inf) == "inf"


# ---------------------------------------------------------------------------
# debug guard, OPTIONS, OpenAPI vs endpoint


def test_create_app_refuses_debug_mode_outside_flask_run(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    with pytest.raises(RuntimeError, match="debug mode"):
        create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [MINI]})
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # `flask --app service run --debug`
    assert create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [MINI]}).debug is True


@pytest.mark.parametrize("path", ["/recommend", "/healthz", "/plot/density.svg", "/grid/mem-dev"])
def test_options_is_204_with_allow_and_no_body(client, path):
    r = client.options(path)
    assert r.status_code == 204 and r.data == b""
    assert "Content-Type" not in r.headers
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_options_on_an_unknown_path_is_a_404_problem(client):
    problem(client.options("/nope"), 404)


@pytest.mark.parametrize("kind", ["density", "accuracy-flops"])
@pytest.mark.parametrize("param", ["min_fps=10", "strict=true", "form=log", "max_mem_gb=1"])
def test_plot_kinds_reject_what_they_do_not_draw(client, kind, param):
    body = problem(client.get(f"/plot/{kind}.svg?{param}"), 400)
    assert "accuracy-fps plot only" in body["detail"]


# ---------------------------------------------------------------------------
# plot cache, rate limit


def test_plots_are_rendered_once_per_etag(monkeypatch):
    from modelpick import plot

    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [FRONTIERS], "MODELPICK_RATE_LIMIT": "off"})
    client = app.test_client()
    calls = []
    real = plot.render
    monkeypatch.setattr(plot, "render", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = client.get("/plot/accuracy-fps.svg?device=mem-dev&min_fps=100")
    second = client.get("/plot/accuracy-fps.svg?device=mem-dev&min_fps=100")
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert len(calls) == 1
    assert client.get("/plot/accuracy-fps.svg?device=mem-dev&min_fps=100",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert len(calls) == 1
    assert len(app.extensions["modelpick"].plots) == 1


def test_rate_limit_counts_computed_expensive_answers_per_client():
    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [FRONTIERS], "MODELPICK_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    for fps in (1, 2, 3):
        assert client.get(f"/bounds/lin-dev?fps={fps}").status_code == 200
    # the same answer again is served from cache or 304 and costs nothing ...
    etag = client.get("/bounds/lin-dev?fps=1").headers.get("ETag")
    # ... but a fourth computation is refused, for this client only
    body = problem(client.get("/plot/accuracy-fps.svg?device=mem-dev"), 429)
    assert body["type"] == "/problems/too-many-requests" and "3 per 1 minute" in body["detail"]
    r = client.get("/grid/mem-dev")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    other = client.get("/grid/mem-dev", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200
    # cheap endpoints and plain /recommend are never limited
    assert client.get("/healthz").status_code == 200
    assert client.get("/devices").status_code == 200
    assert etag is None or client.get("/bounds/lin-dev?fps=1", headers={"If-None-Match": etag}).status_code in (304, 429)


def test_rate_limit_applies_to_recommend_only_with_estimates():
    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [MINI], "MODELPICK_RATE_LIMIT": "1 per minute"})
    client = app.test_client()
    for fps in range(1, 6):
        assert client.get(f"/recommend?device=board-a&min_fps={fps}").status_code in (200, 422)
    first = client.get("/recommend?device=board-a&estimates=include")
    assert first.status_code in (200, 422)
    again = client.get("/recommend?device=board-a&estimates=include")  # answer cache: not counted
    assert again.status_code == first.status_code
    problem(client.get("/recommend?device=board-a&estimates=include&min_fps=1"), 429)


def test_rate_limit_off():
    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [FRONTIERS], "MODELPICK_RATE_LIMIT": "off"})
    client = app.test_client()
    for fps in range(1, 8):
        assert client.get(f"/bounds/lin-dev?fps={fps}").status_code == 200


# ---------------------------------------------------------------------------
# explicit reload: validates first, keeps the old catalog on failure


def test_reload_keeps_the_old_catalog_when_the_new_file_is_broken(tmp_path, caplog):
    data = tmp_path / "cat.yaml"
    data.write_bytes((FIXTURES / "mini.yaml").read_bytes())
    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(data)], "MODELPICK_RATE_LIMIT": "off"})
    client = app.test_client()
    before = client.get("/healthz").get_json()["catalog"]["hash"]
    data.write_text("schema_version: 1\ndevices:\n  - {id: Not Kebab, name: x, kind: cpu}\n")
    assert reload_catalog(app) is False
    assert "catalog reload failed" in caplog.text and "devices[0].id" in caplog.text
    assert client.get("/healthz").get_json()["catalog"]["hash"] == before
    assert client.get("/recommend?device=board-a").status_code == 200

    data.write_bytes((FIXTURES / "mini.yaml").read_bytes() + b"\n# a changed file\n")
    assert reload_catalog(app) is True
    after = client.get("/healthz").get_json()["catalog"]["hash"]
    assert after != before
    assert client.get("/openapi.json").status_code == 200
