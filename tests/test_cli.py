"""CLI exit codes and JSON, as documented in the README."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from modelpick.cli import main
from modelpick.cli.data import EXPORT_COLUMNS
from modelpick.schema import Recommendation

MINI = str(Path(__file__).parent / "fixtures" / "mini.yaml")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_best_json_shape(capsys):
    code, out, _ = run(capsys, "best", "--data", MINI, "--device", "board", "--max-mem-gb", "1", "--min-fps", "20", "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"best", "alternatives", "query", "coverage", "catalog"}
    assert doc["best"]["checkpoint"] == "medium.v2"
    assert doc["query"]["device"] == "board-a"  # canonical device named in the answer
    assert doc["catalog"]["hash"]
    Recommendation.model_validate(doc["best"])


def test_best_human_output_shows_sources_and_estimates(capsys):
    code, out, _ = run(capsys, "best", "--data", MINI, "--device", "board-a", "--objective", "fps", "--max-mem-gb", "1")
    assert code == 0
    assert "small.v1" in out and "source: fixture" in out
    assert "(estimated, " in out and "computed:" in out  # with its interval (issue 21)


def test_recommend_table_marks_estimates(capsys):
    code, out, _ = run(capsys, "recommend", "--data", MINI, "--device", "board-a", "--batch-size", "best")
    assert code == 0
    assert "medium.v2" in out and "* memory estimated" in out


def test_infeasible_exit_code_3_with_diagnosis(capsys):
    code, out, err = run(capsys, "best", "--data", MINI, "--device", "board-a", "--min-fps", "30", "--min-top1", "75", "--json")
    assert code == 3
    doc = json.loads(out)
    assert doc["error"] == "no-feasible-model" and doc["diagnosis"]["binding"]
    assert "relax" in err


def test_unknown_device_exit_code_2(capsys):
    code, out, err = run(capsys, "best", "--data", MINI, "--device", "bord-a")
    assert code == 2 and "did you mean board-a" in err


def test_bad_number_exit_code_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["best", "--device", "board-a", "--max-mem-gb", "-1"])
    assert info.value.code == 2
    assert "expected a finite number > 0, got '-1'" in capsys.readouterr().err


def test_export_csv_columns_are_recommendation_fields(capsys, tmp_path):
    target = tmp_path / "out.csv"
    code, _, _ = run(capsys, "export", "--data", MINI, "--device", "board-a", "--format", "csv", "-o", str(target))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows and list(rows[0]) == EXPORT_COLUMNS
    assert {r["checkpoint"] for r in rows} >= {"small.v1", "medium.v2"}
    code, out, _ = run(capsys, "export", "--data", MINI, "--device", "board-a", "--format", "json")
    records = json.loads(out)
    assert len(records) == len(rows)
    Recommendation.model_validate(records[0])


def test_devices_models_show(capsys):
    code, out, _ = run(capsys, "devices", "--data", MINI, "board")
    assert code == 0 and "board-a" in out and "default for 'board'" in out
    code, out, _ = run(capsys, "models", "--data", MINI, "medium", "--json")
    assert code == 0 and "medium" in [a["id"] for a in json.loads(out)]
    code, out, _ = run(capsys, "show", "--data", MINI, "BA")
    assert code == 0 and "board-a" in out
    code, out, err = run(capsys, "show", "--data", MINI, "no-such-thing")
    assert code == 2 and "not a device, architecture, checkpoint or source" in err


def test_headline_command_in_a_process():
    proc = subprocess.run([sys.executable, "-m", "modelpick", "best", "--device", "jetson", "--max-mem-gb", "1",
                           "--min-fps", "30", "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["best"]["fps"] >= 30 and doc["query"]["device"].startswith("jetson")
    assert doc["best"]["sources"]["accuracy"] and doc["best"]["sources"]["latency"]


def test_catalog_warnings_print_as_one_line_notes(tmp_path):
    # Issue 21: `best --data FILE` printed raw Python warnings (library path, then the source line).
    own = (Path(__file__).resolve().parents[1] / "examples" / "my-board.yaml").read_text()
    (tmp_path / "warn.yaml").write_text(own.replace("input_size: 224", "input_size: 225"))
    proc = subprocess.run([sys.executable, "-m", "modelpick", "best", "--data", "warn.yaml", "--device",
                           "jetson-nano"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if "never joins an accuracy" in line]
    assert notes == ["modelpick: note: warn.yaml: measurements[0].input_size: 225 never joins an accuracy: "
                     "'resnet50' has checkpoints at input size 160, 176, 224, 288 only"]
    assert "Warning" not in proc.stderr and ".py:" not in proc.stderr, proc.stderr
