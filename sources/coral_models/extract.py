"""Turn the stored excerpt of coral.ai/models/all (excerpt.md) into models.csv: one row per Edge TPU model with
its input size and published top-1 / top-5 (the latency column is kept as published but not read by the build).

    python sources/coral_models/extract.py
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROW = re.compile(r"\n\n(?P<model>[^\n]+?)\n\n(?P<objects>[\d,]+ objects)\n(?P<dataset>\w+)\n\n(?P<size>\d+x\d+x\d+) "
                 r"(?P<depth>\S+) (?P<tf>\d+) (?P<latency>[\d.]+) ms Top-1: (?P<top1>[\d.]+)%\nTop-5: "
                 r"(?P<top5>[\d.]+)%\n(?P<micro>Yes|No) (?P<size_mb>[\d.]+) MB")


def main() -> None:
    text = (HERE / "excerpt.md").read_text(encoding="utf-8")
    rows = [m.groupdict() for m in ROW.finditer(text)]
    with open(HERE / "models.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["model", "dataset", "input_size", "depth_multiplier", "tf_version",
                                           "latency_ms", "top1_pct", "top5_pct", "micro", "model_size_mb"],
                           lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({"model": r["model"], "dataset": r["dataset"], "input_size": r["size"],
                        "depth_multiplier": r["depth"], "tf_version": r["tf"], "latency_ms": r["latency"],
                        "top1_pct": r["top1"], "top5_pct": r["top5"], "micro": r["micro"],
                        "model_size_mb": r["size_mb"]})
    print(f"{len(rows)} rows")


if __name__ == "__main__":
    main()
