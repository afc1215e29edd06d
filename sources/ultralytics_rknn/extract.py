"""Turn excerpt.md (the Benchmarks table of Ultralytics' Rockchip RKNN integration page, rows verbatim) into
rockchip_rknn.csv, with the columns of the other Ultralytics guide extracts (sources/ultralytics/jetson.csv), so the
shared guide adapter reads it. Cells as published; the format cell loses only its Markdown backticks. Usage:

    python sources/ultralytics_rknn/extract.py
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEVICE = "Radxa Rock 5B"  # the intro sentence: "run by the Ultralytics team on Radxa Rock 5B based on Rockchip RK3588"
COLUMNS = ("device", "model", "format", "status", "size_mb", "guide_map50_95_b", "latency_ms", "ultralytics_version")


def rows() -> list[dict[str, str]]:
    out = []
    for line in (HERE / "excerpt.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("| Model"):
            continue
        model, fmt, status, size, map_b, ms = [c.strip() for c in line.strip().strip("|").split("|")]
        out.append({"device": DEVICE, "model": model, "format": fmt.strip("`"), "status": status, "size_mb": size,
                    "guide_map50_95_b": map_b, "latency_ms": ms, "ultralytics_version": ""})
    return out


if __name__ == "__main__":
    with open(HERE / "rockchip_rknn.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows())
