"""Extract the classification tables of vladimir-chernykh/coreml-model-zoo into one CSV, cells as published.

Each vision/classification/<family>/README.md has one HTML table: model, source framework, size, (input px,
width multiplier), Core ML and source top-1/top-5, and Core ML latency in ms on iPhone 11 Pro (CPU, GPU, ANE) and
iPhone 7 (CPU, GPU). The script writes every body row with its cells as printed (tags stripped; the Model cell's
link gives the .mlmodel file name, kept as `mlmodel` without the extension), the README's "Inputs: **NxN**" line
where the table has no input column, and its "Versions" lines. Usage:

    python sources/coreml_model_zoo/extract.py MIRRORS_DIR > sources/coreml_model_zoo/coreml_model_zoo.csv

where MIRRORS_DIR holds <owner>+<name>/repo git directories (the layout of the project's `fetch` tool).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

REPO, COMMIT = "vladimir-chernykh/coreml-model-zoo", "69a05b30e6bd3cd7a658fdd5be8be36f134e11e7"
FAMILIES = ("alexnet", "vgg", "resnet_v1", "densenet", "mobilenet_v2", "resnest")
# the third header row, in order: Core ML top-1/top-5, source top-1/top-5, iPhone 11 Pro CPU/GPU/ANE, iPhone 7 CPU/GPU
TAIL = ("coreml_top1", "coreml_top5", "source_top1", "source_top5", "iphone11pro_cpu_ms", "iphone11pro_gpu_ms",
        "iphone11pro_ane_ms", "iphone7_cpu_ms", "iphone7_gpu_ms")
COLUMNS = ("path", "model", "source", "mlmodel", "size_mb", "input_px", "input_px_basis", "width_mult", *TAIL,
           "versions", "commit")


def show(mirrors: Path, path: str) -> str:
    git_dir = mirrors / REPO.replace("/", "+") / "repo"
    return subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{COMMIT}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def text(cell: str) -> str:
    return re.sub(r"<[^>]+>", "", cell).strip()


def main(mirrors: Path) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for family in FAMILIES:
        path = f"vision/classification/{family}/README.md"
        page = show(mirrors, path)
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
        header, sub = [text(c) for c in rows[0]], [text(c) for c in rows[2]]
        if sub != ["Top-1", "Top-5", "Top-1", "Top-5", "CPU", "GPU", "ANE", "CPU", "GPU"]:
            raise SystemExit(f"{path}: unexpected header {sub}")
        inputs = re.search(r"Inputs:\s*\n\* \*\*(\d+)x(\d+)\*\*", page)
        versions = "; ".join(re.findall(r"^\* ((?:iOS|XCode) [0-9.]+)$", page, re.M))
        for cells in rows[3:]:
            link = re.search(r'href="[^"]*/([^/"]+)\.mlmodel', cells[0])
            values = [text(c) for c in cells]
            lead = dict(zip(header[:len(values) - len(TAIL)], values))
            tail = dict(zip(TAIL, values[-len(TAIL):]))
            if "Input, px" in lead:
                px, basis = lead["Input, px"], "table column 'Input, px'"
            elif inputs and inputs.group(1) == inputs.group(2):
                px, basis = inputs.group(1), f"README line 'Inputs: {inputs.group(1)}x{inputs.group(2)}'"
            else:
                raise SystemExit(f"{path}: no input size for {values[0]}")
            out.writerow((path, lead["Model"], lead["Source"], link.group(1), lead["Size, MB"], px, basis,
                          lead.get("Width mult.", ""), *tail.values(), versions, f"{REPO}@{COMMIT}"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
