"""Validation rejects a corpus of broken files with messages that name the place, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from modelpick import CatalogError, load_catalog
from modelpick.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))


def expected_message(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    return first.removeprefix("# expect: ").strip() if first.startswith("# expect:") else "not UTF-8"


def test_corpus_is_large_and_each_file_says_what_it_expects():
    assert len(BROKEN) >= 100
    for path in BROKEN:
        assert path.read_bytes().startswith(b"# expect: ") or path.stem == "not_utf8", path


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_file_is_rejected_with_its_place(path):
    with pytest.raises(CatalogError) as info:
        load_catalog(FIXTURES / "mini.yaml", path, embedded=False, use_env=False)
    text = str(info.value)
    assert expected_message(path) in text
    assert str(path) in text  # the file is named
    assert "Traceback" not in text


@pytest.mark.parametrize("path", BROKEN[:6], ids=[p.stem for p in BROKEN[:6]])
def test_cli_validate_exit_code_and_message(path, capsys):
    code = main(["validate", "--standalone", str(FIXTURES / "mini.yaml")])
    assert code == 0
    code = main(["best", "--data", str(FIXTURES / "mini.yaml"), "--data", str(path), "--device", "jetson"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and str(path) in err


def test_validate_command_process(tmp_path):
    good = FIXTURES / "mini.yaml"
    bad = FIXTURES / "broken" / "negative_latency.yaml"
    proc = subprocess.run([sys.executable, "-m", "modelpick", "validate", "--standalone", str(good)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "OK" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "modelpick", "validate", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "measurements[1].latency_ms: must be > 0, got -3" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path / "nope.yaml", embedded=False, use_env=False)
    assert "nope.yaml: cannot read" in str(info.value)


def test_env_data_is_merged(monkeypatch):
    monkeypatch.setenv("MODELPICK_DATA", str(FIXTURES / "mini.yaml"))
    cat = load_catalog(embedded=False)
    assert cat.resolve_device("board") == "board-a"


# ---------------------------------------------------------------------------
# files that are not files, or too big: never block, never crash (issue 11)


def _special_files(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(loop)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    return {fifo: "is a FIFO (named pipe), expected a YAML file", Path("/dev/zero"): "is a character device",
            loop: "cannot read: Too many levels of symbolic links", folder: "is a directory, expected a YAML file",
            tmp_path / "missing.yaml": "cannot read: No such file or directory"}


def test_special_files_are_clear_errors(tmp_path):
    for path, message in _special_files(tmp_path).items():
        with pytest.raises(CatalogError) as info:
            load_catalog(path, embedded=False, use_env=False)
        assert f"{path}: {message}" in str(info.value) or (str(path) in str(info.value) and message in str(info.value))


def test_cli_validate_on_special_files_exits_2_without_blocking(tmp_path):
    for path, message in _special_files(tmp_path).items():
        proc = subprocess.run([sys.executable, "-m", "modelpick", "validate", "--standalone", str(path)],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert proc.returncode == 2, (path, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr


def test_file_size_cap(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_text("description: " + "x" * (2 * 2**20) + "\n")
    monkeypatch.setenv("MODELPICK_MAX_FILE_MB", "1")
    with pytest.raises(CatalogError, match=r"big.yaml: 2,097,166 bytes is larger than the 1,048,576 bytes a YAML "
                                           r"file may have \(MODELPICK_MAX_FILE_MB raises it\)"):
        load_catalog(big, embedded=False, use_env=False)
    monkeypatch.setenv("MODELPICK_MAX_FILE_MB", "3")
    load_catalog(big, embedded=False, use_env=False)


def test_alias_bomb_is_refused_quickly_and_in_bounded_memory():
    import time
    import tracemalloc

    bomb = FIXTURES / "broken" / "alias_bomb.yaml"
    assert bomb.stat().st_size < 1000
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(CatalogError, match="YAML aliases expand the document by 4"):
        load_catalog(bomb, embedded=False, use_env=False)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20, peak  # was > 1.7 GB
    assert elapsed < 10, elapsed  # was unbounded


def test_anchors_within_the_bound_still_work(tmp_path):
    ok = tmp_path / "anchors.yaml"
    ok.write_text((FIXTURES / "mini.yaml").read_text() + "  - &row {architecture: small, input_size: 224, device: gpu-b, "
                  "runtime: onnxruntime, precision: fp32, batch_size: 1, latency_ms: 3.0, source: fixture}\n"
                  "  - {<<: *row, batch_size: 2}\n")
    cat = load_catalog(ok, embedded=False, use_env=False)
    assert "onnxruntime" in cat.runtimes("gpu-b")


def test_huge_values_are_cut_before_they_are_described(tmp_path):
    from modelpick.catalog._files import _describe_input

    shared = ["x" * 1000] * 1000
    value = [shared] * 1000  # a million strings of 1,000 characters, if fully written out
    text = _describe_input(value)
    assert len(text) <= 60 and text.startswith("[[")


@pytest.mark.parametrize("bad", [5, None, b"mini.yaml", 2.5, ["a.yaml"]])
def test_load_catalog_rejects_non_paths_naming_the_value(bad):
    from modelpick import InvalidQuery

    with pytest.raises(InvalidQuery) as info:
        load_catalog(bad, embedded=False, use_env=False)
    assert info.value.param == "path" and repr(bad)[:20] in str(info.value)


def test_load_catalog_nul_in_path():
    with pytest.raises(CatalogError, match="not a usable path"):
        load_catalog("a\x00b", embedded=False, use_env=False)


# ---------------------------------------------------------------------------
# warnings: valid entries that cannot do what they seem meant to


def test_measurement_that_never_joins_warns_naming_file_entry_and_field(tmp_path, capsys):
    import warnings

    from modelpick import CatalogWarning

    odd = tmp_path / "odd.yaml"
    odd.write_text("measurements:\n  - {architecture: large, input_size: 256, device: gpu-b, runtime: onnxruntime, "
                   "precision: fp32, batch_size: 1, latency_ms: 7.0, source: fixture}\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_catalog(FIXTURES / "mini.yaml", odd, embedded=False, use_env=False)
    texts = [str(w.message) for w in caught if issubclass(w.category, CatalogWarning)]
    assert texts == [f"{odd}: measurements[0].input_size: 256 never joins an accuracy: 'large' has checkpoints "
                     f"at input size 224, 320 only"]
    code = main(["validate", "--standalone", str(FIXTURES / "mini.yaml")])
    assert code == 0
    from modelpick.catalog import check_files

    errors, warns = check_files([FIXTURES / "mini.yaml", odd], with_embedded=False)
    assert errors == [] and warns == texts
