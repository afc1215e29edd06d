"""Neighbour runs, the transfer/neighbour blend, the plausibility floor and the run choice (issue 15)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import modelpick
from modelpick.errors import InvalidQuery, UnknownName
from modelpick.predict import PredictionError, Target, TransferModel, calibrate_intervals
from modelpick.predict.calibrated_run import CalibratedRun
from modelpick.predict.explain import choose_run
from modelpick.predict.neighbours import neighbour_log_ms
from modelpick.predict.plausibility import PlausibilityFloor, cap
from modelpick.predict.types import Prediction


def _twins(R=40, C=25, k=2, noise=0.05, seed=5):
    """Runs in pairs of same-chip twins: a twin is its partner times a constant, plus small noise."""
    rng = np.random.default_rng(seed)
    b = rng.normal(0, 1, C)
    V = rng.normal(0, 0.5, (C, k))
    rows, cells, truth = [], {}, {}
    for i in range(R // 2):
        a, u = rng.normal(0, 1), rng.normal(0, 0.5, k)
        # a chip-specific kernel quirk the low-rank part cannot see, shared by both twins
        quirk = rng.normal(0, 0.3, C)
        for twin in range(2):
            t = Target(f"chip{i}-dev{twin}", "rt", "fp32", (), 1)
            rows.append(t)
            y = a + 0.4 * twin + b + V @ u + quirk
            truth[t] = y
            for j in range(C):
                if rng.random() < 0.9:
                    cells[(t, (f"arch{j}", 224))] = math.exp(y[j] + rng.normal(0, noise))
    return rows, cells, truth


def test_neighbours_find_the_twin_that_the_low_rank_fit_misses():
    rows, cells, truth = _twins()
    held = rows[1]  # chip0-dev1; its twin chip0-dev0 stays in the catalog
    train = {k: v for k, v in cells.items() if k[0] != held}
    model = TransferModel(rank=2).fit(train)
    cols = [(f"arch{j}", 224) for j in range(25)]
    probes = np.array([model.col_index[c] for c in cols[:5]])
    targets = np.array([model.col_index[c] for c in cols[5:]])
    got = neighbour_log_ms(model, "rt", probes, truth[held][:5], targets)
    assert np.median(np.abs(got - truth[held][5:])) < 0.06  # the twin's quirks carried over
    b, V, var, _ = model.column_arrays(cols[5:], [None] * 20, "rt")
    theta, S, near = model.row_posterior(*model.column_arrays(cols[:5], [None] * 5, "rt")[:2], truth[held][:5], "rt")
    mu, _ = model.predict_new(theta, S, b, V, var, cols[5:], near)
    assert np.median(np.abs(got - truth[held][5:])) < np.median(np.abs(mu - truth[held][5:]))
    # too few probes to judge a profile: no neighbour prediction
    assert neighbour_log_ms(model, "rt", probes[:2], truth[held][:2], targets) is None


def test_blend_weights_and_intervals_are_calibrated_by_held_out_devices():
    rows, cells, truth = _twins(R=60, seed=7)
    new = rows[1:20:2]  # one twin of each of 10 chips is new; its partner is in the catalog
    held = {t.device for t in new}
    train = {k: v for k, v in cells.items() if k[0].device not in held}
    model = TransferModel(rank=2).fit(train)
    calibrate_intervals(model, train, lambda name: None, folds=5)
    blend = model.blends["rt"]
    assert 0.0 <= blend.transfer_weight <= 0.5  # twins everywhere: the neighbours carry most of the weight
    assert blend.multiplier > 0 and blend.typical_log_error > 0
    covered, errors = [], []
    cols = [(f"arch{j}", 224) for j in range(25)]
    for t in new:
        mine = [c for c in cols if (t, c) in cells]
        picks = [model.cols[i] for i in model.suggest(5, [model.col_index[c] for c in mine], "rt")]
        run = CalibratedRun.fit(model, "rt", {c: cells[(t, c)] for c in picks}, lambda name: None)
        rest = [c for c in mine if c not in picks]
        mu, half, _, methods = run.predict(model, rest, [None] * len(rest))
        assert all("neighbour runs of rt" in m for m in methods)
        y = np.log([cells[(t, c)] for c in rest])
        covered.extend(np.abs(y - mu) <= half)
        errors.extend(np.abs(y - mu))
    assert 0.65 <= np.mean(covered) <= 0.95
    assert np.median(errors) < 0.1


def test_runs_of_an_unknown_runtime_predict_nothing():
    rows, cells, _ = _twins()
    model = TransferModel(rank=2).fit(cells)
    assert not model.supported(0, "no-such-runtime")
    with pytest.raises(PredictionError, match="no-such-runtime"):
        CalibratedRun.fit(model, "no-such-runtime", {("arch0", 224): 10.0, ("arch1", 224): 20.0}, lambda n: None)


class _Arch:
    def __init__(self, gmacs, input_size=224):
        self.gmacs, self.input_size = gmacs, input_size


def test_plausibility_floor_caps_with_the_reason_and_keeps_the_interval_above_it():
    archs = {f"a{j}": _Arch(1.0 + j) for j in range(10)}
    cells = {}
    for d in range(6):
        for j, (name, arch) in enumerate(archs.items()):
            # 2 ms per GMAC on every device, except that the lightest architecture runs 1.5x less efficiently
            cells[(Target(f"dev{d}", "rt", "fp16", (), 1), (name, 224))] = 2.0 * arch.gmacs * (1.5 if j == 0 else 1.0)
    floor = PlausibilityFloor().fit(cells, archs.get)
    assert floor.margin_log["rt"] == pytest.approx(0.0, abs=1e-9)  # no architecture ever beats the others here
    fast = Prediction("big", 224, "dev0", "rt", "fp16", 1, 10.0, 8.0, 14.0, "low-rank transfer")
    got = cap(fast, floor, gmacs=20.0)  # 0.5 ms per GMAC: 4x faster than anything measured on dev0
    assert got.latency_ms == pytest.approx(40.0) and got.low == pytest.approx(40.0)
    assert got.high == pytest.approx(14.0 * 4.0) and "plausibility floor" in got.capped and got.latency_estimated
    fine = Prediction("big", 224, "dev0", "rt", "fp16", 1, 50.0, 45.0, 60.0, "low-rank transfer")
    assert cap(fine, floor, gmacs=20.0) is fine
    # a device with only a few measured architectures has no floor (its fastest probe says too little)
    assert floor.floor_ms("new-board", "rt", "fp16", 20.0, extra={"a1": 2.0, "a2": 2.0}) is None


def test_choose_run_takes_the_only_float_precision_and_says_so():
    (rt, pr), note = choose_run([("ncnn", "auto"), ("ncnn", "int8")], "ncnn", None, "raspberry-pi-4")
    assert (rt, pr) == ("ncnn", "auto") and "only float precision" in note[0] and "int8" in note[0]
    with pytest.raises(InvalidQuery) as exc:
        choose_run([("ncnn", "auto"), ("tflite", "fp32")], None, None, "dev")
    assert exc.value.choices == ["ncnn/auto", "tflite/fp32"]
    with pytest.raises(InvalidQuery) as exc:
        choose_run([("ncnn", "fp16"), ("ncnn", "fp32")], "ncnn", None, "dev")
    assert exc.value.param == "precision"
    with pytest.raises(InvalidQuery) as exc:
        choose_run([("ncnn", "auto")], "ncnnn", None, "dev")
    assert exc.value.close_matches == ["ncnn"]


# ---------------------------------------------------------------------------
# the usability failures of issue 15, on the embedded table


def test_catalog_device_with_one_float_precision_needs_no_precision(full_catalog):
    p = modelpick.predict("raspberry-pi-4", "resnet18", runtime="ncnn", catalog=full_catalog)
    assert p.precision == "auto" and any("only float precision" in n for n in p.notes)
    assert p.to_dict()["notes"] == list(p.notes)


def test_unpredictable_cell_says_the_true_reason(full_catalog):
    with pytest.raises(PredictionError) as exc:
        modelpick.predict("raspberry-pi-4", "resnet50", runtime="ncnn", precision="auto", catalog=full_catalog)
    text = str(exc.value)
    assert "never with ncnn" in text and "resnet50_caffe" in text and "no fitted effect" not in text


def test_calibrate_reads_a_source_name_of_the_probe_runtime(full_catalog):
    pred = modelpick.calibrate("my-board", [
        {"architecture": "mobilenet", "runtime": "ncnn", "precision": "auto", "latency_ms": 61.17},
        {"architecture": "vgg16", "runtime": "ncnn", "precision": "auto", "latency_ms": 547.09},
        {"architecture": "squeezenet1_1", "runtime": "ncnn", "precision": "auto", "latency_ms": 46.65},
    ], catalog=full_catalog)
    p = pred.predict("resnet18")
    assert p.latency_estimated and p.low < p.latency_ms < p.high
    assert any("mobilenet_v1" in n and "ncnn-benchncnn" in n for n in p.notes)
    assert not pred.predict("mobilenet_v1").latency_estimated  # the probe itself


def test_calibrate_refuses_a_runtime_no_catalog_device_used(full_catalog):
    with pytest.raises(UnknownName) as exc:
        modelpick.calibrate("my-board", [{"architecture": "resnet18", "runtime": "ncnnn", "precision": "auto",
                                          "latency_ms": 23.0}], catalog=full_catalog)
    assert exc.value.param == "measurements[0].runtime" and "ncnn" in exc.value.close_matches


def test_catalog_device_predictions_respect_the_plausibility_floor(full_catalog):
    from modelpick.predict import models_for, predicted_cells

    models = models_for(full_catalog)
    p = modelpick.predict("jetson-nano", "vit_b_16", runtime="tensorrt", precision="fp16", catalog=full_catalog)
    # whether this cell hits the floor moves with the table (the TensorRT rows MLPerf and Ultralytics added made
    # the fit's own prediction slower than the floor); when it does, the prediction says so
    assert p.latency_estimated and (p.capped is None or "plausibility floor" in p.capped)
    archs = full_catalog._m.architectures
    cols = [((a.id, a.input_size), a) for a in archs.values()]
    for pred in predicted_cells(full_catalog, "jetson-nano", cols, batch_size=1):
        got = models.floor.floor_ms("jetson-nano", pred.runtime, pred.precision,
                                    archs[pred.architecture].gmacs and archs[pred.architecture].gmacs
                                    * (pred.input_size / archs[pred.architecture].input_size) ** 2)
        if got is not None:
            assert pred.latency_ms >= got[0] * (1 - 1e-9) and pred.latency_low_ms >= got[0] * (1 - 1e-9)
