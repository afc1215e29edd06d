"""Extract the resnet-50 and mobilenet-v2 blocks of Intel's OpenVINO 2024.3 benchmark table, lines as published.

The published file (openvinotoolkit/openvino@d45251740fe442dcf79203430189760035851f14:
docs/sphinx_setup/_static/benchmarks_files/OV-2024.3-benchmark-data.csv) keeps one begin_rec/end_rec block per
network. This script copies the header and the two classification blocks whose weights the benchmark FAQ
identifies, byte for byte, and checks every int8 throughput cell against the file's own Value (FPS/$) and
Efficiency (FPS/TDP) columns. Usage:

    python sources/openvino_benchmarks/extract.py OV-2024.3-benchmark-data.csv > OV-2024.3-benchmark-data.csv
    python sources/openvino_benchmarks/extract.py --check OV-2024.3-benchmark-data.csv
"""

from __future__ import annotations

import csv
import io
import sys

NETWORKS = ("mobilenet-v2", "resnet-50")  # FAQ: Open Model Zoo mobilenet-v2-pytorch and resnet-50-tf
ROUNDING = 0.0015  # Value and Efficiency are published with 3 decimals


def blocks(lines: list[str]) -> list[str]:
    """The header and every begin_rec..end_rec block whose rows are one of NETWORKS, lines unchanged."""
    out, block = [lines[0]], None
    for line in lines[1:]:
        if line.startswith("begin_rec"):
            block = [line]
        elif block is not None:
            block.append(line)
            if line.startswith("end_rec"):
                names = {row.split(",", 1)[0] for row in block[1:-1]}
                if names and names <= set(NETWORKS):
                    out += block
                block = None
    return out


def check(text: str) -> int:
    """Rows whose int8 throughput disagrees with Value = FPS / Price and Efficiency = FPS / TDP (0 = all agree)."""
    bad = 0
    for r in csv.DictReader(io.StringIO(text)):
        if r["Network model"] in ("begin_rec", "end_rec") or not r["Throughput-INT8"]:
            continue
        fps = float(r["Throughput-INT8"])
        if (abs(fps / float(r["Price"]) - float(r["Value"])) > ROUNDING
                or abs(fps / float(r["TDP"]) - float(r["Efficiency"])) > ROUNDING):
            print("mismatch:", r["Network model"], r["Platform name"], file=sys.stderr)
            bad += 1
    return bad


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        return 1 if check(open(argv[1], encoding="utf-8").read()) else 0
    lines = open(argv[0], encoding="utf-8").read().splitlines()
    sys.stdout.write("\n".join(blocks(lines)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
