"""Issue 19, Rockchip NPU: the RKNN Model Zoo's int8 FPS table (sources/rknn_model_zoo/) enters the catalog as
measured rknn latency on the RK35xx SoCs. The zoo publishes no accuracy of its quantized models, so by the pairing
rule none of these rows joins a checkpoint: coverage says rknn was measured but cannot answer (not "never
measured"), the RK3588 keeps answering from ncnn, and no rknn row ever carries a float accuracy."""

from __future__ import annotations

import csv
import math
import random
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from modelpick.catalog import load_table  # noqa: E402
from scripts.build_catalog.adapters.rknn_model_zoo import COMMIT, PLATFORMS, RknnModelZooAdapter  # noqa: E402
from scripts.build_catalog.context import BuildContext  # noqa: E402

EXTRACT = REPO / "sources" / "rknn_model_zoo" / "performance.csv"
SID = "rknn-model-zoo"
DEVICE_OF_COLUMN = {"RK3566<br />RK3568": "rockchip-rk3566-rk3568", "RK3562": "rockchip-rk3562",
                    "RK3588<br />@single_core": "rockchip-rk3588", "RK3576<br />@single_core": "rockchip-rk3576"}


def _raw() -> list[dict[str, str]]:
    with open(EXTRACT, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def table():
    return load_table(use_env=False)


@pytest.fixture(scope="module")
def rows(table):
    return [m for m in table.measurements if m["source"] == SID]


def test_extract_is_the_whole_published_table():
    raw = _raw()
    assert len(raw) == 51 * 7 and {r["commit"] for r in raw} == {COMMIT}
    # spot cells as published (README at the pinned commit)
    cell = {(r["model_name"], r["platform"]): r["fps_cell"] for r in raw}
    assert cell[("mobilenetv2-12", "RK3588<br />@single_core")] == "450.7"
    assert cell[("yolov8n", "RK3566<br />RK3568")] == "34.0"
    assert cell[("yolov10n", "RV1109")] == "/"
    assert cell[("lprnet", "RV1109")] == "30.6(INT8)"


def test_adapter_reads_the_real_extract(tmp_path):
    ctx = BuildContext(tmp_path, tmp_path, REPO / "data")
    RknnModelZooAdapter(ctx).build()
    assert ctx.stats[SID] == {"read": 357, "kept": 88}
    ms = ctx.measurements
    assert {m["runtime"] for m in ms} == {"rknn"} and {m["precision"] for m in ms} == {"int8"}
    assert {m["device"] for m in ms} == set(DEVICE_OF_COLUMN.values())
    assert all(m["batch_size"] == 1 and m["settings"]["backend"] == "npu" for m in ms)
    one_core = {m["device"] for m in ms if m["settings"].get("npu_cores") == 1}
    assert one_core == {"rockchip-rk3588", "rockchip-rk3576"}  # the '@single_core' columns only
    # no accuracy from this source: it publishes none
    assert ctx.checkpoints == {}
    y8 = next(m for m in ms if m["architecture"] == "yolov8n" and m["device"] == "rockchip-rk3588")
    assert (y8["input_size"], y8["fps"]) == (640, 73.5)
    excluded = ctx.exclusions[SID]
    assert excluded["platform RV1109: RKNPU1 chip, not a catalog device"] == 23
    assert excluded["demo 'yolov8_pose': not a classifier or COCO box detector"] == 7
    assert ctx.mapping.report.left_out[(SID, "resnet50-v2-7")].startswith("ONNX Model Zoo ResNet-50 v2")
    assert set(PLATFORMS) == set(DEVICE_OF_COLUMN)


def test_twenty_sampled_rknn_rows_match_their_raw_cells(rows, table):
    raw = _raw()
    rnd = random.Random(19)
    sample = rnd.sample(rows, 20)
    aliases = {"mobilenet_v2": "mobilenetv2-12", "yolov5s-relu": "yolov5s_relu", "yolox-s": "yolox_s",
               "yolox-m": "yolox_m", "ppyoloe-plus-s": "ppyoloe_s", "ppyoloe-plus-m": "ppyoloe_m"}
    for m in sample:
        name = aliases.get(m["architecture"], m["architecture"])
        assert m["name"] == name
        column = m["settings"]["platform_column"].replace(" ", "<br />")
        (r,) = [r for r in raw if r["model_name"] == name and r["platform"] == column]
        assert DEVICE_OF_COLUMN[r["platform"]] == m["device"]
        assert r["dtype"] == "INT8" and m["precision"] == "int8"
        assert math.isclose(float(r["fps_cell"]), m["fps"])
        assert math.isclose(m["per_image_latency_ms"], 1000.0 / float(r["fps_cell"]))
        assert int(r["inputs_shape"].strip("[]").split(",")[2]) == m["input_size"]
        assert table.devices[m["device"]].family == "rockchip"


def test_no_rknn_int8_row_joins_any_accuracy(table):
    cols, strings = table.columns, table.strings
    sources = strings["source"]
    joined = [i for i in range(len(cols["latency_source"])) if sources[int(cols["latency_source"][i])] == SID]
    assert joined == []  # no rknn int8 accuracy is published, and a float one may not pair


def test_rk3588_still_answers_from_ncnn_and_coverage_says_rknn_cannot_answer(full_catalog):
    rec = full_catalog.best("rockchip-rk3588", min_fps=30)
    assert rec.runtime == "ncnn" and rec.sources["latency"] == "ncnn-benchncnn"
    cov = full_catalog.coverage("rockchip-rk3588")
    (note,) = cov.missing
    assert note.startswith("rknn (Rockchip NPU) was measured on rockchip-rk3588 (1 int8 latency row)")
    assert "never measured" not in note and "cannot answer" in note and note in rec.why
    det = full_catalog.coverage("rockchip-rk3588", task="detection")
    assert "(21 int8 latency rows)" in det.missing[0]
    # runtime= still asks for what was measured, and rknn is a known runtime that has no candidate there
    assert full_catalog.best("rockchip-rk3588", min_fps=30, runtime="ncnn").runtime == "ncnn"


@pytest.mark.parametrize("device", ["rockchip-rk3562", "rockchip-rk3566-rk3568", "rockchip-rk3576"])
def test_new_soc_devices_have_rknn_rows_and_no_answer(full_catalog, device):
    cov = full_catalog.coverage(device)
    assert cov.candidates == 0 and cov.missing[0].startswith(f"rknn (Rockchip NPU) was measured on {device}")
    from modelpick.errors import NoFeasibleModel

    with pytest.raises(NoFeasibleModel, match="precision pairing"):
        full_catalog.best(device)


def test_rk3566_and_rk3568_name_the_shared_column_device(full_catalog):
    assert full_catalog.resolve_device("RK3566") == full_catalog.resolve_device("rk3568") == "rockchip-rk3566-rk3568"


def test_boards_without_rknn_rows_keep_the_never_measured_note(full_catalog):
    # the zoo names SoCs, not boards: an RK3588S board's note stays true as it was
    (note,) = full_catalog.coverage("orangepi-5").missing
    assert note.startswith("rknn, the runtime of this SoC's Rockchip NPU, was never measured on orangepi-5")


# -- Ultralytics' Rockchip RKNN page: fp16 rknn runs of the released YOLO11 weights on a Radxa Rock 5B ----------------

ULTRALYTICS_RKNN = REPO / "sources" / "ultralytics_rknn" / "rockchip_rknn.csv"


def test_rock_5b_detection_answers_come_from_rknn_and_trace_to_the_raw_rows(full_catalog, table):
    with open(ULTRALYTICS_RKNN, newline="", encoding="utf-8") as fh:
        raw = {r["model"]: r for r in csv.DictReader(fh)}
    assert len(raw) == 5
    seen = set()
    for query in ({}, {"min_fps": 3}, {"min_fps": 8}, {"objective": "fps"}, {"max_latency_ms": 400}):
        rec = full_catalog.best("radxa-rock-5b", task="detection", **query)
        # the fast runtime answers, fp16 (a non-quantized RKNN build) with the float weights' COCO mAP
        assert (rec.runtime, rec.precision) == ("rknn", "fp16")
        assert rec.sources["latency"] == "ultralytics-rknn" and rec.sources["accuracy"] == "ultralytics-docs"
        ck = table.checkpoints[rec.checkpoint]
        assert ck.precision == "fp32" and rec.checkpoint == f"ultralytics/{rec.architecture}.pt:640"
        row = raw["YOLO11" + rec.architecture.removeprefix("yolo11")]
        assert math.isclose(rec.latency_ms, float(row["latency_ms"]))
        seen.add(rec.architecture)
    assert len(seen) >= 3  # the queries reach several of the five rows


def test_rock_5b_guide_map_is_only_a_note(table):
    rows = [m for m in table.measurements if m["source"] == "ultralytics-rknn"]
    assert len(rows) == 5 and {m["device"] for m in rows} == {"radxa-rock-5b"}
    assert all("few-image check, not COCO accuracy" in m["note"] for m in rows)
    assert not any(c.source == "ultralytics-rknn" for c in table.checkpoints.values())


def test_show_and_export_say_rknn_was_measured_where_nothing_answers(capsys, tmp_path):
    # the Coral complaint (show 'runtimes: []', a header-only export that exits 0), on the rknn-only SoCs
    import json

    from modelpick.cli import main

    assert main(["show", "rockchip-rk3576", "--json"]) == 0
    dev = json.loads(capsys.readouterr().out)["device"]
    assert dev["runtimes"] == []
    assert {"task": "detection", "runtime": "rknn", "backend": "npu", "precision": "int8", "rows": 21} in \
        dev["measured_without_accuracy"]
    target = tmp_path / "rk3576.csv"
    assert main(["export", "--device", "rk3576", "-o", str(target)]) == 3
    err = capsys.readouterr().err
    assert "nothing to export for rockchip-rk3576" in err and "rknn (Rockchip NPU) was measured" in err
    assert not target.exists()
    # a device with answers exports as before
    assert main(["export", "--device", "radxa-rock-5b", "--task", "detection", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5
