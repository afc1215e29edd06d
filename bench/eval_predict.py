"""Leave-one-device-out evaluation of latency prediction (modelpick.predict), with baselines.

For every device of the ncnn (benchncnn) and Qualcomm AI Hub tables:

1. hide every measured cell of that device (all runtimes, precisions, settings),
2. fit the transfer model, its blend weights and interval multipliers (the library's own
   calibrate_intervals, device folds inside the remaining devices) and the plausibility floor
   on what is left,
3. for each of the device's runs of that table (one run = runtime, precision,
   settings, batch size) with at least k + 1 measured architectures, pick k probes
   with the model's ``suggest`` (restricted to what that run measured), calibrate the
   run exactly as ``modelpick.calibrate`` does (CalibratedRun: transfer + neighbour
   runs, plausibility cap), and predict the run's other architectures.

The same probes feed two baselines:

* nearest device: the training run (any runtime) that measured all k probes and whose
  probe latencies are most alike in shape (smallest spread of log ratios), rescaled by
  the mean log ratio (the next-nearest such run where it lacks the target);
* FLOPs-proportional: latency = GMACs x median(probe ms / probe GMACs).

Metrics are pooled over predicted cells: median absolute percentage error, the
share within +-10 % and +-25 %, and the coverage of the 80 % interval. Every method
is scored on the same cells (those all three can predict).

Batch curves: for every (architecture, device, runtime, precision, settings)
measured at >= 3 batch sizes, each interior batch size is hidden and predicted
from the rest; the interval band comes from the curves of *other* devices.

Run:  python bench/eval_predict.py [--workers N] [--json out.json] [--update-readme]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import sys
import time
from collections import defaultdict

import numpy as np

from modelpick import load_catalog
from modelpick.predict import INTERVAL, TransferModel, batch_curve_errors, batch_curve_groups, calibrate_intervals
from modelpick.predict import latency_cells
from modelpick.predict.calibrated_run import CalibratedRun
from modelpick.predict.intervals import CALIBRATION_FOLDS, _log_band
from modelpick.predict.plausibility import PlausibilityFloor, cap, column_gmacs
from modelpick.predict.types import Prediction

TABLES = {
    "ncnn": {"source": "ncnn-benchncnn", "runtimes": {"ncnn"}},
    "qualcomm": {"source": "qualcomm-aihub", "runtimes": {"tflite", "qnn-dlc", "onnxruntime"}},
}

_CELLS: dict = {}
_ARCHS: dict = {}
_OPTS: dict = {}


def _gmacs(col):
    return column_gmacs(_ARCHS.get(col[0]), col[1])


def _evaluate_device(job):
    table, device = job
    k = _OPTS["k"]
    lookup = _ARCHS.get
    train = {key: v for key, v in _CELLS.items() if key[0].device != device}
    model = TransferModel(rank=_OPTS["rank"], lam_row=_OPTS["lam_row"], lam_col=_OPTS["lam_col"],
                          neighbours=_OPTS["neighbours"]).fit(train, lookup)
    calibrate_intervals(model, train, lookup, folds=_OPTS["folds"])
    if _OPTS["transfer_only"]:
        model.blends = {}
    floor = PlausibilityFloor().fit(train, lookup)
    # training runs as {target: {col: ms}} for the nearest-device baseline
    runs: dict = defaultdict(dict)
    for (t, col), v in train.items():
        runs[t][col] = v
    mine: dict = defaultdict(dict)
    for (t, col), v in _CELLS.items():
        if t.device == device and t.runtime in TABLES[table]["runtimes"]:
            mine[t][col] = v
    out = []
    for t, cells in mine.items():
        known = [c for c in cells if c in model.col_index and model.n_col[model.col_index[c]] > 0
                 and model.supported(model.col_index[c], t.runtime)]
        if len(known) < k + 1:
            continue
        picks = [model.cols[i] for i in model.suggest(k, [model.col_index[c] for c in known], t.runtime)]
        if len(picks) < k:
            continue
        rest = [c for c in cells if c not in picks]
        # ours: the product's calibrated run (transfer + neighbour blend), then the plausibility floor
        run = CalibratedRun.fit(model, t.runtime, {c: cells[c] for c in picks}, lookup)
        mu, half, _, methods = run.predict(model, rest, [lookup(c[0]) for c in rest])
        probe_rates = {c[0]: cells[c] / _gmacs(c) for c in picks if _gmacs(c)}
        ours_pred = {}
        for j, c in enumerate(rest):
            if not np.isnan(mu[j]):
                pred = Prediction(c[0], c[1], device, t.runtime, t.precision, t.batch_size, float(np.exp(mu[j])),
                                  float(np.exp(mu[j] - half[j])), float(np.exp(mu[j] + half[j])), methods[j])
                ours_pred[c] = cap(pred, floor, _gmacs(c), probe_rates)
        # FLOPs-proportional
        ratios = [cells[c] / _gmacs(c) for c in picks if _gmacs(c)]
        per_gmac = float(np.median(ratios)) if ratios else None
        # nearest device by probe similarity
        cands = []
        yp = np.log([cells[c] for c in picks])
        for rt, rc in runs.items():
            if all(c in rc for c in picks):
                diff = yp - np.log([rc[c] for c in picks])
                cands.append((float(np.std(diff)), float(np.mean(diff)), rt))
        cands.sort(key=lambda x: (x[0], repr(x[2])))
        for j, c in enumerate(rest):
            truth = cells[c]
            flops = per_gmac * _gmacs(c) if per_gmac and _gmacs(c) else None
            near = next((runs[rt][c] * math.exp(shift) for _, shift, rt in cands if c in runs[rt]), None)
            pred = ours_pred.get(c)
            ours, lo, hi = (pred.latency_ms, pred.low, pred.high) if pred else (None, None, None)
            out.append({"table": table, "device": device, "run": f"{t.runtime}/{t.precision}/{dict(t.settings)}",
                        "architecture": c[0], "truth_ms": truth, "ours_ms": ours, "low_ms": lo, "high_ms": hi,
                        "flops_ms": flops, "nearest_ms": near, "probes": [p[0] for p in picks],
                        "method": methods[j], "capped": bool(pred and pred.capped)})
    return out


def _metrics(truth, pred):
    truth, pred = np.asarray(truth, float), np.asarray(pred, float)
    ape = np.abs(pred / truth - 1)
    return {"median_ape_pct": float(np.median(ape) * 100), "within_10_pct": float(np.mean(ape <= 0.10) * 100),
            "within_25_pct": float(np.mean(ape <= 0.25) * 100)}


def summarize(rows):
    res = {}
    for table in sorted({r["table"] for r in rows}) + ["all"]:
        sel = [r for r in rows if (table == "all" or r["table"] == table)]
        common = [r for r in sel if r["ours_ms"] and r["flops_ms"] and r["nearest_ms"]]
        if not common:
            continue
        truth = [r["truth_ms"] for r in common]
        entry = {"cells": len(common), "cells_total": len(sel), "devices": len({r["device"] for r in common}),
                 "runs": len({(r["device"], r["run"]) for r in common})}
        for name, key in (("ours", "ours_ms"), ("flops_proportional", "flops_ms"), ("nearest_device", "nearest_ms")):
            entry[name] = _metrics(truth, [r[key] for r in common])
        cover = [r["low_ms"] <= r["truth_ms"] <= r["high_ms"] for r in common]
        entry["ours"]["interval_coverage_pct"] = float(np.mean(cover) * 100)
        entry["ours"]["median_interval_width_ratio"] = float(np.median([r["high_ms"] / r["low_ms"] for r in common]))
        ours_all = [r for r in sel if r["ours_ms"]]
        entry["ours_all_cells"] = _metrics([r["truth_ms"] for r in ours_all], [r["ours_ms"] for r in ours_all]) | {
            "cells": len(ours_all), "capped": sum(bool(r["capped"]) for r in ours_all),
            "interval_coverage_pct": float(np.mean([r["low_ms"] <= r["truth_ms"] <= r["high_ms"] for r in ours_all]) * 100)}
        res[table] = entry
    return res


def evaluate_batch_curves(cells):
    groups = batch_curve_groups(cells)
    by_dev = defaultdict(list)
    for key, pts in groups.items():
        if len(pts) >= 3:
            by_dev[key[0]].append((key, pts))
    all_err = {dev: [e for _, pts in items for e in batch_curve_errors(pts)] for dev, items in by_dev.items()}
    rows = []
    for dev, items in by_dev.items():
        band = _log_band([e for d, errs in all_err.items() if d != dev for e in errs])
        for key, pts in items:
            for e in batch_curve_errors(pts):
                rows.append({"device": dev, "ape": abs(math.exp(-e) - 1),
                             "covered": band is not None and band[0] <= e <= band[1]})
    if not rows:
        return {}
    ape = np.array([r["ape"] for r in rows])
    return {"hidden_points": len(rows), "curves": sum(len(v) for v in by_dev.values()), "devices": sorted(by_dev),
            "median_ape_pct": float(np.median(ape) * 100), "within_10_pct": float(np.mean(ape <= 0.1) * 100),
            "within_25_pct": float(np.mean(ape <= 0.25) * 100),
            "interval_coverage_pct": float(np.mean([r["covered"] for r in rows]) * 100)}


def markdown(summary, curves, opts, seconds):
    lines = [f"Leave one device out, k = {opts['k']} probes chosen by `suggest_probes`, interval multipliers and blend "
             f"weights from {opts['folds']}-fold device cross-validation inside each refit; nominal interval "
             f"{INTERVAL:.0%}; {seconds:.0f} s with {opts['workers']} worker(s). Scored on the cells all three methods "
             f"can predict.", "",
             "| table | devices | runs | cells | method | median APE | within ±10% | within ±25% | 80% interval coverage |",
             "|---|---|---|---|---|---|---|---|---|"]
    label_ours = "**modelpick**" + (" (transfer only)" if opts.get("transfer_only") else "")
    for table, e in summary.items():
        for name, label in (("ours", label_ours), ("nearest_device", "nearest device"),
                            ("flops_proportional", "FLOPs-proportional")):
            m = e[name]
            cov = f"{m['interval_coverage_pct']:.1f}%" if "interval_coverage_pct" in m else "–"
            lines.append(f"| {table} | {e['devices']} | {e['runs']} | {e['cells']} | {label} | {m['median_ape_pct']:.1f}% | "
                         f"{m['within_10_pct']:.1f}% | {m['within_25_pct']:.1f}% | {cov} |")
    lines.append("")
    for table, e in summary.items():
        a = e["ours_all_cells"]
        lines.append(f"* {table}, every cell modelpick predicts ({a['cells']}, including those the nearest-device "
                     f"baseline cannot reach): median APE {a['median_ape_pct']:.1f}%, {a['within_10_pct']:.1f}% within "
                     f"±10%, coverage {a['interval_coverage_pct']:.1f}%, median interval ×"
                     f"{e['ours']['median_interval_width_ratio']:.2f} (high/low); {a['capped']} capped by the "
                     f"plausibility floor.")
    if curves:
        lines += ["", f"Batch curves (t(b) = a/b + c), hiding each interior batch size of {curves['curves']} curves on "
                      f"{len(curves['devices'])} devices ({curves['hidden_points']} hidden points): median APE "
                      f"{curves['median_ape_pct']:.1f}%, within ±10% {curves['within_10_pct']:.1f}%, within ±25% "
                      f"{curves['within_25_pct']:.1f}%, 80% interval coverage {curves['interval_coverage_pct']:.1f}% "
                      f"(band from other devices' curves)."]
    return "\n".join(lines)


README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
BEGIN, END = "<!-- eval_predict:begin (python bench/eval_predict.py --update-readme) -->", "<!-- eval_predict:end -->"


def update_readme(text: str, path: str = README) -> None:
    """Replace what lies between the README's eval_predict markers (atomically)."""
    from modelpick._fileio import write_atomic

    with open(path, encoding="utf-8") as fh:
        readme = fh.read()
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"{path}: markers {BEGIN!r} ... {END!r} not found")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    write_atomic(path, head + BEGIN + "\n" + text + "\n" + END + tail)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--k", type=int, default=5, help="probes per held-out run")
    p.add_argument("--rank", type=int, default=3)
    p.add_argument("--lam-row", type=float, default=0.3)
    p.add_argument("--lam-col", type=float, default=1.0)
    p.add_argument("--folds", type=int, default=CALIBRATION_FOLDS,
                   help="device folds for the blend and interval multipliers of each refit (default: the library's)")
    p.add_argument("--tables", default="ncnn,qualcomm")
    p.add_argument("--transfer-only", action="store_true", help="ablation: the low-rank transfer alone, no neighbours")
    p.add_argument("--neighbours", type=int, default=10, help="rows in the local prior (0: runtime-wide prior)")
    p.add_argument("--max-devices", type=int, default=0, help="evaluate only the first N devices per table (quick run)")
    p.add_argument("--json", help="write the summary and every predicted cell to this file")
    p.add_argument("--markdown", action="store_true", help="print the README table (always printed)")
    p.add_argument("--update-readme", action="store_true",
                   help="replace the table between the README's eval_predict markers with this run's")
    p.add_argument("--from-json", metavar="FILE", help="re-render (and with --update-readme, write) the table of an "
                   "earlier run's --json output instead of evaluating again")
    args = p.parse_args(argv)
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as fh:
            saved = json.load(fh)
        text = markdown(saved["summary"], saved["batch_curves"], saved["options"], saved["seconds"])
        print(text)
        if args.update_readme:
            update_readme(text)
        return 0
    t0 = time.time()
    cat = load_catalog(use_env=False)
    _CELLS.update(latency_cells(cat))
    _ARCHS.update(cat._m.architectures)
    _OPTS.update(k=args.k, rank=args.rank, lam_row=args.lam_row, lam_col=args.lam_col, folds=args.folds,
                 transfer_only=args.transfer_only, neighbours=args.neighbours)
    jobs = []
    for table in args.tables.split(","):
        devs = sorted({m.device for m in cat.measurements if m.source == TABLES[table]["source"]})
        jobs += [(table, d) for d in (devs[: args.max_devices] if args.max_devices else devs)]
    print(f"{len(jobs)} held-out devices, {len(_CELLS)} measured cells, {args.workers} workers", file=sys.stderr)
    rows = []
    if args.workers > 1:
        with mp.get_context("fork").Pool(args.workers) as pool:
            for i, part in enumerate(pool.imap_unordered(_evaluate_device, jobs)):
                rows.extend(part)
                if (i + 1) % 10 == 0:
                    print(f"  {i + 1}/{len(jobs)} devices, {time.time() - t0:.0f} s", file=sys.stderr)
    else:
        for job in jobs:
            rows.extend(_evaluate_device(job))
    summary = summarize(rows)
    curves = evaluate_batch_curves(_CELLS)
    seconds = time.time() - t0
    text = markdown(summary, curves, vars(args), seconds)
    print(text)
    if args.update_readme:
        update_readme(text)
    if args.json:
        from modelpick._fileio import write_atomic

        write_atomic(args.json, json.dumps({"summary": summary, "batch_curves": curves, "options": vars(args),
                                            "seconds": seconds, "cells": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
