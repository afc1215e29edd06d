"""Detector memory: the weights-only lower bound and the group fit, checked against every measured detector memory.

The catalog's measured detector memory is Qualcomm AI Hub's peak memory of the on-device inference job (source
qualcomm-aihub-detection). No detection source publishes activation counts, so the generic formula cannot
estimate a detector; what answers carry instead:

1. **weights-only lower bound** (modelpick.catalog._memory_floor, named in the memory method of every detector
   cell without an estimate): params x bytes per parameter. Checked: how often the measured memory is at or
   above it (a lower bound must hold on every point), and how far above (truth / bound).
2. **group fit** (modelpick.estimate, Bianco Fig. 4): where a (device, runtime, precision, batch) group has a
   usable least-squares line of measured memory on weight size, a detector cell without measured memory gets
   that line's value. Checked leave-one-out: each measured detector point hidden (with every row of its
   architecture in its group), the group refitted without it, the estimate compared with the hidden truth.

Run:  python bench/eval_memory_detection.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from modelpick import load_catalog  # noqa: E402
from modelpick.catalog._memory_floor import weights_floor_mb  # noqa: E402
from modelpick.estimate import MEMORY_INTERVAL, memory_fit_points, weights_mb  # noqa: E402

from eval_memory import _fit_without  # noqa: E402  (bench/ is on sys.path when run as a script: the same leave-one-out fit)


def evaluate() -> dict:
    table = load_catalog(use_env=False)._m
    archs = table.architectures
    detector = {a for a, arch in archs.items() if arch.task == "detection"}
    groups = memory_fit_points(table.measurements, archs)
    floor_rows, fit_rows = [], []
    seen = set()
    for m in table.measurements:
        if m.get("memory_mb") is None or m["architecture"] not in detector:
            continue
        arch, truth = archs[m["architecture"]], float(m["memory_mb"])
        floor = weights_floor_mb(arch.params_m, m["precision"])
        if floor is not None:
            floor_rows.append({"architecture": arch.id, "device": m["device"], "precision": m["precision"],
                               "truth_mb": truth, "floor_mb": floor})
        key = (m["device"], m["runtime"], m["precision"], int(m["batch_size"]))
        if (key, arch.id) in seen:  # the group keeps one point per architecture (its largest memory)
            continue
        seen.add((key, arch.id))
        fit = _fit_without(groups.get(key, {}), arch.id, key)
        w = weights_mb(arch.params_m, m["precision"], m["settings"])
        if fit is not None and fit.usable and w is not None:
            fit_rows.append({"architecture": arch.id, "device": m["device"], "runtime": m["runtime"],
                             "truth_mb": groups[key][arch.id][1], "estimate_mb": fit.predict_mb(w)})
    return {"floor": floor_rows, "fit": fit_rows,
            "measured_points": sum(1 for m in table.measurements
                                   if m.get("memory_mb") is not None and m["architecture"] in detector),
            "architectures": len({r["architecture"] for r in floor_rows})}


def summarise(result: dict) -> dict:
    out: dict = {"measured_points": result["measured_points"]}
    fl = result["floor"]
    if fl:
        ratio = np.array([r["truth_mb"] / r["floor_mb"] for r in fl])
        out["floor"] = {"points": len(fl), "architectures": result["architectures"],
                        "holds": float(np.mean(ratio >= 1.0)), "violations": int(np.sum(ratio < 1.0)),
                        "min_truth_over_floor": float(ratio.min()),
                        "median_truth_over_floor": float(np.median(ratio)),
                        "p90_truth_over_floor": float(np.quantile(ratio, 0.9))}
    ft = result["fit"]
    if ft:
        truth = np.array([r["truth_mb"] for r in ft])
        est = np.array([r["estimate_mb"] for r in ft])
        ratio = truth / np.where(est > 0, est, np.nan)
        out["fit"] = {"points": len(ft), "median_abs_rel_error": float(np.median(np.abs(est - truth) / truth)),
                      "median_truth_over_estimate": float(np.nanmedian(ratio)),
                      "p90_truth_over_estimate": float(np.nanquantile(ratio, 0.9)),
                      "estimate_at_or_above_truth": float(np.mean(est >= truth)),
                      "interval_high_factor": MEMORY_INTERVAL["fit-detection"][1],
                      "high_end_covers": float(np.mean(est * MEMORY_INTERVAL["fit-detection"][1] >= truth))}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args(argv)
    s = summarise(evaluate())
    print(f"detector memory: {s['measured_points']} measured points (Qualcomm AI Hub peak memory)")
    f = s.get("floor")
    if f:
        print(f"weights-only lower bound: {f['points']} points of {f['architectures']} architectures; holds on "
              f"{f['holds']:.1%} ({f['violations']} below it); measured / bound: min {f['min_truth_over_floor']:.2f}, "
              f"median {f['median_truth_over_floor']:.2f}, 90th percentile {f['p90_truth_over_floor']:.2f}")
    g = s.get("fit")
    if g:
        print(f"group fit, leave-one-out: {g['points']} points; median |error| {g['median_abs_rel_error']:.1%}, "
              f"truth / estimate median {g['median_truth_over_estimate']:.2f} (90th percentile "
              f"{g['p90_truth_over_estimate']:.2f}); estimate >= truth on {g['estimate_at_or_above_truth']:.1%}, "
              f"its interval's high end (x{g['interval_high_factor']:g}) covers {g['high_end_covers']:.1%}")
    if args.json:
        Path(args.json).write_text(json.dumps(s, indent=2) + "\n")
    if f and f["violations"]:
        print("FAIL: measured memory below the weights-only lower bound: the bound is not one")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
