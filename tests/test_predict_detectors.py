"""Detector latency is predicted only with runtimes where bench/eval_predict.py measured that it works
(data/detector_eval.json, twin-free leave one device out); elsewhere predict() says so, with the measured error."""

from __future__ import annotations

import pytest

import modelpick
from modelpick.predict import PredictionError, detectors
from modelpick.predict.catalog_device import predicted_cells
from modelpick.predict.detectors import MAX_MEDIAN_APE_PCT, MIN_COVERAGE_PCT, detector_eval, detector_refusal

# the README's calibrate example: a board's ncnn figures for five classifiers
PROBES = [{"architecture": a, "runtime": "ncnn", "precision": "auto", "batch_size": 1, "latency_ms": v}
          for a, v in (("vgg16", 547.09), ("regnet_y_400mf", 65.7), ("mobilenet", 61.17),
                       ("tf_efficientnetv2_b0", 79.34), ("squeezenet1_1", 46.65))]


def _entry(ape, cov):
    return {"median_ape_pct": ape, "interval_coverage_pct": cov, "cells": 120, "devices": 12, "runs": 30,
            "architectures": 9, "within_10_pct": 50.0, "signed_median_pct": 1.0}


@pytest.fixture()
def evaluation(monkeypatch):
    """Replace the shipped evaluation by a made-up one (the rule is tested, not the measured numbers)."""
    def use(**runtimes):
        monkeypatch.setattr(detectors, "_EVAL", {"runtimes": {rt: _entry(*v) for rt, v in runtimes.items()}})
        monkeypatch.setattr(detectors, "_REFUSALS", {})
    return use


def test_rule_offers_only_accurate_and_covered_runtimes():
    doc = {"runtimes": {"good": _entry(7.5, 80.0), "edge": _entry(MAX_MEDIAN_APE_PCT, MIN_COVERAGE_PCT),
                        "inaccurate": _entry(13.6, 80.0), "narrow": _entry(5.0, 60.0)}}
    assert detector_refusal("good", doc) is None
    assert detector_refusal("edge", doc) is None
    why = detector_refusal("inaccurate", doc)
    assert "13.6 %" in why and "12 held-out device(s)" in why and "120 detector cells" in why
    assert "at most 10 %" in why and "at least 75 %" in why
    assert "60.0 %" in detector_refusal("narrow", doc)
    never = detector_refusal("tensorrt", doc)
    assert "never evaluated" in never and "edge, good, inaccurate, narrow" in never


def test_shipped_evaluation_follows_the_rule():
    doc = detector_eval()
    assert doc["rule"] == {"max_median_ape_pct": MAX_MEDIAN_APE_PCT, "min_interval_coverage_pct": MIN_COVERAGE_PCT}
    assert {"ncnn", "qnn-dlc", "tflite", "onnxruntime"} <= set(doc["runtimes"])  # the twin-free tables' runtimes
    for rt, e in doc["runtimes"].items():
        assert e["cells"] > 0 and e["devices"] > 0
        offered = e["median_ape_pct"] <= MAX_MEDIAN_APE_PCT and e["interval_coverage_pct"] >= MIN_COVERAGE_PCT
        assert (detector_refusal(rt) is None) == offered, rt
        if not offered:
            assert f"{e['median_ape_pct']:.1f} %" in detector_refusal(rt)


def test_never_evaluated_runtime_is_refused_with_the_reason():
    # TensorRT detectors are measured on Jetsons, but no held-out evaluation covers them
    assert "tensorrt" not in detector_eval()["runtimes"]
    with pytest.raises(PredictionError, match="tensorrt is not predicted: it was never evaluated"):
        modelpick.predict("jetson-orin-nx", "yolov6n", runtime="tensorrt", precision="fp16")
    # a measured detector still comes back, measured
    cat = modelpick.load_catalog(use_env=False)
    measured = next(m for m in cat.measurements if m.device == "jetson-orin-nx" and m.runtime == "tensorrt"
                    and m.precision == "fp16" and cat._m.architectures[m.architecture].task == "detection")
    got = modelpick.predict("jetson-orin-nx", measured.architecture, runtime="tensorrt", precision="fp16",
                            input_size=measured.input_size, batch_size=measured.batch_size)
    assert got.latency_estimated is False


def test_catalog_device_refuses_or_predicts_by_the_evaluation(evaluation):
    # snapdragon-675 measured three of ncnn's nine detection graphs; nanodet-m is not among them
    evaluation(ncnn=(21.0, 80.0))
    with pytest.raises(PredictionError, match=r"21\.0 %") as err:
        modelpick.predict("snapdragon-675", "nanodet-m", runtime="ncnn")
    assert "snapdragon-675" in str(err.value) and "nanodet-m" in str(err.value)
    assert modelpick.predict("snapdragon-675", "regnet_y_400mf", runtime="ncnn").latency_estimated  # classifiers: as before
    evaluation(ncnn=(8.0, 80.0))
    got = modelpick.predict("snapdragon-675", "nanodet-m", runtime="ncnn")
    assert got.latency_estimated and got.low < got.latency_ms < got.high


def test_estimates_leave_refused_detectors_out(evaluation):
    cat = modelpick.load_catalog(use_env=False)
    archs = cat._m.architectures
    cols = [((a.id, a.input_size), a) for a in archs.values() if a.task == "detection"]
    cols += [(("regnet_y_400mf", 224), archs["regnet_y_400mf"])]
    evaluation(ncnn=(21.0, 80.0))
    refused = {(p.architecture, p.runtime) for p in predicted_cells(cat, "snapdragon-675", cols, batch_size=1)}
    assert refused == {("regnet_y_400mf", "ncnn")}
    evaluation(ncnn=(8.0, 80.0))
    offered = {(p.architecture, p.runtime) for p in predicted_cells(cat, "snapdragon-675", cols, batch_size=1)}
    assert ("nanodet-m", "ncnn") in offered and ("regnet_y_400mf", "ncnn") in offered


def test_new_device_refuses_or_predicts_by_the_evaluation(evaluation):
    pred = modelpick.calibrate("my-board", PROBES)
    evaluation(ncnn=(21.0, 80.0))
    with pytest.raises(PredictionError, match=r"cannot predict nanodet-m on my-board .*21\.0 %"):
        pred.predict("nanodet-m")
    assert not any(p.architecture == "nanodet-m" for p in pred.predict_all())
    assert pred.predict("mobilenet_v2").latency_estimated
    evaluation(ncnn=(8.0, 80.0))
    assert pred.predict("nanodet-m").latency_estimated
    assert any(p.architecture == "nanodet-m" for p in pred.predict_all())
