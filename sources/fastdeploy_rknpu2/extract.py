"""Extract FastDeploy's "RKNPU2已经支持的模型列表" table (docs/cn/faq/rknpu2/rknpu2.md) into rknpu2_models.csv.

Usage: python extract.py GIT_DIR > rknpu2_models.csv
GIT_DIR is a clone (or bare mirror) of PaddlePaddle/FastDeploy; the file is read with `git show COMMIT:PATH`.
One CSV row per table row, cells as published (the model cell's markdown link is split into its text and target).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys

COMMIT = "8deb2ed1793b218bde9246e3f06fd62c72ba33f4"  # newest commit touching the file (2023-03-31); same at HEAD
PATH = "docs/cn/faq/rknpu2/rknpu2.md"
FIELDS = ["task", "model", "example", "model_version", "quantized_cell", "rknn_ms_cell", "device_stated",
          "commit", "path"]


def main(git_dir: str) -> None:
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:{PATH}"], check=True,
                          capture_output=True, text=True).stdout
    device = re.search(r"^\* 设备型号: (.+)$", text, re.M).group(1).strip()
    out = csv.DictWriter(sys.stdout, FIELDS, lineterminator="\n")
    out.writeheader()
    header_seen = False
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "任务场景":
            assert cells[3:] == ["是否量化", "RKNN速度(ms)"], cells
            header_seen = True
            continue
        if not header_seen or set(cells[0]) <= {"-"}:
            continue
        link = re.match(r"\[(.+?)\]\((.+?)\)", cells[1])
        out.writerow({"task": cells[0], "model": link.group(1), "example": link.group(2),
                      "model_version": cells[2], "quantized_cell": cells[3], "rknn_ms_cell": cells[4],
                      "device_stated": device, "commit": COMMIT, "path": PATH})


if __name__ == "__main__":
    main(sys.argv[1])
