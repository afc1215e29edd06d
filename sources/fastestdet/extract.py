"""Extract FastestDet's README tables ('Evaluating indicator/Benchmark' row of FastestDet itself and the
'Multi-platform benchmark' table) into fastestdet.csv. Usage: python extract.py <git-dir of dog-qiuqiu/FastestDet>
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

COMMIT = "50473cd155cb088aa4a99e64ff6a4b3c24fa07e1"
FIELDS = ("table", "model", "map50", "map50_95", "resolution", "equipment", "backend", "system", "framework",
          "threads", "latency_ms", "params_m")


def main(git_dir: str) -> None:
    lines = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:README.md"], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    out = []
    for line in lines:
        c = [x.strip() for x in line.split("|")]
        if c[0] == "FastestDet" and len(c) == 7:
            # Network|mAPval 0.5|mAPval 0.5:0.95|Resolution|Run Time(4xCore)|Run Time(1xCore)|Params(M)
            for threads, ms in (("4", c[4]), ("1", c[5])):
                out.append({"table": "benchmark", "model": c[0], "map50": c[1], "map50_95": c[2], "resolution": c[3],
                            "equipment": "Radxa Rock3A RK3568 ARM Cortex-A55 CPU", "backend": "arm-cpu",
                            "system": "", "framework": "NCNN", "threads": threads, "latency_ms": ms.removesuffix("ms"),
                            "params_m": c[6].removesuffix("M")})
        elif len(c) == 6 and c[3] in ("ncnn", "rknn"):
            # Equipment|Computing backend|System|Framework|Run time(Single core)|Run time(Multi core)
            for threads, ms in (("1", c[4]), ("multi", c[5])):
                if ms == "-":
                    continue
                out.append({"table": "multi_platform", "model": "FastestDet", "map50": "", "map50_95": "",
                            "resolution": "", "equipment": c[0], "backend": c[1], "system": c[2], "framework": c[3],
                            "threads": threads, "latency_ms": ms.removesuffix("ms"), "params_m": ""})
    with open(Path(__file__).resolve().parent / "fastestdet.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)


if __name__ == "__main__":
    main(sys.argv[1])
