"""Extract NanoDet's model tables (README.md 'Benchmarks' and 'Model Zoo' incl. the legacy zoo) into nanodet.csv.

Cells as published (bold markers and "ms" dropped). Usage: python extract.py <git-dir of RangiLyu/nanodet>
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

COMMIT = "be9b4a9001d7f9b6fc89c2df31ae8d428e35b4f0"
FIELDS = ("table", "model", "backbone", "resolution", "map50_95", "cpu_i7_8700_ms", "arm_4xa76_ms", "flops_g",
          "params_m")


def cells(line: str) -> list[str]:
    out = []
    for c in line.strip().strip("|").split("|"):
        c = re.sub(r"\(\*+NEW\*+\)", "", c).replace("**", "").strip()
        out.append(re.sub(r"ms$", "", c))
    return out


def main(git_dir: str) -> None:
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:README.md"], check=True,
                          capture_output=True, text=True).stdout.splitlines()
    out, table = [], None
    for line in text:
        if line.startswith("Model ") and "mAP<sup>val" in line:
            table = "benchmarks"
        elif line.startswith("Model ") and "COCO mAP" in line:
            table = "model_zoo" if table != "model_zoo" else "legacy_model_zoo"
        elif table and ("|" not in line or not line.strip()):
            if table == "benchmarks":
                table = None
            continue
        elif table and not line.startswith(":"):
            c = cells(line)
            if table == "benchmarks":
                out.append({"table": table, "model": c[0], "backbone": "", "resolution": c[1], "map50_95": c[2],
                            "cpu_i7_8700_ms": c[3].replace("-", ""), "arm_4xa76_ms": c[4].replace("-", ""),
                            "flops_g": c[5], "params_m": c[6]})
            else:
                out.append({"table": table, "model": c[0], "backbone": c[1], "resolution": c[2], "map50_95": c[3],
                            "cpu_i7_8700_ms": "", "arm_4xa76_ms": "", "flops_g": c[4], "params_m": c[5]})
    with open(Path(__file__).resolve().parent / "nanodet.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)


if __name__ == "__main__":
    main(sys.argv[1])
