"""Extract the raw TensorRT engine times of trtutils' Jetson Orin Nano 8GB benchmark into trtutils_orin_nano.csv.

Usage: python extract.py <git dir of justincdavis/trtutils>   (reads benchmark/data/OrinNano-8GB.json at COMMIT)

Only the "tensorrt" entry is kept: benchmark/run.py at COMMIT times base_engine.raw_exec(..., debug=True) (the engine
alone with a stream sync, no host pre- or post-processing); the "trtutils(cpu|cuda|trt)" entries time end2end(image)
with pre-processing on the named unit and are left out. Values are the JSON's (ms), rounded to 3 decimals (1 us);
mean/median/min/max over run.py's default 1,000 timed runs after 100 warm-up runs.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

COMMIT = "112a28cecefe463502b9c6ced3d9dcadf0c047ed"
PATH = "benchmark/data/OrinNano-8GB.json"
#: benchmark/device_info.json at COMMIT: "OrinNano-8GB": "Developer Kit with Jetpack 5"; written with the catalog's
#: device alias so the build maps it (the plain Orin Nano: JetPack 5 has no Super mode)
DEVICE = "Orin Nano"


def main(git_dir: str) -> None:
    raw = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:{PATH}"], check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(raw)["tensorrt"]
    out = Path(__file__).with_name("trtutils_orin_nano.csv")
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "device", "device_file", "input_size", "mean_ms", "median_ms", "min_ms", "max_ms"])
        for model in sorted(data):
            for size in sorted(data[model], key=int):
                s = data[model][size]
                w.writerow([model, DEVICE, "OrinNano-8GB", size,
                            *(f"{s[k]:.3f}" for k in ("mean", "median", "min", "max"))])
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])
