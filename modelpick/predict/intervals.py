"""Interval calibration: conformal multipliers from cross-validation over whole devices, and 80 % log-error bands."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from .calibrated_run import SCALE_PRIOR_PROBES, Blend, CalibratedRun
from .neighbours import neighbour_log_ms
from .transfer import TransferModel
from .types import _Z, INTERVAL, Column, Target

#: Probes used when calibrating intervals by device-level cross-validation.
CALIBRATION_PROBES = 5
#: Device folds of that cross-validation (each fold's devices are held out together).
CALIBRATION_FOLDS = 5
#: Held-out runs a runtime needs for its own blend; otherwise all runtimes' pooled blend applies.
MIN_BLEND_RUNS = 8
#: Transfer weights tried for the blend (the rest goes to the neighbour runs).
BLEND_WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))


def _quantile_multiplier(z: Sequence[float], weights: Sequence[float] | None = None, default: float = _Z) -> float:
    """Conformal multiplier: the weighted 80 % quantile of |z| (slightly above, for finite samples)."""
    z = np.abs(np.asarray(z, dtype=float))
    w = np.ones_like(z) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(z)
    z, w = z[ok], w[ok]
    if len(z) < 20:
        return default
    order = np.argsort(z)
    cum = np.cumsum(w[order]) / w.sum()
    level = min(1.0, INTERVAL + (1 - INTERVAL) / math.sqrt(len(z)) * 0.5)
    return float(z[order][min(np.searchsorted(cum, level), len(z) - 1)])


def calibrate_intervals(model: TransferModel, cells: Mapping[tuple[Target, Column], float], arch_lookup,
                        folds: int = CALIBRATION_FOLDS, seed: int = 0,
                        twins: Mapping[str, set[str]] | None = None,
                        probe_archs: set[str] | None = None,
                        chip_twins: Mapping[str, set[str]] | None = None) -> TransferModel:
    """Set the model's blend weights and interval multipliers by cross-validation over whole devices.

    Each fold hides some devices entirely, and with ``twins`` ({device: its twins}, see twins.py) their twins
    too (the fit keeps them, but a new board has no twin in the catalog: errors measured with twins present
    made the blend lean on neighbour runs and the intervals too narrow on new hardware), refits,
    re-calibrates every hidden run from :data:`CALIBRATION_PROBES` probes chosen as suggest_probes chooses them
    (among ``probe_archs``, the networks it may offer, where given), and
    records, on the rest of that run, the transfer model's and the neighbour runs' log errors.
    Per runtime (all runtimes pooled where one has fewer than :data:`MIN_BLEND_RUNS` runs):
    the transfer weight of the blend is the one with the smallest median absolute error, and
    the multiplier is the 80 % quantile of |error| / local scale over held-out cells.
    Transfer-only multipliers (runs with too few probes for neighbours) come from the same runs;
    the fitted-run multiplier from one more refit with 10 % of all cells hidden at random.

    A runtime that these folds leave with fewer than :data:`MIN_BLEND_RUNS` held-out runs (every catalog device
    of it in one family: PyTorch on the RTX GPUs, TensorRT on the Jetsons) would take the pooled blend, whose
    error scale is mostly other runtimes' (ncnn's): its intervals were too wide. With ``chip_twins`` ({device:
    its same-chip and same-figure twins, not its family}), such runtimes get a second round of folds over their
    own devices that hides each with its chip twins only, and their blend and multipliers come from it where
    that gives one at least :data:`MIN_BLEND_RUNS` runs (else the pooled blend stays).
    """
    devices = sorted({t.device for t, _ in cells})
    if len(devices) < 3:
        return model
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(devices))
    records: list[dict] = []
    z_fit: list[float] = []

    def refit(fit_cells):
        return TransferModel(rank=model.rank, lam_row=model.lam_row, lam_col=model.lam_col, iters=model.iters,
                             neighbours=model.neighbours, seed=model.seed).fit(fit_cells, arch_lookup)

    # fitted rows: 10 % of the cells hidden at random, once (thousands of cells; one refit is enough)
    keys = list(cells)
    if len(keys) > 50:
        hide = {keys[i] for i in rng.choice(len(keys), len(keys) // 10, replace=False)}
        sub = refit({k: v for k, v in cells.items() if k not in hide})
        for t, col in hide:
            ri = sub.row_index.get(t)
            got = sub.column(col, arch_lookup(col[0]), t.runtime)
            if ri is None or got is None:
                continue
            mu, sd = sub.predict_fitted(ri, np.array([got[0]]), got[1][None, :], np.array([got[2]]))
            z_fit.append((math.log(cells[(t, col)]) - mu[0]) / sd[0])
    for f in range(min(folds, len(devices))):
        held = {devices[i] for i in order[f::folds]}
        hidden = set(held).union(*(twins.get(d, ()) for d in held)) if twins else held
        # the rest stays complete, as the catalog is for a new device (its neighbour runs are fully measured)
        sub = refit({k: v for k, v in cells.items() if k[0].device not in hidden})
        # held-out devices, calibrated from suggested probes
        by_row: dict[Target, list[Column]] = {}
        for t, col in keys:
            if t.device in held:
                by_row.setdefault(t, []).append(col)
        for t in sorted(by_row, key=repr):
            rec = held_out_run(sub, t, by_row[t], cells, arch_lookup, probe_archs)
            if rec is not None:
                records.append(rec)
    thin_records = _thin_runtime_records(records, cells, keys, chip_twins, folds, rng, refit, arch_lookup,
                                         probe_archs) if chip_twins is not None else {}
    # transfer alone: each held-out run weighs the same, so 1,500-model GPU runs do not swamp 9-model phone runs
    z_new = [z for r in records for z in (r["truth"] - r["transfer"]) / r["transfer_sd"]]
    w_new = [1.0 / len(r["truth"]) for r in records for _ in r["truth"]]
    rt_new = np.array([r["runtime"] for r in records for _ in r["truth"]])
    model.mult_new = _quantile_multiplier(z_new, w_new)
    model.mult_new_by_runtime = {}
    for rt in sorted(set(rt_new.tolist())):
        sel = rt_new == rt
        if np.sum(np.asarray(w_new)[sel]) >= 8:  # at least 8 held-out rows of this runtime
            model.mult_new_by_runtime[rt] = _quantile_multiplier(np.asarray(z_new)[sel], np.asarray(w_new)[sel])
    for rt, recs in thin_records.items():
        z = [z for r in recs for z in (r["truth"] - r["transfer"]) / r["transfer_sd"]]
        w = [1.0 / len(r["truth"]) for r in recs for _ in r["truth"]]
        if len(recs) >= MIN_BLEND_RUNS:
            model.mult_new_by_runtime[rt] = _quantile_multiplier(z, w)
    model.mult_fitted = _quantile_multiplier(z_fit)
    model.blends = {}
    pooled = _fit_blend(records)
    if pooled is not None:
        model.blends[None] = pooled
        for rt in sorted({r["runtime"] for r in records}):
            got = _fit_blend([r for r in records if r["runtime"] == rt])
            if got is not None:
                model.blends[rt] = got
    for rt, recs in thin_records.items():
        got = _fit_blend(recs)
        if got is not None:
            model.blends[rt] = got
    model.calibration_counts = {"new_device_cells": len(z_new), "fitted_row_cells": len(z_fit),
                                "held_out_runs": len(records)}
    return model


def _thin_runtime_records(records, cells, keys, chip_twins, folds, rng, refit, arch_lookup, probe_archs):
    """{runtime: held-out run records} for the runtimes the twin-hiding folds left with fewer than
    :data:`MIN_BLEND_RUNS` runs with neighbours, from folds over their devices that hide chip twins only."""
    got: dict[str, int] = {}
    for r in records:
        if r["neighbour"] is not None:
            got[r["runtime"]] = got.get(r["runtime"], 0) + 1
    thin = sorted({t.runtime for t, _ in keys} - {rt for rt, n in got.items() if n >= MIN_BLEND_RUNS})
    if not thin:
        return {}
    devices = sorted({t.device for t, _ in keys if t.runtime in thin})
    if len(devices) < 2:
        return {}
    order = rng.permutation(len(devices))
    out: dict[str, list[dict]] = {}
    for f in range(min(folds, len(devices))):
        held = {devices[i] for i in order[f::folds]}
        hidden = set(held).union(*(chip_twins.get(d, ()) for d in held))
        sub = refit({k: v for k, v in cells.items() if k[0].device not in hidden})
        by_row: dict[Target, list[Column]] = {}
        for t, col in keys:
            if t.device in held and t.runtime in thin:
                by_row.setdefault(t, []).append(col)
        for t in sorted(by_row, key=repr):
            rec = held_out_run(sub, t, by_row[t], cells, arch_lookup, probe_archs)
            if rec is not None:
                out.setdefault(t.runtime, []).append(rec)
    return out


def held_out_run(model: TransferModel, t: Target, cols: list[Column], cells, arch_lookup,
                 probe_archs: set[str] | None = None) -> dict | None:
    """Calibrate held-out run ``t`` from suggested probes and record both predictors on the rest of it."""
    known = [col for col in cols if col in model.col_index and model.n_col[model.col_index[col]] > 0
             and model.supported(model.col_index[col], t.runtime)]
    if len(known) < CALIBRATION_PROBES + 1:
        return None
    cand = [model.col_index[c] for c in known if probe_archs is None or c[0] in probe_archs]
    picks = model.suggest(CALIBRATION_PROBES, cand, t.runtime)
    if len(picks) < CALIBRATION_PROBES:
        return None
    probe_cols = [model.cols[i] for i in picks]
    run = CalibratedRun.fit(model, t.runtime, {c: cells[(t, c)] for c in probe_cols}, arch_lookup)
    rest = [c for c in cols if c not in run.probes]
    b, V, var, _ = model.column_arrays(rest, [arch_lookup(c[0]) for c in rest], t.runtime)
    ok = ~np.isnan(b)
    if not ok.any():
        return None
    rest = [c for c, o in zip(rest, ok) if o]
    mu, sd = model.predict_new(run.theta, run.S, b[ok], V[ok], var[ok], rest, run.near)
    idx = np.array([model.col_index.get(c, -1) for c in rest], dtype=int)
    nb = None
    if (idx >= 0).all() and len(run.loo_neighbour) and np.all(np.isfinite(run.loo_neighbour)):
        nb = neighbour_log_ms(model, t.runtime, run.probe_cols, run.probe_log_ms, idx)
    return {"runtime": t.runtime, "truth": np.log([cells[(t, c)] for c in rest]), "transfer": mu, "transfer_sd": sd,
            "neighbour": nb, "colvar": var[ok], "loo_transfer": run.loo_transfer, "loo_neighbour": run.loo_neighbour}


def _fit_blend(records: list[dict]) -> Blend | None:
    """The transfer weight with the smallest median |log error|, the typical error and the conformal multiplier."""
    recs = [r for r in records if r["neighbour"] is not None]
    if len(recs) < MIN_BLEND_RUNS:
        return None
    truth = np.concatenate([r["truth"] for r in recs])
    transfer = np.concatenate([r["transfer"] for r in recs])
    neighbour = np.concatenate([r["neighbour"] for r in recs])
    weight = min(BLEND_WEIGHTS, key=lambda w: (float(np.median(np.abs(truth - w * transfer - (1 - w) * neighbour))), w))
    loo = np.concatenate([weight * r["loo_transfer"] + (1 - weight) * r["loo_neighbour"] for r in recs])
    typical = float(np.sqrt(np.mean(loo ** 2)))
    z = []
    for r in recs:
        e = weight * r["loo_transfer"] + (1 - weight) * r["loo_neighbour"]
        scale = math.sqrt((SCALE_PRIOR_PROBES * typical ** 2 + float(e @ e)) / (SCALE_PRIOR_PROBES + len(e)))
        z.append((r["truth"] - weight * r["transfer"] - (1 - weight) * r["neighbour"]) / np.sqrt(scale ** 2 + r["colvar"]))
    # every held-out cell weighs the same: the evaluation pools cells, and the multiplier is per runtime already
    mult = _quantile_multiplier(np.concatenate(z), default=float("nan"))
    if not math.isfinite(mult):
        return None
    return Blend(float(weight), typical, mult, len(recs))



def _log_band(errors: list[float]) -> tuple[float, float] | None:
    """The central 80 % band of log(measured / predicted), or None with too few held-out errors."""
    if len(errors) < 10:
        return None
    lo, hi = np.quantile(errors, [(1 - INTERVAL) / 2, 1 - (1 - INTERVAL) / 2])
    return float(min(lo, 0.0)), float(max(hi, 0.0))
