"""Extract YOLOX's README model tables ('Standard Models' and 'Light Models', current weights; the legacy
tables are left out) into yolox.csv. Usage: python extract.py <git-dir of Megvii-BaseDetection/YOLOX>
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

COMMIT = "6ddff4824372906469a7fae2dc3206c7aa4bbaee"
FIELDS = ("table", "model", "size", "map50_95_val", "map50_95_test", "speed_v100_ms", "params_m", "flops_g", "weights")


def main(git_dir: str) -> None:
    lines = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:README.md"], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    out, table = [], None
    for line in lines:
        if line.startswith("#### "):
            table = line[5:].strip().rstrip(".")
        elif line.startswith("<summary>Legacy"):
            table = None
        elif table and line.startswith("|[YOLOX"):
            c = [x.strip().replace("**", "") for x in line.strip().strip("|").split("|")]
            model = re.match(r"\[([^\]]+)\]", c[0]).group(1)
            weights = re.search(r"\((https://[^)]+\.pth)\)", c[-1]).group(1).rsplit("/", 1)[-1]
            if table == "Standard Models":
                row = dict(zip(FIELDS[2:8], c[1:7]))
            else:  # Light Models: size | mAP val | Params | FLOPs
                row = {"size": c[1], "map50_95_val": c[2], "map50_95_test": "", "speed_v100_ms": "",
                       "params_m": c[3], "flops_g": c[4]}
            out.append({"table": table, "model": model, **row, "weights": weights})
    with open(Path(__file__).resolve().parent / "yolox.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)


if __name__ == "__main__":
    main(sys.argv[1])
