"""Leave-one-out evaluation of the memory estimate (modelpick.estimate_memory) on every measured memory point.

The catalog holds measured memory for 967 Qualcomm AI Hub cells (peak memory) and Bianco et al. 2018's four
Titan Xp values. About 90 % of the memory figures an answer shows are estimates; this says how good they are.

For each measured point in turn:

1. hide it (every row of that architecture in its (device, runtime, precision, batch size) group, so a
   duplicate cannot leak the truth),
2. estimate it from what is left exactly as the catalog would: the group's least-squares line against weight
   size where the rest of the group still makes it usable, else the generic formula (weights + activations x
   batch + CUDA overhead),
3. compare with the hidden truth.

Reported per method (fit / formula) and pooled: points estimated (the formula needs activations_m), median
absolute relative error |estimate - truth| / truth, median truth / estimate, the factors that make the
conservative (high) end cover 90 % of the truths and the low end sit under 95 % of them, and the coverage
of the interval that modelpick.estimate.MEMORY_INTERVAL sets now. It also gives the evidence for
Query.memory_bound's default: how often the hidden truth exceeds the point estimate and the high end (a memory
limit checked at that bound would admit a model that does not fit). The run fails (exit 1) if the current
interval's high end covers less than 90 % of any method's points.

Run:  python bench/eval_memory.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from modelpick import load_catalog  # noqa: E402
from modelpick.estimate import (MEMORY_INTERVAL, RUNTIME_OVERHEAD_MB, MemoryFit, estimate_cell_memory,  # noqa: E402
                                fit_line, fit_runtime_overheads, memory_fit_points)

TARGET_COVERAGE = 0.90


def _fit_without(points: dict, hidden_arch: str, key: tuple) -> MemoryFit | None:
    rest = {a: v for a, v in points.items() if a != hidden_arch}
    xs = np.array([v[0] for v in rest.values()])
    ys = np.array([v[1] for v in rest.values()])
    if len(xs) < 2 or len(np.unique(xs)) < 2:
        return None
    slope, intercept, r2 = fit_line(xs, ys)
    resid = ys - (slope * xs + intercept)
    return MemoryFit(*key, slope=slope, intercept_mb=intercept, r2=r2, n_points=len(xs),
                     max_abs_residual_mb=float(np.max(np.abs(resid))))


def evaluate() -> dict:
    cat = load_catalog(use_env=False)
    table = cat._m
    measurements = table.measurements
    groups = memory_fit_points(measurements, table.architectures)
    measured = [m for m in measurements if m.get("memory_mb") is not None]
    rows = []
    for m in measured:
        key = (m["device"], m["runtime"], m["precision"], int(m["batch_size"]))
        fit = _fit_without(groups.get(key, {}), m["architecture"], key)
        est = estimate_cell_memory(architecture=table.architectures[m["architecture"]],
                                   device=table.devices[m["device"]], runtime=m["runtime"], precision=m["precision"],
                                   batch_size=int(m["batch_size"]), input_size=int(m["input_size"]),
                                   settings=m["settings"], fit=fit, measured_cell=False)
        rows.append({"source": m["source"], "device": m["device"], "runtime": m["runtime"],
                     "precision": m["precision"], "architecture": m["architecture"], "truth_mb": float(m["memory_mb"]),
                     "estimate_mb": None if est is None else est.memory_mb,
                     "high_mb": None if est is None else est.memory_high_mb,
                     "low_mb": None if est is None else est.memory_low_mb,
                     "kind": None if est is None else est.kind,
                     "interval": None if est is None else est.interval})
        if est is not None and est.interval == "formula":
            # the same point with its fitted runtime overhead left out: the evidence for "formula-no-overhead"
            # (the runtimes without measured memory are estimated that way, and cannot be checked themselves)
            bare = est.memory_mb - RUNTIME_OVERHEAD_MB[m["runtime"]]
            lo_f, hi_f = MEMORY_INTERVAL["formula-no-overhead"]
            rows.append({**rows[-1], "estimate_mb": bare, "high_mb": bare * hi_f, "low_mb": bare * lo_f,
                         "interval": "formula-no-overhead (AI Hub points, overhead left out)", "simulated": True})
    return {"points": len(measured), "rows": rows}


def summarise(rows: list[dict]) -> dict:
    est = [r for r in rows if r["estimate_mb"]]
    if not est:
        return {"points": len(rows), "estimated": 0}
    truth = np.array([r["truth_mb"] for r in est])
    guess = np.array([r["estimate_mb"] for r in est])
    ratio = truth / guess
    high = np.array([r["high_mb"] for r in est])
    low = np.array([r["low_mb"] for r in est])
    return {
        "points": len(rows), "estimated": len(est),
        "median_abs_rel_error": float(np.median(np.abs(guess - truth) / truth)),
        "median_truth_over_estimate": float(np.median(ratio)),
        "high_factor_for_90pct": float(np.quantile(ratio, TARGET_COVERAGE, method="higher")),
        "low_factor_for_95pct_above": float(np.quantile(ratio, 0.05, method="lower")),
        "coverage_high_end": float(np.mean(high >= truth)),
        "coverage_interval": float(np.mean((low <= truth) & (truth <= high))),
        "median_abs_rel_error_high_end": float(np.median(np.abs(high - truth) / truth)),
        # Query.memory_bound's evidence: how often a limit checked at each bound would admit a model whose
        # measured memory is larger (under-promise), and how much the high end over-states the rest
        "truth_above_point": float(np.mean(truth > guess)),
        "truth_above_high": float(np.mean(truth > high)),
        "median_high_over_truth": float(np.median(high / truth)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    result = evaluate()
    rows = result["rows"]  # plus, marked simulated, the formula's points again with their overhead left out
    real = [r for r in rows if not r.get("simulated")]
    keys = [k for k in dict.fromkeys(r["interval"] for r in rows) if k]
    summary = {"pooled": summarise(real), "interval": {k: list(v) for k, v in MEMORY_INTERVAL.items()}}
    for kind in ("fit", "formula"):
        summary[kind] = summarise([r for r in real if r["kind"] == kind])
    for key in keys:
        summary[f"interval:{key}"] = summarise([r for r in rows if r["interval"] == key])
    for source in sorted({r["source"] for r in real}):
        summary[f"source:{source}"] = summarise([r for r in real if r["source"] == source])
    summary["not_estimated"] = sum(1 for r in real if not r["estimate_mb"])
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    print(f"memory estimate, leave-one-out over {result['points']} measured points "
          f"({summary['not_estimated']} without the inputs for an estimate)")
    print(f"{'method / interval / source':28s} {'n':>5s} {'median |err|':>13s} {'truth/est':>10s} {'x for 90%':>10s} "
          f"{'high covers':>12s} {'in interval':>12s}")
    for name in ["pooled", "fit", "formula"] + [k for k in summary if k.startswith(("interval:", "source:"))]:
        s = summary[name]
        if not s.get("estimated"):
            print(f"{name:28s} {0:5d}")
            continue
        print(f"{name[:28]:28s} {s['estimated']:5d} {s['median_abs_rel_error']:12.1%} {s['median_truth_over_estimate']:10.2f} "
              f"{s['high_factor_for_90pct']:10.2f} {s['coverage_high_end']:12.1%} {s['coverage_interval']:12.1%}")
    print(f"interval factors now (modelpick.estimate.MEMORY_INTERVAL): {MEMORY_INTERVAL}")
    cat = load_catalog(use_env=False)
    overheads = fit_runtime_overheads(cat._m.measurements, cat._m.architectures)
    summary["runtime_overhead_fit"] = {rt: {"median_mb": v, "points": n} for rt, (v, n) in overheads.items()}
    print("runtime overhead fit (median of measured memory - weights - activations x batch; "
          "modelpick.estimate.RUNTIME_OVERHEAD_MB): "
          + ", ".join(f"{rt} {v:.1f} MB ({n} points; in use {RUNTIME_OVERHEAD_MB.get(rt, 0):g})"
                      for rt, (v, n) in overheads.items()))
    p = summary["pooled"]
    default = "high" if p["truth_above_high"] < p["truth_above_point"] else "point"
    summary["memory_bound_default"] = default
    print(f"memory_bound: the measured memory exceeded the point estimate in {p['truth_above_point']:.1%} and the "
          f"high end in {p['truth_above_high']:.1%} of {p['estimated']} hidden points (the high end is a median "
          f"x{p['median_high_over_truth']:.2f} of the truth): a limit that fails safe uses '{default}'")
    for name in ("fit", "formula"):
        q = summary[name]
        if q.get("estimated"):
            print(f"  {name:8s} above point {q['truth_above_point']:6.1%}   above high {q['truth_above_high']:6.1%}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n")
    short = [k for k in keys if k in MEMORY_INTERVAL and summary[f"interval:{k}"].get("estimated")
             and summary[f"interval:{k}"]["coverage_high_end"] < TARGET_COVERAGE]
    if short:
        print(f"FAIL: the high end covers < {TARGET_COVERAGE:.0%} for {', '.join(short)}: raise MEMORY_INTERVAL")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
