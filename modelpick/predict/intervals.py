"""Interval calibration: conformal multipliers from cross-validation over whole devices, and 80 % log-error bands."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from .transfer import TransferModel
from .types import _Z, INTERVAL, Column, Target

#: Probes used when calibrating intervals by device-level cross-validation.
CALIBRATION_PROBES = 5


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
                        folds: int = 4, seed: int = 0) -> TransferModel:
    """Set the model's interval multipliers by cross-validation over whole devices.

    Each fold hides some devices entirely (and 10 % of the remaining cells), refits,
    re-calibrates every hidden row from :data:`CALIBRATION_PROBES` suggested probes, and
    records standardised errors on the rest of that row.
    """
    devices = sorted({t.device for t, _ in cells})
    if len(devices) < 3:
        return model
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(devices))
    z_new: list[float] = []
    w_new: list[float] = []
    rt_new: list[str] = []
    z_fit: list[float] = []
    keys = list(cells)
    for f in range(min(folds, len(devices))):
        held = {devices[i] for i in order[f::folds]}
        train = {k: v for k, v in cells.items() if k[0].device not in held}
        hide = set()
        train_keys = list(train)
        if len(train_keys) > 50:
            hide = {train_keys[i] for i in rng.choice(len(train_keys), len(train_keys) // 10, replace=False)}
        fitted = {k: v for k, v in train.items() if k not in hide}
        if not fitted:
            continue
        sub = TransferModel(rank=model.rank, lam_row=model.lam_row, lam_col=model.lam_col, iters=model.iters, neighbours=model.neighbours,
                            seed=model.seed).fit(fitted, arch_lookup)
        # fitted rows, hidden cells
        for t, col in hide:
            ri = sub.row_index.get(t)
            got = sub.column(col, arch_lookup(col[0]), t.runtime)
            if ri is None or got is None:
                continue
            mu, sd = sub.predict_fitted(ri, np.array([got[0]]), got[1][None, :], np.array([got[2]]))
            z_fit.append((math.log(cells[(t, col)]) - mu[0]) / sd[0])
        # held-out devices, calibrated from suggested probes
        by_row: dict[Target, list[Column]] = {}
        for t, col in keys:
            if t.device in held:
                by_row.setdefault(t, []).append(col)
        for t, cols in by_row.items():
            z = _held_out_z(sub, t, cols, cells, arch_lookup)
            z_new.extend(z)
            # each held-out row weighs the same, so 1,500-model GPU rows do not swamp 9-model phone rows
            w_new.extend([1.0 / max(len(z), 1)] * len(z))
            rt_new.extend([t.runtime] * len(z))
    model.mult_new = _quantile_multiplier(z_new, w_new)
    model.mult_new_by_runtime = {}
    rts = np.array(rt_new)
    for rt in set(rt_new):
        sel = rts == rt
        if np.sum(np.asarray(w_new)[sel]) >= 8:  # at least 8 held-out rows of this runtime
            model.mult_new_by_runtime[rt] = _quantile_multiplier(np.asarray(z_new)[sel], np.asarray(w_new)[sel])
    model.mult_fitted = _quantile_multiplier(z_fit)
    model.calibration_counts = {"new_device_cells": len(z_new), "fitted_row_cells": len(z_fit)}
    return model


def _held_out_z(model: TransferModel, t: Target, cols: list[Column], cells, arch_lookup) -> list[float]:
    known = [col for col in cols if col in model.col_index and model.n_col[model.col_index[col]] > 0
             and model.supported(model.col_index[col], t.runtime)]
    if len(known) < CALIBRATION_PROBES + 1:
        return []
    picks = model.suggest(CALIBRATION_PROBES, [model.col_index[c] for c in known], t.runtime)
    probe_cols = [model.cols[i] for i in picks]
    pb, pV, _, _ = model.column_arrays(probe_cols, [arch_lookup(c[0]) for c in probe_cols], t.runtime)
    y = np.log([cells[(t, c)] for c in probe_cols])
    theta, S, near = model.row_posterior(pb, pV, y, t.runtime)
    rest = [c for c in cols if c not in probe_cols]
    b, V, var, _ = model.column_arrays(rest, [arch_lookup(c[0]) for c in rest], t.runtime)
    ok = ~np.isnan(b)
    if not ok.any():
        return []
    mu, sd = model.predict_new(theta, S, b[ok], V[ok], var[ok], [c for c, o in zip(rest, ok) if o], near)
    truth = np.log([cells[(t, c)] for c, o in zip(rest, ok) if o])
    return list((truth - mu) / sd)


def _log_band(errors: list[float]) -> tuple[float, float] | None:
    """The central 80 % band of log(measured / predicted), or None with too few held-out errors."""
    if len(errors) < 10:
        return None
    lo, hi = np.quantile(errors, [(1 - INTERVAL) / 2, 1 - (1 - INTERVAL) / 2])
    return float(min(lo, 0.0)), float(max(hi, 0.0))
