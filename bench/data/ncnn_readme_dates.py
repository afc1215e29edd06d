"""Write ncnn_readme_dates.json: the date each benchncnn README row the catalog uses was last changed (git blame).

The date of a row's last change is when its numbers were published (a re-run with a newer ncnn build rewrites
the row), so it orders measurements in time for the time-split evaluation (bench/eval_predict.py --split time).
Only rows of the shared extract (MODELPICK_SOURCES/ncnn_benchncnn.csv, its readme_line column) are dated; the
device sections that extract leaves out are not read.

Run:  python bench/data/ncnn_readme_dates.py /path/to/Tencent/ncnn/git-dir
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import subprocess
import sys

COMMIT = "a4d2ea1d4422c9e849f166fd7a4aefb52f942f6a"  # the catalog's ncnn-benchncnn source commit
PATH = "benchmark/README.md"


def main(git_dir: str) -> None:
    src = os.path.join(os.environ.get("MODELPICK_SOURCES", "/work/shared/sources"), "ncnn_benchncnn.csv")
    with open(src, encoding="utf-8") as fh:
        wanted = {int(r["readme_line"]) for r in csv.DictReader(fh)}
    out = subprocess.run(["git", "--git-dir", git_dir, "blame", "--line-porcelain", COMMIT, "--", PATH],
                         capture_output=True, text=True, check=True).stdout
    dates, line = {}, None
    for text in out.splitlines():
        m = re.match(r"^[0-9a-f]{40} \d+ (\d+)", text)
        if m:
            line = int(m.group(1))
        elif text.startswith("author-time ") and line in wanted:
            dates[line] = datetime.datetime.fromtimestamp(int(text.split()[1]), datetime.timezone.utc).date().isoformat()
    ranges: list[list] = []  # [first line, last line, date]: consecutive rows of one date
    for ln in sorted(dates):
        if ranges and ranges[-1][2] == dates[ln] and ranges[-1][1] == ln - 1:
            ranges[-1][1] = ln
        else:
            ranges.append([ln, ln, dates[ln]])
    doc = {"repo": "Tencent/ncnn", "commit": COMMIT, "path": PATH,
           "method": "git blame --line-porcelain: author date of each row's last change", "ranges": ranges}
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ncnn_readme_dates.json")
    tmp = target + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, separators=(",", ":")) + "\n")
    os.replace(tmp, target)
    print(f"{len(dates)} rows dated in {len(ranges)} ranges -> {target}")


if __name__ == "__main__":
    main(sys.argv[1])
