"""Turn excerpt.md (the peak-compute lines of the vendors' pages, as read) into peak_compute.csv: one row per
catalog device with its dense peaks (TFLOPS for fp32/tf32/fp16, TOPS for int8) and the page it comes from.

    python sources/device_peaks/extract.py

Dense figures only: the first figure of a "dense | sparse*" pair (the datasheet stars the sparse one).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: page heading -> (catalog device ids it covers, line label -> column)
PAGES = {
    "NVIDIA A100 Tensor Core GPU datasheet": (("A100", "A100-SXM-80GB", "A100-PCIe-80GB", "A100-SXM4-40GB"), {
        "FP32": "fp32_tflops", "Tensor Float 32 (TF32)": "tf32_tflops", "FP16 Tensor Core": "fp16_tflops",
        "INT8 Tensor Core": "int8_tops"}),
    "NVIDIA T4 Tensor Core GPU product page": (("NVIDIA Tesla T4",), {
        "Single-Precision": "fp32_tflops", "Mixed-Precision (FP16/FP32)": "fp16_tflops", "INT8": "int8_tops"}),
}
FIELDS = ["device", "fp32_tflops", "tf32_tflops", "fp16_tflops", "int8_tops", "source_url", "retrieved", "page"]


def main() -> None:
    sections = re.split(r"^## ", (HERE / "excerpt.md").read_text(encoding="utf-8"), flags=re.M)[1:]
    rows = []
    for section in sections:
        title, *lines = section.strip().splitlines()
        devices, labels = PAGES[title]
        url = next(line.split(": ", 1)[1] for line in lines if line.startswith("URL: "))
        values = {}
        for line in lines:
            label, _, figure = line.partition(": ")
            if label in labels:
                values[labels[label]] = re.match(r"[\d.]+", figure).group(0)  # the dense figure
        for device in devices:
            rows.append({"device": device, **values, "source_url": url, "retrieved": "2026-12-07", "page": title})
    with open(HERE / "peak_compute.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
