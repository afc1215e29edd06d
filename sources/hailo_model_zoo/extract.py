"""Extract the Hailo Model Zoo's public-model tables (classification and object detection) into CSV.

Reads the .rst files straight from a git checkout of hailo-ai/hailo_model_zoo at the pinned tags (Hailo-8/8L
tables at v2.18, Hailo-10H/15H/15L tables at v5.2.0: the v5.x branch keeps only stale v2.17 Hailo-8 tables, and
v2.17's Hailo-8 tables publish a "Hardware Degradation" instead of the hardware accuracy itself) and writes every
row of each ImageNet / COCO list-table with its cells as published. Usage:

    python sources/hailo_model_zoo/extract.py /path/to/hailo_model_zoo.git
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

# (chip folder, tag, commit) - the tag's commit is recorded so a moved tag cannot change the extract silently
TABLES = (
    ("HAILO8", "v2.18", "2a7a24a39327432e6a94ef47216d2f394ecaa286"),
    ("HAILO8L", "v2.18", "2a7a24a39327432e6a94ef47216d2f394ecaa286"),
    ("HAILO10H", "v5.2.0", "c83fc030e862de8daf05b783f503712d168ef620"),
    ("HAILO15H", "v5.2.0", "c83fc030e862de8daf05b783f503712d168ef620"),
    ("HAILO15L", "v5.2.0", "c83fc030e862de8daf05b783f503712d168ef620"),
)
TASKS = {"classification": ("float Accuracy (top1)", "Hardware Accuracy (top1)"),
         "object_detection": ("float mAP", "Hardware mAP")}
COLUMNS = ("chip", "network", "float_accuracy", "hardware_accuracy", "fps_batch1", "fps_batch8", "input_resolution",
           "params_m", "ops_g", "compiler", "section", "commit", "path")


def show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True, capture_output=True,
                          text=True).stdout


def list_tables(text: str):
    """(section title, header cells, rows) of each list-table; a cell is its text with rst markup kept."""
    lines = text.splitlines()
    section = ""
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip()) and lines[i].strip():
            section = lines[i].strip()
        if lines[i].strip().startswith(".. list-table::"):
            rows, cur, i = [], None, i + 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                s = lines[i].strip()
                if s.startswith("* - "):
                    cur = [s[4:]]
                    rows.append(cur)
                elif (s == "-" or s.startswith("- ")) and cur is not None:
                    cur.append(s[2:])  # "-" alone: an empty cell
                elif s and cur is not None and not s.startswith(":"):
                    cur[-1] += " " + s  # continuation of a multi-line cell
                i += 1
            if rows:
                yield section, rows[0], rows[1:]
            continue
        i += 1


def name_of(cell: str) -> str:
    # strip the "⭐" marker and rst emphasis; the name is the first token
    return cell.replace("⭐", "").replace("*", "").strip().split()[0]


def main(repo: Path) -> None:
    out_dir = Path(__file__).resolve().parent
    for task, (float_col, hw_col) in TASKS.items():
        out = []
        for chip, tag, commit in TABLES:
            path = f"docs/public_models/{chip}/{chip}_{task}.rst"
            text = show(repo, commit, path)
            compiler = re.search(r"compiled using (Hailo Dataflow Compiler v\d+(?:\.\d+)*)", text).group(1)
            for section, header, rows in list_tables(text):
                if header[0] != "Network Name":
                    continue
                assert header[1:5] == [float_col, hw_col, "FPS (Batch Size=1)", "FPS (Batch Size=8)"], header
                assert header[6:9] == ["Input Resolution (HxWxC)", "Params (M)", "OPS (G)"], header
                for r in rows:
                    out.append({"chip": chip, "network": name_of(r[0]), "float_accuracy": r[1],
                                "hardware_accuracy": r[2], "fps_batch1": r[3], "fps_batch8": r[4],
                                "input_resolution": r[6], "params_m": r[7], "ops_g": r[8], "compiler": compiler,
                                "section": section, "commit": f"{tag}@{commit}", "path": path})
        with open(out_dir / f"{task}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            w.writeheader()
            w.writerows(out)
        print(f"{task}: {len(out)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
