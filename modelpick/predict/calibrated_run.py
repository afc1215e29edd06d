"""One run (runtime, precision, batch size) of a device, calibrated from a few measured probes.

Two predictors see the same probes: the low-rank transfer model (a Bayesian posterior over the run's effect and
factors) and the neighbour runs (neighbours.py). Their log predictions are blended with the runtime's weight, chosen
at fit time by device-level cross-validation (intervals.py). The interval scale is local: the root-mean-square
leave-one-probe-out error of the blend on this run's own probes, shrunk towards the runtime's typical error, times a
conformal multiplier from the same cross-validation. A run whose profile a catalog twin matches gets a narrow
interval; one unlike anything in the catalog gets a wide one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from .neighbours import MIN_NEIGHBOUR_PROBES, neighbour_log_ms
from .transfer import TransferModel
from .types import Column, PredictionError

#: Leave-one-probe-out errors are computed on at most this many probes (a catalog device may bring hundreds).
LOO_PROBES = 10
#: The runtime's typical error counts as this many probes when shrinking a run's own error estimate.
SCALE_PRIOR_PROBES = 3.0


@dataclass(frozen=True)
class Blend:
    """Per runtime, from device-level cross-validation: transfer weight, typical log error, interval multiplier."""

    transfer_weight: float
    typical_log_error: float
    multiplier: float
    held_out_runs: int


@dataclass
class CalibratedRun:
    """The posterior and neighbour profile of one run from its probes (log ms at fitted or priced columns)."""

    runtime: str
    probes: dict[Column, float]
    theta: np.ndarray
    S: np.ndarray
    near: np.ndarray
    probe_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # fitted columns of the probes
    probe_log_ms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    loo_transfer: np.ndarray = field(default_factory=lambda: np.zeros(0))
    loo_neighbour: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def fit(cls, model: TransferModel, runtime: str, probes: Mapping[Column, float], arch_lookup) -> "CalibratedRun":
        """Calibrate from ``probes`` ({column: measured per-image ms}); PredictionError if no probe is usable."""
        cols = list(probes)
        y = np.log(np.array([probes[c] for c in cols], dtype=float))
        b, V, _, _ = model.column_arrays(cols, [arch_lookup(c[0]) for c in cols], runtime)
        ok = ~np.isnan(b)
        if not ok.any():
            raise PredictionError(f"none of the {len(cols)} probe(s) was measured with {runtime} on any catalog device")
        theta, S, near = model.row_posterior(b[ok], V[ok], y[ok], runtime)
        idx = np.array([model.col_index.get(c, -1) for c in cols], dtype=int)
        fitted = ok & (idx >= 0)
        run = cls(runtime, dict(probes), theta, S, near, idx[fitted], y[fitted])
        usable = np.flatnonzero(fitted)
        if len(usable) >= MIN_NEIGHBOUR_PROBES:
            loo_t, loo_n = [], []
            for j in usable[:LOO_PROBES]:
                keep = ok.copy()
                keep[j] = False
                th, Sj, nj = model.row_posterior(b[keep], V[keep], y[keep], runtime)
                mu, _ = model.predict_new(th, Sj, b[[j]], V[[j]], np.zeros(1), [cols[j]], nj)
                loo_t.append(y[j] - mu[0])
                rest = [i for i in usable if i != j]
                nb = neighbour_log_ms(model, runtime, idx[rest], y[rest], idx[[j]], min_probes=MIN_NEIGHBOUR_PROBES - 1)
                loo_n.append(np.nan if nb is None else y[j] - nb[0])
            run.loo_transfer, run.loo_neighbour = np.array(loo_t), np.array(loo_n)
        return run

    def blend(self, model: TransferModel) -> Blend | None:
        """The runtime's blend, if the model has one and this run has enough probes for neighbours."""
        blends = getattr(model, "blends", {})
        blend = blends.get(self.runtime, blends.get(None))
        if blend is None or not len(self.loo_neighbour) or not np.all(np.isfinite(self.loo_neighbour)):
            return None
        return blend

    def log_scale(self, blend: Blend) -> float:
        """Local error scale: leave-one-probe-out RMS of the blend, shrunk towards the runtime's typical error."""
        w = blend.transfer_weight
        e = w * self.loo_transfer + (1 - w) * self.loo_neighbour
        return math.sqrt((SCALE_PRIOR_PROBES * blend.typical_log_error ** 2 + float(e @ e))
                         / (SCALE_PRIOR_PROBES + len(e)))

    def predict(self, model: TransferModel, cols: Sequence[Column],
                archs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """(log mean, log half-width of the 80 % interval, transfer-only log mean, method) per column; NaN where
        the column cannot be predicted with this runtime."""
        b, V, var, methods = model.column_arrays(cols, archs, self.runtime)
        ok = ~np.isnan(b)
        mu = np.full(len(cols), np.nan)
        sd = np.full(len(cols), np.nan)
        if ok.any():
            mu[ok], sd[ok] = model.predict_new(self.theta, self.S, b[ok], V[ok], var[ok],
                                               [c for c, o in zip(cols, ok) if o], self.near)
        half = sd * model.mult_new_by_runtime.get(self.runtime, model.mult_new)
        transfer_mu = mu.copy()
        n = len(self.probes)
        labels = [f"calibrated transfer from {n} probe(s) ({m})" if o else "" for m, o in zip(methods, ok)]
        blend = self.blend(model)
        idx = np.array([model.col_index.get(c, -1) for c in cols], dtype=int)
        usable = ok & (idx >= 0)
        if blend is not None and usable.any():
            nb = neighbour_log_ms(model, self.runtime, self.probe_cols, self.probe_log_ms, idx[usable])
            if nb is not None:
                w = blend.transfer_weight
                mu[usable] = w * mu[usable] + (1 - w) * nb
                half[usable] = blend.multiplier * np.sqrt(self.log_scale(blend) ** 2 + var[usable])
                for j in np.flatnonzero(usable):
                    labels[j] = (f"calibrated from {n} probe(s): {w:.1f} x low-rank transfer + {1 - w:.1f} x "
                                 f"neighbour runs of {self.runtime}")
        return mu, half, transfer_mu, labels
