"""Frontiers: LP upper bound, Pareto front, efficiency, memory model, grid (modelpick.bounds)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modelpick
from modelpick import InvalidQuery, NoFeasibleModel, UnknownDevice, UnknownName
from modelpick.bounds import _dominated, _lp_upper_bound, _select

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def fx():
    return modelpick.load_catalog(FIXTURES / "frontiers.yaml", embedded=False, use_env=False)


# ---------------------------------------------------------------------------
# the LP bound


def brute_force_bound(x, y):
    """Independent optimum: the best line is horizontal through the top point or passes through two points."""
    lo, hi = x.min(), x.max()
    mid, width = (lo + hi) / 2, hi - lo
    cands = [(float(y.max()), 0.0)]
    for i, j in itertools.combinations(range(len(x)), 2):
        if x[i] == x[j]:
            continue
        b = -(y[j] - y[i]) / (x[j] - x[i])
        if b < 0:
            continue
        cands.append((float(y[i] + b * x[i]), float(b)))
    valid = [(a, b) for a, b in cands if np.all(a - b * x >= y - 1e-9)]
    return min((a - b * mid) * width for a, b in valid)


def test_linear_bound_matches_hand_computed_values(fx):
    # points (10, 80) (20, 78) (40, 70) (30, 60); range 10..40, mid 25 lies on the hull edge (20,78)-(40,70):
    # b = (78 - 70) / 20 = 0.4, a = 78 + 0.4 * 20 = 86
    ub = modelpick.upper_bound("lin-dev", catalog=fx)
    assert ub.a == pytest.approx(86.0, abs=1e-9)
    assert ub.b == pytest.approx(0.4, abs=1e-12)
    assert ub.form == "linear" and ub.n_points == 4
    assert (ub.fps_min, ub.fps_max) == (10.0, 40.0)
    assert ub.area == pytest.approx((86 - 0.4 * 25) * 30)
    assert [p["checkpoint"] for p in ub.support] == ["n5.a", "n10.a"]
    assert ub.predict(25) == pytest.approx(76.0)
    assert ub.predict([10, 40]) == pytest.approx([82.0, 70.0])


def test_log_bound_matches_hand_computed_values(fx):
    # (log10 fps, top1) = (0, 80) (1, 78) (2, 73) (3, 60); mid 1.5 on the edge (1,78)-(2,73): b = 5, a = 83
    ub = modelpick.upper_bound("log-dev", form="log", catalog=fx)
    assert ub.a == pytest.approx(83.0, abs=1e-9)
    assert ub.b == pytest.approx(5.0, abs=1e-9)
    assert ub.predict(100) == pytest.approx(73.0)
    assert "log10(fps)" in ub.equation


def test_bound_is_labelled_computed_with_its_selection(fx):
    d = modelpick.upper_bound("lin-dev", catalog=fx).to_dict()
    assert d["computed"] is True and "linprog" in d["method"]
    assert d["selection"] == {"device": "lin-dev", "runtime": None, "precision": None, "batch_size": 1, "strict": False}
    assert d["sources"] == ["fx"] and d["runtimes"] == ["pytorch"]
    json.dumps(d, allow_nan=False)


def test_bound_prediction_labels_extrapolation(fx):
    ub = modelpick.upper_bound("lin-dev", catalog=fx)
    assert ub.prediction(25) == {"fps": 25.0, "top1_bound": pytest.approx(76.0), "computed": True, "extrapolated": False}
    assert ub.prediction(100)["extrapolated"] is True
    for bad in (0, -5, float("nan"), float("inf")):
        with pytest.raises(InvalidQuery, match="fps"):
            ub.predict(bad)


def test_bound_needs_two_points_and_two_fps_values(fx):
    with pytest.raises(NoFeasibleModel, match=r"at least 2 candidate point\(s\).*found 1"):
        modelpick.upper_bound("one-dev", catalog=fx)
    with pytest.raises(NoFeasibleModel, match="2 distinct FPS values"):
        modelpick.upper_bound("flat-dev", catalog=fx)
    with pytest.raises(NoFeasibleModel, match="found 0.*batch sizes 1"):
        modelpick.upper_bound("lin-dev", batch_size=8, catalog=fx)


def test_bound_bad_arguments_name_value_and_choices(fx):
    with pytest.raises(InvalidQuery, match=r"form='cubic'.*Valid choices: linear, log"):
        modelpick.upper_bound("lin-dev", form="cubic", catalog=fx)
    with pytest.raises(UnknownDevice, match="lin-devv.*did you mean lin-dev"):
        modelpick.upper_bound("lin-devv", catalog=fx)
    with pytest.raises(UnknownName, match="runtime='tensorrt'"):
        modelpick.upper_bound("lin-dev", runtime="tensorrt", catalog=fx)


def test_negative_slope_is_clamped_to_flat(fx):
    # mem-dev: the most accurate model is not the slowest... the bound never rises with FPS (b >= 0)
    ub = modelpick.upper_bound("mem-dev", catalog=fx)
    assert ub.b >= 0
    assert ub.predict(ub.fps_min) >= max(p["top1"] for p in ub.support)


points = st.lists(
    st.tuples(st.floats(0.5, 5000, allow_nan=False), st.floats(20, 90, allow_nan=False)), min_size=2, max_size=25,
).filter(lambda pts: len({round(p[0], 6) for p in pts}) >= 2)


@settings(max_examples=60, deadline=None)
@given(points, st.randoms(use_true_random=False), st.sampled_from(["linear", "log"]))
def test_lp_bound_valid_tight_optimal_and_permutation_stable(pts, rnd, form):
    fps = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    x = np.log10(fps) if form == "log" else fps
    a, b = _lp_upper_bound(x, y)
    gap = a - b * x - y
    assert b >= 0
    assert gap.min() >= -1e-9  # no point above the line beyond tolerance
    assert gap.min() <= 1e-9  # it touches at least one point
    area = (a - b * (x.min() + x.max()) / 2) * (x.max() - x.min())
    assert area <= brute_force_bound(x, y) + 1e-6 * max(1.0, abs(area))
    perm = list(range(len(pts)))
    rnd.shuffle(perm)
    a2, b2 = _lp_upper_bound(x[perm], y[perm])
    assert (a2, b2) == (a, b)


def test_upper_bound_on_catalog_points_is_valid(mini_catalog):
    ub = modelpick.upper_bound("board-a", catalog=mini_catalog)
    sel, rows = _select(mini_catalog, "board-a", None, None, 1)
    c = mini_catalog.columns
    assert np.all(c["top1"][rows] <= ub.predict(c["fps"][rows]) + 1e-9)
    assert len(ub.support) >= 1


# ---------------------------------------------------------------------------
# Pareto


def brute_pareto(pts):
    """pts: list of (id, top1, fps, mem); mem inf = unknown."""
    keep = []
    for i, (ci, t, f, m) in enumerate(pts):
        dominated = any(
            t2 >= t and f2 >= f and m2 <= m and (t2 > t or f2 > f or m2 < m) for j, (_, t2, f2, m2) in enumerate(pts) if j != i
        )
        if not dominated:
            keep.append(ci)
    return sorted(keep)


@pytest.mark.parametrize("device,strict", [("mem-dev", False), ("lin-dev", False), ("log-dev", False),
                                           ("board-a", False), ("board-a", True), ("gpu-b", False)])
def test_pareto_matches_brute_force(fx, mini_catalog, device, strict):
    cat = fx if device.endswith("-dev") else mini_catalog
    front = modelpick.pareto(device, strict=strict, catalog=cat)
    sel, rows = _select(cat, device, None, None, 1, strict)
    recs = [cat._recommendation(int(r)) for r in rows]
    pts = [(r.checkpoint, r.top1, r.fps,
            math.inf if r.memory_mb is None or (strict and r.memory_estimated) else r.memory_mb) for r in recs]
    assert sorted(p.checkpoint for p in front.points) == brute_pareto(pts)
    assert front.n_candidates == len(rows)
    assert [p.top1 for p in front.points] == sorted((p.top1 for p in front.points), reverse=True)
    d = front.to_dict()
    assert d["computed"] is True and "unknown memory" in d["method"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(60, 90), st.integers(1, 50), st.one_of(st.integers(100, 2000), st.just(-1))),
                min_size=1, max_size=30))
def test_dominance_filter_matches_brute_force(raw):
    top1 = np.array([r[0] for r in raw], float)
    fps = np.array([r[1] for r in raw], float)
    mem = np.array([math.inf if r[2] < 0 else r[2] for r in raw], float)
    got = sorted(np.flatnonzero(~_dominated(top1, fps, mem)).tolist())
    want = brute_pareto([(i, top1[i], fps[i], mem[i]) for i in range(len(raw))])
    assert got == want


def test_unknown_memory_is_worst(fx):
    # mem-dev n30 (75 %) is fastest on onnxruntime (111 FPS), where its memory is unknown: n1.a (80 %, 500 FPS,
    # 904 MB) beats it on every axis, so it is not on the front
    front = modelpick.pareto("mem-dev", catalog=fx)
    assert [p.checkpoint for p in front.points] == ["n100.a", "n1.a"]


# ---------------------------------------------------------------------------
# efficiency


def test_efficiency_values(fx):
    rows = {e.checkpoint: e for e in modelpick.efficiency("lin-dev", catalog=fx)}
    e = rows["n25.a"]  # 60 % at 30 FPS; bound there 86 - 12 = 74
    assert e.top1_per_m_params == pytest.approx(60 / 26.2144)
    assert e.top1_per_gmac == pytest.approx(60 / 2.5)
    assert e.bound_top1 == pytest.approx(74.0)
    assert e.gap_below_bound_pts == pytest.approx(14.0)
    assert rows["n5.a"].gap_below_bound_pts == pytest.approx(0.0, abs=1e-9)
    assert all(r.computed for r in rows.values())
    one = modelpick.efficiency("one-dev", catalog=fx)  # no bound possible: gap is None, not made up
    assert one[0].gap_below_bound_pts is None and one[0].top1_per_m_params == pytest.approx(80 / 1.048576)


# ---------------------------------------------------------------------------
# memory model


def test_memory_model_hand_computed(fx):
    mm = modelpick.memory_model("mem-dev", runtime="pytorch", catalog=fx)
    # fixture: memory = 1.1 x weights + 900 with weights 4, 20, 40, 100, 200, 400 MB
    assert mm.slope == pytest.approx(1.1, abs=1e-9)
    assert mm.intercept_mb == pytest.approx(900.0, abs=1e-6)
    assert mm.r2 == pytest.approx(1.0)
    assert mm.n_points == 6 and mm.used_for_estimates
    assert [r["weights_mb"] for r in mm.residuals] == pytest.approx([4.0, 20.0, 40.0, 100.0, 200.0, 400.0])
    assert max(abs(r["residual_mb"]) for r in mm.residuals) < 1e-6
    d = mm.to_dict()
    assert d["computed"] is True and d["selection"]["runtime"] == "pytorch"


def test_memory_model_matches_numpy_polyfit(fx):
    mm = modelpick.memory_model("mem-dev", runtime="onnxruntime", catalog=fx)
    slope, intercept = np.polyfit([4.0, 20.0], [500.0, 560.0], 1)
    assert (mm.slope, mm.intercept_mb) == pytest.approx((slope, intercept))
    assert mm.n_points == 2 and not mm.used_for_estimates  # too few points to replace the formula


def test_memory_fit_feeds_estimates_and_says_so(fx):
    recs = {(r["checkpoint"], r["runtime"]): r for r in fx.to_records("mem-dev")}
    est = recs[("n30.a", "pytorch")]  # weights 120 MB -> 1.1 * 120 + 900
    assert est["memory_estimated"] is True
    assert est["memory_mb"] == pytest.approx(1032.0)
    assert "per-device fit" in est["memory_method"] and "least squares on 6 measured points" in est["memory_method"]
    assert est["sources"]["memory"] is None
    # the onnxruntime group has only 2 points: no fit; no activations_m: no generic estimate either
    assert recs[("n30.a", "onnxruntime")]["memory_mb"] is None


def test_memory_model_errors(fx, mini_catalog):
    with pytest.raises(InvalidQuery, match=r"runtime=None: memory on mem-dev was measured with several runtimes.*"
                                           r"onnxruntime, pytorch"):
        modelpick.memory_model("mem-dev", catalog=fx)
    with pytest.raises(NoFeasibleModel, match="no source measured memory on lin-dev"):
        modelpick.memory_model("lin-dev", catalog=fx)
    with pytest.raises(InvalidQuery, match="batch_size"):
        modelpick.memory_model("mem-dev", runtime="pytorch", batch_size=None, catalog=fx)
    with pytest.raises(NoFeasibleModel, match="measured memory exists for.*tensorrt/fp16/batch 8"):
        modelpick.memory_model("board-a", runtime="ncnn", catalog=mini_catalog)
    with pytest.raises(NoFeasibleModel, match=r"distinct parameter sizes.*found 1"):
        modelpick.memory_model("board-a", runtime="tensorrt", catalog=mini_catalog)


# ---------------------------------------------------------------------------
# grid


@pytest.mark.parametrize("device,kwargs", [
    ("board-a", {}), ("board-a", {"runtime": "tensorrt"}), ("board-a", {"batch_size": 8}), ("gpu-b", {}),
    ("board-a", {"strict": True}),
])
def test_grid_cells_equal_best(mini_catalog, device, kwargs):
    mems, fpss = (0.7, 1.0, 1.4, 2.0), (5, 15, 30, 60)
    g = modelpick.grid(device, mems, fpss, catalog=mini_catalog, **kwargs)
    assert len(g.cells) == len(mems) * len(fpss)
    for cell in g.cells:
        try:
            want = mini_catalog.best(device, max_mem_gb=cell.max_mem_gb, min_fps=cell.min_fps, **kwargs)
        except NoFeasibleModel as exc:
            assert cell.best is None and cell.reason == str(exc) and cell.diagnosis == exc.diagnosis
        else:
            assert cell.best == want and cell.reason is None
    json.dumps(g.to_dict(), allow_nan=False)


def test_grid_on_the_fixture_table(fx):
    g = modelpick.grid("mem-dev", runtime="pytorch", catalog=fx)
    assert g.cell(1.4, 15).best.checkpoint == "n100.a"  # 1340 MB, 25 FPS
    assert g.cell(1.0, 60).best.checkpoint == "n1.a"
    empty = g.cell(0.7, 15)
    assert empty.best is None and "0.89 GB" in empty.reason  # 905 MB rounded up, so following it works
    with pytest.raises(InvalidQuery, match="no such grid cell"):
        g.cell(3.0, 15)


@pytest.mark.parametrize("kwargs,param", [
    ({"mem_levels_gb": ()}, "mem_levels_gb"), ({"mem_levels_gb": (1.0, -1)}, "mem_levels_gb"),
    ({"fps_levels": (float("nan"),)}, "fps_levels"), ({"fps_levels": ("fast",)}, "fps_levels"),
    ({"batch_size": 0}, "batch_size"),
])
def test_grid_bad_levels(fx, kwargs, param):
    with pytest.raises(InvalidQuery, match=param):
        modelpick.grid("mem-dev", catalog=fx, **kwargs)


def test_grid_matches_best_on_the_real_table(full_catalog):
    dev = "jetson-nano"
    try:
        full_catalog.resolve_device(dev)
    except UnknownDevice:
        pytest.skip("jetson-nano not in the embedded table")
    g = modelpick.grid(dev, catalog=full_catalog)
    for cell in g.cells:
        try:
            want = full_catalog.best(dev, max_mem_gb=cell.max_mem_gb, min_fps=cell.min_fps)
        except NoFeasibleModel as exc:
            assert cell.best is None and cell.reason == str(exc)
        else:
            assert cell.best == want


# ---------------------------------------------------------------------------
# the public API uses the default catalog


def test_public_names_exported():
    for name in ("upper_bound", "pareto", "efficiency", "memory_model", "grid", "complexity", "UpperBound",
                 "ParetoFront", "MemoryModel", "Grid"):
        assert name in modelpick.__all__ and hasattr(modelpick, name)
