"""One per-worker memory budget (issue 22): MODELPICK_MEMORY_MB splits into the stores that grow with the
queries (estimate views, answers, plots); each store's own variable still sets it alone; a bad value stops the
service's start with its name. And an estimate view with no joined candidate is a 422, not a 500 (the soak
benchmark found it: unjoined_reason read a measurement key that estimated rows do not have)."""

from __future__ import annotations

import pytest

from modelpick._budget import MEMORY_MB, SHARES, memory_mb, store_bytes
from modelpick._estimator import estimate_views_bytes

MB = 2**20


def test_default_budget_is_the_former_defaults():
    env: dict[str, str] = {}
    assert memory_mb(env) == MEMORY_MB == 128
    assert [store_bytes(s, env) // MB for s in ("estimate_views", "answers", "plots")] == [64, 32, 32]
    assert sum(SHARES.values()) == 1


@pytest.mark.parametrize("budget", ["16", "256", "0", "1.5"])
def test_every_store_is_a_share_of_the_budget(budget):
    env = {"MODELPICK_MEMORY_MB": budget}
    total = sum(store_bytes(s, env) for s in SHARES)
    assert abs(total - float(budget) * MB) <= len(SHARES)


def test_a_stores_own_variable_wins():
    env = {"MODELPICK_MEMORY_MB": "16", "MODELPICK_ANSWER_CACHE_MB": "0", "MODELPICK_ESTIMATE_CACHE_MB": "3"}
    assert store_bytes("answers", env) == 0 and store_bytes("estimate_views", env) == 3 * MB
    assert store_bytes("plots", env) == 4 * MB


@pytest.mark.parametrize("bad", ["lots", "-1", "nan", "inf"])
def test_a_bad_budget_is_named(bad):
    with pytest.raises(ValueError, match="MODELPICK_MEMORY_MB"):
        memory_mb({"MODELPICK_MEMORY_MB": bad})


def test_the_estimate_views_follow_the_budget(monkeypatch):
    monkeypatch.delenv("MODELPICK_ESTIMATE_CACHE_MB", raising=False)
    monkeypatch.setenv("MODELPICK_MEMORY_MB", "10")
    assert estimate_views_bytes() == 5 * MB


def test_the_service_takes_its_caches_from_the_budget(monkeypatch, mini_catalog):
    from service import build_state, config_from_env, DEFAULTS

    monkeypatch.setenv("MODELPICK_MEMORY_MB", "8")
    st = build_state({**DEFAULTS, "MODELPICK_CATALOG": mini_catalog})
    assert st.answers.max_bytes == 2 * MB and st.plots.max_bytes == 2 * MB
    st = build_state({**DEFAULTS, "MODELPICK_CATALOG": mini_catalog, "MODELPICK_ANSWER_CACHE_MB": 0})
    assert st.answers.max_bytes == 0
    with pytest.raises(ValueError, match="MODELPICK_MEMORY_MB"):
        config_from_env({"MODELPICK_MEMORY_MB": "much"})


def test_an_estimate_view_without_candidates_is_a_422(full_catalog):
    from service import create_app

    client = create_app({"MODELPICK_CATALOG": full_catalog, "MODELPICK_RATE_LIMIT": "off"}).test_client()
    # int8 rows only, and no accuracy for those quantized weights: nothing joins, estimates or not
    r = client.get("/recommend", query_string={"device": "rockchip-rk3566-rk3568", "batch_size": 1,
                                                "estimates": "include"})
    assert r.status_code == 422, r.get_data(as_text=True)[:500]
    assert "no joined candidates" in r.get_json()["detail"]
