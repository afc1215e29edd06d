"""Latency prediction for hardware the catalog has never seen (modelpick.predict), with baselines.

Three evaluations, each a held-out run calibrated from k probes and predicting the rest of that run:

* **twin-free** (leave one device out, twins too): the held-out device *and its twins* are hidden: every device
  of its catalog family, every device naming one of its chips, every device whose published figures equal its
  own (modelpick/predict/twins.py). A user's new board has no same-chip sibling in the catalog. Tables: ncnn, Qualcomm AI Hub.
* **time**: fit on older measurements, predict newer hardware and runtime versions. ncnn rows are dated by the
  last change of their README row (git blame of Tencent/ncnn benchmark/README.md, bench/data/ncnn_readme_dates.json;
  a detection row takes the date of the classifier rows of its own run block):
  fit on rows before :data:`NCNN_CUTOFF`, predict the runs of rows from then on (new boards, and known boards
  re-run with a newer ncnn). timm files by PyTorch version: fit on PyTorch 1.13 / 2.1 / 2.4, predict the
  PyTorch 2.9.1 files (RTX 4090 again, RTX 5090, RTX PRO 6000). Everything else stays in the fit.
* **lodo**: plain leave one device out (only the device hidden), kept for comparison: it rewards same-chip twins.

Per held-out run: k probes picked as the library picks them (``--model current``: among the run's measured
architectures that suggest_probes may offer; ``previous``: the previous code's D-optimal pick among all of them),
the run calibrated exactly as ``modelpick.calibrate`` does, the plausibility floor applied, the rest predicted.
Baselines on the same probes and cells: *nearest device* (the training run of any runtime that measured all k
probes with the most nearly constant log ratio to them, rescaled by that ratio) and *FLOPs-proportional*.

``--model previous`` runs the prediction code of main at :data:`PREVIOUS_COMMIT` (before issue 20), read from git.

Runs are split by a hash of (device, run) into a *selection* third (to choose model variants on) and the
*report* two thirds (the README tables); ``--runs selection|report|all``.

Fits are cached under bench/out/eval_predict_cache/ by split, held-out devices, variant and code.

Run:  python bench/eval_predict.py [--splits twin-free,time,lodo] [--model current|previous] [--runs report]
          [--workers N] [--json out.json] [--update-readme]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import multiprocessing as mp
import os
import pickle
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from modelpick import load_catalog
from modelpick.predict import INTERVAL, batch_curve_errors, batch_curve_groups, latency_cells
from modelpick.predict.intervals import _log_band
from modelpick.predict.plausibility import column_gmacs
from modelpick.predict.twins import twin_sets
from modelpick.predict.types import Prediction

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "out" / "eval_predict_cache"
#: main before issue 20: the blend of low-rank transfer and neighbour runs, D-optimal probes among all networks.
PREVIOUS_COMMIT = "a218468b12f1a68993cf8eef8b97159b28354370"
#: ncnn rows last changed on or after this date are the time split's "newer" measurements (42 % of the rows).
NCNN_CUTOFF = "2023-10-01"
#: timm benchmark files of this PyTorch version are the time split's "newer" measurements.
TIMM_NEW = "-pt291-"

TABLES = {
    # the detection extracts of these tables (issue 18) are predicted from classifier probes, reported apart
    "ncnn": lambda m: m.source in ("ncnn-benchncnn", "ncnn-benchncnn-detection"),
    "qualcomm": lambda m: m.source in ("qualcomm-aihub", "qualcomm-aihub-detection"),
    "timm": lambda m: m.source.startswith("timm-benchmark-infer-"),
}
SPLIT_TABLES = {"twin-free": ("ncnn", "qualcomm"), "time": ("ncnn", "timm"), "lodo": ("ncnn", "qualcomm")}
SPLIT_TITLES = {"twin-free": "Twin-free leave one device out", "time": "Time split",
                "lodo": "Leave one device out (twins stay in the fit)"}

_G: dict = {}  # shared with forked workers: cells, architectures, options, the prediction package


def _ncnn_dates() -> dict[int, str]:
    with open(ROOT / "bench" / "data" / "ncnn_readme_dates.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    return {ln: d for a, b, d in doc["ranges"] for ln in range(a, b + 1)}


def _run_key(m) -> tuple:
    return (m.device, tuple(sorted((k, v) for k, v in m.settings.items() if k != "readme_line")))


def date_detector_rows(measurements, dates: dict[int, str]) -> dict[int, str]:
    """``dates`` plus a date for every ncnn detection row: that of the nearest classifier row of the same device
    and run (same settings), i.e. of its own README run block. The dates file blames the classifier rows only; an
    undated detector row used to count as newer, so no ncnn detector ever entered the time split's fit."""
    cls: dict[tuple, list[int]] = defaultdict(list)
    det = []
    for m in measurements:
        if m.source == "ncnn-benchncnn":
            cls[_run_key(m)].append(int(m.settings["readme_line"]))
        elif m.source == "ncnn-benchncnn-detection":
            det.append(m)
    out = dict(dates)
    for m in det:
        line = int(m.settings["readme_line"])
        near = cls.get(_run_key(m))
        if not near:  # the extract keeps only run blocks holding a classifier row: this cannot be dated
            raise SystemExit(f"{m.device} line {line}: a detection row without a classifier row of its run")
        out[line] = dates[min(near, key=lambda c: (abs(c - line), c))]
    return out


def is_newer(m, dates) -> bool:
    """Whether a measurement is on the newer side of the time split (``dates``: from :func:`date_detector_rows`)."""
    if m.source in ("ncnn-benchncnn", "ncnn-benchncnn-detection"):
        return dates[int(m.settings["readme_line"])] >= NCNN_CUTOFF
    return m.source.startswith("timm-benchmark-infer-") and TIMM_NEW in m.source


def load_package(model: str):
    """modelpick.predict (``current``) or the previous commit's copy of it, importable beside it."""
    if model == "current":
        return importlib.import_module("modelpick.predict")  # not `import as`: modelpick.predict is also a function
    name = "modelpick._previous_predict"
    if name in sys.modules:
        return sys.modules[name]
    where = ROOT / "bench" / "out" / f"previous_predict_{PREVIOUS_COMMIT[:10]}"
    if not (where / "__init__.py").is_file():
        try:
            files = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", PREVIOUS_COMMIT,
                                    "modelpick/predict/"], capture_output=True, text=True, check=True).stdout.split()
            where.mkdir(parents=True, exist_ok=True)
            for f in files:
                if f.endswith(".py"):
                    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{PREVIOUS_COMMIT}:{f}"],
                                         capture_output=True, check=True).stdout
                    (where / os.path.basename(f)).write_bytes(src)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SystemExit(f"--model previous needs the git history of {ROOT} (commit {PREVIOUS_COMMIT}): {exc}")
    spec = importlib.util.spec_from_file_location(name, where / "__init__.py", submodule_search_locations=[str(where)])
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[name] = pkg
    spec.loader.exec_module(pkg)
    return pkg


def sub(name: str):
    """A submodule of the prediction package under evaluation."""
    return importlib.import_module(f"{_G['pkg'].__name__}.{name}")


def _code_hash(pkg) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(pkg.__file__).parent.glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def fitted(key: str, train: dict):
    """The variant's fitted transfer model (with blends and multipliers) on ``train``, cached on disk."""
    pkg = _G["pkg"]
    path = CACHE / f"{_G['model']}-{_code_hash(pkg)}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pkl"
    if path.is_file():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    lookup = _G["archs"].get
    model = pkg.TransferModel().fit(train, lookup)
    if _G["model"] == "current":  # the current code's folds hide twins together and use the probes users get
        twins = sub("twins")
        extra = ({"chip_twins": twins.twin_sets(_G["devices"], train, family=False)}
                 if "family" in twins.twin_sets.__code__.co_varnames else {})
        pkg.calibrate_intervals(model, train, lookup, twins=twins.twin_sets(_G["devices"], train),
                                probe_archs=_G["probe_archs"], **extra)
    else:
        pkg.calibrate_intervals(model, train, lookup)
    model.drop_caches()
    from modelpick._fileio import write_atomic

    write_atomic(path, pickle.dumps(model))
    return model


def selection_run(device: str, run: str) -> bool:
    """The third of the runs that model variants are chosen on (never reported in the README tables)."""
    return int(hashlib.sha256(f"{device}|{run}".encode()).hexdigest(), 16) % 3 == 0


def _gmacs(col):
    return column_gmacs(_G["archs"].get(col[0]), col[1])


def pick_probes(model, cells: dict, runtime: str, k: int) -> list:
    """The k probes of a held-out run, as the library's suggest_probes picks them among the run's architectures."""
    pkg = _G["pkg"]
    known = [c for c in cells if c in model.col_index and model.n_col[model.col_index[c]] > 0
             and model.supported(model.col_index[c], runtime)
             and getattr(_G["archs"].get(c[0]), "task", "classification") == "classification"]  # classifier probes
    if len(known) < k + 1:
        return []
    idx = [model.col_index[c] for c in known]
    if hasattr(sub("probes"), "probe_columns"):
        picks = sub("probes").probe_columns(model, idx, runtime, k, _G["probe_archs"])
    else:
        picks = model.suggest(k, idx, runtime)
    return [model.cols[i] for i in picks] if len(picks) == k else []


def evaluate_job(job):
    """Hold out what ``job`` says, fit, and predict every held-out run of its tables."""
    split, names, tables = job
    pkg = _G["pkg"]
    k = _G["k"]
    lookup = _G["archs"].get
    if split == "time":
        train, test = _G["old"], _G["new_by_table"]
        hidden = set()
    else:
        # twin-free: devices whose twin sets are equal share one fit (a family hidden once, each member predicted)
        hidden = set(_G["twins"][names[0]]) if split == "twin-free" else set(names)
        train = {key: v for key, v in _G["cells"].items() if key[0].device not in hidden}
        test = {tb: {key: v for key, v in cells.items() if key[0].device in names}
                for tb, cells in _G["cells_by_table"].items()}
    name = ",".join(names)
    model = fitted(f"{split}|{name}|{sorted(hidden)}|{len(train)}", train)
    if _G["variant"] == "transfer-only":
        model.blends = {}

    floor = sub("plausibility").PlausibilityFloor().fit(train, lookup)
    runs: dict = defaultdict(dict)
    for (t, col), v in train.items():
        runs[t][col] = v
    train_devices = {t.device for t in runs}
    out = []
    for table in tables:
        mine: dict = defaultdict(dict)
        for (t, col), v in test.get(table, {}).items():
            mine[t][col] = v
        for t, cells in sorted(mine.items(), key=repr):
            run_label = f"{t.runtime}/{t.precision}/b{t.batch_size}/{dict(t.settings)}"
            sel = selection_run(t.device, run_label)
            picks = pick_probes(model, cells, t.runtime, k)
            if not picks:
                continue
            rest = [c for c in cells if c not in picks]
            if _G["max_cells"] and len(rest) > _G["max_cells"]:
                # subsample big runs (timm: ~1,400 architectures) with a fixed seed
                rng = np.random.default_rng(int(hashlib.sha256(run_label.encode()).hexdigest()[:8], 16))
                rest = [rest[i] for i in sorted(rng.choice(len(rest), _G["max_cells"], replace=False))]
            run = sub("calibrated_run").CalibratedRun.fit(model, t.runtime, {c: cells[c] for c in picks}, lookup)
            mu, half, _, methods = run.predict(model, rest, [lookup(c[0]) for c in rest])
            probe_rates = {c[0]: cells[c] / _gmacs(c) for c in picks if _gmacs(c)}
            ours = {}
            for j, c in enumerate(rest):
                if not np.isnan(mu[j]):
                    pred = Prediction(c[0], c[1], t.device, t.runtime, t.precision, t.batch_size,
                                      float(np.exp(mu[j])), float(np.exp(mu[j] - half[j])),
                                      float(np.exp(mu[j] + half[j])), methods[j])
                    ours[c] = sub("plausibility").cap(pred, floor, _gmacs(c), probe_rates)
            ratios = [cells[c] / _gmacs(c) for c in picks if _gmacs(c)]
            per_gmac = float(np.median(ratios)) if ratios else None
            yp = np.log([cells[c] for c in picks])
            cands = []
            for rt, rc in runs.items():
                if all(c in rc for c in picks):
                    diff = yp - np.log([rc[c] for c in picks])
                    cands.append((float(np.std(diff)), float(np.mean(diff)), rt))
            cands.sort(key=lambda x: (x[0], repr(x[2])))
            for j, c in enumerate(rest):
                g = _gmacs(c)
                p = ours.get(c)
                task = getattr(_G["archs"].get(c[0]), "task", "classification")
                out.append({
                    "split": split, "table": table if task == "classification" else f"{table} ({task})", "device": t.device, "run": run_label, "selection": sel,
                    "runtime": t.runtime, "task": task,
                    "known_device": t.device in train_devices, "architecture": c[0], "truth_ms": cells[c],
                    "ours_ms": p.latency_ms if p else None, "low_ms": p.low if p else None,
                    "high_ms": p.high if p else None, "flops_ms": per_gmac * g if per_gmac and g else None,
                    "nearest_ms": next((runs[r][c] * math.exp(s) for _, s, r in cands if c in runs[r]), None),
                    "probes": [q[0] for q in picks], "method": methods[j], "capped": bool(p and p.capped)})
    return out


def _metrics(truth, pred):
    truth, pred = np.asarray(truth, float), np.asarray(pred, float)
    err = pred / truth - 1
    ape = np.abs(err)
    return {"median_ape_pct": float(np.median(ape) * 100), "within_10_pct": float(np.mean(ape <= 0.10) * 100),
            "within_25_pct": float(np.mean(ape <= 0.25) * 100), "signed_median_pct": float(np.median(err) * 100)}


def summarize(rows, runs: str = "report"):
    """Per split and table (and all tables of a split): metrics on the cells every method predicts."""
    if runs != "all":
        rows = [r for r in rows if r["selection"] == (runs == "selection")]
    res: dict = {}
    for split in sorted({r["split"] for r in rows}):
        res[split] = {}
        srows = [r for r in rows if r["split"] == split]
        for table in sorted({r["table"] for r in srows}) + ["all"]:
            # "all": the classification tables (detectors are reported on their own)
            sel = [r for r in srows if (table == "all" and "(" not in r["table"]) or r["table"] == table]
            common = [r for r in sel if r["ours_ms"] and r["flops_ms"] and r["nearest_ms"]]
            if not common:
                continue
            truth = [r["truth_ms"] for r in common]
            entry = {"cells": len(common), "cells_total": len(sel), "devices": len({r["device"] for r in common}),
                     "runs": len({(r["device"], r["run"]) for r in common}),
                     "runs_of_devices_in_fit": len({(r["device"], r["run"]) for r in common if r["known_device"]})}
            for name, key in (("ours", "ours_ms"), ("flops_proportional", "flops_ms"), ("nearest_device", "nearest_ms")):
                entry[name] = _metrics(truth, [r[key] for r in common])
            entry["ours"]["interval_coverage_pct"] = float(
                np.mean([r["low_ms"] <= r["truth_ms"] <= r["high_ms"] for r in common]) * 100)
            entry["ours"]["median_interval_width_ratio"] = float(np.median([r["high_ms"] / r["low_ms"] for r in common]))
            res[split][table] = entry
    return res


def detector_summary(rows) -> dict:
    """Per split and runtime, how well classification probes predicted the held-out runs' detectors: every
    detector cell the model predicts, over all held-out runs (no variant is chosen on these), and the
    nearest-device baseline on the cells it reaches."""
    res: dict = {}
    for split in sorted({r["split"] for r in rows}):
        det = [r for r in rows if r["split"] == split and r.get("task", "classification") != "classification"]
        for rt in sorted({r["runtime"] for r in det}):
            sel = [r for r in det if r["runtime"] == rt and r["ours_ms"]]
            if not sel:
                continue
            entry = {"cells": len(sel), "devices": len({r["device"] for r in sel}),
                     "runs": len({(r["device"], r["run"]) for r in sel}),
                     "architectures": len({r["architecture"] for r in sel}),
                     **_metrics([r["truth_ms"] for r in sel], [r["ours_ms"] for r in sel]),
                     "interval_coverage_pct": float(np.mean([r["low_ms"] <= r["truth_ms"] <= r["high_ms"]
                                                             for r in sel]) * 100)}
            near = [r for r in sel if r["nearest_ms"]]
            if near:
                entry["nearest_cells"] = len(near)
                entry["ours_on_nearest_cells"] = _metrics([r["truth_ms"] for r in near], [r["ours_ms"] for r in near])
                entry["nearest_device"] = _metrics([r["truth_ms"] for r in near], [r["nearest_ms"] for r in near])
            res.setdefault(split, {})[rt] = entry
    return res


def detector_gate_doc(summary: dict, opts: dict) -> dict:
    """data/detector_eval.json: the twin-free detector results per runtime that modelpick.predict.detectors reads."""
    from modelpick.predict.detectors import MAX_MEDIAN_APE_PCT, MIN_COVERAGE_PCT

    keep = ("cells", "devices", "runs", "architectures", "median_ape_pct", "within_10_pct", "signed_median_pct",
            "interval_coverage_pct")
    return {"computed_by": "bench/eval_predict.py --update-readme (its twin-free split, model current)",
            "what": f"twin-free leave one device out: detector latency predicted from k = {opts['k']} classification "
                    "probes of the same held-out device and runtime, every held-out run",
            "rule": {"max_median_ape_pct": MAX_MEDIAN_APE_PCT, "min_interval_coverage_pct": MIN_COVERAGE_PCT},
            "runtimes": {rt: {k: (round(e[k], 2) if isinstance(e[k], float) else e[k]) for k in keep}
                         for rt, e in summary.get("twin-free", {}).items()}}


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


LABELS = {"current": "**modelpick**", "previous": "previous model (before issue 20)",
          "current-transfer-only": "modelpick, transfer only (no neighbour runs)",
          # a saved run of the current model on the code before a change, renamed in its --json file to sit beside it
          "current-before": "modelpick before (main 9158a1b)"}


def markdown(results: dict, curves, opts, seconds, detectors: dict | None = None) -> str:
    """README tables. ``results``: {model: summary}; the baselines come from the first model's cells."""
    first = next(iter(results))
    lines = [f"k = {opts['k']} probes per held-out run; {opts['runs']} runs (a hash of device and run puts a third "
             f"of the runs aside for choosing model variants; the tables below never include them); nominal "
             f"interval {INTERVAL:.0%}; scored on the cells every method predicts"
             + (f", at most {opts['max_cells']} cells per run (fixed-seed subsample)" if opts["max_cells"] else "")
             + f"; {seconds:.0f} s with {opts['workers']} worker(s)."
             + (" Each model is scored on its own held-out cells: the previous model picks its probes among all "
                "the run's networks, so it also scores the runs that measured fewer than 5 networks suggest_probes may offer, and other cells; the "
                "baselines are scored on modelpick's cells." if "previous" in results else "")
             + (" *modelpick before*: the same evaluation of the code before this change (same probes and cells)."
                if "current-before" in results else "")]
    for split in SPLIT_TITLES:
        if split not in results[first]:
            continue
        every = f" (one device in {opts['every']} per table, by id)" if split == "lodo" and opts.get("every", 1) > 1 else ""
        lines += ["", f"**{SPLIT_TITLES[split]}**{every}", "",
                  "| table | devices | runs | cells | method | median APE | within ±10% | within ±25% | signed median "
                  "| 80% interval coverage |", "|---|---|---|---|---|---|---|---|---|---|"]
        for table, e in results[first][split].items():
            if "(" in table:
                continue  # detector tables: per runtime below
            # each model scores its own held-out cells (its probes differ); the baselines use the first model's
            rows = [(LABELS[m], results[m][split][table], results[m][split][table]["ours"]) for m in results
                    if table in results[m].get(split, {})]
            rows += [("nearest device", e, e["nearest_device"]), ("FLOPs-proportional", e, e["flops_proportional"])]
            for label, o, m in rows:
                cov = f"{m['interval_coverage_pct']:.1f}%" if "interval_coverage_pct" in m else "–"
                lines.append(f"| {table} | {o['devices']} | {o['runs']} | {o['cells']} | {label} | "
                             f"{m['median_ape_pct']:.1f}% | {m['within_10_pct']:.1f}% | {m['within_25_pct']:.1f}% | "
                             f"{m['signed_median_pct']:+.1f}% | {cov} |")
        if split == "time":
            e = results[first][split].get("all")
            if e:
                lines += ["", f"{e['runs_of_devices_in_fit']} of the {e['runs']} time-split runs are newer runs of a "
                              f"device the fit has older rows of; the rest are hardware the fit never saw."]
    dets = detectors.get(first) if detectors else None
    if dets:
        from modelpick.predict.detectors import MAX_MEDIAN_APE_PCT, MIN_COVERAGE_PCT

        lines += ["", "**Detectors from classification probes** (the held-out run's k classifier probes predict its "
                      "detectors' latency on the same device and runtime; every held-out run, every detector cell "
                      "the model predicts; the nearest-device baseline on the cells it reaches). `predict` and "
                      f"estimates offer detector latency only with a runtime whose twin-free median APE is at most "
                      f"{MAX_MEDIAN_APE_PCT:g}% and whose 80% intervals cover at least {MIN_COVERAGE_PCT:g}%; "
                      "elsewhere they refuse and say why (data/detector_eval.json).", "",
                  "| split | runtime | devices | runs | cells | median APE | within ±10% | signed median "
                  "| 80% interval coverage | nearest device: cells, its APE vs ours | offered |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for split in SPLIT_TITLES:
            for rt, e in dets.get(split, {}).items():
                near = (f"{e['nearest_cells']}: {e['nearest_device']['median_ape_pct']:.1f}% vs "
                        f"{e['ours_on_nearest_cells']['median_ape_pct']:.1f}%" if "nearest_cells" in e else "–")
                ok = (e["median_ape_pct"] <= MAX_MEDIAN_APE_PCT and e["interval_coverage_pct"] >= MIN_COVERAGE_PCT)
                lines.append(f"| {split} | {rt} | {e['devices']} | {e['runs']} | {e['cells']} | "
                             f"{e['median_ape_pct']:.1f}% | {e['within_10_pct']:.1f}% | {e['signed_median_pct']:+.1f}% "
                             f"| {e['interval_coverage_pct']:.1f}% | {near} | "
                             f"{('yes' if ok else 'no') if split == 'twin-free' else '(rule: twin-free)'} |")
    if curves:
        lines += ["", f"Batch curves (t(b) = a/b + c), hiding each interior batch size of {curves['curves']} curves on "
                      f"{len(curves['devices'])} devices ({curves['hidden_points']} hidden points): median APE "
                      f"{curves['median_ape_pct']:.1f}%, within ±10% {curves['within_10_pct']:.1f}%, within ±25% "
                      f"{curves['within_25_pct']:.1f}%, 80% interval coverage {curves['interval_coverage_pct']:.1f}% "
                      f"(band from other devices' curves)."]
    return "\n".join(lines)


README = ROOT / "README.md"
BEGIN, END = "<!-- eval_predict:begin (python bench/eval_predict.py --update-readme) -->", "<!-- eval_predict:end -->"


def update_readme(text: str, path=README) -> None:
    """Replace what lies between the README's eval_predict markers (atomically)."""
    from modelpick._fileio import write_atomic

    readme = Path(path).read_text(encoding="utf-8")
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"{path}: markers {BEGIN!r} ... {END!r} not found")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    write_atomic(path, head + BEGIN + "\n" + text + "\n" + END + tail)


def prepare(cat) -> None:
    dates = date_detector_rows(cat.measurements, _ncnn_dates())
    _G["archs"] = dict(cat._m.architectures)
    _G["cells"] = latency_cells(cat)
    _G["cells_by_table"] = {tb: latency_cells(cat, keep=f) for tb, f in TABLES.items()}
    _G["old"] = latency_cells(cat, keep=lambda m: not is_newer(m, dates))
    _G["new_by_table"] = {tb: latency_cells(cat, keep=lambda m, f=f: f(m) and is_newer(m, dates))
                          for tb, f in TABLES.items()}
    _G["devices"] = dict(cat._m.devices)
    _G["twins"] = twin_sets(_G["devices"], _G["cells"])


def jobs_for(cat, splits: list[str], max_devices: int, every: int = 1) -> list[tuple]:
    jobs = []
    for split in splits:
        if split == "time":
            jobs.append(("time", ("time",), SPLIT_TABLES["time"]))
            continue
        for table in SPLIT_TABLES[split]:
            devs = sorted({m.device for m in cat.measurements if TABLES[table](m)})
            devs = devs[::every] if every > 1 and split == "lodo" else devs
            devs = devs[:max_devices] if max_devices else devs
            if split == "lodo":
                jobs += [(split, (d,), (table,)) for d in devs]
                continue
            groups: dict = defaultdict(list)
            for d in devs:
                groups[frozenset(_G["twins"].get(d, {d}))].append(d)
            jobs += [(split, tuple(g), (table,)) for g in groups.values()]
    return jobs


#: --models choices: the package each runs, and its variant (transfer-only: the same fit without neighbour runs).
MODELS = {"current": ("current", ""), "previous": ("previous", ""), "current-transfer-only": ("current", "transfer-only")}


def run_model(name: str, jobs, workers: int, cat) -> list[dict]:
    model, _G["variant"] = MODELS[name]
    _G["model"] = model
    _G["pkg"] = load_package(model)
    if hasattr(sub("probes"), "probe_architectures"):
        _G["probe_archs"] = sub("probes").probe_architectures(cat)
    rows = []
    t0 = time.time()
    if workers > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            for i, part in enumerate(pool.imap_unordered(evaluate_job, jobs)):
                rows.extend(part)
                if (i + 1) % 10 == 0:
                    print(f"  {model}: {i + 1}/{len(jobs)} jobs, {time.time() - t0:.0f} s", file=sys.stderr)
    else:
        for job in jobs:
            rows.extend(evaluate_job(job))
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--splits", default="twin-free,time,lodo")
    p.add_argument("--models", default="current,previous", help="current and/or previous (comma-separated)")
    p.add_argument("--runs", choices=("report", "selection", "all"), default="report")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--k", type=int, default=5, help="probes per held-out run")
    p.add_argument("--max-cells", type=int, default=200, help="subsample runs with more cells to predict (0: all)")
    p.add_argument("--max-devices", type=int, default=0, help="only the first N devices per table (quick run)")
    p.add_argument("--every", type=int, default=1, help="lodo: only every N-th device (by id) per table (subsample)")
    p.add_argument("--json", help="write the summaries and every predicted cell to this file")
    p.add_argument("--update-readme", action="store_true", help="replace the README's eval_predict table")
    p.add_argument("--from-json", metavar="FILE[,FILE]", help="re-render earlier --json outputs instead of evaluating")
    args = p.parse_args(argv)
    if args.from_json:
        # several files (comma-separated, e.g. one per --models run): their models side by side
        parts = [json.loads(Path(f).read_text(encoding="utf-8")) for f in args.from_json.split(",") if f]
        saved = dict(parts[0], cells={m: rows for part in parts for m, rows in part["cells"].items()},
                     seconds=sum(part["seconds"] for part in parts))
        opts = dict(saved["options"], runs=args.runs, every=max(part["options"].get("every", 1) for part in parts))  # the saved cells hold every run: re-summarise for --runs
        summaries = {m: summarize(rows, args.runs) for m, rows in saved["cells"].items()}
        detectors = {m: detector_summary(rows) for m, rows in saved["cells"].items()}
        text = markdown(summaries, saved["batch_curves"], opts, saved["seconds"], detectors)
    else:
        t0 = time.time()
        cat = load_catalog(use_env=False)
        prepare(cat)
        _G.update(k=args.k, max_cells=args.max_cells)
        splits = [s for s in args.splits.split(",") if s]
        bad = [s for s in splits if s not in SPLIT_TABLES]
        if bad:
            raise SystemExit(f"--splits: unknown {bad}; choose from {sorted(SPLIT_TABLES)}")
        jobs = jobs_for(cat, splits, args.max_devices, args.every)
        print(f"{len(jobs)} fits, {len(_G['cells'])} measured cells, {args.workers} workers", file=sys.stderr)
        summaries, all_rows, detectors = {}, {}, {}
        for model in args.models.split(","):
            all_rows[model] = run_model(model, jobs, args.workers, cat)
            summaries[model] = summarize(all_rows[model], args.runs)
            detectors[model] = detector_summary(all_rows[model])
        curves = evaluate_batch_curves(_G["cells"])
        seconds = time.time() - t0
        opts = vars(args)
        if args.json:  # first: the tables can be re-rendered from it (--from-json)
            from modelpick._fileio import write_atomic

            write_atomic(args.json, json.dumps({"summaries": summaries, "detectors": detectors, "batch_curves": curves,
                                                "options": vars(args), "seconds": seconds, "cells": all_rows},
                                               indent=0))
        text = markdown(summaries, curves, opts, seconds, detectors)
    print(text)
    if args.update_readme:
        update_readme(text)
        if "twin-free" in detectors.get("current", {}):
            from modelpick._fileio import write_atomic
            from modelpick.predict.detectors import EVAL_FILE

            write_atomic(ROOT / "data" / EVAL_FILE,
                         json.dumps(detector_gate_doc(detectors["current"], opts), indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
