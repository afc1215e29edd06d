"""Extract the RKNN Model Zoo's "Model performance benchmark(FPS)" table (top README) into CSV.

Reads README.md straight from a git checkout of airockchip/rknn_model_zoo at the pinned commit (v2.3.2) and writes
one CSV row per (model row, platform column) with the cell as published: "/" (not supported) is kept as "/", a cell
such as "30.6(INT8)" or "RTF <br>0.817" is kept as written. The demo column is blank on a model's second and later
rows in the README; the extract repeats the demo name so every row names it (column demo_filled says where).
Usage:

    python sources/rknn_model_zoo/extract.py /path/to/rknn_model_zoo.git > sources/rknn_model_zoo/performance.csv
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

COMMIT = "bad6c7334531becaf90a561988519b7bec34d0ab"  # "Update rknn_model_zoo to V2.3.2", 2025-04-08
PATH = "README.md"
HEADING = "## Model performance benchmark(FPS)"
COLUMNS = ("demo", "demo_filled", "model_name", "inputs_shape", "dtype", "platform", "fps_cell", "commit", "path")


def show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True, capture_output=True,
                          text=True).stdout


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def main(repo: Path) -> None:
    lines = show(repo, COMMIT, PATH).splitlines()
    start = lines.index(HEADING)
    table = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break  # the first non-table line after the table ends it
    header = [re.sub(r"&nbsp;", "", h).strip() for h in cells(table[0])]
    assert header[:4] == ["demo", "model_name", "inputs_shape", "dtype"], header
    platforms = header[4:]  # as published, e.g. "RK3566<br />RK3568", "RK3588<br />@single_core"
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    demo = ""
    for line in table[2:]:  # header and the ---- rule
        row = cells(line)
        assert len(row) == 4 + len(platforms), line
        filled = "no"
        if row[0]:
            demo = row[0]
        else:
            filled = "yes"
        for platform, cell in zip(platforms, row[4:]):
            out.writerow((demo, filled, row[1], row[2], row[3], platform, cell, COMMIT, PATH))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
