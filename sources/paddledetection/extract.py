"""Extract PaddleDetection's PP-YOLOE+ COCO model zoo (configs/ppyoloe/README.md: 'Model Zoo on COCO' and
'Tiny model') and PicoDet benchmark (configs/picodet/README_en.md: 'Benchmark') into ppyoloe.csv / picodet.csv.

Cells as published (bold markers and 'ms' dropped). Usage: python extract.py <git-dir of PaddlePaddle/PaddleDetection>
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

COMMIT = "666f597fd00d3157e84dd9fb2dd3f40bf9918ebc"
PPYOLOE = ("table", "model", "epoch", "backbone", "input_shape", "box_ap_val", "box_ap_test", "params_m", "flops_g",
           "v100_fp32_fps", "v100_trt_fp16_fps", "t4_trt_fp16_fps", "weights")
PICODET = ("model", "input_size", "map50_95_val", "map50_val", "params_m", "flops_g", "cpu_latency_ms",
           "lite_latency_ms", "weights")


def show(git_dir: str, path: str) -> list[str]:
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:{path}"], check=True,
                          capture_output=True, text=True).stdout.splitlines()


def cells(line: str) -> list[str]:
    return [re.sub(r"ms$", "", c.replace("**", "").strip()) for c in line.strip().strip("|").split("|")]


def weights(cell: str) -> str:
    m = re.search(r"\((https://[^)]+\.pdparams)\)", cell)
    return m.group(1).rsplit("/", 1)[-1] if m else ""


def ppyoloe(git_dir: str) -> list[dict[str, str]]:
    out, table = [], None
    for line in show(git_dir, "configs/ppyoloe/README.md"):
        if line.startswith("### Model Zoo on COCO"):
            table = "coco"
        elif line.startswith("#### Tiny model"):
            table = "tiny"
        elif line.startswith("### ") and table:
            table = None
        elif table and line.startswith("|") and "PP-YOLOE" in line:
            c = cells(line)
            if table == "coco":  # Model|Epoch|GPU number|images/GPU|backbone|input shape|AP val|AP test|Params|FLOPs|V100 FP32|V100 TRT FP16
                row = dict(zip(PPYOLOE[1:11], [c[0], c[1], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]]))
                row["t4_trt_fp16_fps"] = ""
            else:  # Model|Epoch|GPU number|images/GPU|backbone|input shape|AP val|AP test|Params|FLOPs|T4 TRT FP16
                row = dict(zip(PPYOLOE[1:9], [c[0], c[1], c[4], c[5], c[6], c[7], c[8], c[9]]))
                row.update(v100_fp32_fps="", v100_trt_fp16_fps="", t4_trt_fp16_fps=c[10])
            out.append({"table": table, **row, "weights": weights(line)})
    return out


def picodet(git_dir: str) -> list[dict[str, str]]:
    out, inside = [], False
    for line in show(git_dir, "configs/picodet/README_en.md"):
        if line.startswith("## Benchmark"):
            inside = True
        elif line.startswith("#") and inside:
            break
        elif inside and line.startswith("| PicoDet"):
            c = cells(line)
            out.append({**dict(zip(PICODET[:8], c[:8])), "weights": weights(line)})
    return out


def write(name: str, fields: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with open(Path(__file__).resolve().parent / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    write("ppyoloe.csv", PPYOLOE, ppyoloe(sys.argv[1]))
    write("picodet.csv", PICODET, picodet(sys.argv[1]))
