"""calibrate() and `modelpick predict --probes` take imported files and benchmark tools' own model names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelpick
from modelpick.cli import main
from modelpick.errors import InvalidQuery, UnknownName
from modelpick.importers.probes import probes_from_file, source_architecture

NCNN = Path(__file__).parent / "fixtures" / "import" / "benchncnn" / "threadripper_3970x_and_quadro_rtx8000.txt"


def test_tool_names_map_through_the_reviewed_section():
    assert source_architecture("mobilenet", "ncnn") == {"architecture": "mobilenet_v1", "input_size": 224}
    assert source_architecture("squeezenet", "ncnn") == {"architecture": "squeezenet1_1", "input_size": 227}
    assert source_architecture("mobilenet_int8", "ncnn")["precision"] == "int8"
    assert source_architecture("shufflenet", "ncnn") is None  # left out on purpose (variant not stated)
    assert source_architecture("mobilenet", "pytorch") is None


def test_readme_calibrate_example_with_ncnn_names():
    pred = modelpick.calibrate("my-board", [
        {"architecture": "resnet18", "runtime": "ncnn", "precision": "auto", "batch_size": 1, "latency_ms": 61.2},
        {"architecture": "mobilenet", "runtime": "ncnn", "precision": "auto", "batch_size": 1, "latency_ms": 23.0},
    ])
    p = pred.predict("mobilenet_v2")
    assert p.latency_estimated and p.latency_low_ms <= p.latency_ms <= p.latency_high_ms


def test_unknown_tool_name_still_errors_with_choices():
    with pytest.raises(UnknownName, match="unknown architecture"):
        modelpick.calibrate("my-board", [{"architecture": "shufflenet", "runtime": "ncnn", "precision": "auto",
                                          "latency_ms": 10.0}])


def _cpu_run(tmp_path) -> Path:
    """The CPU run of the ncnn fixture (lines 1-27) in a file of its own."""
    path = tmp_path / "cpu.txt"
    path.write_text("\n".join(NCNN.read_text().splitlines()[:27]) + "\n")
    return path


def test_calibrate_from_an_imported_file(tmp_path):
    out = tmp_path / "board.yaml"
    modelpick.import_results("benchncnn", _cpu_run(tmp_path), device_id="my-threadripper", output=out)
    probes = probes_from_file(out)
    assert any(p["architecture"] == "mobilenet_v1" and p["latency_ms"] == 21.68 and p["input_size"] == 224
               for p in probes)
    pred = modelpick.calibrate("my-threadripper", str(out))
    p = pred.predict("mobilenet_v2", runtime="ncnn", precision="auto")
    assert p.latency_estimated is False and p.latency_ms == 14.82  # a probe is returned as measured


def test_a_file_with_several_runs_must_be_split(tmp_path):
    out = tmp_path / "both.yaml"
    modelpick.import_results("benchncnn", NCNN, device_id="my-threadripper", output=out)
    with pytest.raises(InvalidQuery, match="holds 2 runs of ncnn/auto batch 1 with different settings"):
        probes_from_file(out)


def test_probes_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("measurements: [1, 2]\n")
    with pytest.raises(InvalidQuery, match="not a valid catalog file"):
        probes_from_file(bad)
    with pytest.raises(InvalidQuery, match="cannot read"):
        probes_from_file(tmp_path / "missing.yaml")


def test_cli_predict_with_imported_probes(tmp_path, capsys):
    out = tmp_path / "board.yaml"
    assert main(["import", "benchncnn", str(_cpu_run(tmp_path)), "--device-id", "my-threadripper", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["predict", "--device", "my-threadripper", "--probes", str(out), "--architecture", "mobilenet_v2",
                 "--runtime", "ncnn", "--precision", "auto", "--json"]) == 0
    (p,) = json.loads(capsys.readouterr().out)["predictions"]
    assert p["architecture"] == "mobilenet_v2" and p["latency_ms"] > 0
