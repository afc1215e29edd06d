"""modelpick import on detector logs (issue 18 sec. 3): benchncnn, trtexec and TFLite benchmark_model output of
object detectors imports as detection rows that answer ``best --task detection --data FILE``; unknown detector
names are named with their close matches; imported detection rows go through the suspect screen.

Fixtures: real published output, provenance in tests/fixtures/import/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from modelpick import load_catalog
from modelpick.cli import main
from modelpick.errors import NoFeasibleModel
from modelpick.importers.api import import_results, parse_file
from modelpick.importers.base import ImportFormatError
from modelpick.importers.rows import AliasTable

FIX = Path(__file__).parent / "fixtures" / "import"
RYZERS = FIX / "benchncnn" / "ryzers_radeon_gfx1151_vulkan.txt"
V5LITE = FIX / "benchncnn" / "yolov5lite_raspberrypi_cpu.txt"
NANO = FIX / "trtexec" / "yolov8n_jetson_nano_summary.txt"
LITE_T = FIX / "trtexec" / "yolov8_lite_t_tensorrt8_blocks.txt"
TFLITE_YOLO = FIX / "tflite-benchmark" / "yolo_int8_raspberrypi_xnnpack.txt"

NCNN_DETECTORS = {"squeezenet_ssd": ("squeezenet-ssd", 300, 8.13), "mobilenet_ssd": ("mobilenet-ssd", 300, 2.05),
                  "mobilenet_yolo": ("mobilenet-yolo", 416, 2.32), "mobilenetv2_yolov3": ("mobilenetv2-yolov3", 352, 3.97),
                  "yolov4-tiny": ("yolov4-tiny", 416, 10.65), "nanodet_m": ("nanodet-m", 320, 4.52),
                  "yolo-fastest-1.1": ("yolo-fastest-1.1", 320, 1.98), "yolo-fastestv2": ("yolo-fastestv2", 352, 1.13),
                  "FastestDet": ("fastestdet", 352, 1.05)}


@pytest.fixture(scope="module")
def tasks():
    cat = load_catalog(use_env=False)
    return lambda arch: cat.architecture(arch).task


def test_benchncnn_detection_graphs_map_to_catalog_detectors(tasks):
    r = import_results("benchncnn", RYZERS, device_id="ryzers-gfx1151", kind="gpu")
    rows = {m["name"]: m for m in r.catalog["measurements"]}
    for name, (arch, size, avg) in NCNN_DETECTORS.items():
        m = rows[name]
        assert (m["architecture"], m["input_size"], m["latency_ms"]) == (arch, size, avg), name
        assert tasks(arch) == "detection" and m["settings"]["backend"] == "vulkan"
    assert r.tasks == {"classification": 9, "detection": 9} and "(9 classification, 9 detection)" in r.summary()
    assert "Vulkan GPU device 0 (AMD Radeon Graphics (RADV GFX1151))" in r.catalog["sources"][0]["runtime"]


def test_imported_detection_rows_answer_best_task_detection(tmp_path, capsys):
    out = tmp_path / "ryzers.yaml"
    assert main(["import", "benchncnn", str(RYZERS), "--device-id", "ryzers-gfx1151", "--kind", "gpu", "-o", str(out),
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tasks"] == {"classification": 9, "detection": 9}
    assert main(["best", "--task", "detection", "--device", "ryzers-gfx1151", "--min-fps", "100", "--data", str(out),
                 "--json"]) == 0
    best = json.loads(capsys.readouterr().out)["best"]
    # the most accurate detector with a COCO mAP among the imported rows: NanoDet-m 20.6 at 4.52 ms (221 FPS)
    assert (best["task"], best["metric"], best["checkpoint"], best["score"]) == (
        "detection", "coco-map50-95", "nanodet/NanoDet-m:320", 20.6)
    assert best["latency_ms"] == 4.52 and best["sources"]["latency"] == report["source"]


def test_trtexec_summary_of_a_detector_answers_on_tensorrt(tmp_path, capsys):
    out = tmp_path / "nano.yaml"
    r = import_results("trtexec", NANO, device_id="jetson-nano", architecture="yolov8n", input_size=640, output=out)
    m, = r.catalog["measurements"]
    assert (m["architecture"], m["input_size"], m["batch_latency_ms"], m["precision"]) == (
        "yolov8n", 640, 51.9737, "unspecified")
    assert m["stats"]["host_mean"] == 52.7275 and r.tasks == {"detection": 1}
    assert r.catalog["devices"] == []  # jetson-nano is the catalog's device: no second entry
    assert main(["best", "--task", "detection", "--device", "jetson-nano", "--min-fps", "15", "--data", str(out),
                 "--json"]) == 0
    best = json.loads(capsys.readouterr().out)["best"]
    assert (best["checkpoint"], best["runtime"], best["score"]) == ("ultralytics/yolov8n.pt:640", "tensorrt", 37.3)
    assert best["fps"] == pytest.approx(1000 / 51.9737) and best["sources"]["latency"] == r.source_id


def test_imported_detection_rows_are_screened(tmp_path):
    """The Jetson Nano's TensorRT time, claimed for a Raspberry Pi Zero 2 W, is 31x that board's rate."""
    out = tmp_path / "pi.yaml"
    r = import_results("trtexec", NANO, device_id="raspberry-pi-zero-2w", architecture="yolov8n", input_size=640,
                       output=out)
    m, = r.catalog["measurements"]
    assert m["suspect"].startswith("implausibly fast") and any("suspect: yolov8n" in n for n in r.notes)
    cat = load_catalog(out, use_env=False)
    with pytest.raises(NoFeasibleModel):
        cat.best("raspberry-pi-zero-2w", task="detection", runtime="tensorrt")
    assert cat.best("raspberry-pi-zero-2w", task="detection", runtime="tensorrt", include_suspect=True).suspect


def test_unknown_detector_names_are_named_with_close_matches():
    r = import_results("benchncnn", V5LITE, device_id="my-pi")
    lines = {line.split("'")[1]: line for line in r.kept_out if "is not in the alias table" in line}
    assert {"yolov5-lite", "yolov5-lite-int8", "yolov5-lite-416", "nanodet_m-416"} <= set(lines)
    assert "close names: nanodet_m, " in lines["nanodet_m-416"] and "give --architecture" in lines["nanodet_m-416"]
    assert "2 row(s) kept out" in lines["yolov5-lite"]  # one per run
    # the known detectors of the same log import: yolov4-tiny and nanodet_m in both runs
    names = [m["name"] for m in r.catalog["measurements"]]
    assert names.count("yolov4-tiny") == 2 and names.count("nanodet_m") == 2


def test_repeated_runs_with_the_same_header_are_numbered():
    """The log runs `benchncnn 8 4 0` twice: one row per run, told apart by settings.run (not a conflict)."""
    r = import_results("benchncnn", V5LITE, device_id="my-pi")
    tiny = [m for m in r.catalog["measurements"] if m["name"] == "yolov4-tiny"]
    assert [(m["settings"]["run"], m["latency_ms"]) for m in tiny] == [(1, 300.69), (2, 285.99)]
    one_run = import_results("benchncnn", RYZERS, device_id="ryzers-gfx1151", kind="gpu")
    assert all("run" not in m["settings"] for m in one_run.catalog["measurements"])


def test_trtexec_reads_the_model_and_flags_from_its_command_line():
    parsed = parse_file("trtexec", LITE_T)
    row, = parsed.rows
    assert (row.model, row.precision, row.batch_latency_ms) == ("yolov8-lite-t.onnx", "fp16", 34.7172)
    with pytest.raises(ImportFormatError) as info:
        import_results("trtexec", LITE_T, device_id="jetson-xavier-nx")
    text = str(info.value)
    assert "'yolov8-lite-t.onnx' is not in the alias table" in text and "close names: yolov8" in text


def test_unknown_tflite_detector_is_named():
    with pytest.raises(ImportFormatError) as info:
        import_results("tflite-benchmark", TFLITE_YOLO, device_id="raspberry-pi-4")
    text = str(info.value)
    assert "'yolo_best_recall_int8_static.tflite' is not in the alias table" in text
    assert "give --architecture" in text


@pytest.mark.parametrize("section", ["trtexec", "tflite-benchmark", "ncnn-benchncnn-detection"])
def test_detector_aliases_name_catalog_detectors(tasks, section):
    """Every detector name the importers' alias sections list maps to a detection architecture of the catalog."""
    table = AliasTable.load()
    names = [n for n in table.sections[section] if not n.endswith(("_224.tflite", "_224_quant.tflite", "inception_v3.tflite",
                                                                    "inception_v3_quant.tflite"))]
    assert names
    for name in names:
        entry = table.entry(section, name)
        assert entry.arch and tasks(entry.arch) == "detection", (section, name, entry)


@pytest.mark.filterwarnings("ignore::modelpick.errors.CatalogWarning")  # squeezenet at 227 joins no accuracy
def test_import_output_file_validates_and_keeps_the_task_out_of_rows(tmp_path):
    out = tmp_path / "ryzers.yaml"
    import_results("benchncnn", RYZERS, device_id="ryzers-gfx1151", kind="gpu", output=out)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    # the task is the architecture's: rows name the architecture only (no new measurement field)
    assert all("task" not in m for m in doc["measurements"])
    assert load_catalog(out, use_env=False).best("ryzers-gfx1151", task="detection").task == "detection"
