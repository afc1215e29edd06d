"""modelpick import: benchmark-tool outputs -> catalog files (modelpick.importers).

Every fixture under tests/fixtures/import/ is real published output, copied verbatim (long logs are excerpts:
whole lines kept, some lines left out, as noted):
- benchncnn/threadripper_3970x_and_quadro_rtx8000.txt: Tencent/ncnn benchmark/README.md (commit 08c2dacb), the
  sections "AMD Ryzen Threadripper 3970X" (CPU run) and "NVIDIA Quadro RTX 8000" (Vulkan run), whole.
- tflite-benchmark/mobilenet_v1_qemuriscv64.txt: NobuoTsukamoto/meta-tensorflow-lite doc/tensorflow-lite-benchmark.md
  (benchmark_model on qemuriscv64; the op-profiling tables after the first one are left out).
- tflite-benchmark/mobilenet_v1_quant_old_format.txt: https://github.com/yuenshome/yuenshome.github.io/issues/77
  (an older benchmark_model: 'Average inference timings in us: ... no stats: ...'; the first log of the comment).
- tflite-benchmark/espcn_peak_memory.txt: https://github.com/tensorflow/tensorflow/issues/42507 (first log, up to
  the 'Peak memory footprint' line).
- trtexec/resnet50_rtx3070.txt: a public "Start TensorRT" README (TensorRT 10.9.0, RTX 3070) running
  `trtexec --onnx=resnet50/model.onnx`; option-echo and trace-average lines partly left out; the summary is whole.
- trtexec/tensorrt7_gpu_compute_block.txt: https://github.com/NVIDIA/TensorRT/issues/1221 (TensorRT 7 statistics
  blocks, from the 'walltime' line to the GPU Compute median; trailing padding removed).
- onnxruntime-perf-test/squeezenet_acl.txt: https://github.com/ARM-software/ComputeLibrary/issues/850 (the ACL run).
- onnxruntime-perf-test/issue17313_latencies.txt: https://github.com/microsoft/onnxruntime/issues/17313 (the
  example output in the description; it names no model, so the test gives --architecture).
- openvino-benchmark-app/mobilenet_v2_pytorch_cpu.txt: openvinotoolkit/openvino
  docs/notebooks/model-tools-with-output.rst (benchmark_app on mobilenet-v2-pytorch, OpenVINO 2024.0.0, i9-10920X).
- openvino-benchmark-app/benchmark_report_written_to_spec.csv is NOT a published output (none was found): it is
  written to the format of openvinotoolkit/openvino tools/benchmark_tool/openvino/tools/benchmark/utils/
  statistics_report.py (CsvStatisticsReport.dump) with the keys main.py adds and get_command_line_arguments' '-m'
  pairs; its numbers are made up for the test and never enter the catalog.
- timm-benchmark/benchmark-infer-amp-nchw-pt240-cu124-rtx3090-excerpt.csv: huggingface/pytorch-image-models
  results/benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv, the header and the rows of 8 models.
- aihub-perf/mobilenet_v2/perf.yaml: quic/ai-hub-models qai_hub_models/models/mobilenet_v2/perf.yaml (commit
  052dc1f3): the float component, QCS8550 (Proxy) and Samsung Galaxy S24 entries.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

import modelpick
from modelpick.cli import main
from modelpick.errors import InvalidQuery
from modelpick.importers.api import FORMATS, import_results, parse_file
from modelpick.importers.base import ImportFormatError, ParseOptions
from modelpick.schema import CatalogFile

FIX = Path(__file__).parent / "fixtures" / "import"
NCNN = FIX / "benchncnn" / "threadripper_3970x_and_quadro_rtx8000.txt"
TFLITE = FIX / "tflite-benchmark" / "mobilenet_v1_qemuriscv64.txt"
TRT = FIX / "trtexec" / "resnet50_rtx3070.txt"
ORT = FIX / "onnxruntime-perf-test" / "squeezenet_acl.txt"
ORT_OLD = FIX / "onnxruntime-perf-test" / "issue17313_latencies.txt"
OV = FIX / "openvino-benchmark-app" / "mobilenet_v2_pytorch_cpu.txt"
TIMM = FIX / "timm-benchmark" / "benchmark-infer-amp-nchw-pt240-cu124-rtx3090-excerpt.csv"
AIHUB = FIX / "aihub-perf" / "mobilenet_v2" / "perf.yaml"


def _by_name(result) -> dict:
    return {(m["name"], m["settings"].get("backend")): m for m in result.catalog["measurements"]}


# ---------------------------------------------------------------------------
# each format on real output


def test_benchncnn_runs_headers_and_names():
    r = import_results("benchncnn", NCNN, device_id="my-threadripper")
    rows = _by_name(r)
    cpu = rows[("mobilenet", "cpu")]
    assert cpu["architecture"] == "mobilenet_v1" and cpu["latency_ms"] == 21.68 and cpu["input_size"] == 224
    assert cpu["stats"] == {"max": 21.73, "min": 21.63} and cpu["precision"] == "auto"
    assert cpu["settings"] == {"backend": "cpu", "cooling_down": 0, "gpu_device": -1, "loop_count": 10,
                               "powersave": 0, "threads": 1}
    assert rows[("squeezenet", "cpu")]["input_size"] == 227  # benchncnn.cpp feeds SqueezeNet 227x227
    assert rows[("resnet50", "cpu")]["architecture"] == "resnet50_caffe"  # ncnn's resnet50 is the Caffe v1 graph
    vk = rows[("mobilenet", "vulkan")]
    assert vk["latency_ms"] == 0.91 and vk["settings"]["gpu_device"] == 1 and vk["settings"]["loop_count"] == 256
    src = r.catalog["sources"][0]
    assert "Vulkan GPU device 1 (Quadro RTX 8000)" in src["runtime"]
    assert "loop_count=10" in src["timing"] and "loop_count=256" in src["timing"]
    kept_out = "\n".join(r.kept_out)
    assert "'blazeface' is not in the alias table: 2 row(s)" in kept_out
    assert "threadripper_3970x_and_quadro_rtx8000.txt:17" in kept_out
    # the detection graphs map through the detection section (tests/test_import_detection.py)
    assert rows[("yolov4-tiny", "cpu")]["architecture"] == "yolov4-tiny" and r.tasks["detection"] == 10
    assert "'shufflenet' left out" in kept_out
    CatalogFile.model_validate(r.catalog)


def test_tflite_benchmark_scientific_average_and_memory_delta():
    r = import_results("tflite-benchmark", TFLITE, device_id="qemu-riscv64", kind="cpu")
    (m,) = r.catalog["measurements"]
    assert m["architecture"] == "mobilenet_v1" and m["name"] == "mobilenet_v1_1.0_224.tflite"
    assert m["latency_ms"] == pytest.approx(2950.34)  # 'Inference (avg): 2.95034e+06' us
    assert m["stats"]["min"] == pytest.approx(2727.568) and m["stats"]["std"] == pytest.approx(109.798)
    assert m["settings"]["threads"] == 4 and m["settings"]["delegate"] == "cpu" and m["settings"]["runs"] == 50
    assert m["memory_mb"] == 46.0859 and "delta" in m["memory_includes"]


def test_tflite_benchmark_peak_memory_and_unmapped_graph():
    parsed = parse_file("tflite-benchmark", FIX / "tflite-benchmark" / "espcn_peak_memory.txt")
    (row,) = parsed.rows
    assert row.model == "espcn_harmonic_2x_slim_w_cl.tflite" and row.latency_ms == pytest.approx(33.2094)
    assert row.memory_mb == 12.8672 and "Peak memory footprint" in row.memory_includes
    with pytest.raises(ImportFormatError, match="espcn_harmonic_2x_slim_w_cl.tflite' is not in the alias table"):
        import_results("tflite-benchmark", FIX / "tflite-benchmark" / "espcn_peak_memory.txt", device_id="pixel-x")


def test_tflite_older_summary_and_loaded_model_line():
    (m,) = import_results("tflite-benchmark", FIX / "tflite-benchmark" / "mobilenet_v1_quant_old_format.txt",
                          device_id="phone-arm64").catalog["measurements"]
    assert m["architecture"] == "mobilenet_v1" and m["precision"] == "int8"  # reviewed entry for the _quant model
    assert m["latency_ms"] == pytest.approx(66.7676) and m["settings"]["runs"] == 15
    assert m["stats"] == {"max": 66.838, "min": 66.699, "std": 0.039}


def test_tflite_info_prefix_is_read(tmp_path):
    log = tmp_path / "info.log"
    log.write_text("".join(f"INFO: {line}\n" for line in TFLITE.read_text().splitlines()))
    (m,) = import_results("tflite-benchmark", log, device_id="qemu-riscv64").catalog["measurements"]
    assert m["latency_ms"] == pytest.approx(2950.34)


def test_trtexec_summary_shapes_precision_and_version():
    r = import_results("trtexec", TRT, device_id="rtx-3070-box", kind="gpu", architecture="resnet50")
    (m,) = r.catalog["measurements"]
    assert m["architecture"] == "resnet50" and m["batch_size"] == 1 and m["input_size"] == 224
    assert m["batch_latency_ms"] == 1.44357 and m["precision"] == "fp32"
    assert m["stats"]["median"] == 1.39775 and m["stats"]["p99"] == 2.57642 and m["stats"]["host_mean"] == 1.48372
    assert m["settings"]["tensorrt"] == "10.9.0" and m["settings"]["tf32"] is True
    assert m["note"] == "Throughput: 691.435 qps"
    assert "TensorRT trtexec 10.9.0 on NVIDIA GeForce RTX 3070" in r.catalog["sources"][0]["runtime"]


def test_trtexec_tensorrt7_blocks():
    path = FIX / "trtexec" / "tensorrt7_gpu_compute_block.txt"
    (m,) = import_results("trtexec", path, device_id="gtx-1080-ti-box", architecture="resnet50",
                          input_size=224).catalog["measurements"]
    assert m["batch_latency_ms"] == 567.144 and m["stats"] == {"max": 569.332, "median": 567.073, "min": 564.432}


def test_trtexec_model_name_unmapped_without_architecture():
    with pytest.raises(ImportFormatError, match="'resnet50' is not in the alias table"):
        import_results("trtexec", TRT, device_id="rtx-3070-box")


def test_onnxruntime_perf_test_provider_memory_and_folder_name():
    (m,) = import_results("onnxruntime-perf-test", ORT, device_id="arm-board").catalog["measurements"]
    assert m["architecture"] == "squeezenet1_0" and m["name"] == "squeezenet1.0-9" and m["input_size"] == 224
    assert m["latency_ms"] == 144.871
    assert m["settings"]["execution_provider"] == "acl" and m["settings"]["runs"] == 10
    assert m["memory_mb"] == pytest.approx(158171136 / 2**20)


def test_onnxruntime_older_wording_and_seconds():
    (m,) = import_results("onnxruntime-perf-test", ORT_OLD, device_id="some-gpu", architecture="resnet50",
                          input_size=224).catalog["measurements"]
    assert m["latency_ms"] == 58.8053
    assert m["stats"] == {"max": 62.3472, "min": 55.9777, "p50": 58.7108, "p90": 59.9845, "p95": 60.5676,
                          "p99": 61.9517, "p999": 62.3472}


def test_openvino_benchmark_app_report():
    r = import_results("openvino-benchmark-app", OV, device_id="i9-10920x", kind="cpu", architecture="mobilenet_v2")
    (m,) = r.catalog["measurements"]
    assert m["batch_latency_ms"] == 4.32 and m["fps"] == 1349.62 and m["input_size"] == 224
    assert m["precision"] == "fp32" and m["batch_size"] == 1
    assert m["stats"] == {"max": 15.88, "median": 4.31, "min": 2.7}
    assert m["settings"]["hint"] == "THROUGHPUT" and m["settings"]["streams"] == 6 and m["settings"]["device"] == "CPU"
    assert "2024.0.0-14509" in r.catalog["sources"][0]["runtime"]


def test_openvino_statistics_csv_report():
    path = FIX / "openvino-benchmark-app" / "benchmark_report_written_to_spec.csv"
    (m,) = import_results("openvino-benchmark-app", path, device_id="some-cpu", kind="cpu").catalog["measurements"]
    assert m["architecture"] == "resnet50" and m["name"] == "resnet-50-pytorch.xml" and m["input_size"] == 224
    assert m["batch_latency_ms"] == 19.20 and m["fps"] == 207.70 and m["batch_size"] == 1
    assert m["stats"] == {"max": 35.77, "median": 19.12, "min": 14.02}
    assert m["settings"] == {"api": "async", "device": "CPU", "infer_requests": 4, "iterations": 3120, "streams": 4}


def test_timm_benchmark_csv_and_json(tmp_path):
    r = import_results("timm-benchmark", TIMM, device_id="rtx-3090-box", kind="gpu")
    rows = {(m["name"], m["input_size"]): m for m in r.catalog["measurements"]}
    m = rows[("mobilenetv2_100", 224)]
    assert m["architecture"] == "mobilenet_v2"  # reviewed timm -> torchvision merge
    assert m["fps"] == 8629.73 and m["batch_latency_ms"] == 118.65 and m["batch_size"] == 1024
    assert m["precision"] == "amp-fp16"  # from the file name (-amp-)
    import csv
    import json
    with open(TIMM) as fh:
        # timm's test_* networks are out of the catalog (issue 21), so the JSON form takes the first real one
        first = next(r for r in csv.DictReader(fh) if not r["model"].startswith("test_"))
    js = tmp_path / "results.json"
    js.write_text(json.dumps([first]))
    (mj,) = import_results("timm-benchmark", js, device_id="rtx-3090-box", precision="fp16").catalog["measurements"]
    assert mj["fps"] == float(first["infer_samples_per_sec"]) and mj["precision"] == "fp16"


def test_aihub_perf_yaml_one_device():
    r = import_results("aihub-perf", AIHUB, device_id="galaxy-s24-mine", source_device="Samsung Galaxy S24",
                       input_size=224)
    rows = {m["runtime"]: m for m in r.catalog["measurements"]}
    assert set(rows) == {"tflite", "qnn-dlc", "onnxruntime"}
    assert rows["tflite"]["latency_ms"] == 0.556 and rows["tflite"]["architecture"] == "mobilenet_v2"
    assert rows["tflite"]["settings"]["compute_unit"] == "npu" and "0-151 MB" in rows["tflite"]["note"]
    with pytest.raises(ImportFormatError, match="holds 2 devices; choose one with --source-device. Valid: QCS8550"):
        import_results("aihub-perf", AIHUB, device_id="x", input_size=224)
    with pytest.raises(ImportFormatError, match="'Pixel 9' is not in the file"):
        import_results("aihub-perf", AIHUB, device_id="x", input_size=224, source_device="Pixel 9")


# ---------------------------------------------------------------------------
# bad input: clear errors naming file and line


@pytest.mark.parametrize("fmt,text,message", [
    ("benchncnn", "loop_count = 4\nnum_threads = 2\npowersave = 0\ngpu_device = -1\ncooling_down = 1\n",
     r":1: run header with no result lines after it \(truncated log\?\)"),
    ("benchncnn", "loop_count = 4\nnum_threads = 2\npowersave = 0\ngpu_device = -1\ncooling_down = 1\n"
                  "          squeezenet  min =   11.73  max =   11.8", r":6: malformed or truncated result line"),
    ("benchncnn", "          squeezenet  min =   11.73  max =   11.88  avg =   11.78\n",
     r":1: result line before any run header"),
    ("benchncnn", "hello\nworld\n", r"no result lines .* is this benchncnn output\?"),
    ("tflite-benchmark", "STARTING!\nGraph: [a.tflite]\ncount=50 first=1 curr=1 min=1 max=2 avg=1.5 std=0\n",
     r":3: no 'Inference timings in us: \.\.\.' summary line after the runs \(truncated log\?\)"),
    ("tflite-benchmark", "Graph: [a.tflite]\nInference timings in ms: Init: 1, Inference (avg): 2\n",
     r":2: inference timings in unknown unit 'ms'"),
    ("trtexec", "[I] === Performance summary ===\n[I] Throughput: 12 fps\n", r":2: throughput in unknown unit 'fps'"),
    ("trtexec", "[I] Model: a.onnx\n[I] Latency: min = 1 ms\n", r"no '=== Performance summary ===' block"),
    ("trtexec", "[I] === Performance summary ===\n[I] GPU Compute Time: min = 1 ms, max = 2 ms, mean = 1.5 fortnights\n",
     r":2: unknown time unit 'fortnights'"),
    ("onnxruntime-perf-test", "Session creation time cost: 0.1 s\nTotal inference requests: 10\n",
     r"no 'Average inference time cost: X ms' line \(truncated log\?\)"),
    ("onnxruntime-perf-test", "Average inference time cost: 5 minutes\n", r":1: unknown time unit 'minutes'"),
    ("openvino-benchmark-app", "[Step 10/11] Measuring performance (Start inference asynchronously)\n",
     r"no 'Dumping statistics report' step"),
    ("timm-benchmark", "name,score\na,1\n", r":1: no CSV header with a 'model' column"),
    ("timm-benchmark", "model,infer_img_size,infer_samples_per_sec,infer_batch_size\nresnet50,224,,256\n",
     r":2: row 'resnet50' lacks infer_samples_per_sec"),
    ("aihub-perf", "precisions:\n  float: [unclosed\n", r"not valid YAML"),
])
def test_bad_input_names_file_and_line(tmp_path, fmt, text, message):
    path = tmp_path / "out.log"
    path.write_text(text)
    with pytest.raises(ImportFormatError, match=message) as info:
        import_results(fmt, path, device_id="dev", architecture="resnet50", input_size=224)
    assert str(path) in str(info.value)


def test_architecture_only_for_single_model_logs():
    with pytest.raises(ImportFormatError, match="single-model log, but this file has"):
        import_results("benchncnn", NCNN, device_id="dev", architecture="resnet50")


def test_bad_arguments_name_the_valid_choices(tmp_path):
    with pytest.raises(InvalidQuery, match="unknown import format.*Valid choices: aihub-perf, benchncnn"):
        import_results("ncnn", NCNN, device_id="dev")
    with pytest.raises(InvalidQuery, match="kind='phone'.*Valid choices: cpu, gpu, npu, soc, tpu"):
        import_results("benchncnn", NCNN, device_id="dev", kind="phone")
    with pytest.raises(InvalidQuery, match="device_id='My Board'"):
        import_results("benchncnn", NCNN, device_id="My Board")
    with pytest.raises(ImportFormatError, match="cannot read"):
        import_results("benchncnn", tmp_path / "missing.txt", device_id="dev")


def test_unknown_architecture_is_reported_not_written():
    with pytest.raises(ImportFormatError, match="architecture 'resnet51' is not in the catalog"):
        import_results("trtexec", TRT, device_id="dev", architecture="resnet51")


# ---------------------------------------------------------------------------
# files: append without duplicates, atomic writes


def test_append_adds_new_rows_once_and_keeps_others(tmp_path):
    out = tmp_path / "mine.yaml"
    first = import_results("benchncnn", NCNN, device_id="my-threadripper", output=out)
    again = import_results("benchncnn", NCNN, device_id="my-threadripper", output=out, append=True)
    assert again.added == 0 and again.duplicates == first.added
    trt = import_results("trtexec", TRT, device_id="my-threadripper", architecture="resnet50", output=out, append=True)
    data = yaml.safe_load(out.read_text())
    assert len(data["measurements"]) == first.added + trt.added
    assert [d["id"] for d in data["devices"]] == ["my-threadripper"]
    assert {s["id"] for s in data["sources"]} == {first.source_id, trt.source_id}
    CatalogFile.model_validate(data)


def test_a_device_the_catalog_has_is_referenced_not_redefined(tmp_path, capsys):
    out = tmp_path / "more.yaml"
    r = import_results("benchncnn", NCNN, device_id="threadripper-3970x", output=out)  # an alias in the catalog
    assert r.catalog["devices"] == [] and {m["device"] for m in r.catalog["measurements"]} == {"amd-threadripper-3970x"}
    assert "the catalog's 'amd-threadripper-3970x'" in r.summary()
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()
    assert main(["recommend", "--data", str(out), "--device", "amd-threadripper-3970x", "--runtime", "ncnn",
                 "--json"]) == 0
    assert r.source_id in capsys.readouterr().out


def test_existing_output_needs_append(tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("schema_version: 1\n")
    with pytest.raises(InvalidQuery, match="exists; use --append"):
        import_results("benchncnn", NCNN, device_id="my-threadripper", output=out)
    assert out.read_text() == "schema_version: 1\n"
    r = import_results("benchncnn", NCNN, device_id="my-threadripper", output=out, append=True)
    assert r.added > 0 and yaml.safe_load(out.read_text())["measurements"]


def test_imported_file_works_through_modelpick_data(tmp_path, monkeypatch):
    out = tmp_path / "board.yaml"
    r = import_results("benchncnn", NCNN, device_id="my-threadripper", output=out)
    monkeypatch.setenv("MODELPICK_DATA", str(out))
    best = modelpick.best("my-threadripper", min_fps=30)
    assert best.device == "my-threadripper" and best.sources["latency"] == r.source_id


def test_cli_import_json_output(tmp_path, capsys):
    out = tmp_path / "board.yaml"
    assert main(["import", "trtexec", str(TRT), "--device-id", "rtx-3070-box", "--kind", "gpu", "--architecture",
                 "resnet50", "-o", str(out), "--json"]) == 0
    import json
    got = json.loads(capsys.readouterr().out)
    assert got["added"] == 1 and got["source"].startswith("trtexec-rtx-3070-box-") and got["kept_out"] == []


def test_failed_import_leaves_the_output_untouched(tmp_path):
    out = tmp_path / "mine.yaml"
    import_results("benchncnn", NCNN, device_id="my-threadripper", output=out)
    before = out.read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_text("loop_count = 4\n")
    with pytest.raises(ImportFormatError):
        import_results("benchncnn", bad, device_id="my-threadripper", output=out, append=True)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temp file left


# ---------------------------------------------------------------------------
# end to end through the CLI: import -> validate -> best --data


def test_cli_import_validate_best(tmp_path, capsys):
    out = tmp_path / "board.yaml"
    assert main(["import", "benchncnn", str(NCNN), "--device-id", "my-threadripper", "--device-name",
                 "AMD Ryzen Threadripper 3970X", "--kind", "soc", "-o", str(out)]) == 0
    assert "measurement(s) added" in capsys.readouterr().out
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()
    assert main(["best", "--data", str(out), "--device", "my-threadripper", "--min-fps", "30", "--json"]) == 0
    import json
    answer = json.loads(capsys.readouterr().out)
    rec = answer["best"]
    assert rec["device"] == "my-threadripper" and rec["sources"]["latency"].startswith("benchncnn-my-threadripper-")
    assert rec["fps"] >= 30


@pytest.mark.parametrize("args", [
    ["tflite-benchmark", str(TFLITE), "--precision", "fp32"],
    ["trtexec", str(TRT), "--architecture", "resnet50"],
    ["onnxruntime-perf-test", str(ORT)],
    ["openvino-benchmark-app", str(OV), "--architecture", "mobilenet_v2"],
    ["timm-benchmark", str(TIMM)],
    ["aihub-perf", str(AIHUB), "--source-device", "Samsung Galaxy S24", "--input-size", "224"],
])
def test_cli_every_format_gives_a_valid_queryable_file(tmp_path, capsys, args):
    out = tmp_path / "dev.yaml"
    assert main(["import", *args, "--device-id", "imported-dev", "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    assert main(["devices", "--data", str(out), "--json"]) == 0
    assert "imported-dev" in capsys.readouterr().out
    assert modelpick.load_catalog(out).device("imported-dev").id == "imported-dev"


def test_cli_bad_file_exits_2_with_file_and_line(tmp_path, capsys):
    bad = tmp_path / "cut.txt"
    bad.write_text("loop_count = 4\nnum_threads = 1\npowersave = 0\ngpu_device = -1\ncooling_down = 0\n")
    assert main(["import", "benchncnn", str(bad), "--device-id", "dev", "-o", str(tmp_path / "o.yaml")]) == 2
    assert f"{bad}:1: run header with no result lines" in capsys.readouterr().err
    assert not (tmp_path / "o.yaml").exists()


def test_public_api_and_cli_formats_agree():
    assert "import_results" in modelpick.__all__ and modelpick.import_results is import_results
    from modelpick.cli.imports import _FORMATS
    assert set(_FORMATS) == set(FORMATS)


# ---------------------------------------------------------------------------
# the benchncnn parser agrees with the build's table of the same README (when the public tables are at hand)


def _ncnn_table() -> Path | None:
    env = os.environ.get("MODELPICK_SOURCES")
    base = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "sources"
    path = base / "ncnn_benchncnn.csv"
    return path if path.is_file() else None


@pytest.mark.skipif(_ncnn_table() is None, reason="public source tables not found (MODELPICK_SOURCES)")
def test_benchncnn_parser_agrees_with_the_readme_table(tmp_path):
    """Each README run of ../shared/sources/ncnn_benchncnn.csv, printed as benchncnn.cpp prints it
    ("%20s  min = %7.2f  max = %7.2f  avg = %7.2f"), parses back to the table's numbers, settings and input sizes."""
    import csv

    with open(_ncnn_table(), newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header_keys = ("device", "loop_count", "num_threads", "powersave", "gpu_device", "cooling_down")
    runs: list[list[dict]] = []
    for r in rows:
        if any(r[k] == "" for k in header_keys + ("min_ms", "max_ms")):
            continue
        same = runs and all(runs[-1][-1][k] == r[k] for k in header_keys) and \
            int(r["readme_line"]) == int(runs[-1][-1]["readme_line"]) + 1
        if same:
            runs[-1].append(r)
        else:
            runs.append([r])
    assert len(runs) > 50
    lines = []
    for run in runs:
        h = run[0]
        lines += [f"loop_count = {h['loop_count']}", f"num_threads = {h['num_threads']}", f"powersave = {h['powersave']}",
                  f"gpu_device = {h['gpu_device']}", f"cooling_down = {h['cooling_down']}"]
        lines += [f"{r['model']:>20}  min = {float(r['min_ms']):7.2f}  max = {float(r['max_ms']):7.2f}  "
                  f"avg = {float(r['latency_ms']):7.2f}" for r in run]
    text = "\n".join(lines) + "\n"
    log = tmp_path / "readme_runs.txt"
    log.write_text(text)
    parsed = parse_file("benchncnn", log).rows
    table = [r for run in runs for r in run]
    assert len(parsed) == len(table)
    from modelpick.importers.benchncnn import INPUT_SIZES
    for row, r in zip(parsed, table):
        assert row.model == r["model"] and row.latency_ms == float(r["latency_ms"])
        assert row.stats == {"min": float(r["min_ms"]), "max": float(r["max_ms"])}
        assert row.settings["threads"] == int(r["num_threads"]) and row.settings["gpu_device"] == int(r["gpu_device"])
        assert row.settings["backend"] == ("cpu" if int(r["gpu_device"]) < 0 else "vulkan")
        assert (row.precision == "int8") == (r["precision"] == "int8")
        if r["model"] in INPUT_SIZES:
            assert row.input_size == int(r["input_whc"].split("x")[0]), r["model"]


def test_imported_rows_are_screened_like_the_catalogs(tmp_path):
    # Issue 21: a Threadripper's ncnn log imported as a Raspberry Pi 4 answered with its numbers, unscreened.
    out = tmp_path / "pi.yaml"
    result = import_results("benchncnn", [NCNN], device_id="raspberry-pi-4", output=out)
    rows = yaml.safe_load(out.read_text())["measurements"]
    suspects = {m["architecture"]: m["suspect"] for m in rows if m.get("suspect")}
    suspect_cells = {(m["architecture"], m["latency_ms"]) for m in rows if m.get("suspect")}
    assert {"vgg16", "resnet18"} <= set(suspects) and "implausibly fast" in suspects["vgg16"]
    assert any(n.startswith("suspect: vgg16") for n in result.notes)
    cat = modelpick.load_catalog(out)
    answers = cat.recommend("raspberry-pi-4", objective="fps", limit=50)
    assert not {(r.architecture, r.latency_ms) for r in answers} & suspect_cells


def test_a_device_string_that_contradicts_the_device_id_is_noted(tmp_path):
    # Issue 21: trtexec ran on an RTX 3070, imported as --device-id orin-nx --kind soc, answered 692 FPS silently.
    wrong = import_results("trtexec", [TRT], device_id="orin-nx", kind="soc", architecture="resnet50")
    assert any("'NVIDIA GeForce RTX 3070', which is not 'jetson-orin-nx'" in n for n in wrong.notes), wrong.notes
    right = import_results("trtexec", [TRT], device_id="my-3070", device_name="RTX 3070", kind="gpu",
                           architecture="resnet50")
    assert not any("which is not" in n for n in right.notes), right.notes
    new_soc = import_results("trtexec", [TRT], device_id="my-box", kind="soc", architecture="resnet50")
    assert any("which is not 'my-box'" in n for n in new_soc.notes), new_soc.notes


def test_tflite_input_size_from_the_conventional_file_name(tmp_path):
    # Issue 21: with --architecture the alias table's size is not used, and the log never prints the input shape.
    log = tmp_path / "v2.txt"
    log.write_text(TFLITE.read_text().replace("mobilenet_v1_1.0_224", "mobilenet_v2_1.0_224"))
    r = import_results("tflite-benchmark", log, device_id="qemu-riscv64", kind="cpu", architecture="mobilenet_v2")
    (m,) = r.catalog["measurements"]
    assert m["input_size"] == 224 and m["settings"]["input_size_stated"] is False
    assert any("input size 224 px read from the model file name" in c for c in r.catalog["sources"][0]["caveats"])
    given = import_results("tflite-benchmark", log, device_id="qemu-riscv64", kind="cpu", architecture="mobilenet_v2",
                           input_size=192)
    assert given.catalog["measurements"][0]["input_size"] == 192
    from modelpick.importers.tflite_benchmark import size_from_file_name

    assert [size_from_file_name(n) for n in ("inception_v3_299_quant.tflite", "mobilenet_v2_0.35_96.tflite",
                                             "densenet_2018_04_27.tflite", "model.tflite")] == [299, 96, None, None]
