"""Extract the Core ML iPhone latency tables of four model READMEs into one CSV, cells as published.

Reads each README straight from a git checkout at the pinned commit and writes every row of its ImageNet model
table: the model name, the top-1 cell and the latency cell exactly as the table prints them ("79.2 (80.2)",
"75.7 / 76.2", "1.6ms", "[0.8](docs/latency/t8.PNG)" -> "0.8": only the markdown link around a number is dropped),
the table's own top-1 and latency headers, and the README's sentence that names the iPhone. Usage:

    python sources/coreml_iphone/extract.py MIRRORS_DIR > sources/coreml_iphone/coreml_iphone.csv

where MIRRORS_DIR holds <owner>+<name>/repo git directories (the layout of the project's `fetch` tool).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

# (repo, commit, the heading the model tables follow, the README's sentence naming the iPhone for each table in turn)
READMES = (
    ("apple/ml-mobileone", "b7f4e6d48884593c7eb46eedc53c3a097c09e957", "### ImageNet-1K",
     ("*Latency measured on iPhone 12 Pro.",)),
    ("apple/ml-fastvit", "8af5928238cab99c45f64fc3e4e7b1516b8224ba", "Models trained on ImageNet-1K",
     ("Latency of all models measured on iPhone 12 Pro using [ModelBench app]",) * 2),
    ("snap-research/EfficientFormer", "d01da426243a38303d0a35d01fc928b0e37d38d3", "## Classification on ImageNet-1K",
     ("The latency reported in EffcientFormerV2 for iPhone 12 (iOS 16) uses the benchmark tool from [XCode 14]",
      "Models are trained on ImageNet-1K and measured by iPhone 12 with CoreMLTools to get latency.")),
    ("THU-MIG/RepViT", "298f42075eda5d2e6102559fad260c970769d34e", "## Classification on ImageNet-1K",
     ("The latency reported in RepViT for iPhone 12 (iOS 16) uses the benchmark tool from [XCode 14]",)),
)
COLUMNS = ("repo", "commit", "path", "table", "model", "top1_header", "top1", "latency_header", "latency",
           "device_statement")
LINK = re.compile(r"^\[([^\]]*)\]\([^)]*\)$")


def show(mirrors: Path, repo: str, commit: str, path: str = "README.md") -> str:
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    return subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def tables(text: str, after: str):
    """(table index, header cells, body rows) of each markdown table after the line ``after``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(after))
    index, i = 0, start
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|[\s:|-]+\|\s*$", lines[i + 1]):
            header = cells(lines[i])
            body, i = [], i + 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                body.append(cells(lines[i]))
                i += 1
            index += 1
            yield index, header, body
            continue
        if lines[i].startswith("## ") and i > start and not lines[i].startswith(after):
            return  # the next top-level section: the model tables are over
        i += 1


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def unlink(cell: str) -> str:
    m = LINK.match(cell)
    return m.group(1) if m else cell


def main(mirrors: Path) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for repo, commit, after, statements in READMES:
        text = show(mirrors, repo, commit)
        for statement in statements:
            if statement not in text:
                raise SystemExit(f"{repo}: the device sentence {statement!r} is not in README.md at {commit}")
        found = list(tables(text, after))
        if len(found) != len(statements):
            raise SystemExit(f"{repo}: {len(found)} model tables, {len(statements)} device sentences")
        for (index, header, body), statement in zip(found, statements):
            t1 = next(i for i, h in enumerate(header) if h.startswith("Top-1"))
            lat = next(i for i, h in enumerate(header) if h.startswith("Latency"))
            for row in body:
                out.writerow((repo, commit, "README.md", index, row[0], header[t1], row[t1], header[lat],
                              unlink(row[lat]), statement))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
