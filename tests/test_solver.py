"""The solver against brute force over to_records(), on the fixture and on the full table."""

from __future__ import annotations

import math
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelpick
from modelpick._coverage import fast_runtime
from modelpick import InvalidQuery, NoFeasibleModel, UnknownDevice, UnknownName

MB_PER_GB = 1024.0


def satisfies(rec: dict, *, max_mem_gb=None, min_fps=None, max_latency_ms=None, batch_size=1, min_top1=None,
              max_params_m=None, runtime=None, precision=None, strict=False, include_suspect=False,
              memory_bound="high", **_ignored) -> bool:
    if rec.get("suspect") and not include_suspect:  # implausible rows answer only when asked
        return False
    if batch_size is not None and rec["batch_size"] != batch_size:
        return False
    if runtime is not None and rec["runtime"] != runtime:
        return False
    if precision is not None and rec["precision"] != precision:
        return False
    if max_mem_gb is not None:
        mem = limit_memory(rec, memory_bound)
        if mem is None or (strict and rec["memory_estimated"]):
            return False
        if mem > max_mem_gb * MB_PER_GB:
            return False
    if min_fps is not None and rec["fps"] < min_fps:
        return False
    if max_latency_ms is not None and rec["latency_ms"] > max_latency_ms:
        return False
    if min_top1 is not None and rec["top1"] < min_top1:
        return False
    if max_params_m is not None and (rec["params_m"] is None or rec["params_m"] > max_params_m):
        return False
    return True


def limit_memory(rec: dict, memory_bound: str = "high") -> float | None:
    """The memory a limit checks (issue 21): an estimate's high end by default, its point with memory_bound='point';
    a measured figure as it is; a run that fit in its device with no figure left, the device's memory."""
    if memory_bound == "point" and rec["memory_mb"] is not None:
        return rec["memory_mb"]
    return rec["memory_high_mb"] if rec["memory_high_mb"] is not None else rec["memory_mb"]


def check_against_brute_force(catalog, device: str, records: list[dict], **query) -> None:
    feasible = [r for r in records if satisfies(r, **query)]
    # a query naming no runtime is answered on the device's fast runtime where that has a feasible candidate
    fast = fast_runtime(catalog.device(catalog.resolve_device(device)))
    if query.get("runtime") is None and fast is not None and fast.default:
        on_fast = [r for r in feasible
                   if fast.counts(r["runtime"], r["settings"].get("backend", r["settings"].get("compute_unit")))]
        feasible = on_fast or feasible
    try:
        rec = catalog.best(device, **query)
    except NoFeasibleModel as exc:
        assert not feasible, f"solver said infeasible but brute force found {feasible[0]['checkpoint']}"
        assert exc.diagnosis["device"] == catalog.resolve_device(device)
        return
    assert feasible, "solver answered but brute force found nothing"
    as_dict = rec.to_dict()
    assert satisfies(as_dict, **query), f"answer violates constraints: {as_dict}"
    objective = query.get("objective", "top1")
    if objective == "top1":
        assert rec.top1 == max(r["top1"] for r in feasible)
    elif objective == "fps":
        assert rec.fps == max(r["fps"] for r in feasible)
    else:
        def mem(r):
            m = limit_memory(r, query.get("memory_bound", "high"))
            return math.inf if m is None or (query.get("strict") and r["memory_estimated"]) else m
        assert mem(as_dict) == min(mem(r) for r in feasible)
    assert rec.device == catalog.resolve_device(device)
    assert set(rec.sources) == {"accuracy", "latency", "memory"}


# --- fixture catalog ----------------------------------------------------------------


def test_best_on_fixture_meets_constraints(mini_catalog):
    rec = mini_catalog.best("board", max_mem_gb=1.0, min_fps=20)
    assert rec.device == "board-a"  # family resolves to the documented default
    assert rec.checkpoint == "medium.v2"
    assert rec.memory_mb == 900 and not rec.memory_estimated
    assert rec.sources == {"accuracy": "fixture", "latency": "fixture", "memory": "fixture"}
    assert rec.why and "large.v1" in rec.why[1]  # what more accuracy would cost


def test_fps_is_converted_not_estimated(mini_catalog):
    rec = mini_catalog.best("board-a", min_top1=80)
    assert rec.checkpoint == "large.v1" and rec.fps == pytest.approx(8.0) and rec.latency_ms == pytest.approx(125.0)
    assert rec.latency_estimated is False


def test_input_size_must_match(mini_catalog):
    # large.hi is evaluated at 320 and only pairs with the 320 measurement
    rows = [r for r in mini_catalog.to_records("gpu-b") if r["checkpoint"] == "large.hi"]
    assert [r["input_size"] for r in rows] == [320]


def test_memory_only_row_lends_memory(mini_catalog):
    rec = mini_catalog.best("gpu-b", max_params_m=20)
    assert rec.checkpoint == "medium.v2" and rec.memory_mb == 1100 and not rec.memory_estimated


def test_estimated_memory_is_flagged_and_strict_excludes_it(mini_catalog):
    rec = mini_catalog.best("board-a", objective="fps", max_mem_gb=1.0)
    assert rec.checkpoint == "small.v1" and rec.memory_estimated and rec.sources["memory"] is None
    assert rec.memory_method.startswith("estimate:")
    with pytest.raises(NoFeasibleModel):
        mini_catalog.best("board-a", max_mem_gb=0.5, strict=True)
    strict = mini_catalog.best("board-a", max_mem_gb=1.0, strict=True)
    assert not strict.memory_estimated


def test_throughput_mode_picks_best_batch(mini_catalog):
    rec = mini_catalog.best("board-a", batch_size=None, objective="fps")
    assert rec.batch_size == 8 and rec.fps == pytest.approx(200.0)
    limited = mini_catalog.best("board-a", batch_size=None, max_mem_gb=1.0, min_top1=75)
    assert limited.batch_size == 1  # the batch-8 row needs 1500 MB


def test_recommend_is_ranked_one_row_per_checkpoint(mini_catalog):
    recs = mini_catalog.recommend("board-a", limit=10)
    ids = [r.checkpoint for r in recs]
    assert len(ids) == len(set(ids))
    assert [r.top1 for r in recs] == sorted((r.top1 for r in recs), reverse=True)
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
    # small.v1 has three configs at batch 1 (tensorrt and two ncnn thread counts): the fastest wins the tie
    small = next(r for r in recs if r.checkpoint == "small.v1")
    assert small.runtime == "tensorrt"


def test_no_feasible_model_names_binding_constraint(mini_catalog):
    with pytest.raises(NoFeasibleModel) as info:
        mini_catalog.best("board-a", min_fps=30, min_top1=75)
    msg = str(info.value)
    assert "board-a" in msg and ("relax min_fps to 25" in msg or "lower min_top1 to 70" in msg)
    diag = info.value.diagnosis
    assert set(diag["binding"]) == {"min_fps", "min_top1"}
    assert diag["suggestions"] and diag["nearest"]


def test_no_candidates_for_selection_lists_what_exists(mini_catalog):
    with pytest.raises(NoFeasibleModel) as info:
        mini_catalog.best("board-a", batch_size=4)
    assert "measured batch sizes there: 1, 8" in str(info.value)


@pytest.mark.parametrize(
    "kwargs, param",
    [
        ({"max_mem_gb": -1}, "max_mem_gb"),
        ({"max_mem_gb": float("nan")}, "max_mem_gb"),
        ({"min_fps": float("inf")}, "min_fps"),
        ({"min_fps": "fast"}, "min_fps"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"min_top1": 101}, "min_top1"),
        ({"objective": "speed"}, "objective"),
        ({"limit": 0}, "limit"),
        ({"max_params_m": 1e99}, "max_params_m"),
    ],
)
def test_bad_arguments_name_the_value(mini_catalog, kwargs, param):
    with pytest.raises(InvalidQuery) as info:
        mini_catalog.recommend("board-a", **kwargs)
    assert info.value.param == param
    assert param in str(info.value)


def test_unknown_names_list_close_matches(mini_catalog):
    with pytest.raises(UnknownDevice) as info:
        mini_catalog.best("bord-a")
    assert "board-a" in info.value.close_matches
    with pytest.raises(UnknownName) as info:
        mini_catalog.best("board-a", runtime="tensort")
    assert info.value.close_matches == ["tensorrt"]
    with pytest.raises(UnknownName) as info:
        mini_catalog.best("gpu-b", runtime="ncnn")  # known runtime, not measured there
    assert info.value.choices == ["pytorch"]
    with pytest.raises(UnknownName):
        mini_catalog.best("board-a", precision="fp8")


def test_device_lookup_is_case_insensitive_with_aliases(mini_catalog):
    for name in ("BOARD-A", "ba", "Board A", "board_a", "board"):
        assert mini_catalog.resolve_device(name) == "board-a"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    device=st.sampled_from(["board-a", "gpu-b", "board", "BA"]),
    max_mem_gb=st.none() | st.floats(0.3, 3.0),
    min_fps=st.none() | st.floats(1, 300),
    max_latency_ms=st.none() | st.floats(1, 200),
    batch_size=st.sampled_from([1, 8, None]),
    min_top1=st.none() | st.floats(60, 85),
    max_params_m=st.none() | st.floats(1, 80),
    objective=st.sampled_from(["top1", "fps", "memory"]),
    strict=st.booleans(),
    memory_bound=st.sampled_from(["high", "point"]),
)
def test_fixture_solver_matches_brute_force(mini_catalog, device, **query):
    records = mini_catalog.to_records(mini_catalog.resolve_device(device))
    check_against_brute_force(mini_catalog, device, records, **query)


# --- full embedded table ------------------------------------------------------------


@lru_cache(maxsize=None)
def _records(device: str) -> list[dict]:
    return modelpick.load_catalog(use_env=False).to_records(device)


@lru_cache(maxsize=None)
def _devices_with_candidates() -> list[str]:
    cat = modelpick.load_catalog(use_env=False)
    return [d.id for d in cat.devices() if cat.coverage(d.id).candidates]  # classification candidates


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_full_table_solver_matches_brute_force(full_catalog, data):
    device = data.draw(st.sampled_from(_devices_with_candidates()), label="device")
    records = _records(device)
    fps = sorted(r["fps"] for r in records)
    mems = sorted({m for r in records for m in (r["memory_mb"], r["memory_high_mb"]) if m is not None})
    top1s = sorted(r["top1"] for r in records)
    batch_sizes = sorted({r["batch_size"] for r in records})
    query = {
        "batch_size": data.draw(st.sampled_from([*batch_sizes, None]), label="batch_size"),
        "min_fps": data.draw(st.none() | st.sampled_from(fps), label="min_fps"),
        "max_mem_gb": data.draw(st.none() | st.sampled_from(mems).map(lambda m: m / MB_PER_GB) if mems else st.none(),
                                label="max_mem_gb"),
        "min_top1": data.draw(st.none() | st.sampled_from(top1s), label="min_top1"),
        "objective": data.draw(st.sampled_from(["top1", "fps", "memory"]), label="objective"),
        "strict": data.draw(st.booleans(), label="strict"),
        "include_suspect": data.draw(st.booleans(), label="include_suspect"),
        "memory_bound": data.draw(st.sampled_from(["high", "point"]), label="memory_bound"),
    }
    if query["max_mem_gb"] is not None and query["max_mem_gb"] <= 0:
        query["max_mem_gb"] = None
    check_against_brute_force(full_catalog, device, records, **query)


@pytest.mark.parametrize("device", ["station-m3-rk3588s", "tesla-v100-pcie-32gb", "phytium-ft-2000-4"])
@pytest.mark.parametrize("include_suspect", [False, True])
@pytest.mark.parametrize("objective", ["top1", "fps", "memory"])
def test_devices_with_suspects_match_brute_force(full_catalog, device, include_suspect, objective):
    check_against_brute_force(full_catalog, device, _records(device), objective=objective,
                              include_suspect=include_suspect)


def test_headline_query_answers_with_sources(full_catalog):
    rec = full_catalog.best("jetson", max_mem_gb=1.0, min_fps=30)
    assert rec.device == full_catalog.resolve_device("jetson")
    assert rec.fps >= 30 and rec.memory_mb is not None and rec.memory_mb <= 1024
    for kind in ("accuracy", "latency"):
        assert rec.sources[kind] in full_catalog.sources
    assert rec.sources["memory"] in full_catalog.sources or rec.memory_estimated


def test_every_candidate_number_traces_to_a_source(full_catalog):
    sources = full_catalog.sources
    for m in full_catalog.measurements:
        assert m.source in sources
    for c in full_catalog.checkpoints():
        assert c.source in sources
    for a in full_catalog.architectures():
        for field in ("params_m", "gmacs", "activations_m"):
            if getattr(a, field) is not None:
                assert a.sources[field] in sources, (a.id, field)
    cols = full_catalog.columns
    # memory without a source must be an estimate, and vice versa
    no_mem_source = cols["memory_source"] == full_catalog._code["source"].get(None, -1)
    has_mem = ~(cols["memory_mb"] != cols["memory_mb"])
    assert not (has_mem & no_mem_source & ~cols["memory_estimated"]).any()


# --- regressions from review -------------------------------------------------------------


def _follow(catalog, device, query, suggestion):
    relaxed = dict(query)
    relaxed[suggestion["constraint"]] = suggestion["value"]
    return catalog.best(device, **relaxed)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    max_mem_gb=st.none() | st.floats(0.3, 1.5),
    min_fps=st.none() | st.floats(5, 300),
    min_top1=st.none() | st.floats(65, 85),
    max_params_m=st.none() | st.floats(1, 80),
    strict=st.booleans(),
    memory_bound=st.sampled_from(["high", "point"]),
)
def test_every_suggested_relaxation_is_followable(mini_catalog, **query):
    try:
        mini_catalog.best("board-a", **query)
        return
    except NoFeasibleModel as exc:
        suggestions = exc.diagnosis["suggestions"]
    for sug in suggestions:  # each suggestion alone must admit its named candidate
        rec = _follow(mini_catalog, "board-a", query, sug)
        assert rec.top1 >= sug["top1"] or rec.checkpoint == sug["checkpoint"]


@pytest.mark.parametrize("device, query", [
    ("titan-xp", {"max_mem_gb": 0.7}),
    ("jetson-nano", {"max_params_m": 1, "min_top1": 70}),
    ("jetson-nano", {"min_fps": 500}),
    ("raspberry-pi-4", {"min_fps": 40, "min_top1": 75}),
])
def test_real_suggestions_are_followable(full_catalog, device, query):
    with pytest.raises(NoFeasibleModel) as info:
        full_catalog.best(device, **query)
    suggestions = info.value.diagnosis["suggestions"]
    assert suggestions
    for sug in suggestions:
        _follow(full_catalog, device, query, sug)  # must not raise


def test_quantized_candidates_pair_within_one_source(full_catalog):
    from modelpick.catalog import QUANTIZED_PRECISIONS

    # the same toolchain (Source.toolchain, default the source's id): e.g. a vendor's accuracy page and its
    # benchmark page that describe the same compiled quantized models
    cols = full_catalog.columns
    toolchain = {s.id: s.toolchain_id for s in full_catalog._m.sources.values()}
    for r in range(len(full_catalog)):
        if full_catalog.decode("precision", int(cols["precision"][r])) in QUANTIZED_PRECISIONS:
            acc = full_catalog.decode("source", int(cols["accuracy_source"][r]))
            lat = full_catalog.decode("source", int(cols["latency_source"][r]))
            assert toolchain[acc] == toolchain[lat], (acc, lat)


def test_strict_answers_carry_no_estimated_memory(mini_catalog):
    rec = mini_catalog.best("board-a", objective="fps", strict=True)
    assert rec.checkpoint == "small.v1"
    assert rec.memory_mb is None and not rec.memory_estimated and "strict" in rec.memory_method


def test_tradeoff_quotes_the_cheapest_cell(full_catalog):
    rec = full_catalog.best("jetson", max_mem_gb=1.0, min_fps=30, memory_bound="point")
    # resnet101 runs at 19.6 FPS with TensorRT on the Nano (torch2trt), not the 7.1 FPS eager PyTorch row
    assert "19.6 FPS" in rec.why[1]


def test_timm_test_networks_stay_out_of_answers():
    # Issue 21: timm's test_* networks (41-46 % top-1 at 300k FPS) led GPU answers by FPS and stretched the plots.
    import modelpick

    assert modelpick.architectures("test_*") == [] and modelpick.checkpoints("timm/test_*") == []
    fastest = modelpick.recommend("rtx-4090", batch_size=None, objective="fps", limit=20)
    assert not [r.architecture for r in fastest if r.architecture.startswith("test_")]


def test_an_infeasible_answer_lists_only_its_own_tasks_settings(full_catalog):
    """a100 holds Keras classification runs at batch 32 on tensorflow and Ultralytics detector timings at batch 1
    on TensorRT: a classification query at batch 1 must not be told that batch 1 and TensorRT were measured there
    (they were, for detectors only), and must get the batch hint instead."""
    with pytest.raises(NoFeasibleModel) as info:
        full_catalog.best(device="a100")
    text, available = str(info.value), info.value.diagnosis["available"]
    assert available == {"batch_sizes": [32], "runtimes": ["tensorflow"], "precisions": ["unspecified"]}
    assert "measured batch sizes there: 32; runtimes: tensorflow;" in text
    assert "batch_size='best'" in text
    with pytest.raises(NoFeasibleModel) as info:
        full_catalog.best(device="a100", task="detection", batch_size=32)
    assert info.value.diagnosis["available"]["runtimes"] == ["tensorrt"]
    assert info.value.diagnosis["available"]["batch_sizes"] == [1]
