"""The detection rows of data/benchmarks.yaml trace back to the raw extracts committed under sources/.

Every detection checkpoint is found in its source's extract (same weights name, same mAP); a seeded sample of
detection timings is found there too (same model name and time); the ncnn detection extract holds no row from a
README section the shared ncnn table holds out; the issue's data goals hold (checkpoints, sources, devices).
"""

from __future__ import annotations

import csv
import math
import random
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from modelpick.catalog import QUANTIZED_PRECISIONS, parse_json_lines
from modelpick._coverage import fast_runtime
from modelpick.schema import Device

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "sources"
METRIC = "coco-map50-95"

# source id -> (extract, column with the checkpoint's name or the measurement's model name, score column)
CHECKPOINT_ROWS = {
    "ultralytics-docs": ("ultralytics/models.csv", "weights", ("map50_95_e2e", "map50_95")),
    "ultralytics-yolov10": ("ultralytics/models.csv", "weights", ("map50_95",)),
    "torchvision-detection": ("torchvision-detection/detection_weights.csv", "weight_name", ("box_map",)),
    "yolox": ("yolox/yolox.csv", "weights", ("map50_95_val",)),
    "nanodet": ("nanodet/nanodet.csv", None, ("map50_95",)),
    "fastestdet": ("fastestdet/fastestdet.csv", "model", ("map50_95",)),
    "paddledetection-ppyoloe": ("paddledetection/ppyoloe.csv", "weights", ("box_ap_val",)),
    "paddledetection-picodet": ("paddledetection/picodet.csv", "weights", ("map50_95_val",)),
    "yolov6": ("yolov6/yolov6.csv yolov6/yolov6_mobile.csv", "weights", ("map50_95_val",)),
}
# source id -> (extract, model-name column, time columns, fps columns)
TIMING_ROWS = {
    "ultralytics-docs": ("ultralytics/models.csv", "model", ("cpu_onnx_ms", "gpu_ms"), ()),
    "ultralytics-yolov10": ("ultralytics/models.csv", "model", ("gpu_ms",), ()),
    "ultralytics-jetson": ("ultralytics/jetson.csv", "model", ("latency_ms",), ()),
    "ultralytics-raspberry-pi": ("ultralytics/raspberry_pi.csv", "model", ("latency_ms",), ()),
    "ultralytics-rknn": ("ultralytics_rknn/rockchip_rknn.csv", "model", ("latency_ms",), ()),
    "rknn-model-zoo": ("rknn_model_zoo/performance.csv", "model_name", (), ("fps_cell",)),
    "fastdeploy-rknpu2": ("fastdeploy_rknpu2/rknpu2_models.csv", "model_version", ("rknn_ms_cell",), ()),
    "qualcomm-aihub-detection": ("qualcomm-aihub-detection/aihub_detection.csv", "model", ("latency_ms",), ()),
    "ncnn-benchncnn-detection": ("ncnn-detection/ncnn_detection.csv", "model", ("latency_ms",), ()),
    "yolox": ("yolox/yolox.csv", "model", ("speed_v100_ms",), ()),
    "trtutils-orin-nano": ("trtutils/trtutils_orin_nano.csv", "model", ("mean_ms",), ()),
    "nanodet": ("nanodet/nanodet.csv", "model", ("cpu_i7_8700_ms", "arm_4xa76_ms"), ()),
    "fastestdet": ("fastestdet/fastestdet.csv", "model", ("latency_ms",), ()),
    "paddledetection-ppyoloe": ("paddledetection/ppyoloe.csv", "model",
                                (), ("v100_fp32_fps", "v100_trt_fp16_fps", "t4_trt_fp16_fps")),
    "paddledetection-picodet": ("paddledetection/picodet.csv", "model", ("cpu_latency_ms", "lite_latency_ms"), ()),
    "yolov6": ("yolov6/yolov6.csv yolov6/yolov6_mobile.csv", "model", ("sm8350_ms", "mt6853_ms", "sdm660_ms"),
               ("t4_trt_fp16_b1_fps", "t4_trt_fp16_b32_fps")),
}


@lru_cache(maxsize=1)
def catalog() -> dict:
    doc = parse_json_lines((REPO / "data" / "benchmarks.yaml").read_text(encoding="utf-8"))
    assert doc is not None
    return doc


@lru_cache(maxsize=None)
def extract(names: str) -> list[dict[str, str]]:
    """The rows of one extract, or of several (space-separated names) with the union of their columns."""
    out = []
    for name in names.split():
        with open(SOURCES / name, newline="", encoding="utf-8") as fh:
            out += list(csv.DictReader(fh))
    return [{k: r.get(k, "") for k in {k for row in out for k in row}} for r in out]


def detection_archs() -> set[str]:
    return {a["id"] for a in catalog()["architectures"] if a.get("task") == "detection"}


def detection_checkpoints() -> list[dict]:
    return [c for c in catalog()["checkpoints"] if c.get("metric") == METRIC]


def detection_measurements() -> list[dict]:
    archs = detection_archs()
    return [m for m in catalog()["measurements"] if m["architecture"] in archs]


def _num(text: str) -> float | None:
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        return None


def _nanodet_name(r: dict[str, str]) -> str:
    return f"{r['model']}_{r['backbone']}" if r["model"] == "NanoDet-EfficientLite" else r["model"]


def test_every_detection_checkpoint_is_a_raw_row_of_its_source():
    cks = detection_checkpoints()
    assert cks
    for c in cks:
        assert c["source"] in CHECKPOINT_ROWS, f"{c['id']}: no raw extract known for source {c['source']}"
        table, name_col, score_cols = CHECKPOINT_ROWS[c["source"]]
        rows = extract(table)
        hits = [r for r in rows
                if (_nanodet_name(r) if name_col is None else r[name_col].removesuffix(".pdparams")) == c["name"]
                and any(_num(r[col]) is not None and math.isclose(_num(r[col]), c["score"]) for col in score_cols)]
        assert hits, f"{c['id']} (score {c['score']}) is not a row of sources/{table}"


def test_detection_checkpoints_carry_the_metric_and_no_top1():
    for c in detection_checkpoints():
        assert "top1" not in c and "top5" not in c and 0 < c["score"] < 100


def test_guide_tables_give_no_accuracy():
    """The Jetson / Pi guides' mAP column is a few-image check: it never becomes a checkpoint."""
    sources = {c["source"] for c in catalog()["checkpoints"]}
    assert not sources & {"ultralytics-jetson", "ultralytics-raspberry-pi", "ultralytics-rknn"}
    guide = [m for m in detection_measurements() if m["source"] == "ultralytics-jetson"]
    assert guide and all("not COCO accuracy" in m["note"] for m in guide)


def test_a_sample_of_detection_timings_traces_to_raw_rows():
    ms = detection_measurements()
    sample = random.Random(18).sample(ms, 60)
    by_source = {m["source"] for m in ms}
    assert by_source <= set(TIMING_ROWS), by_source - set(TIMING_ROWS)
    for m in sample + [next(m for m in ms if m["source"] == s) for s in sorted(by_source)]:
        table, name_col, ms_cols, fps_cols = TIMING_ROWS[m["source"]]
        rows = [r for r in extract(table) if r[name_col] == m["name"]]
        assert rows, f"{m['source']} {m['name']}: no raw row of that name in sources/{table}"
        if "latency_ms" in m:
            ok = any(_num(r[c]) is not None and math.isclose(_num(r[c]), m["latency_ms"]) for r in rows for c in ms_cols)
        else:
            ok = any(_num(r[c]) is not None and math.isclose(_num(r[c]), m["fps"]) for r in rows for c in fps_cols)
        assert ok, f"{m['source']} {m['name']} on {m['device']}: {m.get('latency_ms', m.get('fps'))} not in sources/{table}"


def _ncnn_detection_module():
    pkg = REPO / "scripts"
    if str(pkg) not in sys.path:
        sys.path.insert(0, str(pkg))
    from build_catalog.adapters import ncnn_detection  # noqa: PLC0415 (scripts/ is not a package on the path)

    return ncnn_detection


def _shared_ncnn() -> Path | None:
    import os

    env = os.environ.get("MODELPICK_SOURCES")
    cand = Path(env) if env else REPO.parent / "shared" / "sources"
    path = cand / "ncnn_benchncnn.csv"
    return path if path.is_file() else None


def test_held_out_check_catches_a_row_from_another_section():
    mod = _ncnn_detection_module()
    shared = [{"device": "A", "backend": "CPU", "num_threads": "4", "powersave": "0", "gpu_device": "-1",
               "loop_count": "8", "cooling_down": "0", "readme_line": "100"}]
    inside = {**shared[0], "readme_line": "120"}
    held_out = {**shared[0], "device": "B (held out)", "readme_line": "120"}
    far = {**shared[0], "readme_line": "400"}
    assert mod.held_out_rows([inside, held_out, far], shared) == [held_out, far]


@pytest.mark.skipif(_shared_ncnn() is None, reason="shared ncnn_benchncnn.csv not found (set MODELPICK_SOURCES)")
def test_no_ncnn_detection_row_comes_from_a_held_out_section():
    mod = _ncnn_detection_module()
    with open(_shared_ncnn(), newline="", encoding="utf-8") as fh:
        shared = list(csv.DictReader(fh))
    rows = extract("ncnn-detection/ncnn_detection.csv")
    assert rows and mod.held_out_rows(rows, shared) == []
    assert {r["device"] for r in rows} <= {s["device"] for s in shared}


def test_issue_18_data_goals():
    cks = detection_checkpoints()
    assert len(cks) >= 80
    assert len({c["source"] for c in cks}) >= 6
    cells = {(c["architecture"], c["input_size"]) for c in cks}
    paired = [m for m in detection_measurements() if (m["architecture"], m["input_size"]) in cells
              and m["precision"] not in QUANTIZED_PRECISIONS and "suspect" not in m]
    devices = {m["device"] for m in paired}
    assert len(devices) >= 25

    def has(device: str, runtime: str, precision: str | None = None) -> bool:
        return any(m["device"] == device and m["runtime"] == runtime and precision in (None, m["precision"])
                   for m in paired)

    assert has("jetson-orin-nx", "tensorrt", "fp16") and has("jetson-orin-nano-super", "tensorrt", "fp16")
    assert has("raspberry-pi-5", "ncnn") and has("tesla-t4", "tensorrt")
    entries = {d["id"]: Device.model_validate(d) for d in catalog()["devices"]}
    # phones: the devices data/fast_runtimes.yaml declares a phone NPU or Core ML for
    phones = [d for d in devices if (fast_runtime(entries[d]) or None) and fast_runtime(entries[d]).id in
              ("phone-npu", "coreml-iphone")]
    assert len(phones) >= 5, phones


def test_yolo_gmacs_from_flops_are_labelled_computed():
    archs = {a["id"]: a for a in catalog()["architectures"]}
    assert archs["yolo11n"]["gmacs"] == pytest.approx(6.5 / 2)
    assert "gmacs" in archs["yolo11n"]["computed"]
    assert "gmacs" not in archs["yolov5n6u"]  # the P6 FLOPs are not the 1280 px count


def test_trtutils_gives_the_plain_orin_nano_tensorrt_fp16_detection_rows():
    """trtutils' OrinNano-8GB (JetPack 5, so not the Super) raw TensorRT fp16 engine times at 640 px pair with the
    catalog's COCO checkpoints: the plain Orin Nano answers detection on TensorRT (issue 18)."""
    rows = {m["architecture"]: m for m in detection_measurements() if m["source"] == "trtutils-orin-nano"}
    assert set(rows) == {"yolov8n", "yolov8s", "yolov8m", "yolov10n", "yolov10s", "yolov10m", "yolox-s", "yolox-m"}
    assert all((m["device"], m["runtime"], m["precision"], m["batch_size"], m["input_size"])
               == ("jetson-orin-nano", "tensorrt", "fp16", 1, 640) for m in rows.values())
    assert rows["yolov8n"]["latency_ms"] == 7.173 and rows["yolov8n"]["stats"] == {"median": 7.058, "min": 7.004,
                                                                                    "max": 7.673}
    src = next(s for s in catalog()["sources"] if s["id"] == "trtutils-orin-nano")
    assert src["published"]["commit"] == "112a28cecefe463502b9c6ced3d9dcadf0c047ed"
    assert "model only" in src["timing_includes"] and "Jetpack 5" in " ".join(src["caveats"])
    import modelpick

    best = modelpick.load_catalog(use_env=False).best("jetson-orin-nano", task="detection", runtime="tensorrt",
                                                     min_fps=60)
    assert best.sources["latency"] == "trtutils-orin-nano" and best.runtime == "tensorrt"
