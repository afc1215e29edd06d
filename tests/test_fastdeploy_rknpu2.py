"""FastDeploy's RKNPU2 table (sources/fastdeploy_rknpu2/): the one non-quantized classifier row answers on the
RK3588S's NPU with float accuracy, traced to its raw cell, and so does the non-quantized PicoDet-s (its own weights'
COCO mAP); the quantized rows, which publish no accuracy, stay out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import count_answered

CSV = Path(__file__).resolve().parents[1] / "sources" / "fastdeploy_rknpu2" / "rknpu2_models.csv"


def _row(model_version: str) -> dict[str, str]:
    with open(CSV, newline="", encoding="utf-8") as fh:
        row, = [r for r in csv.DictReader(fh) if r["model_version"] == model_version]
    return row


QUERIES = [("rockchip-rk3588s", q) for q in ({"min_fps": 30}, {"max_latency_ms": 50}, {"objective": "fps"},
                                              {"objective": "top1"}, {"runtime": "rknn", "min_fps": 10})]


@pytest.mark.parametrize("device,query", QUERIES)
def test_rk3588s_answers_trace_to_the_fastdeploy_cell(full_catalog, device, query):
    r = full_catalog.best(device, **query)
    raw = _row("ResNet50_vd")
    assert raw["quantized_cell"] == "否" and raw["device_stated"] == "RK3588-s"
    assert (r.runtime, r.precision, r.architecture, r.batch_size) == ("rknn", "fp16", "resnet50d", 1)
    assert r.sources["latency"] == "fastdeploy-rknpu2" and r.latency_ms == float(raw["rknn_ms_cell"])
    ck = full_catalog.checkpoint(r.checkpoint)
    assert ck.precision not in ("int8", "uint8") and r.top1 == ck.top1  # a float run pairs with float weights


def test_the_rk3588s_row_is_measured_on_rknn_and_the_quantized_rows_stay_out(full_catalog):
    assert count_answered(full_catalog, QUERIES) == len(QUERIES)
    cov = full_catalog.coverage("rockchip-rk3588s")
    assert cov.missing == []  # rknn, its fast runtime, is measured there
    rows = [m for m in full_catalog.measurements if m.source == "fastdeploy-rknpu2"]
    assert sorted((m.device, m.architecture, m.precision) for m in rows) == [
        ("rockchip-rk3588s", "picodet-s", "fp16"), ("rockchip-rk3588s", "resnet50d", "fp16")]
    # the RK3588 row keeps answering from ncnn: FastDeploy's chip is the RK3588S, a device of its own
    assert full_catalog.best("rockchip-rk3588", min_fps=30).runtime == "ncnn"


def test_the_picodet_row_answers_detection_with_its_own_weights_map(full_catalog):
    r = full_catalog.best("rockchip-rk3588s", task="detection")
    raw = _row("Picodet-s")
    assert raw["quantized_cell"] == "否"
    assert (r.checkpoint, r.runtime, r.precision) == ("paddledetection/picodet_s_416_coco_lcnet:416", "rknn", "fp16")
    assert r.latency_ms == float(raw["rknn_ms_cell"]) and r.sources["latency"] == "fastdeploy-rknpu2"
