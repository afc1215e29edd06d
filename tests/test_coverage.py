"""Issue 9 section 6: every answer states its device's coverage and what a usual fast runtime it lacks;
a batch size nobody measured points at batch_size='best' and estimates='include'; one row per architecture."""

from __future__ import annotations

import json

import pytest
import yaml

from modelpick import NoFeasibleModel, load_catalog
from modelpick.cli import main as cli_main

SRC = "fixture"


def _m(arch, device, runtime, precision, batch_size, latency_ms, **settings):
    row = {"architecture": arch, "input_size": 224, "device": device, "runtime": runtime, "precision": precision,
           "batch_size": batch_size, "latency_ms": latency_ms, "source": SRC}
    if settings:
        row["settings"] = settings
    return row


@pytest.fixture(scope="module")
def cov_catalog(tmp_path_factory):
    path = tmp_path_factory.mktemp("coverage") / "coverage.yaml"
    path.write_text(yaml.safe_dump({
        "schema_version": 1,
        "sources": [{"id": SRC, "title": "coverage fixture", "published": {"url": "https://example.invalid/c"}}],
        "devices": [
            {"id": "jetson-test", "name": "Jetson Test", "kind": "soc", "family": "jetson"},
            {"id": "jetson-trt", "name": "Jetson with TensorRT", "kind": "soc", "family": "jetson"},
            {"id": "pixel-test", "name": "Pixel Test", "kind": "soc", "family": "pixel"},
            {"id": "pixel-npu", "name": "Pixel NPU", "kind": "soc", "family": "pixel"},
            {"id": "card-test", "name": "Desktop card", "kind": "gpu"},
            {"id": "card-vulkan", "name": "Desktop card, Vulkan only", "kind": "gpu"},
            {"id": "cpu-test", "name": "Desktop CPU", "kind": "cpu"},
        ],
        "architectures": [
            {"id": "small", "family": "toy", "input_size": 224, "params_m": 2.0, "gmacs": 0.3,
             "sources": {"params_m": SRC, "gmacs": SRC}},
            {"id": "large", "family": "toy", "input_size": 224, "params_m": 60.0, "gmacs": 8.0,
             "sources": {"params_m": SRC, "gmacs": SRC}},
        ],
        "checkpoints": [
            {"id": "small.a", "architecture": "small", "source": SRC, "top1": 70.0, "input_size": 224},
            {"id": "large.a", "architecture": "large", "source": SRC, "top1": 83.0, "input_size": 224},
            {"id": "large.b", "architecture": "large", "source": SRC, "top1": 82.5, "input_size": 224},
            {"id": "large.c", "architecture": "large", "source": SRC, "top1": 82.0, "input_size": 224},
        ],
        "measurements": [
            _m("small", "jetson-test", "ncnn", "auto", 1, 20.0, backend="cpu"),
            _m("large", "jetson-test", "ncnn", "auto", 1, 90.0, backend="vulkan"),
            _m("small", "jetson-trt", "tensorrt", "fp16", 1, 2.0),
            _m("small", "pixel-test", "tflite", "fp32", 1, 12.0, backend="cpu"),
            _m("small", "pixel-npu", "tflite", "fp16", 1, 3.0, backend="nnapi"),
            _m("small", "card-test", "pytorch", "amp-fp16", 64, 0.1),
            _m("large", "card-test", "pytorch", "amp-fp16", 256, 0.5),
            _m("small", "card-vulkan", "ncnn", "auto", 1, 1.0, backend="vulkan"),
            _m("small", "cpu-test", "ncnn", "auto", 1, 5.0, backend="cpu"),
        ]}))
    return load_catalog(path, embedded=False, use_env=False), path


def test_coverage_lists_runtimes_precisions_batches_and_counts(cov_catalog):
    cat, _ = cov_catalog
    cov = cat.coverage("jetson-test")
    assert cov.device == "jetson-test" and cov.runtimes == ["ncnn"] and cov.precisions == ["auto"]
    assert cov.batch_sizes == [1] and cov.candidates == 4 and cov.checkpoints == 4 and cov.architectures == 2
    assert [(r.runtime, r.backend, r.candidates) for r in cov.measured] == [("ncnn", "cpu", 1), ("ncnn", "vulkan", 3)]
    assert cov.text == ("coverage: jetson-test has 4 measured candidates (4 checkpoints of 2 architectures): "
                        "ncnn on cpu (auto, batch 1, 1 candidates); ncnn on vulkan (auto, batch 1, 3 candidates)")
    card = cat.coverage("card-test")
    assert card.batch_sizes == [64, 256] and "pytorch (amp-fp16, batch 64-256" in card.text


@pytest.mark.parametrize("device, expected", [
    ("jetson-test", "TensorRT, the usual fast runtime on Jetson boards, was never measured on jetson-test: these "
                    "answers come from ncnn on cpu and ncnn on vulkan only"),
    ("pixel-test", "no NPU runtime (NNAPI, Qualcomm QNN, Core ML, ...) was measured on pixel-test"),
    ("card-vulkan", "no CUDA (PyTorch, TensorRT) runtime was measured on card-vulkan: these answers come from ncnn "
                    "on vulkan only"),
])
def test_a_missing_usual_fast_runtime_is_said_in_plain_words(cov_catalog, device, expected):
    cat, _ = cov_catalog
    assert any(expected in note for note in cat.coverage(device).missing)
    rec = cat.best(device)
    assert rec.why[-2] == cat.coverage(device).text and expected in rec.why[-1]


@pytest.mark.parametrize("device", ["jetson-trt", "pixel-npu", "card-test", "cpu-test"])
def test_no_false_note_where_the_fast_runtime_was_measured(cov_catalog, device):
    cat, _ = cov_catalog
    assert cat.coverage(device).missing == []
    why = cat.best(device, batch_size=None).why
    assert why[-1] == cat.coverage(device).text


def test_infeasible_answers_carry_coverage_and_the_missing_runtime(cov_catalog):
    cat, _ = cov_catalog
    with pytest.raises(NoFeasibleModel) as err:
        cat.best("jetson-test", min_fps=1000)
    assert err.value.diagnosis["coverage"]["device"] == "jetson-test"
    assert err.value.diagnosis["coverage"]["runtimes"] == ["ncnn"]
    assert "Note: TensorRT, the usual fast runtime on Jetson boards, was never measured" in str(err.value)


def test_throughput_only_device_at_batch_1_points_at_best_batch_and_estimates(cov_catalog, capsys):
    cat, path = cov_catalog
    with pytest.raises(NoFeasibleModel) as err:
        cat.best("card-test", min_fps=100)
    text = str(err.value)
    assert "Batch 1 was never measured on card-test (its data are throughput runs at batch sizes 64-256)" in text
    assert "batch_size='best' (CLI --batch-size best" in text and "estimates='include' (CLI --estimates include)" in text
    assert cat.best("card-test", min_fps=100, batch_size=None).batch_size in (64, 256)
    # Already asking for estimates: the message does not send the user back to them.
    class NoCells:
        def estimated_cells(self, catalog, device, batch_size):
            return []

    view = cat.with_estimates("card-test", 1, estimator=NoCells())
    with pytest.raises(NoFeasibleModel) as err:
        view.best("card-test", min_fps=100, estimates="include")
    assert "estimates='include' has no predicted batch-1 cells there either" in str(err.value)


def test_per_architecture_keeps_each_architectures_best_checkpoint(cov_catalog):
    cat, _ = cov_catalog
    every = [r.checkpoint for r in cat.recommend("jetson-test", limit=10, per_architecture=False)]
    assert every == ["large.a", "large.b", "large.c", "small.a"]
    one_each = cat.recommend("jetson-test", limit=10, per_architecture=True)
    assert [r.checkpoint for r in one_each] == ["large.a", "small.a"]
    assert one_each[0].why[0].startswith("highest top-1 of 2 feasible architecture(s)")
    assert [r.checkpoint for r in cat.recommend("jetson-test", limit=1, per_architecture=True)] == ["large.a"]
    by_fps = cat.recommend("jetson-test", objective="fps", per_architecture=True)
    assert [r.architecture for r in by_fps] == ["small", "large"]


def test_embedded_table_coverage_for_the_devices_of_the_issue(full_catalog):
    orin_nano = full_catalog.coverage("jetson-orin-nano")
    assert "tensorrt" not in orin_nano.runtimes
    assert any("TensorRT, the usual fast runtime on Jetson boards, was never measured" in n for n in orin_nano.missing)
    assert any("TensorRT" in line for line in full_catalog.best("jetson-orin-nano").why)
    # MLPerf measured TensorRT on the AGX Orin: the note disappears exactly there
    agx = full_catalog.coverage("jetson-agx-orin")
    assert "tensorrt" in agx.runtimes and agx.missing == []
    ryzen = full_catalog.coverage("amd-ryzen-9-5950x")
    assert ryzen.runtimes == ["ncnn"] and ryzen.candidates > 0 and ryzen.text.startswith("coverage: amd-ryzen-9-5950x")
    with pytest.raises(NoFeasibleModel, match="batch_size='best'.*estimates='include'"):
        full_catalog.best("rtx-4090", min_fps=100)
    tx1 = full_catalog.recommend("jetson-tx1", limit=5, per_architecture=True)
    assert len({r.architecture for r in tx1}) == len(tx1) > 1


def test_cli_recommend_is_one_row_per_architecture_by_default_and_json_has_coverage(capsys):
    from pathlib import Path

    mini = str(Path(__file__).parent / "fixtures" / "mini.yaml")
    assert cli_main(["recommend", "--data", mini, "--device", "board-a", "--json", "--limit", "50"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = [doc["best"], *doc["alternatives"]]
    assert len({r["architecture"] for r in rows}) == len(rows)
    assert doc["query"]["per_architecture"] is True and doc["coverage"]["device"] == "board-a"
    assert cli_main(["recommend", "--data", mini, "--device", "board-a", "--json", "--limit", "50",
                     "--all-checkpoints"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = [doc["best"], *doc["alternatives"]]
    assert len({r["checkpoint"] for r in rows}) == len(rows) and len({r["architecture"] for r in rows}) < len(rows)
    code = cli_main(["best", "--device", "rtx-4090", "--min-fps", "100"])
    err = capsys.readouterr().err
    assert code == 3 and "--batch-size best" in err and "--estimates include" in err
    assert "modelpick: coverage: rtx-4090 has" in err


def test_rest_answers_carry_coverage_and_take_per_architecture(cov_catalog):
    from service import create_app

    cat, _ = cov_catalog
    client = create_app({"MODELPICK_CATALOG": cat}).test_client()
    body = client.get("/recommend?device=jetson-test&per_architecture=true").get_json()
    assert [r["checkpoint"] for r in [body["best"], *body["alternatives"]]] == ["large.a", "small.a"]
    assert body["coverage"] == cat.coverage("jetson-test").to_dict()
    assert any("TensorRT" in line for line in body["best"]["why"])
    assert client.get("/recommend?device=jetson-test").get_json() == body  # one row per architecture by default
    every = client.get("/recommend?device=jetson-test&per_architecture=false").get_json()
    assert len(every["alternatives"]) == 3
    problem = client.get("/recommend?device=card-test&min_fps=100").get_json()
    assert "batch_size='best'" in problem["detail"] and problem["diagnosis"]["coverage"]["device"] == "card-test"
    spec = client.get("/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/recommend"]["get"]["parameters"]}
    assert "per_architecture" in params
    assert "coverage" in json.dumps(spec["components"]["schemas"]["RecommendResponse"])
