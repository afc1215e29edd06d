"""Extract NVIDIA's closed-division ResNet-50 runs from MLPerf Inference results into mlperf_resnet50.csv.

Usage: python extract.py ROOT_V3_0 ROOT_V3_1 [ROUND=ROOT ...] > mlperf_resnet50.csv
(a ROOT given as "-" skips that round's runs)
(e.g. v1.1=/tmp/mlperf/v1.1 v2.0=/tmp/mlperf/v2.0 v2.1=/tmp/mlperf/v2.1), where each ROOT holds the round's files
at their repository paths (closed/NVIDIA/results/...; read one by one, the repositories are too large to clone). A run is kept only where both its performance summary
(performance/run_1/mlperf_log_summary.txt) and the SAME scenario's accuracy/accuracy.txt are stored: the
accuracy of one scenario's engine is never lent to another scenario or system.
Offline batch sizes are not in the logs; they come from the round's config (closed/NVIDIA/configs/resnet50/Offline/
__init__.py, gpu_batch_size / dla_batch_size of the system's class) and are copied into OFFLINE_BATCH below.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

# (round, system directory, scenario) of every run whose summary and accuracy are both stored
RUNS = [
    ("v3.0", "DGX-A100_A100-SXM-80GBx1_TRT", "SingleStream"),
    ("v3.0", "Orin_NX_TRT", "SingleStream"),
    ("v3.0", "Orin_NX_TRT", "Offline"),
    ("v3.0", "Orin_TRT", "Offline"),
    ("v3.1", "Orin_TRT", "SingleStream"),
    ("v3.1", "L4x1_TRT", "SingleStream"),
    # added later (rows appended, the earlier rows stay byte-identical)
    ("v1.1", "A100-PCIe-80GBx1_TRT", "SingleStream"),
    ("v1.1", "A100-PCIe-80GBx1_TRT", "Offline"),
    ("v2.0", "A100-PCIe-80GBx1_TRT", "SingleStream"),
    ("v2.0", "DGX-A100_A100-SXM-80GBx1_TRT", "SingleStream"),
    ("v2.0", "Orin_TRT", "Offline"),
    ("v2.1", "Orin_TRT", "SingleStream"),
    ("v2.1", "Orin_TRT", "Offline"),
    ("v0.7", "DGX-A100_A100-SXM4x1_TRT", "Offline"),
    # third pass: the v3.0 H100 Offline runs (their accuracy.txt is in the repository, read from a git snapshot)
    ("v3.0", "DGX-H100_H100-SXM-80GBx1_TRT", "Offline"),
    ("v3.0", "H100-PCIe-80GBx1_TRT", "Offline"),
    # fourth pass: v3.0 runs on devices that already answered (each with its own accuracy.txt, git snapshot)
    ("v3.0", "Orin_TRT", "SingleStream"),
    ("v3.0", "L4x1_TRT", "SingleStream"),
    ("v3.0", "L4x1_TRT", "Offline"),
    ("v3.0", "A100-PCIe-80GBx1_TRT", "SingleStream"),
    ("v3.0", "A100-PCIe-80GBx1_TRT", "Offline"),
    ("v3.0", "DGX-A100_A100-SXM-80GBx1_TRT", "Offline"),
    # fifth pass: v1.1/v2.0/v2.1 runs whose accuracy.txt a git snapshot of each round holds (the file index did not)
    ("v1.1", "DGX-A100_A100-SXM-80GBx1_TRT", "SingleStream"),
    ("v1.1", "DGX-A100_A100-SXM-80GBx1_TRT", "Offline"),
    ("v2.0", "A100-PCIe-80GBx1_TRT", "Offline"),
    ("v2.0", "DGX-A100_A100-SXM-80GBx1_TRT", "Offline"),
    ("v2.0", "Orin_TRT", "SingleStream"),
    ("v2.1", "A100-PCIe-80GBx1_TRT", "SingleStream"),
    ("v2.1", "A100-PCIe-80GBx1_TRT", "Offline"),
    ("v2.1", "DGX-A100_A100-SXM-80GBx1_TRT", "SingleStream"),
    ("v2.1", "DGX-A100_A100-SXM-80GBx1_TRT", "Offline"),
]
# (gpu_batch_size, dla_batch_size) of the system's LWIS MaxP class in the round's
# closed/NVIDIA/configs/resnet50/Offline/__init__.py ("" where the system has no DLA):
#   v3.0 class Orin / Orin_NX; v2.0 and v2.1 class Orin; v1.1 class A100_PCIe_80GBx1;
#   v0.7: closed/NVIDIA/configs/resnet50/Offline/config.json, key "A100-SXM4x1";
#   v3.0 class H100_SXM_80GBx1 (KnownSystem H100_SXM_80GBx1 = "DGX-H100_H100-SXM-80GBx1" in
#   code/common/systems/system_list.py) and class H100_PCIe_80GBx1 ("H100-PCIe-80GBx1");
#   v3.0 class L4x1 ("L4x1"), A100_PCIe_80GBx1 ("A100-PCIe-80GBx1"), A100_SXM_80GBx1 ("DGX-A100_A100-SXM-80GBx1")
#   v1.1 class A100_SXM_80GBx1 (System("A100-SXM-80GB", Ampere, 1)); v2.0 and v2.1 classes A100_PCIe_80GBx1 and
#   A100_SXM_80GBx1 (system_list.py: add_systems("A100_SXM_80GBx{}", "DGX-A100_A100-SXM-80GBx{}", ...))
OFFLINE_BATCH = {("v3.0", "Orin_TRT"): ("256", "2"), ("v3.0", "Orin_NX_TRT"): ("256", "2"),
                 ("v2.0", "Orin_TRT"): ("256", "8"), ("v2.1", "Orin_TRT"): ("256", "16"),
                 ("v1.1", "A100-PCIe-80GBx1_TRT"): ("2048", ""), ("v0.7", "DGX-A100_A100-SXM4x1_TRT"): ("2048", ""),
                 ("v3.0", "DGX-H100_H100-SXM-80GBx1_TRT"): ("2048", ""), ("v3.0", "H100-PCIe-80GBx1_TRT"): ("2048", ""),
                 ("v3.0", "L4x1_TRT"): ("32", ""), ("v3.0", "A100-PCIe-80GBx1_TRT"): ("2048", ""),
                 ("v3.0", "DGX-A100_A100-SXM-80GBx1_TRT"): ("2048", ""),
                 ("v1.1", "DGX-A100_A100-SXM-80GBx1_TRT"): ("2048", ""),
                 ("v2.0", "A100-PCIe-80GBx1_TRT"): ("2048", ""), ("v2.0", "DGX-A100_A100-SXM-80GBx1_TRT"): ("2048", ""),
                 ("v2.1", "A100-PCIe-80GBx1_TRT"): ("2048", ""), ("v2.1", "DGX-A100_A100-SXM-80GBx1_TRT"): ("2048", "")}

FIELDS = ["round", "system", "scenario", "benchmark", "result_valid", "mean_latency_ns", "p90_latency_ns",
          "qps_without_loadgen_overhead", "samples_per_second", "accuracy_pct", "accuracy_good", "accuracy_total",
          "gpu_batch_size", "dla_batch_size", "summary_path", "accuracy_path"]


def grab(pattern: str, text: str) -> str:
    m = re.search(pattern, text, re.M)
    return m.group(1).strip() if m else ""


def main(roots: dict[str, Path]) -> None:
    out = csv.DictWriter(sys.stdout, FIELDS, lineterminator="\n")
    out.writeheader()
    for rnd, system, scenario in RUNS:
        if rnd not in roots:  # a pass over some rounds only: their rows are appended to the CSV by hand
            continue
        base = f"closed/NVIDIA/results/{system}/resnet50/{scenario}"
        summary_path, acc_path = f"{base}/performance/run_1/mlperf_log_summary.txt", f"{base}/accuracy/accuracy.txt"
        s = (roots[rnd] / summary_path).read_text()
        a = (roots[rnd] / acc_path).read_text()
        acc = re.match(r"accuracy=([\d.]+)%, good=(\d+), total=(\d+)", a)
        assert grab(r"^Scenario\s*:\s*(\S+)", s) == scenario
        gpu_bs, dla_bs = OFFLINE_BATCH.get((rnd, system), ("", "")) if scenario == "Offline" else ("1", "")
        out.writerow({
            "round": rnd, "system": system, "scenario": scenario, "benchmark": "resnet50",
            "result_valid": grab(r"^Result is\s*:\s*(\S+)", s),
            "mean_latency_ns": grab(r"^Mean latency \(ns\)\s*:\s*(\d+)", s) if scenario == "SingleStream" else "",
            "p90_latency_ns": grab(r"^90th percentile latency \(ns\)\s*:\s*(\d+)", s),
            "qps_without_loadgen_overhead": grab(r"^QPS w/o loadgen overhead\s*:\s*([\d.]+)", s),
            "samples_per_second": grab(r"^Samples per second\s*:\s*([\d.]+)", s),
            "accuracy_pct": acc.group(1), "accuracy_good": acc.group(2), "accuracy_total": acc.group(3),
            "gpu_batch_size": gpu_bs, "dla_batch_size": dla_bs,
            "summary_path": summary_path, "accuracy_path": acc_path,
        })


if __name__ == "__main__":
    roots = {"v3.0": Path(sys.argv[1]), "v3.1": Path(sys.argv[2])}
    roots = {k: v for k, v in roots.items() if str(v) != "-"}  # "-": skip that round's runs
    roots.update({k: Path(v) for k, v in (a.split("=", 1) for a in sys.argv[3:])})
    main(roots)
