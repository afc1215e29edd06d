"""Extract YOLOv6's README model tables (current 'Benchmark' table with T4 TensorRT FP16 FPS, and 'Mobile Benchmark'
with MNN latency on three phone SoCs) into yolov6.csv / yolov6_mobile.csv. The legacy and quantized tables are left
out. Usage: python extract.py <git-dir of meituan/YOLOv6>
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

COMMIT = "e86a483f3f6bded25d45970b56831345a99744a4"
MAIN = ("model", "size", "map50_95_val", "t4_trt_fp16_b1_fps", "t4_trt_fp16_b32_fps", "params_m", "flops_g", "weights")
MOBILE = ("model", "size", "map50_95_val", "sm8350_ms", "mt6853_ms", "sdm660_ms", "params_m", "flops_g", "weights")


def rows(lines: list[str], start: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    out, inside = [], False
    for line in lines:
        if line.startswith(start):
            inside = True
        elif inside and line.startswith("<details>"):
            break
        elif inside and line.startswith("| [**"):
            c = [x.strip().replace("**", "") for x in line.strip().strip("|").split("|")]
            model = re.match(r"\[([^\]]+)\]", c[0]).group(1)
            weights = re.search(r"\((https://[^)]+\.pt)\)", c[0]).group(1).rsplit("/", 1)[-1]
            out.append({**dict(zip(fields, [model, *c[1:len(fields) - 1]])), "weights": weights})
    return out


def write(name: str, fields: tuple[str, ...], data: list[dict[str, str]]) -> None:
    with open(Path(__file__).resolve().parent / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(data)


if __name__ == "__main__":
    text = subprocess.run(["git", "--git-dir", sys.argv[1], "show", f"{COMMIT}:README.md"], check=True,
                          capture_output=True, text=True).stdout.splitlines()
    write("yolov6.csv", MAIN, rows(text, "## Benchmark", MAIN))
    write("yolov6_mobile.csv", MOBILE, rows(text, "## Mobile Benchmark", MOBILE))
