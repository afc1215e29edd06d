"""estimates="include": views are bounded in memory (LRU in bytes), and batch sizes no measurement or batch
curve reaches are refused before any work (issue 11: one client grew a worker by 651 MB in 100 s)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from modelpick import InvalidQuery
from modelpick.solver import _ViewCache


def fake_view(mb: float):
    cols = {"latency_ms": np.zeros(int(mb * 2**20 / 8))}
    return SimpleNamespace(_cols=cols, _str={}, _m=SimpleNamespace(measurements=[]))


def test_view_cache_is_bounded_in_bytes_and_keeps_the_recently_used():
    cache = _ViewCache(10 * 2**20)
    views = {b: fake_view(3) for b in range(6)}
    for b in range(3):
        cache.put(("dev", b), views[b])
    assert cache.get(("dev", 0)) is views[0]  # 0 is now the most recent
    cache.put(("dev", 3), views[3])
    assert cache.nbytes <= 10 * 2**20 and len(cache) == 3
    assert cache.get(("dev", 1)) is None  # the least recently used went
    assert cache.get(("dev", 0)) is views[0] and cache.get(("dev", 3)) is views[3]
    cache.put(("dev", 9), fake_view(20))  # larger than the budget: not kept, nothing evicted for it
    assert cache.get(("dev", 9)) is None and len(cache) == 3


def test_many_batch_sizes_stay_within_the_budget(full_catalog, monkeypatch):
    from modelpick import NoFeasibleModel, solver

    monkeypatch.setenv("MODELPICK_ESTIMATE_CACHE_MB", "4")
    cat = solver.Catalog(full_catalog._m, full_catalog._estimator)
    sizes = []
    for b in range(100, 108):  # a client walking batch sizes: each one a new view
        try:
            cat.recommend("rtx-4090", batch_size=b, estimates="include", limit=1)
        except NoFeasibleModel:
            pass
        sizes.append(cat._estimate_views.nbytes)
    assert max(sizes) <= 4 * 2**20 and 1 <= len(cat._estimate_views) < 8


def test_unreachable_batch_size_is_refused_before_building_a_view(full_catalog, monkeypatch):
    from modelpick import solver

    cat = solver.Catalog(full_catalog._m, full_catalog._estimator)
    monkeypatch.setattr(cat, "with_estimates", lambda *a, **k: pytest.fail("built a view for an unreachable batch"))
    with pytest.raises(InvalidQuery) as info:
        cat.best("rtx-4090", batch_size=100_000, estimates="include")
    text = str(info.value)
    assert info.value.param == "batch_size" and "batch_size=100000" in text
    assert "no measurement or batch curve reaches it" in text and "use batch_size <= " in text
    assert len(cat._estimate_views) == 0


def test_rest_refuses_unreachable_batch_with_a_400(full_catalog):
    from service import create_app

    app = create_app({"MODELPICK_CATALOG": full_catalog, "MODELPICK_RATE_LIMIT": "off"})
    r = app.test_client().get("/recommend?device=rtx-4090&batch_size=100000&estimates=include")
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    assert "no measurement or batch curve reaches it" in r.get_json()["detail"]
