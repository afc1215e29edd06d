"""Validation rejects a corpus of broken files with messages that name the place, never a traceback."""

from __future__ import annotations

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


def test_corpus_is_not_empty():
    assert len(BROKEN) >= 20


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
