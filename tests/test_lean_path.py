"""The lean answer path (issue 23): the query string is parsed once by precompiled field parsers that agree with
pydantic wherever they answer, and the rate limiter's hooks run only on the routes it limits."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpick.schema import Query
from service import create_app
from service.params import NONE_WORDS, _fast_query, query_json, validate_query
from service.problems import Problem

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=0, max_value=2e9).map(lambda v: f"{v:.7f}"),
    st.integers(min_value=-5, max_value=2_000_000).map(str),
    st.sampled_from(["", " 1", "1 ", "+1", "01", "1.", ".5", "1e3", "1_0", "0x10", "１", "0.0", "0", "100",
                     "100.0000001", "1000000", "1000001", *NONE_WORDS, "BEST", " none "]),
)
WORDS = st.one_of(st.text(max_size=12), st.sampled_from(["true", "false", "True", "1", "0", "yes", "off", "t", "top1",
                                                         "fps", "memory", "FPS", "include", "exclude", "detection",
                                                         "jetson", "", "x" * 101, "x" * 201]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers=st.dictionaries(st.sampled_from(["max_mem_gb", "min_fps", "max_latency_ms", "batch_size", "min_top1",
                                                "min_score", "max_params_m", "limit"]), NUMBERS, max_size=4),
       words=st.dictionaries(st.sampled_from(["device", "runtime", "precision", "objective", "strict", "estimates",
                                              "include_suspect", "per_architecture", "task"]), WORDS, max_size=4))
def test_fast_parser_agrees_with_pydantic_wherever_it_answers(numbers, words):
    raw = {**numbers, **words}
    fast = _fast_query(raw)
    try:
        slow = validate_query(raw)
    except Problem:
        assert fast is None, raw  # what pydantic refuses, the fast parser never accepts
        return
    if fast is not None:
        assert fast == slow
        assert list(fast.__dict__) == list(slow.__dict__)  # a diagnosis lists the fields in this order
        assert query_json(fast) == fast.model_dump(mode="json") == slow.model_dump(mode="json")


def test_plain_queries_take_the_fast_path():
    raw = {"device": "jetson", "min_fps": "30.0000000", "max_mem_gb": "1", "batch_size": "best", "strict": "true",
           "objective": "fps", "limit": "5", "task": "classification", "min_score": "0"}
    q = _fast_query(raw)
    assert q is not None and q == validate_query(raw)
    assert q.batch_size is None and q.min_fps == 30.0 and isinstance(q.limit, int)
    assert _fast_query({"min_fps": "30"}) is None  # no device: pydantic names the missing parameter


def test_query_json_is_model_dump(mini_catalog):
    for q in (Query(device="x"), Query(device="x", task="detection", min_score=3.5, batch_size=None),
              mini_catalog.query("BA", runtime="TensorRT".lower()) if "tensorrt" in mini_catalog.runtimes("board-a")
              else mini_catalog.query("BA", min_fps=3)):
        assert query_json(q) == q.model_dump(mode="json")


def test_limiter_hooks_only_on_limited_blueprints(mini_catalog):
    app = create_app({"MODELPICK_CATALOG": mini_catalog})
    limiter = app.extensions["modelpick_limiter"]

    def limiter_hooks(funcs):
        funcs = [getattr(f, "__wrapped__", f) for f in funcs]  # recommend's hooks are wrapped (skipped when unlimited)
        return [f for f in funcs if getattr(f, "__self__", None) is limiter or getattr(f, "args", ())[:1] == (limiter,)]

    for funcs in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        assert not limiter_hooks(funcs.get(None, [])), "an app-wide limiter hook: /healthz would pay it"
    assert limiter_hooks(app.before_request_funcs["frontiers"])
    for bp in ("frontiers", "recommend", "explorer"):
        assert limiter_hooks(app.after_request_funcs[bp]) and limiter_hooks(app.teardown_request_funcs[bp])
    client = app.test_client()
    assert "X-RateLimit-Limit" not in client.get("/healthz").headers
    # a /recommend that never reaches the limiter skips its after-request step; one that does still gets its headers
    dev = mini_catalog.devices()[0].id
    assert "X-RateLimit-Limit" not in client.get(f"/recommend?device={dev}").headers
    assert client.get(f"/recommend?device={dev}&estimates=include").headers["X-RateLimit-Limit"] == "60"


def test_ensure_sync_still_runs_coroutines(mini_catalog):
    app = create_app({"MODELPICK_CATALOG": mini_catalog, "MODELPICK_RATE_LIMIT": "off"})

    async def coro():
        await asyncio.sleep(0)
        return 7

    def plain():
        return 8

    try:
        assert app.ensure_sync(coro)() == 7
    except RuntimeError:  # asgiref missing: Flask's own answer, unchanged
        pass
    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain


def test_suspects_build_only_the_suspect_rows(full_catalog):
    from modelpick.solver import Catalog

    cat = Catalog(full_catalog._m)  # a fresh object: no measurement objects built yet
    found = cat.suspects()
    assert cat._measurement_objs is None  # the 37,000 objects cost a service worker 44 MB and more
    assert found == [cat.measurements[i] for i in sorted(cat._m.suspects)]
    dev = found[0].device if found else "jetson"
    assert cat.suspects(dev) == [m for m in found if m.device == cat.resolve_device(dev)]
