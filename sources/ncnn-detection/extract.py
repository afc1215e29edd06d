"""Extract benchncnn's detection rows from ncnn's benchmark/README.md, only from run blocks the shared
ncnn_benchncnn.csv already covers (its device sections), into ncnn_detection.csv (the shared CSV's columns).

The README's other device sections are held out of the shared copy to evaluate latency prediction on unseen
hardware, so a detection line is kept only when its run block (the `loop_count = ...` header and the model
lines under it) holds a classification row of the shared CSV; device string and run settings are copied from
those rows, so they match exactly. Input sizes are benchncnn.cpp's at the same commit.
Usage: python extract.py <README.md at the commit> <shared ncnn_benchncnn.csv>
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

COMMIT = "a4d2ea1d4422c9e849f166fd7a4aefb52f942f6a"
# benchncnn.cpp@COMMIT: benchmark("<name>", ncnn::Mat(w, h, 3), ...)
INPUT_WHC = {"squeezenet_ssd": "300x300x3", "squeezenet_ssd_int8": "300x300x3", "mobilenet_ssd": "300x300x3",
             "mobilenet_ssd_int8": "300x300x3", "mobilenet_yolo": "416x416x3", "mobilenetv2_yolov3": "352x352x3",
             "yolov4-tiny": "416x416x3", "nanodet_m": "320x320x3", "yolo-fastest-1.1": "320x320x3",
             "yolo-fastestv2": "352x352x3", "FastestDet": "352x352x3"}
LINE = re.compile(r"^\s*(\S+)\s+min =\s*([\d.]+)\s+max =\s*([\d.]+)\s+avg =\s*([\d.]+)\s*$")
BLOCK_KEYS = ("device", "framework", "source", "backend", "num_threads", "powersave", "gpu_device", "loop_count",
              "cooling_down")


def blocks(lines: list[str]) -> list[list[int]]:
    """Runs of consecutive benchmark lines (1-based line numbers)."""
    out, cur = [], []
    for i, text in enumerate(lines, 1):
        if LINE.match(text):
            cur.append(i)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def main(readme: str, shared_csv: str) -> None:
    lines = Path(readme).read_text(encoding="utf-8").splitlines()
    shared = {int(r["readme_line"]): r for r in csv.DictReader(open(shared_csv, encoding="utf-8"))}
    fields = list(next(iter(shared.values())))
    out, skipped = [], 0
    for block in blocks(lines):
        mates = [shared[i] for i in block if i in shared]
        dets = [i for i in block if LINE.match(lines[i - 1]).group(1) in INPUT_WHC]
        if not dets:
            continue
        if not mates:
            skipped += len(dets)  # held-out section (or a block the shared copy left out): never extracted
            continue
        settings = {k: mates[0][k] for k in BLOCK_KEYS}
        # the shared copy's own wording for ncnn's float defaults (its classification rows of this block)
        float_words = next((m["precision"] for m in mates if m["precision"] != "int8"), "float")
        if any({k: m[k] for k in BLOCK_KEYS} != settings for m in mates):
            raise SystemExit(f"block at line {block[0]}: shared rows disagree on the run settings")
        for i in dets:
            name, lo, hi, avg = LINE.match(lines[i - 1]).groups()
            out.append({**settings, "model": name, "precision": "int8" if name.endswith("_int8") else float_words,
                        "batch_size": "1", "latency_ms": avg, "min_ms": lo, "max_ms": hi,
                        "input_whc": INPUT_WHC[name], "readme_line": str(i)})
    with open(Path(__file__).resolve().parent / "ncnn_detection.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    print(f"{len(out)} rows kept; {skipped} detection lines in blocks without a shared row left out")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
