"""modelpick.predict on synthetic data with known ground truth, and its solver integration (mini fixture)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelpick
from modelpick.errors import InvalidQuery, UnknownName
from modelpick.predict import BatchCurve, PredictionError, Target, TransferModel, calibrate_intervals
from modelpick.predict.intervals import _quantile_multiplier


def _synthetic(R=50, C=30, k=2, noise=0.0, missing=0.3, seed=1):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, R), rng.normal(0, 1, C)
    U, V = rng.normal(0, 0.5, (R, k)), rng.normal(0, 0.5, (C, k))
    Y = a[:, None] + b[None, :] + U @ V.T
    Yobs = Y + rng.normal(0, noise, Y.shape)
    mask = rng.random((R, C)) >= missing
    rows = [Target(f"dev-{i}", "rt", "fp32", (), 1) for i in range(R)]
    cells = {(rows[i], (f"arch{j}", 224)): math.exp(Yobs[i, j]) for i in range(R) for j in range(C) if mask[i, j]}
    return Y, mask, rows, cells


def test_exact_low_rank_matrix_is_recovered():
    Y, mask, rows, cells = _synthetic()
    m = TransferModel(rank=2, lam_row=1e-4, lam_col=1e-4, iters=300).fit(cells)
    err = []
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if not mask[i, j]:
                ri, ci = m.row_index[rows[i]], m.col_index[(f"arch{j}", 224)]
                err.append(m.a[ri] + m.b[ci] + m.U[ri] @ m.V[ci] - Y[i, j])
    assert np.sqrt(np.mean(np.square(err))) < 0.01 * Y.std()


def test_calibrated_new_device_intervals_cover_near_nominal():
    _, _, rows, cells = _synthetic(R=60, C=30, noise=0.1, missing=0.2, seed=3)
    m = TransferModel(rank=2).fit(cells)
    calibrate_intervals(m, cells, lambda name: None, folds=4)
    # fresh devices from the same generator, calibrated from 5 suggested probes each
    rng = np.random.default_rng(99)
    ref_b = {c: m.b[m.col_index[c]] for c in m.cols}
    covered = []
    for _ in range(40):
        u = rng.normal(0, 0.5, 2)
        a = rng.normal(0, 1)
        # the truth for a fresh row uses the fitted column parameters plus noise (same generative family)
        truth = {c: a + ref_b[c] + m.V[m.col_index[c]] @ u + rng.normal(0, 0.1) for c in m.cols}
        picks = [m.cols[i] for i in m.suggest(5)]
        b, V, var, _ = m.column_arrays(picks, [None] * 5)
        theta, S, near = m.row_posterior(b, V, np.array([truth[c] for c in picks]), "rt")
        rest = [c for c in m.cols if c not in picks]
        b, V, var, _ = m.column_arrays(rest, [None] * len(rest))
        mu, sd = m.predict_new(theta, S, b, V, var, rest, near)
        t = np.array([truth[c] for c in rest])
        covered.extend(np.abs(t - mu) <= m.mult_new * sd)
    assert 0.7 <= np.mean(covered) <= 0.95


def test_conformal_multiplier_on_gaussian_is_z80():
    z = np.random.default_rng(0).normal(size=20000)
    assert _quantile_multiplier(z) == pytest.approx(1.2816, abs=0.05)


def test_batch_curve_recovers_a_over_b_plus_c_and_refuses_far_extrapolation():
    bs = [1, 2, 4, 8, 16, 32, 64]
    curve = BatchCurve.fit(bs, [12.0 / b + 0.75 for b in bs])
    assert curve.a_ms == pytest.approx(12.0, rel=1e-6) and curve.c_ms == pytest.approx(0.75, rel=1e-6)
    assert curve(3) == pytest.approx(12.0 / 3 + 0.75)
    assert curve(128) == pytest.approx(12.0 / 128 + 0.75)  # within the allowed factor 2
    with pytest.raises(PredictionError, match="batch_size=1024"):
        curve(1024)
    with pytest.raises(PredictionError, match="two distinct batch sizes"):
        BatchCurve.fit([4, 4], [1.0, 1.1])


# ---------------------------------------------------------------------------
# library API on the hand-made fixture


def test_calibrate_unknown_architecture_lists_close_matches(mini_catalog):
    with pytest.raises(UnknownName) as exc:
        modelpick.calibrate("new-board", [{"architecture": "mediun", "runtime": "ncnn", "precision": "auto",
                                           "batch_size": 1, "latency_ms": 30.0}], catalog=mini_catalog)
    assert exc.value.close_matches == ["medium"] and "mediun" in str(exc.value) and "medium" in str(exc.value)


@pytest.mark.parametrize("probe, param", [
    ({"architecture": "small", "runtime": "ncnn", "precision": "auto", "latency_ms": -1}, "latency_ms"),
    ({"architecture": "small", "runtime": "ncnn", "precision": "auto", "latency_ms": 3, "batch_size": 0}, "batch_size"),
    ({"architecture": "small", "runtime": "ncnn", "latency_ms": 3}, "precision"),
    ({"architecture": "small", "runtime": "ncnn", "precision": "auto", "latency_ms": 3, "latency": 3}, "latency"),
])
def test_calibrate_rejects_bad_probes_naming_the_field(mini_catalog, probe, param):
    with pytest.raises(InvalidQuery) as exc:
        modelpick.calibrate("new-board", [probe], catalog=mini_catalog)
    assert exc.value.param.endswith(param)


def test_calibrate_predicts_with_interval_and_alias(mini_catalog):
    pred = modelpick.calibrate("my-board", [
        {"architecture": "small_net", "runtime": "tensorrt", "precision": "fp16", "batch_size": 1, "latency_ms": 25.0},
        {"architecture": "medium", "runtime": "tensorrt", "precision": "fp16", "batch_size": 1, "latency_ms": 90.0},
    ], catalog=mini_catalog)
    p = pred.predict("large")
    assert p.latency_estimated and p.low < p.latency_ms < p.high and p.device == "my-board"
    assert p.latency_low_ms == p.low and p.to_dict()["latency_estimated"] is True
    probe = pred.predict("small")
    assert not probe.latency_estimated and probe.latency_ms == 25.0
    with pytest.raises(PredictionError, match="batch 1 only"):
        pred.predict("large", batch_size=8)


def test_no_prediction_for_a_runtime_that_never_ran_the_architecture(mini_catalog):
    # only 'small' was ever measured with ncnn: transfer to ncnn for 'large' would be unvalidated
    pred = modelpick.calibrate("my-board", [{"architecture": "small", "runtime": "ncnn", "precision": "auto",
                                             "latency_ms": 20.0}], catalog=mini_catalog)
    with pytest.raises(PredictionError, match="never with ncnn, and predictions never cross runtimes"):
        pred.predict("large")


def test_suggest_probes_returns_distinct_known_architectures(mini_catalog):
    picks = modelpick.suggest_probes(2, among=["small", "medium", "large"], max_gmacs=100, catalog=mini_catalog)
    assert len(picks) == 2 == len(set(picks)) and set(picks) <= {"small", "medium", "large"}
    with pytest.raises(InvalidQuery):
        modelpick.suggest_probes(0, catalog=mini_catalog)


def test_predict_on_catalog_device_returns_measured_or_flagged_estimate(mini_catalog):
    measured = modelpick.predict("board-a", "small", runtime="tensorrt", catalog=mini_catalog)
    assert not measured.latency_estimated and measured.latency_ms == 10.0
    est = modelpick.predict("board-a", "large", runtime="tensorrt", batch_size=8, catalog=mini_catalog)
    assert est.latency_estimated and est.low <= est.latency_ms <= est.high


# ---------------------------------------------------------------------------
# solver integration


def test_include_adds_flagged_estimates_and_exclude_never_does(mini_catalog):
    excl = mini_catalog.recommend("board-a", limit=100)
    assert not any(r.latency_estimated for r in excl)
    incl = mini_catalog.recommend("board-a", limit=100, estimates="include")
    est = [r for r in incl if r.latency_estimated]
    assert est, "the fixture has unmeasured cells on board-a"
    for r in est:
        assert r.latency_low_ms <= r.latency_ms <= r.latency_high_ms
        assert r.sources["latency"] is None  # computed, not sourced
    assert any(r.checkpoint == "large.hi" for r in est)


def test_include_constraints_use_the_conservative_end(mini_catalog):
    recs = mini_catalog.recommend("board-a", limit=100, estimates="include", batch_size=None)
    est = next(r for r in recs if r.latency_estimated)
    # a limit between the point estimate and the slow end: the estimate must not qualify
    limit = (est.latency_ms + est.latency_high_ms) / 2
    got = mini_catalog.recommend("board-a", limit=100, estimates="include", batch_size=est.batch_size,
                                 runtime=est.runtime, max_latency_ms=limit)
    assert all(r.checkpoint != est.checkpoint or not r.latency_estimated or r.latency_high_ms <= limit for r in got)


def test_estimates_value_is_validated(mini_catalog):
    with pytest.raises(InvalidQuery) as exc:
        mini_catalog.best("board-a", estimates="maybe")
    assert exc.value.choices == ["exclude", "include"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(device=st.sampled_from(["board-a", "gpu-b"]), estimates=st.sampled_from(["exclude", "include"]),
       max_latency_ms=st.one_of(st.none(), st.floats(1, 200)), min_fps=st.one_of(st.none(), st.floats(1, 200)),
       max_mem_gb=st.one_of(st.none(), st.floats(0.1, 4)), batch_size=st.sampled_from([1, 8, None]))
def test_property_estimates_only_when_asked_and_always_flagged(mini_catalog, device, estimates, max_latency_ms,
                                                                min_fps, max_mem_gb, batch_size):
    try:
        recs = mini_catalog.recommend(device, estimates=estimates, max_latency_ms=max_latency_ms, min_fps=min_fps,
                                      max_mem_gb=max_mem_gb, batch_size=batch_size, limit=50)
    except modelpick.NoFeasibleModel:
        return
    except modelpick.InvalidQuery as exc:  # a batch size no measurement or batch curve on the device reaches
        assert estimates == "include" and exc.param == "batch_size" and batch_size == 8
        return
    measured = {(r.checkpoint, r.runtime, r.precision, r.batch_size) for r in mini_catalog.recommend(
        device, batch_size=batch_size, limit=50)} if estimates == "include" else set()
    for r in recs:
        if estimates == "exclude":
            assert not r.latency_estimated and r.latency_low_ms is None
        if r.latency_estimated:
            assert r.latency_high_ms >= r.latency_ms >= r.latency_low_ms > 0
            if max_latency_ms is not None:
                assert r.latency_high_ms <= max_latency_ms
            if min_fps is not None:
                assert 1000.0 / r.latency_high_ms >= min_fps
            if max_mem_gb is not None:
                assert r.memory_mb is not None and (r.memory_high_mb or r.memory_mb) <= max_mem_gb * 1024
        else:
            assert r.latency_low_ms is None and r.latency_high_ms is None
    del measured


def test_cli_output_marks_predictions(mini_catalog):
    from modelpick.cli.toolkit import format_recommendation, format_table

    recs = mini_catalog.recommend("board-a", estimates="include", limit=20)
    est = next(r for r in recs if r.latency_estimated)
    assert "latency predicted" in format_table(recs) and "~" in format_table(recs)
    assert "ESTIMATED: predicted, 80% interval" in format_recommendation(est)
    assert "computed" in format_recommendation(est)


def test_cli_predict_and_suggest_probes(mini_catalog, monkeypatch, capsys, tmp_path):
    import json

    from modelpick import cli
    from modelpick.cli import predict as cli_predict

    monkeypatch.setattr(cli_predict, "catalog_from_args", lambda args: mini_catalog)
    probes = tmp_path / "probes.json"
    probes.write_text(json.dumps([{"architecture": "small", "runtime": "tensorrt", "precision": "fp16", "batch_size": 1,
                                   "latency_ms": 12.5}]))
    assert cli.main(["predict", "--device", "my-board", "--probes", str(probes), "-a", "large", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["predictions"][0]["latency_estimated"] is True and out["predictions"][0]["device"] == "my-board"
    assert cli.main(["predict", "--device", "board-a", "-a", "large", "--runtime", "tensorrt", "--batch-size", "8"]) == 0
    assert "PREDICTED" in capsys.readouterr().out
    assert cli.main(["predict", "--device", "board-a", "-a", "larg", "--runtime", "tensorrt"]) == 2
    assert "did you mean large" in capsys.readouterr().err
    assert cli.main(["suggest-probes", "-k", "2", "--among", "small", "--among", "large", "--among", "medium",
                     "--max-gmacs", "100"]) == 0
    assert len(capsys.readouterr().out.split()) == 2
    assert cli.main(["suggest-probes", "-k", "2", "--among", "small", "--among", "large"]) == 0
    assert capsys.readouterr().out.split() == ["small"]  # large (8 GMACs) is above the default 5
