"""The suspect screen judges detection rows like any other: the embedded table's detector rows all pass it, and a
detector row made 30x too fast is flagged (ncnn benchncnn on an RK3399, AI Hub on a Snapdragon X Elite), and no
other detector row is (bench/eval_screen_detection.py: 25 of 30 seeded-random detector rows made 30x too fast).
The screen flags 10 real Ultralytics Jetson TensorRT rows that data/suspects_reviewed.yaml clears (the guide's
CPU-only exports set those devices' usual rate); the review is applied as the build applies it."""

from __future__ import annotations

from conftest import REPO

from modelpick.catalog._screen import arch_infos
from modelpick.screen import apply_reviewed, load_reviewed, per_image_latency_ms, screen_rows


def _find(rows, **match):
    return next(i for i, m in enumerate(rows) if all(m.get(k) == v for k, v in match.items())
                and per_image_latency_ms(m))


def test_detection_rows_go_through_the_screen(full_catalog):
    table = full_catalog._m
    rows = [{k: v for k, v in m.items() if k != "suspect"} for m in table.measurements]
    detectors = {a for a, arch in table.architectures.items() if arch.task == "detection"}
    judged = [i for i, m in enumerate(rows) if m["architecture"] in detectors and per_image_latency_ms(m)]
    assert len(judged) > 2000
    ncnn = _find(rows, source="ncnn-benchncnn-detection", device="rockchip-rk3399", architecture="nanodet-m")
    npu = _find(rows, source="qualcomm-aihub-detection", device="snapdragon-x-elite-crd", architecture="yolov8n")
    for i in (ncnn, npu):
        rows[i] = dict(rows[i], latency_ms=rows[i]["latency_ms"] / 30.0)
    kinds = {d.id: d.kind for d in table.devices.values()}
    screened = screen_rows(rows, arch_infos(table), kinds)  # every row: the review names classifier rows too
    final = apply_reviewed(rows, screened, load_reviewed(REPO / "data" / "suspects_reviewed.yaml"))
    found = {i: reason for i, reason in final.items() if i in set(judged)}
    # the two broken rows and nothing else among the detectors
    assert set(found) == {ncnn, npu}
    assert "faster than the rest of its run predicts" in found[ncnn]
    assert "faster than the rest of its run predicts" in found[npu] or found[npu].startswith("implausibly fast:")
