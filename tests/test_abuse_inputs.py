"""Abuse corpus, inputs (issue 22): physical ranges for every number at every entry point (catalog files,
importers, probes), and one bounded reader for every file a command opens (FIFO, /dev/zero, a 1 GB file,
deep nesting). Each case asserts a clean outcome: a clear error naming the value, no traceback, no hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO

from modelpick.cli import main
from modelpick.errors import CatalogError, InvalidQuery, ModelpickError
from modelpick.catalog._files import read_catalog_file
from modelpick.importers.api import FORMATS, import_results
from modelpick.importers.base import ImportFormatError
from modelpick.importers.probes import probes_from_file
from modelpick.schema import RANGES

IMPORT = FIXTURES / "import"
TFLITE = IMPORT / "tflite-benchmark" / "mobilenet_v1_qemuriscv64.txt"

HEAD = """schema_version: 1
sources:
  - {id: s, title: t, published: {url: "https://example.invalid/x"}}
devices:
  - {id: dev-a, name: Dev A, kind: cpu}
architectures:
  - {id: net, family: toy, input_size: 224, params_m: 2.0, gmacs: 0.3, sources: {params_m: s, gmacs: s}}
checkpoints:
  - {id: net.v1, architecture: net, source: s, top1: 70.0, input_size: 224}
"""

BAD_NUMBERS = ["5.0e-324", "1.0e-318", "1.0e+308", "1.0e-09", "0.0000001", "9.0e+99", ".inf", "-.inf", ".nan",
               "-1.0", "0", "1.0e+12"]

MEASUREMENT_FIELDS = {
    "latency_ms": "{v}",
    "batch_latency_ms": "{v}",
    "fps": "{v}",
    "memory_mb": "{v}, memory_includes: x",
}


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize("field", sorted(MEASUREMENT_FIELDS))
def test_measurement_numbers_outside_their_range_are_refused(tmp_path, field, value):
    body = MEASUREMENT_FIELDS[field].format(v=value)
    p = _write(tmp_path, HEAD + "measurements:\n  - {architecture: net, input_size: 224, device: dev-a, runtime: r, "
               f"precision: fp32, batch_size: 1, {field}: {body}, source: s}}\n")
    with pytest.raises(CatalogError) as exc:
        read_catalog_file(p)
    msg = str(exc.value)
    assert f"measurements[0].{field}" in msg and len(msg) < 400


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize("field", ["params_m", "gmacs", "activations_m", "gmacs_conv"])
def test_architecture_numbers_outside_their_range_are_refused(tmp_path, field, value):
    p = _write(tmp_path, "schema_version: 1\nsources:\n  - {id: s, title: t, published: {url: \"https://e.invalid\"}}\n"
               f"architectures:\n  - {{id: net, family: toy, input_size: 224, {field}: {value}, sources: {{{field}: s}}}}\n")
    with pytest.raises(CatalogError, match=rf"architectures\[0\]\.{field}"):
        read_catalog_file(p)


@pytest.mark.parametrize("value", ["5.0e-324", "1.0e+308", ".inf", "-1.0", "1.0e+09"])
def test_device_memory_outside_its_range_is_refused(tmp_path, value):
    p = _write(tmp_path, f"schema_version: 1\ndevices:\n  - {{id: d, name: D, kind: gpu, memory_gb: {value}}}\n")
    with pytest.raises(CatalogError, match=r"devices\[0\]\.memory_gb"):
        read_catalog_file(p)


@pytest.mark.parametrize("stat", ["std", "min", "max"])
@pytest.mark.parametrize("value", [".inf", "-1.0", "1.0e+308", ".nan"])
def test_stats_outside_their_range_are_refused(tmp_path, stat, value):
    p = _write(tmp_path, HEAD + "measurements:\n  - {architecture: net, input_size: 224, device: dev-a, runtime: r, "
               f"precision: fp32, batch_size: 1, latency_ms: 5.0, stats: {{{stat}: {value}}}, source: s}}\n")
    with pytest.raises(CatalogError, match=r"measurements\[0\]\.stats"):
        read_catalog_file(p)


def test_per_batch_time_that_is_under_a_microsecond_per_image_is_refused(tmp_path):
    p = _write(tmp_path, HEAD + "measurements:\n  - {architecture: net, input_size: 224, device: dev-a, runtime: r, "
               "precision: fp32, batch_size: 100000, batch_latency_ms: 0.01, source: s}\n")
    with pytest.raises(CatalogError, match="time per image"):
        read_catalog_file(p)


def test_the_ranges_hold_the_curated_table(full_catalog):
    # the whole embedded table loads under the ranges (the range comment quotes its extremes)
    assert full_catalog.hash and RANGES["latency_ms"][0] == 1e-4


# --- the commands that crashed on a 5e-324 latency now stop at the file with one clear line

COMMANDS = [["best", "--device", "dev-a", "--json"], ["export"], ["bound", "--device", "dev-a"],
            ["pareto", "--device", "dev-a"], ["recommend", "--device", "dev-a", "--json"], ["validate"]]


@pytest.mark.parametrize("value", ["5.0e-324", "1.0e-318"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_commands_on_a_file_with_a_subnormal_latency_fail_cleanly(tmp_path, capsys, command, value):
    p = _write(tmp_path, HEAD + "measurements:\n  - {architecture: net, input_size: 224, device: dev-a, runtime: r, "
               f"precision: fp32, batch_size: 1, latency_ms: {value}, source: s}}\n")
    argv = [*command, str(p), "--standalone"] if command[0] == "validate" else [*command, "--data", str(p)]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and "latency_ms" in err and "100 ns to 1 day" in err and "Traceback" not in err


# ---------------------------------------------------------------------------
# importers: a number outside its range is a row kept out with its reason


def test_tflite_log_with_a_subnormal_time_is_kept_out(tmp_path):
    text = TFLITE.read_text().replace("2.95034e+06", "1e-318")
    p = _write(tmp_path, text, "tiny.txt")
    with pytest.raises(ImportFormatError) as exc:
        import_results("tflite-benchmark", p, device_id="riscv-box", output=tmp_path / "out.yaml")
    assert "latency_ms" in str(exc.value) and "100 ns to 1 day" in str(exc.value)
    assert not (tmp_path / "out.yaml").exists()


# ---------------------------------------------------------------------------
# the files importers and probes open


def _special(tmp_path: Path, kind: str) -> Path:
    p = tmp_path / f"in-{kind}"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "dir":
        p.mkdir()
    elif kind == "zero":
        p.symlink_to("/dev/zero")
    elif kind == "loop":
        p.symlink_to(p)
    elif kind == "big":
        with open(p, "wb") as fh:
            fh.truncate(2**30)  # sparse: a 1 GB file that costs no disk
    elif kind == "empty":
        p.write_bytes(b"")
    return p


SPECIAL = ["fifo", "dir", "zero", "loop", "big", "missing", "empty"]


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_importers_refuse_special_files_clearly(tmp_path, fmt, kind, monkeypatch):
    monkeypatch.setenv("MODELPICK_MAX_FILE_MB", "64")
    p = _special(tmp_path, kind)
    with pytest.raises(ImportFormatError) as exc:
        import_results(fmt, p, device_id="dev-x", architecture="resnet50")
    assert str(p) in str(exc.value) and len(str(exc.value)) < 400


@pytest.mark.parametrize("kind", SPECIAL)
def test_probes_file_refuses_special_files_clearly(tmp_path, kind, monkeypatch):
    monkeypatch.setenv("MODELPICK_MAX_FILE_MB", "64")
    p = _special(tmp_path, kind)
    if kind != "empty":
        with pytest.raises(InvalidQuery) as exc:
            probes_from_file(p)
        assert len(str(exc.value)) < 500


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("kind", ["fifo", "dir", "zero", "loop", "big", "missing"])
def test_cli_predict_probes_refuses_special_files(tmp_path, capsys, monkeypatch, kind, suffix):
    monkeypatch.setenv("MODELPICK_MAX_FILE_MB", "64")
    p = _special(tmp_path, kind)
    link = tmp_path / f"probes{suffix}"
    link.symlink_to(p)
    code = main(["predict", "--device", "some-new-board", "--probes", str(link), "--architecture", "resnet50"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "probes" in err


def _deep_yaml(n: int) -> str:
    n = min(n, 3000)  # block nesting costs n^2 bytes of indentation
    return "precisions:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(n)) + "  " * (n + 1) + "x: 1\n"


DEEP = {
    "aihub-yaml-block": ("aihub-perf", lambda n: _deep_yaml(n)),
    "aihub-yaml-flow": ("aihub-perf", lambda n: "precisions: " + "[" * n + "]" * n + "\n"),
    "aihub-yaml-dashes": ("aihub-perf", lambda n: "precisions:\n" + "- " * n + "x\n"),
    "timm-json-list": ("timm-benchmark", lambda n: "[" * n + "]" * n),
    "timm-json-object": ("timm-benchmark", lambda n: '{"a":' * n + "1" + "}" * n),
}


@pytest.mark.parametrize("depth", [200, 5_000, 100_000])
@pytest.mark.parametrize("case", sorted(DEEP))
def test_deeply_nested_import_files_are_clear_errors(tmp_path, case, depth):
    fmt, make = DEEP[case]
    p = _write(tmp_path, make(depth), "deep.txt")
    with pytest.raises(ImportFormatError, match="nested"):
        import_results(fmt, p, device_id="dev-x")


@pytest.mark.parametrize("depth", [200, 100_000])
@pytest.mark.parametrize("shape", ["list", "object"])
def test_deeply_nested_probes_are_clear_errors(tmp_path, capsys, depth, shape):
    text = "[" * depth + "]" * depth if shape == "list" else '{"a":' * depth + "1" + "}" * depth
    p = _write(tmp_path, text, "probes.json")
    assert main(["predict", "--device", "some-new-board", "--probes", str(p), "--architecture", "resnet50"]) == 2
    assert "nested" in capsys.readouterr().err
    y = _write(tmp_path, "measurements: " + "[" * depth + "]" * depth + "\n", "probes.yaml")
    with pytest.raises(InvalidQuery, match="nested"):
        probes_from_file(y)


# --- nonsense probes: refused with the range, never "0 ms/image" or ZeroDivisionError

PROBE_LATENCIES = [1e308, 5e-324, 1e-318, 0.0, -3.0, float("inf"), float("nan"), 1e12, 1e-7, True, "fast", None]


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize("latency", PROBE_LATENCIES, ids=repr)
def test_nonsense_probe_latencies_are_refused(tmp_path, capsys, latency, as_json):
    probes = [{"architecture": "resnet50", "runtime": "onnxruntime", "precision": "fp32", "batch_size": 1,
               "latency_ms": latency}]
    p = tmp_path / "probes.json"
    p.write_text(json.dumps(probes))
    argv = ["predict", "--device", "some-new-board", "--probes", str(p), "--architecture", "mobilenet_v2"]
    code = main(argv + (["--json"] if as_json else []))
    err = capsys.readouterr().err
    assert code == 2 and "latency_ms" in err and "Traceback" not in err


def test_cli_subprocess_on_a_fifo_import_does_not_hang(tmp_path):
    fifo = _special(tmp_path, "fifo")
    r = subprocess.run([sys.executable, "-m", "modelpick", "import", "benchncnn", str(fifo), "--device-id", "x-dev", "-o",
                        str(tmp_path / "out.yaml")],
                       capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)},
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "FIFO" in r.stderr and "Traceback" not in r.stderr
