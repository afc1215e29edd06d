"""Predict latency and memory for cells nobody measured, with 80 % intervals.

Everything here is *computed*: every :class:`Prediction` carries
``latency_estimated=True`` and an interval, and the solver uses predictions only
when asked (``estimates="include"``) and only by their conservative end.

Three pieces:

* **Batch curves.** Within one (architecture, device, runtime, precision,
  settings) cell, per-image time against batch size is fitted as
  ``t(b) = a/b + c`` (a, c >= 0: a fixed per-call cost spread over the batch plus
  a per-image cost). It fills batch sizes inside the measured range and refuses
  to go more than :data:`BATCH_EXTRAPOLATION_FACTOR` beyond either end.
* **Cross-device transfer.** log(latency) over *targets* x *columns* is
  ``a_r + b_c + U_r . V_c``. A target ("device" row) is (device, runtime,
  precision, run settings, batch size): runtime and precision change which
  kernels run, so an int8 ncnn run and an fp16 ncnn run of the same board are
  different rows that share nothing but their architecture columns. A column is
  (architecture, input size). The architecture effect ``b_c`` and factors
  ``V_c`` are shrunk towards a linear function of architecture features (log
  GMACs, log params, log activations, log input size, scaled to the input
  size), which is also the prior for architectures never measured anywhere.
  Fitted by alternating ridge regression on the observed cells only.
* **Calibration for a new device.** The few probe measurements give a Bayesian
  posterior over the new row's ``(a_r, U_r)``, with the prior taken from the
  fitted rows of the same runtime. Interval widths are conformal: the
  predictive standard deviation times a multiplier chosen so that 80 % of
  held-out cells were covered when whole devices were held out and
  re-calibrated from 5 suggested probes (cross-validation by device at fit
  time).
* **Memory.** ``memory_mb = overhead(device, runtime, precision) + alpha x
  weights_mb + beta x activations_mb x batch``, fitted per runtime by
  non-negative least squares on relative error, where measured memory exists.

Fitted models are cached in memory and on disk next to the catalog cache, keyed
by the catalog's content hash.
"""

from __future__ import annotations

import math
import os
import pickle
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from .errors import InvalidQuery, ModelpickError, UnknownName

#: Nominal coverage of every interval this module reports.
INTERVAL = 0.8
_Z = 1.2815515655446004  # standard-normal 90th percentile: the 80 % two-sided z

#: Batch curves predict at most this factor beyond the measured batch range.
BATCH_EXTRAPOLATION_FACTOR = 2.0
#: Settings keys that describe how a run was repeated, not what ran; they do not split targets.
IGNORED_SETTINGS = frozenset({"loop_count", "loops", "runs", "warmup", "cooling_down", "readme_line", "line", "doc",
                              "batch_stated", "input_size_stated"})
#: Probes used when calibrating intervals by device-level cross-validation.
CALIBRATION_PROBES = 5
_MODEL_VERSION = 5

_PROBE_KEYS = ("architecture", "runtime", "precision", "batch_size", "latency_ms", "input_size", "settings",
               "memory_mb")


class PredictionError(ModelpickError, ValueError):
    """A prediction cannot be made honestly (e.g. extrapolating far outside the measured batch sizes)."""


# ---------------------------------------------------------------------------
# Result type


@dataclass(frozen=True)
class Prediction:
    """A computed latency (and, where possible, memory) for one cell, with its 80 % interval."""

    architecture: str
    input_size: int
    device: str
    runtime: str
    precision: str
    batch_size: int
    latency_ms: float
    latency_low_ms: float
    latency_high_ms: float
    #: "measured", "low-rank transfer", "feature prior", "batch curve", "calibrated transfer", ...
    method: str
    latency_estimated: bool = True
    interval: float = INTERVAL
    settings: dict[str, Any] = field(default_factory=dict)
    memory_mb: float | None = None
    memory_low_mb: float | None = None
    memory_high_mb: float | None = None
    memory_method: str | None = None

    @property
    def low(self) -> float:
        """Lower end of the latency interval (ms), the issue's short name for ``latency_low_ms``."""
        return self.latency_low_ms

    @property
    def high(self) -> float:
        """Upper (conservative) end of the latency interval (ms)."""
        return self.latency_high_ms

    @property
    def fps(self) -> float:
        return 1000.0 / self.latency_ms

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["fps"] = self.fps
        out["settings"] = dict(self.settings)
        return out


# ---------------------------------------------------------------------------
# Cells


class Target(NamedTuple):
    """A row of the transfer model: where and how something ran."""

    device: str
    runtime: str
    precision: str
    settings: tuple[tuple[str, Any], ...]
    batch_size: int


Column = tuple[str, int]  # (architecture, input_size)


def settings_key(settings: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((str(k), v) for k, v in (settings or {}).items() if k not in IGNORED_SETTINGS))


def latency_cells(catalog) -> dict[tuple[Target, Column], float]:
    """Per-image latency of every measured cell (repeated rows of a cell: geometric mean)."""
    acc: dict[tuple[Target, Column], list[float]] = {}
    for m in catalog.measurements:
        lat = m.per_image_latency_ms
        if lat is None or not (lat > 0):
            continue
        t = Target(m.device, m.runtime, m.precision, settings_key(m.settings), int(m.batch_size))
        acc.setdefault((t, (m.architecture, int(m.input_size))), []).append(float(lat))
    # a single measurement stays exactly as published
    return {k: v[0] if len(v) == 1 else float(np.exp(np.mean(np.log(v)))) for k, v in acc.items()}


# ---------------------------------------------------------------------------
# Architecture features


def _arch_feature_row(arch, input_size: int) -> list[float] | None:
    """log GMACs, log params, log activations and log input size, scaled to ``input_size``; None without GMACs."""
    if arch is None or arch.gmacs is None:
        return None
    scale = (input_size / arch.input_size) ** 2  # conv cost and activations grow with pixel count
    params = arch.params_m if arch.params_m is not None else float("nan")
    acts = arch.activations_m * scale if arch.activations_m is not None else float("nan")
    return [math.log(arch.gmacs * scale), math.log(params), math.log(acts), math.log(input_size)]


class _Features:
    """Standardised feature matrix with missing-value indicators; the first column is the intercept."""

    def __init__(self, raw: np.ndarray):
        raw = np.asarray(raw, dtype=float).reshape(-1, 4)
        ok = ~np.isnan(raw)
        self.mean = np.array([np.mean(raw[ok[:, j], j]) if ok[:, j].any() else 0.0 for j in range(4)])
        self.std = np.array([np.std(raw[ok[:, j], j]) if ok[:, j].sum() > 1 else 1.0 for j in range(4)])
        self.std[self.std < 1e-9] = 1.0

    def transform(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=float).reshape(-1, 4)
        z = (raw - self.mean) / self.std
        miss = np.isnan(z)
        z[miss] = 0.0
        # params and activations may be missing; the indicators let the fit learn what that means
        return np.column_stack([np.ones(len(z)), z, miss[:, 1:3].astype(float)])


# ---------------------------------------------------------------------------
# Low-rank transfer model


def _normal_equations(group: np.ndarray, X: np.ndarray, t: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    d = X.shape[1]
    A = np.empty((n, d, d))
    for i in range(d):
        for j in range(i, d):
            A[:, i, j] = A[:, j, i] = np.bincount(group, X[:, i] * X[:, j], minlength=n)
    rhs = np.stack([np.bincount(group, X[:, i] * t, minlength=n) for i in range(d)], axis=1)
    return A, rhs


@dataclass
class TransferModel:
    """log latency = a[row] + b[col] + U[row] . V[col], columns shrunk towards a feature prior."""

    rank: int = 3
    lam_row: float = 0.3   # ridge on the row factors U
    lam_col: float = 1.0   # ridge pulling (b, V) towards the feature prior
    iters: int = 40
    #: A new row's prior comes from this many fitted rows whose predictions best match its probes (0: runtime-wide).
    neighbours: int = 10
    seed: int = 0
    rows: list[Target] = field(default_factory=list)
    cols: list[Column] = field(default_factory=list)

    def fit(self, cells: Mapping[tuple[Target, Column], float], arch_lookup=None) -> "TransferModel":
        """Fit on ``{(target, column): latency_ms}``. ``arch_lookup(name)`` gives an Architecture or None."""
        if not cells:
            raise PredictionError("no measured latencies to fit the transfer model on")
        self.rows = sorted({t for t, _ in cells}, key=repr)
        self.cols = sorted({c for _, c in cells})
        self.row_index = {t: i for i, t in enumerate(self.rows)}
        self.col_index = {c: i for i, c in enumerate(self.cols)}
        self._arch_lookup_raw = {c: _arch_feature_row(arch_lookup(c[0]) if arch_lookup else None, c[1])
                                 for c in self.cols}
        raw = np.array([self._arch_lookup_raw[c] or [np.nan] * 4 for c in self.cols], dtype=float)
        self.features = _Features(raw)
        self.has_prior = np.array([self._arch_lookup_raw[c] is not None for c in self.cols])
        F = self.features.transform(raw)
        r = np.array([self.row_index[t] for t, _ in cells])
        c = np.array([self.col_index[k] for _, k in cells])
        y = np.log(np.array(list(cells.values()), dtype=float))
        self._fit_arrays(r, c, y, F)
        return self

    def _fit_arrays(self, r: np.ndarray, c: np.ndarray, y: np.ndarray, F: np.ndarray) -> None:
        R, C, k = len(self.rows), len(self.cols), self.rank
        rng = np.random.default_rng(self.seed)
        self.n_row = np.bincount(r, minlength=R)
        self.n_col = np.bincount(c, minlength=C)
        self.runtimes = {t.runtime for t in self.rows}
        self.arch_cols: dict[str, list[int]] = {}
        for j, (name, _) in enumerate(self.cols):
            self.arch_cols.setdefault(name, []).append(j)
        devs: dict[tuple[int, str], set[str]] = {}
        for ri, ci in zip(r.tolist(), c.tolist()):
            t = self.rows[ri]
            devs.setdefault((ci, t.runtime), set()).add(t.device)
        self.support = {k: len(v) for k, v in devs.items()}  # (column, runtime) -> devices that measured it
        a = np.bincount(r, y, minlength=R) / np.maximum(self.n_row, 1)
        b = np.bincount(c, y - a[r], minlength=C) / np.maximum(self.n_col, 1)
        U = rng.normal(0, 0.1, (R, k))
        V = rng.normal(0, 0.1, (C, k))
        # Columns without features get a prior mean of zero factors (only the intercept).
        Fp = np.where(self.has_prior[:, None], F, np.eye(F.shape[1])[0])
        reg_row = np.array([1e-4] + [self.lam_row] * k)
        reg_col = np.array([self.lam_col] * (k + 1))
        G = np.zeros((F.shape[1], k + 1))
        for _ in range(self.iters):
            # columns: targets y - a_r with design [1, U_r], pulled towards the feature prior F G
            prior = Fp @ G
            A, rhs = _normal_equations(c, np.column_stack([np.ones(len(r)), U[r]]), y - a[r], C)
            A += np.diag(reg_col)
            rhs += prior * reg_col
            theta = np.linalg.solve(A, rhs[..., None])[..., 0]
            b, V = theta[:, 0], theta[:, 1:]
            # rows: targets y - b_c with design [1, V_c]
            A, rhs = _normal_equations(r, np.column_stack([np.ones(len(c)), V[c]]), y - b[c], R)
            A += np.diag(reg_row)
            theta = np.linalg.solve(A, rhs[..., None])[..., 0]
            a, U = theta[:, 0], theta[:, 1:]
            # feature prior: ridge regression of (b, V) on the features of columns that have them
            fit = self.has_prior & (self.n_col > 0)
            if fit.sum() > F.shape[1]:
                Ff = F[fit]
                ridge = 1e-2 * np.eye(F.shape[1])
                ridge[0, 0] = 0.0
                G = np.linalg.solve(Ff.T @ Ff + ridge, Ff.T @ np.column_stack([b, V])[fit])
            else:
                G = np.zeros_like(G)
                G[0] = np.column_stack([b, V]).mean(axis=0)
        self.a, self.b, self.U, self.V, self.G, self.F = a, b, U, V, G, F
        res = y - (a[r] + b[c] + np.einsum("ij,ij->i", U[r], V[c]))
        # per column: which rows measured it and their residuals (for the neighbour correction)
        order = np.argsort(c, kind="stable")
        splits = np.cumsum(np.bincount(c, minlength=C))[:-1]
        self.col_res_rows = np.split(r[order], splits)
        self.col_res = np.split(res[order], splits)
        dof = max(len(y) - (R + C) * (k + 1) * 0.5, len(y) * 0.25)
        self.sigma2 = max(float(res @ res) / dof, 1e-4)
        dev = np.column_stack([b, V]) - F @ G
        well = self.has_prior & (self.n_col >= 3)
        self.tau2 = (np.mean(dev[well] ** 2, axis=0) if well.sum() >= 3 else np.full(k + 1, 1.0)) + 1e-4
        # Row prior by runtime: new devices of a runtime look like that runtime's rows.
        theta = np.column_stack([a, U])
        self.row_prior: dict[str | None, tuple[np.ndarray, np.ndarray]] = {None: self._moments(theta)}
        for rt in {t.runtime for t in self.rows}:
            sel = np.array([t.runtime == rt for t in self.rows])
            if sel.sum() >= 2 * (k + 1):
                self.row_prior[rt] = self._moments(theta[sel])
        self.mult_new = _Z      # replaced by calibrate_intervals()
        self.mult_new_by_runtime: dict[str, float] = {}
        self.mult_fitted = _Z

    @staticmethod
    def _moments(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean = theta.mean(axis=0)
        cov = np.cov(theta.T) if len(theta) > 1 else np.eye(theta.shape[1])
        cov = np.atleast_2d(cov) + 1e-3 * np.eye(theta.shape[1])
        return mean, cov

    # -- columns -----------------------------------------------------------
    def supported(self, i: int, runtime: str | None) -> bool:
        """Whether fitted column ``i`` may be predicted for ``runtime``: some device measured it with that runtime.

        A column fitted only on other runtimes (e.g. a model timed only on desktop GPUs)
        has interaction factors that were never checked against this runtime's rows, so
        its prediction there would be an unvalidated extrapolation. Runtimes the catalog
        does not know are not restricted.
        """
        if runtime is None or runtime not in self.runtimes:
            return True
        return self.support.get((i, runtime), 0) >= 1

    def column(self, col: Column, arch=None, runtime: str | None = None,
               allow_prior: bool = False) -> tuple[float, np.ndarray, float, str] | None:
        """(b, V, extra variance, method) for a column; None if it cannot be predicted for ``runtime``.

        Measured columns (with this runtime somewhere) use their fitted effect; another input
        size of such a column is shifted by the feature prior's difference; a column measured
        nowhere gets the feature prior itself only with ``allow_prior`` (research use).
        """
        i = self.col_index.get(col)
        measured = i is not None and self.n_col[i] > 0
        if measured and self.supported(i, runtime):
            return float(self.b[i]), self.V[i], self.sigma2 / self.n_col[i], "low-rank transfer"
        raw = _arch_feature_row(arch, col[1]) if arch is not None else None
        if raw is None:
            return None
        f = self.features.transform(np.array(raw))[0]
        prior = f @ self.G
        # same architecture measured at another input size with this runtime: shift its effect by the feature difference
        ref = next((j for j in self.arch_cols.get(col[0], ()) if self.cols[j][1] != col[1]
                    and self.has_prior[j] and self.n_col[j] > 0 and self.supported(j, runtime)), None)
        if measured and ref is None:
            return None  # measured, but only with other runtimes: unvalidated there
        if ref is not None:
            # Same network at another input size: compute scales with pixel count (as GMACs do), so shift the
            # fitted effect by log((s / s_ref)^2); the uncertainty grows with the size of the jump.
            step = 2.0 * math.log(col[1] / self.cols[ref][1])
            var = self.sigma2 / self.n_col[ref] + (0.25 * step) ** 2
            return float(self.b[ref] + step), self.V[ref], var, "low-rank transfer (input-size scaled)"
        if not allow_prior:
            # The feature prior alone is not trusted for predictions: on the real catalog it put
            # RegNetY-32GF at 384 px on a Jetson Nano (Vulkan) at ~70 ms. It only regularises.
            return None
        return float(prior[0]), prior[1:], float(self.tau2[0]), "feature prior"

    def column_arrays(self, cols: Sequence[Column], archs: Sequence[Any],
                      runtime: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """Column parameters (NaN where a column cannot be predicted for ``runtime``)."""
        b = np.full(len(cols), np.nan)
        V = np.zeros((len(cols), self.rank))
        var = np.full(len(cols), np.nan)
        methods = ["low-rank transfer"] * len(cols)
        idx = np.array([self.col_index.get(col, -1) for col in cols], dtype=int)
        fitted = idx >= 0
        fitted[fitted] = self.n_col[idx[fitted]] > 0
        unsupported = np.array([f and not self.supported(int(i), runtime) for f, i in zip(fitted, idx)], dtype=bool)
        fitted &= ~unsupported
        b[fitted], V[fitted] = self.b[idx[fitted]], self.V[idx[fitted]]
        var[fitted] = self.sigma2 / self.n_col[idx[fitted]]
        for i in np.flatnonzero(~fitted):  # the slow path for columns the fit never saw or saw with other runtimes
            col, arch = cols[i], archs[i]
            got = self.column(col, arch, runtime)
            if got is None:
                methods[i] = ""
                continue
            b[i], V[i], var[i], methods[i] = got
        return b, V, var, methods

    # -- rows ----------------------------------------------------------------
    def row_posterior(self, b: np.ndarray, V: np.ndarray, y: np.ndarray,
                      runtime: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Posterior mean and covariance of (a, U) for a new row from log latencies ``y`` at columns (b, V).

        The prior is local: the fitted rows (same runtime when there are enough) whose
        predictions at the probe columns differ from ``y`` by the most nearly constant
        log ratio, i.e. devices whose speed *profile* matches, whatever their speed.
        """
        m0, S0 = self.row_prior.get(runtime, self.row_prior[None])
        X = np.column_stack([np.ones(len(y)), V])
        near = np.zeros(0, dtype=int)
        if self.neighbours and len(y) >= 2:
            pool = np.array([t.runtime == runtime for t in self.rows])
            if pool.sum() < self.neighbours:
                pool[:] = True
            idx = np.flatnonzero(pool)
            fitted = self.a[idx, None] + b[None, :] + self.U[idx] @ V.T
            diff = y[None, :] - fitted
            near = idx[np.argsort(diff.std(axis=1), kind="stable")[: self.neighbours]]
            shift = (y[None, :] - (self.a[near, None] + b[None, :] + self.U[near] @ V.T)).mean(axis=1)
            theta_nb = np.column_stack([self.a[near] + shift, self.U[near]])
            m0 = theta_nb.mean(axis=0)
            S0 = np.atleast_2d(np.cov(theta_nb.T)) + 0.1 * S0 + 1e-3 * np.eye(len(m0))
        P0 = np.linalg.inv(S0)
        P = P0 + X.T @ X / self.sigma2
        S = np.linalg.inv(P)
        mean = S @ (P0 @ m0 + X.T @ (y - b) / self.sigma2)
        return mean, S, near

    def predict_new(self, theta: np.ndarray, S: np.ndarray, b: np.ndarray, V: np.ndarray,
                    colvar: np.ndarray, cols: Sequence[Column] | None = None,
                    near: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Log-latency mean and predictive sd for columns (b, V, colvar) of a calibrated row.

        With ``cols`` and ``near`` (neighbour rows from :meth:`row_posterior`), the
        residual the nearest rows had on each column (what the low-rank part misses,
        e.g. a kernel a chip family runs unusually well) is added, shrunk by its count.
        """
        X = np.column_stack([np.ones(len(b)), V])
        mean = b + X @ theta
        if cols is not None and near is not None and len(near):
            rank_of = {int(r): i for i, r in enumerate(near[:3])}
            for j, col in enumerate(cols):
                ci = self.col_index.get(col)
                if ci is None:
                    continue
                rows, res = self.col_res_rows[ci], self.col_res[ci]
                hit = [(rank_of[int(rw)], float(e)) for rw, e in zip(rows, res) if int(rw) in rank_of]
                if hit:
                    mean[j] += np.mean([e for _, e in hit]) * len(hit) / (len(hit) + 1.0)
        var = np.einsum("ij,jk,ik->i", X, S, X) + self.sigma2 + colvar * (1 + np.sum(theta[1:] ** 2) / max(self.rank, 1))
        return mean, np.sqrt(var)

    def predict_fitted(self, row: int, b: np.ndarray, V: np.ndarray, colvar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Log-latency mean and sd for columns of a fitted row."""
        mean = self.a[row] + b + V @ self.U[row]
        rowvar = self.sigma2 * (self.rank + 1) / max(self.n_row[row], 1)
        var = self.sigma2 + rowvar + colvar * (1 + np.sum(self.U[row] ** 2) / max(self.rank, 1))
        return mean, np.sqrt(var)

    # -- probe choice ------------------------------------------------------------
    def suggest(self, k: int, candidates: Sequence[int] | None = None, runtime: str | None = None) -> list[int]:
        """Greedy Bayesian D-optimal choice of k columns: each pick has the largest posterior variance left."""
        cand = [int(i) for i in (candidates if candidates is not None else range(len(self.cols)))
                if self.n_col[int(i)] >= min(3, int(self.n_col.max()))]
        _, S = self.row_prior.get(runtime, self.row_prior[None])
        S = S.copy()
        picked: list[int] = []
        names: set[str] = set()
        cand_arr = np.array(cand, dtype=int)
        X = np.column_stack([np.ones(len(cand_arr)), self.V[cand_arr]]) if len(cand_arr) else np.zeros((0, self.rank + 1))
        for _ in range(k):
            free = np.array([i not in picked and self.cols[i][0] not in names for i in cand_arr], dtype=bool)
            if not free.any():
                break
            # information gain of each candidate; ties go to the better-measured column
            score = np.log1p(np.einsum("ij,jk,ik->i", X, S, X) / self.sigma2) + 1e-6 * self.n_col[cand_arr]
            score[~free] = -np.inf
            best = int(cand_arr[int(np.argmax(score))])
            x = np.concatenate(([1.0], self.V[best]))
            Sx = S @ x
            S -= np.outer(Sx, Sx) / (self.sigma2 + x @ Sx)
            picked.append(best)
            names.add(self.cols[best][0])
        return picked


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


# ---------------------------------------------------------------------------
# Batch curves


@dataclass(frozen=True)
class BatchCurve:
    """Per-image latency t(b) = a/b + c (a, c >= 0) fitted to measured (batch size, per-image ms) points."""

    a_ms: float
    c_ms: float
    batch_sizes: tuple[int, ...]
    latencies_ms: tuple[float, ...]

    @classmethod
    def fit(cls, batch_sizes: Sequence[int], per_image_ms: Sequence[float]) -> "BatchCurve":
        from scipy.optimize import nnls

        bs = np.asarray(batch_sizes, dtype=float)
        t = np.asarray(per_image_ms, dtype=float)
        if len(bs) < 2 or len(set(bs.tolist())) < 2:
            raise PredictionError(f"a batch curve needs at least two distinct batch sizes, got {sorted(set(bs.tolist()))}")
        if np.any(t <= 0) or np.any(bs < 1):
            raise PredictionError("batch sizes must be >= 1 and latencies > 0")
        # relative least squares: every point counts by its percentage error
        X = np.column_stack([1.0 / bs, np.ones_like(bs)]) / t[:, None]
        coef, _ = nnls(X, np.ones_like(t))
        order = np.argsort(bs)
        return cls(float(coef[0]), float(coef[1]), tuple(int(b) for b in bs[order]), tuple(float(x) for x in t[order]))

    @property
    def batch_range(self) -> tuple[int, int]:
        return self.batch_sizes[0], self.batch_sizes[-1]

    def allowed(self, batch_size: int) -> bool:
        lo, hi = self.batch_range
        return lo / BATCH_EXTRAPOLATION_FACTOR <= batch_size <= hi * BATCH_EXTRAPOLATION_FACTOR

    def __call__(self, batch_size: int | float) -> float:
        """Per-image ms at ``batch_size``; raises :class:`PredictionError` far outside the measured range."""
        if not self.allowed(batch_size):
            lo, hi = self.batch_range
            raise PredictionError(
                f"batch_size={batch_size}: outside what the batch curve may predict; measured batch sizes "
                f"{', '.join(map(str, self.batch_sizes))} allow {lo / BATCH_EXTRAPOLATION_FACTOR:g} to "
                f"{hi * BATCH_EXTRAPOLATION_FACTOR:g} (no extrapolation further out)")
        return self.a_ms / batch_size + self.c_ms


def batch_curve_errors(points: Mapping[int, float]) -> list[float]:
    """Leave-one-batch-size-out log errors of the interior batch sizes of one curve (for interval calibration)."""
    bs = sorted(points)
    out = []
    for hide in bs[1:-1]:
        rest = [b for b in bs if b != hide]
        curve = BatchCurve.fit(rest, [points[b] for b in rest])
        out.append(math.log(points[hide]) - math.log(curve(hide)))
    return out


def batch_curve_groups(cells: Mapping[tuple[Target, Column], float]) -> dict[tuple, dict[int, float]]:
    """{(device, runtime, precision, settings, column): {batch_size: per-image ms}} for cells with >= 2 batch sizes."""
    groups: dict[tuple, dict[int, float]] = {}
    for (t, col), lat in cells.items():
        groups.setdefault((t.device, t.runtime, t.precision, t.settings, col), {})[t.batch_size] = lat
    return {k: v for k, v in groups.items() if len(v) >= 2}


# ---------------------------------------------------------------------------
# Memory


def _memory_features(arch, input_size: int, precision: str, batch_size: int) -> tuple[float, float] | None:
    from .estimate import MIB, bytes_per_activation, bytes_per_param

    if arch is None or arch.params_m is None:
        return None
    bpp = bytes_per_param(precision)
    bpa = bytes_per_activation(precision)
    if bpp is None or bpa is None:
        return None
    weights_mb = arch.params_m * 1e6 * bpp / MIB
    acts = 0.0 if arch.activations_m is None else arch.activations_m * (input_size / arch.input_size) ** 2
    return weights_mb, acts * 1e6 * bpa * batch_size / MIB


@dataclass
class MemoryModel:
    """memory_mb = overhead[device, runtime, precision] + alpha[runtime] weights_mb + beta[runtime] activations_mb."""

    runtimes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fit(self, catalog) -> "MemoryModel":
        from scipy.optimize import nnls

        rows: dict[str, list[tuple[tuple[str, str, str], float, float, float]]] = {}
        archs = catalog._m.architectures
        for m in catalog.measurements:
            if m.memory_mb is None:
                continue
            feat = _memory_features(archs.get(m.architecture), m.input_size, m.precision, m.batch_size)
            if feat is None:
                continue
            rows.setdefault(m.runtime, []).append(((m.device, m.runtime, m.precision), feat[0], feat[1], m.memory_mb))
        for rt, data in rows.items():
            if len(data) < 4:
                continue
            groups = sorted({g for g, *_ in data})
            gi = {g: i for i, g in enumerate(groups)}

            def solve(sel: list[int]) -> np.ndarray:
                X = np.zeros((len(sel), len(groups) + 2))
                y = np.ones(len(sel))
                for j, idx in enumerate(sel):
                    g, w, act, mem = data[idx]
                    X[j, gi[g]], X[j, -2], X[j, -1] = 1.0, w, act
                    X[j] /= mem
                return nnls(X, y)[0]

            coef = solve(list(range(len(data))))

            def predict(coef, g, w, act, overhead=None):
                o = coef[gi[g]] if overhead is None else overhead
                return o + coef[-2] * w + coef[-1] * act

            # in-group error: 5-fold over rows; new-group error: leave one group out
            rng = np.random.default_rng(0)
            perm = rng.permutation(len(data))
            err_in, err_new = [], []
            for f in range(5):
                test = set(perm[f::5].tolist())
                train = [i for i in range(len(data)) if i not in test]
                seen = {data[i][0] for i in train}
                cf = solve(train)
                for i in test:
                    g, w, act, mem = data[i]
                    if g in seen:
                        p = predict(cf, g, w, act)
                        if p > 0:
                            err_in.append(math.log(mem / p))
            if len(groups) >= 3:
                for g in groups:
                    train = [i for i in range(len(data)) if data[i][0] != g]
                    cf = solve(train)
                    med = float(np.median([cf[gi[h]] for h in groups if h != g]))
                    for i in range(len(data)):
                        if data[i][0] == g:
                            p = predict(cf, g, data[i][1], data[i][2], overhead=med)
                            if p > 0:
                                err_new.append(math.log(data[i][3] / p))
            self.runtimes[rt] = {
                "groups": {g: float(coef[gi[g]]) for g in groups},
                "alpha": float(coef[-2]), "beta": float(coef[-1]),
                "band_in": _log_band(err_in), "band_new": _log_band(err_new),
                "n": len(data),
            }
        return self

    def predict(self, arch, input_size: int, device: str, runtime: str, precision: str,
                batch_size: int) -> tuple[float, float, float, str] | None:
        """(memory_mb, low, high, method), or None where no measured memory of this runtime exists."""
        fit = self.runtimes.get(runtime)
        feat = _memory_features(arch, input_size, precision, batch_size)
        if fit is None or feat is None:
            return None
        g = (device, runtime, precision)
        if g in fit["groups"]:
            overhead, band, how = fit["groups"][g], fit["band_in"], f"fitted on {device}'s measured memory"
        else:
            overhead, band = float(np.median(list(fit["groups"].values()))), fit["band_new"]
            how = f"fitted on other devices' measured {runtime} memory (median overhead)"
        if band is None:
            return None
        value = overhead + fit["alpha"] * feat[0] + fit["beta"] * feat[1]
        if value <= 0:
            return None
        return (value, value * math.exp(band[0]), value * math.exp(band[1]),
                f"predicted: overhead + {fit['alpha']:.3g} x weights + {fit['beta']:.3g} x activations, {how}")


def _log_band(errors: list[float]) -> tuple[float, float] | None:
    """The central 80 % band of log(measured / predicted), or None with too few held-out errors."""
    if len(errors) < 10:
        return None
    lo, hi = np.quantile(errors, [(1 - INTERVAL) / 2, 1 - (1 - INTERVAL) / 2])
    return float(min(lo, 0.0)), float(max(hi, 0.0))


# ---------------------------------------------------------------------------
# The fitted bundle for one catalog


@dataclass
class Models:
    transfer: TransferModel | None
    memory: MemoryModel
    cells: dict[tuple[Target, Column], float]
    curve_band: tuple[float, float] | None  # 80 % band of log(measured / curve) from leave-one-batch-out
    curve_errors: int = 0


_MODELS: dict[str, Models] = {}


def _cache_path(catalog) -> Path | None:
    from .catalog import cache_dir

    d = cache_dir()
    return None if d is None else d / f"predict-{_MODEL_VERSION}-{catalog.hash}.pickle"


def fit_models(catalog, *, calibrate_intervals_by_device: bool = True) -> Models:
    """Fit the transfer, batch-curve and memory models on every measured cell of ``catalog``."""
    cells = latency_cells(catalog)
    lookup = catalog._m.architectures.get
    transfer = None
    if cells:
        transfer = TransferModel().fit(cells, lookup)
        if calibrate_intervals_by_device:
            calibrate_intervals(transfer, cells, lookup)
    errors: list[float] = []
    for pts in batch_curve_groups(cells).values():
        if len(pts) >= 3:
            errors.extend(batch_curve_errors(pts))
    return Models(transfer, MemoryModel().fit(catalog), cells, _log_band(errors), len(errors))


def models_for(catalog) -> Models:
    """The fitted models for ``catalog`` (memory cache, then disk cache, then fit)."""
    key = catalog.hash
    if key in _MODELS:
        return _MODELS[key]
    path = _cache_path(catalog)
    models = None
    if path is not None and path.is_file():
        try:
            with open(path, "rb") as fh:
                models = pickle.load(fh)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            models = None
    if not isinstance(models, Models):
        models = fit_models(catalog)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".predict-", suffix=".tmp")
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(models, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except OSError:
                pass  # a read-only cache must not break predictions
    _MODELS[key] = models
    return models


def _default_catalog(catalog):
    if catalog is not None:
        return catalog
    from .api import load_catalog

    return load_catalog()


# ---------------------------------------------------------------------------
# Probe choice


def suggest_probes(k: int = 5, *, runtime: str | None = None, among: Iterable[str] | None = None,
                   catalog=None) -> list[str]:
    """The ``k`` architectures most informative to measure first on a new device.

    Greedy Bayesian D-optimal design over the fitted architecture factors: each
    pick most reduces the uncertainty of the new device's effect and factors.
    ``runtime`` restricts to architectures measured with that runtime (so they can
    be run with it); ``among`` restricts to the given names (ids or aliases).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidQuery("k", k, "must be an integer >= 1")
    cat = _default_catalog(catalog)
    model = models_for(cat).transfer
    if model is None:
        raise PredictionError("the catalog has no measured latencies to choose probes from")
    allowed = None
    if among is not None:
        allowed = {cat.resolve_architecture(a) for a in among}
    rts = {t.runtime for t in model.rows}
    if runtime is not None and runtime not in rts:
        raise UnknownName("runtime", runtime, "no measured latency uses this runtime", choices=sorted(rts))
    ok_cols = set(range(len(model.cols)))
    if runtime is not None:
        ok_cols = {model.col_index[col] for (t, col) in models_for(cat).cells if t.runtime == runtime}
    cand = [i for i in sorted(ok_cols) if allowed is None or model.cols[i][0] in allowed]
    return [model.cols[i][0] for i in model.suggest(k, cand, runtime)]


# ---------------------------------------------------------------------------
# Calibrated predictor for a device


def _validate_probe(i: int, raw: Any, catalog) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidQuery(f"measurements[{i}]", raw, "each measurement must be a dict with architecture, runtime, "
                           "precision, batch_size and latency_ms")
    unknown = [k for k in raw if k not in _PROBE_KEYS]
    if unknown:
        raise InvalidQuery(f"measurements[{i}].{unknown[0]}", raw[unknown[0]], "unknown key", choices=_PROBE_KEYS)
    missing = [k for k in ("architecture", "runtime", "precision", "latency_ms") if raw.get(k) in (None, "")]
    if missing:
        raise InvalidQuery(f"measurements[{i}].{missing[0]}", None, "required key is missing",
                           choices=["architecture", "runtime", "precision", "batch_size", "latency_ms"])
    try:
        arch = catalog.resolve_architecture(raw["architecture"])
    except UnknownName as exc:
        raise UnknownName(f"measurements[{i}].architecture", raw["architecture"], "unknown architecture",
                          choices=exc.choices) from None
    lat = raw["latency_ms"]
    if isinstance(lat, bool) or not isinstance(lat, (int, float)) or not math.isfinite(lat) or lat <= 0:
        raise InvalidQuery(f"measurements[{i}].latency_ms", lat, "must be a finite number > 0 (per-image ms)")
    bs = raw.get("batch_size", 1)
    if isinstance(bs, bool) or not isinstance(bs, int) or bs < 1:
        raise InvalidQuery(f"measurements[{i}].batch_size", bs, "must be an integer >= 1")
    a = catalog._m.architectures[arch]
    size = raw.get("input_size", a.input_size)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidQuery(f"measurements[{i}].input_size", size, "must be an integer >= 1")
    settings = raw.get("settings") or {}
    if not isinstance(settings, Mapping):
        raise InvalidQuery(f"measurements[{i}].settings", settings, "must be a dict such as {'threads': 4}")
    for key in ("runtime", "precision"):
        if not isinstance(raw[key], str):
            raise InvalidQuery(f"measurements[{i}].{key}", raw[key], "must be a string token such as 'ncnn' / 'fp16'")
    return {"architecture": arch, "input_size": size, "runtime": raw["runtime"].strip().lower(),
            "precision": raw["precision"].strip().lower(), "batch_size": bs, "latency_ms": float(lat),
            "settings": dict(settings)}


@dataclass
class _Row:
    runtime: str
    precision: str
    batch_size: int
    settings: dict[str, Any]
    probes: dict[Column, float]  # measured per-image ms
    theta: np.ndarray | None = None
    S: np.ndarray | None = None
    near: np.ndarray | None = None


class LatencyPredictor:
    """Predictions for one device, calibrated from a few measured probes. Made by :func:`calibrate`."""

    def __init__(self, device: str, rows: list[_Row], catalog, models: Models):
        self.device = device
        self._rows = rows
        self._catalog = catalog
        self._models = models
        model = models.transfer
        for row in rows:
            cols = list(row.probes)
            b, V, var, _ = model.column_arrays(cols, [catalog._m.architectures.get(c[0]) for c in cols], row.runtime)
            ok = ~np.isnan(b)
            if not ok.any():
                raise PredictionError(
                    f"none of the probes on {device} ({row.runtime}, {row.precision}, batch {row.batch_size}) is an "
                    f"architecture the model knows or has GMACs for; measure some of: "
                    f"{', '.join(suggest_probes(5, catalog=catalog))}")
            y = np.log([row.probes[c] for c, o in zip(cols, ok) if o])
            row.theta, row.S, row.near = model.row_posterior(b[ok], V[ok], y, row.runtime)

    @property
    def targets(self) -> list[dict[str, Any]]:
        """The (runtime, precision, batch_size, settings) runs this predictor was calibrated for."""
        return [{"runtime": r.runtime, "precision": r.precision, "batch_size": r.batch_size, "settings": r.settings,
                 "probes": len(r.probes)} for r in self._rows]

    def _select(self, runtime: str | None, precision: str | None) -> list[_Row]:
        rows = [r for r in self._rows if (runtime is None or r.runtime == runtime.lower())
                and (precision is None or r.precision == precision.lower())]
        if not rows:
            choices = sorted({f"{r.runtime}/{r.precision}" for r in self._rows})
            param, value = ("runtime", runtime) if runtime is not None and not any(
                r.runtime == runtime.lower() for r in self._rows) else ("precision", precision)
            raise InvalidQuery(param, value, f"no probe on {self.device} was measured with this {param}", choices=choices)
        combos = {(r.runtime, r.precision) for r in rows}
        if len(combos) > 1:
            raise InvalidQuery("runtime", runtime, "probes cover several runtime/precision pairs; name one",
                               choices=sorted(f"{a}/{b}" for a, b in combos))
        return rows

    def predict(self, architecture: str, batch_size: int = 1, *, runtime: str | None = None,
                precision: str | None = None, input_size: int | None = None) -> Prediction:
        """Latency of ``architecture`` on this device with an 80 % interval (``.latency_ms``, ``.low``, ``.high``).

        Batch sizes other than those probed are interpolated by a batch curve through
        the predictions at the probed batch sizes (never beyond
        :data:`BATCH_EXTRAPOLATION_FACTOR` outside them).
        """
        cat = self._catalog
        arch_id = cat.resolve_architecture(architecture)
        arch = cat._m.architectures[arch_id]
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidQuery("batch_size", batch_size, "must be an integer >= 1")
        col = (arch_id, int(input_size or arch.input_size))
        rows = self._select(runtime, precision)
        by_bs = {r.batch_size: r for r in rows}
        if batch_size in by_bs:
            return self._predict_row(by_bs[batch_size], col, arch)
        if len(by_bs) < 2:
            raise PredictionError(
                f"batch_size={batch_size}: the probes on {self.device} were measured at batch "
                f"{', '.join(map(str, sorted(by_bs)))} only; measure the probes at a second batch size to "
                f"interpolate (predictions do not extrapolate across batch sizes)")
        preds = {b: self._predict_row(r, col, arch) for b, r in by_bs.items()}
        curve = BatchCurve.fit(list(preds), [p.latency_ms for p in preds.values()])
        value = curve(batch_size)  # raises far outside the probed batch sizes
        lo_c = BatchCurve.fit(list(preds), [p.latency_low_ms for p in preds.values()])(batch_size)
        hi_c = BatchCurve.fit(list(preds), [p.latency_high_ms for p in preds.values()])(batch_size)
        band = self._models.curve_band or (0.0, 0.0)
        first = next(iter(preds.values()))
        return replace(first, batch_size=batch_size, latency_ms=value, latency_low_ms=min(lo_c * math.exp(band[0]), value),
                       latency_high_ms=max(hi_c * math.exp(band[1]), value),
                       method=first.method + " + batch curve", latency_estimated=True,
                       memory_mb=None, memory_low_mb=None, memory_high_mb=None, memory_method=None)

    def _predict_row(self, row: _Row, col: Column, arch) -> Prediction:
        mem = self._models.memory.predict(arch, col[1], self.device, row.runtime, row.precision, row.batch_size)
        mem_fields = dict(zip(("memory_mb", "memory_low_mb", "memory_high_mb", "memory_method"), mem or (None,) * 4))
        base = dict(architecture=col[0], input_size=col[1], device=self.device, runtime=row.runtime,
                    precision=row.precision, batch_size=row.batch_size, settings=dict(row.settings), **mem_fields)
        if col in row.probes:
            v = row.probes[col]
            return Prediction(latency_ms=v, latency_low_ms=v, latency_high_ms=v, method="measured (probe)",
                              latency_estimated=False, **base)
        model = self._models.transfer
        got = model.column(col, arch, row.runtime)
        if got is None:
            raise PredictionError(
                f"cannot predict {col[0]} at {col[1]}px with {row.runtime}: no device in the catalog measured it with "
                f"{row.runtime} (cross-runtime transfer is not validated), or it was never measured and has no GMACs")
        b, V, var, method = got
        mu, sd = model.predict_new(row.theta, row.S, np.array([b]), V[None, :], np.array([var]), [col], row.near)
        m = model.mult_new_by_runtime.get(row.runtime, model.mult_new)
        return Prediction(latency_ms=float(np.exp(mu[0])), latency_low_ms=float(np.exp(mu[0] - m * sd[0])),
                          latency_high_ms=float(np.exp(mu[0] + m * sd[0])),
                          method=f"calibrated transfer from {len(row.probes)} probe(s) ({method})", **base)

    def predict_all(self, *, runtime: str | None = None, precision: str | None = None,
                    batch_size: int | None = None) -> list[Prediction]:
        """Predictions for every architecture the model can predict, fastest first."""
        rows = self._select(runtime, precision) if (runtime or precision or len(
            {(r.runtime, r.precision) for r in self._rows}) == 1) else self._rows
        out = []
        for row in rows:
            if batch_size is not None and row.batch_size != batch_size:
                continue
            for arch in self._catalog._m.architectures.values():
                try:
                    out.append(self._predict_row(row, (arch.id, arch.input_size), arch))
                except PredictionError:
                    continue
        return sorted(out, key=lambda p: p.latency_ms)


def calibrate(device_id: str, measurements: Sequence[Mapping[str, Any]] = (), catalog=None) -> LatencyPredictor:
    """A predictor for ``device_id`` from a few measured probes.

    ``measurements``: dicts with ``architecture`` (id or any alias the catalog
    knows, e.g. ncnn's names), ``runtime``, ``precision``, ``batch_size`` (default 1),
    ``latency_ms`` (per image), optionally ``input_size`` and ``settings``. For a
    device already in the catalog, its measured cells of the same runtime,
    precision and batch size are used too (the probes take precedence).
    """
    cat = _default_catalog(catalog)
    if not isinstance(device_id, str) or not device_id.strip():
        raise InvalidQuery("device_id", device_id, "a device id (new or from the catalog) is required")
    if isinstance(measurements, Mapping) or isinstance(measurements, (str, bytes)):
        raise InvalidQuery("measurements", measurements, "must be a list of dicts")
    probes = [_validate_probe(i, m, cat) for i, m in enumerate(measurements)]
    try:
        device = cat.resolve_device(device_id)
        known = True
    except InvalidQuery:
        device, known = device_id.strip(), False
    models = models_for(cat)
    if models.transfer is None:
        raise PredictionError("the catalog has no measured latencies to transfer from")
    rows: dict[tuple, _Row] = {}
    for p in probes:
        key = (p["runtime"], p["precision"], p["batch_size"])
        row = rows.setdefault(key, _Row(p["runtime"], p["precision"], p["batch_size"], p["settings"], {}))
        col = (p["architecture"], p["input_size"])
        # repeated probes of one architecture: geometric mean
        prev = row.probes.get(col)
        row.probes[col] = p["latency_ms"] if prev is None else math.sqrt(prev * p["latency_ms"])
    if known:
        for (t, col), lat in models.cells.items():
            if t.device != device:
                continue
            key = (t.runtime, t.precision, t.batch_size)
            if probes and key not in rows:
                continue
            row = rows.setdefault(key, _Row(t.runtime, t.precision, t.batch_size, dict(t.settings), {}))
            if not probes and dict(t.settings) != row.settings:
                continue  # one run configuration per row: the first seen
            row.probes.setdefault(col, lat)
    if not rows:
        raise InvalidQuery("measurements", list(measurements), f"no probe measurements given and {device_id!r} has no "
                           f"measured latencies in the catalog; measure these first: "
                           f"{', '.join(suggest_probes(5, catalog=cat))}")
    return LatencyPredictor(device, list(rows.values()), cat, models)


# ---------------------------------------------------------------------------
# Catalog devices


def canonical_settings(cells: Mapping[tuple[Target, Column], float], device: str) -> dict[tuple[str, str, int], Target]:
    """Per (runtime, precision, batch size) on ``device``, the run configuration predictions are made for.

    That is the configuration with the most measured architectures; ties go to the
    fastest (lowest mean log latency over architectures both measured).
    """
    by: dict[tuple[str, str, int], dict[Target, dict[Column, float]]] = {}
    for (t, col), lat in cells.items():
        if t.device == device:
            by.setdefault((t.runtime, t.precision, t.batch_size), {}).setdefault(t, {})[col] = lat
    out = {}
    for key, targets in by.items():
        def rank(t: Target) -> tuple[float, float]:
            mine = targets[t]
            rel = [math.log(mine[c]) - np.mean([math.log(o[c]) for o in targets.values() if c in o]) for c in mine]
            return (-len(mine), float(np.mean(rel)))
        out[key] = min(targets, key=lambda t: (rank(t), repr(t)))
    return out


def predict(device: str, architecture: str, *, runtime: str | None = None, precision: str | None = None,
            batch_size: int = 1, input_size: int | None = None, catalog=None) -> Prediction:
    """Latency (and memory) of ``architecture`` on a catalog device, measured if it was, else predicted.

    A measured cell comes back with ``latency_estimated=False`` and the measured
    value; otherwise the batch curve of the same run (inside its measured range)
    or the low-rank transfer model of the device's run predicts it, with an 80 % interval.
    """
    cat = _default_catalog(catalog)
    dev = cat.resolve_device(device)
    arch_id = cat.resolve_architecture(architecture)
    arch = cat._m.architectures[arch_id]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidQuery("batch_size", batch_size, "must be an integer >= 1")
    col = (arch_id, int(input_size or arch.input_size))
    models = models_for(cat)
    targets = canonical_settings(models.cells, dev)
    pairs = sorted({(rt, pr) for rt, pr, _ in targets})
    if not pairs:
        raise PredictionError(f"{dev} has no measured latencies; use modelpick.calibrate({dev!r}, probes) with a few "
                              f"measurements")
    sel = [p for p in pairs if (runtime is None or p[0] == runtime.lower()) and (precision is None or p[1] == precision.lower())]
    if len(sel) != 1:
        raise InvalidQuery("runtime" if runtime is None or not sel else "precision", runtime if not sel else None,
                           "name one measured runtime/precision of this device" if sel or runtime is None
                           else f"not measured on {dev}", choices=[f"{a}/{b}" for a, b in pairs])
    rt, pr = sel[0]
    rows = predicted_cells(cat, dev, [(col, arch)], batch_size=batch_size, include_measured=True,
                           only=(rt, pr))
    if not rows:
        have = sorted(b for r, p, b in targets if (r, p) == (rt, pr))
        raise PredictionError(f"cannot predict {arch_id} on {dev} ({rt}/{pr}) at batch {batch_size}: measured batch sizes "
                              f"there are {', '.join(map(str, have))}, no batch curve covers {batch_size}, and the "
                              f"architecture has no fitted effect or GMACs")
    return rows[0]


def predicted_cells(catalog, device: str, columns: Sequence[tuple[Column, Any]], *, batch_size: int | None,
                    include_measured: bool = False, only: tuple[str, str] | None = None) -> list[Prediction]:
    """Predictions on a catalog device for each (column, Architecture) in ``columns``.

    For every (runtime, precision, batch size) run of the device (its canonical
    settings, see :func:`canonical_settings`), cells measured under any settings
    are skipped (or returned as measured with ``include_measured``). Batch sizes the
    device never measured come only from batch curves, inside their measured range.
    """
    models = models_for(catalog)
    model = models.transfer
    if model is None:
        return []
    cells = models.cells
    targets = canonical_settings(cells, device)
    measured: dict[tuple[str, str, int], dict[Column, float]] = {}
    for (t, col), lat in cells.items():
        if t.device == device:
            measured.setdefault((t.runtime, t.precision, t.batch_size), {}).setdefault(col, lat)
    out: list[Prediction] = []

    def memory(arch, col, rt, pr, bs):
        got = models.memory.predict(arch, col[1], device, rt, pr, bs)
        return dict(zip(("memory_mb", "memory_low_mb", "memory_high_mb", "memory_method"), got or (None,) * 4))

    # 1) low-rank transfer on the device's measured runs
    for (rt, pr, bs), t in sorted(targets.items(), key=repr):
        if only is not None and (rt, pr) != only:
            continue
        if batch_size is not None and bs != batch_size:
            continue
        have = measured.get((rt, pr, bs), {})
        todo = [(c, a) for c, a in columns if c not in have]
        if include_measured:
            for c, a in columns:
                if c in have:
                    v = have[c]
                    out.append(Prediction(c[0], c[1], device, rt, pr, bs, v, v, v, "measured", False,
                                          settings=dict(t.settings), **memory(a, c, rt, pr, bs)))
        if not todo:
            continue
        b, V, var, methods = model.column_arrays([c for c, _ in todo], [a for _, a in todo], rt)
        ok = ~np.isnan(b)
        if not ok.any():
            continue
        mu, sd = model.predict_fitted(model.row_index[t], b[ok], V[ok], var[ok])
        m = model.mult_fitted
        for (c, a), method, mu_i, sd_i in zip([x for x, o in zip(todo, ok) if o], [x for x, o in zip(methods, ok) if o],
                                              mu, sd):
            out.append(Prediction(c[0], c[1], device, rt, pr, bs, float(np.exp(mu_i)), float(np.exp(mu_i - m * sd_i)),
                                  float(np.exp(mu_i + m * sd_i)), method, settings=dict(t.settings),
                                  **memory(a, c, rt, pr, bs)))
    # 2) batch curves: fill an unmeasured batch size inside a curve's measured range
    if batch_size is not None and models.curve_band is not None:
        done = {(p.runtime, p.precision, (p.architecture, p.input_size)) for p in out}
        wanted = {c: a for c, a in columns}
        for (dev, rt, pr, st, col), pts in sorted(batch_curve_groups(cells).items(), key=repr):
            if dev != device or col not in wanted or batch_size in pts or (rt, pr, col) in done:
                continue
            if only is not None and (rt, pr) != only:
                continue
            if not (min(pts) < batch_size < max(pts)):
                continue  # interpolation only in the solver
            if col in measured.get((rt, pr, batch_size), {}):
                continue
            curve = BatchCurve.fit(list(pts), list(pts.values()))
            v = curve(batch_size)
            lo, hi = models.curve_band
            out.append(Prediction(col[0], col[1], device, rt, pr, batch_size, v, v * math.exp(lo), v * math.exp(hi),
                                  f"batch curve a/b + c through measured batch sizes {', '.join(map(str, sorted(pts)))}",
                                  settings=dict(st), **memory(wanted[col], col, rt, pr, batch_size)))
            done.add((rt, pr, col))
    return out


def catalog_with_estimates(catalog, device: str, batch_size: int | None = None):
    """A catalog holding ``device``'s measured candidates plus predicted ones (for ``estimates="include"``).

    Predicted rows carry ``latency_estimated`` and their interval in extra columns
    (``latency_low_ms``, ``latency_high_ms``, ``fps_low``, ``memory_low_mb``,
    ``memory_high_mb``); the solver's masks use the conservative ends.
    """
    from dataclasses import replace as dc_replace

    from .catalog import accuracy_applies
    from .estimate import estimate_memory_mb
    from .solver import Catalog

    lo, hi = catalog._block(device)
    src_cols, strings = catalog._cols, {k: list(v) for k, v in catalog._str.items()}
    index = {k: {v: i for i, v in enumerate(vals)} for k, vals in strings.items()}

    def code(kind: str, value: str | None) -> int:
        table = index.setdefault(kind, {})
        if value not in table:
            table[value] = len(strings.setdefault(kind, []))
            strings[kind].append(value)
        return table[value]

    n_meas = len(catalog._m.measurements)
    out: dict[str, list] = {k: list(v[lo:hi]) for k, v in src_cols.items()}
    nm = hi - lo
    lat_m = np.asarray(src_cols["latency_ms"][lo:hi], dtype=float)
    out["latency_estimated"] = [False] * nm
    out["latency_low_ms"] = list(lat_m)
    out["latency_high_ms"] = list(lat_m)
    out["fps_low"] = list(1000.0 / lat_m) if nm else []
    out["memory_low_mb"] = [np.nan] * nm
    out["memory_high_mb"] = list(src_cols["memory_mb"][lo:hi])
    extra_meas: list[dict[str, Any]] = []

    archs = catalog._m.architectures
    by_col: dict[Column, list[int]] = {}
    for ci, cid in enumerate(strings["checkpoint"]):
        ck = catalog._m.checkpoints[cid]
        by_col.setdefault((ck.architecture, ck.input_size), []).append(ci)
    columns = [(col, archs.get(col[0])) for col in by_col]
    kind = catalog._m.devices[device].kind
    preds = predicted_cells(catalog, device, columns, batch_size=batch_size)
    for p in preds:
        arch = archs[p.architecture]
        if p.memory_mb is not None:
            mem, mem_lo, mem_hi, method = p.memory_mb, p.memory_low_mb, p.memory_high_mb, p.memory_method
        else:
            mem, method = estimate_memory_mb(params_m=arch.params_m, activations_m=arch.activations_m,
                                             precision=p.precision, batch_size=p.batch_size, runtime=p.runtime,
                                             device_kind=kind, settings=p.settings)
            mem_lo = mem_hi = mem
        mi = n_meas + len(extra_meas)
        extra_meas.append({"settings": dict(p.settings), "estimate_method": p.method})
        for ci in by_col[(p.architecture, p.input_size)]:
            ck = catalog._m.checkpoints[strings["checkpoint"][ci]]
            if not accuracy_applies(ck.precision, ck.source, p.precision, None):  # predicted: no source
                continue
            row = {
                "checkpoint": ci, "architecture": code("architecture", p.architecture), "device": code("device", device),
                "runtime": code("runtime", p.runtime), "precision": code("precision", p.precision),
                "batch_size": p.batch_size, "input_size": p.input_size, "top1": ck.top1,
                "top5": np.nan if ck.top5 is None else ck.top5, "latency_ms": p.latency_ms, "fps": p.fps,
                "memory_mb": np.nan if mem is None else mem, "memory_estimated": mem is not None,
                "memory_method": code("memory_method", method),
                "params_m": np.nan if arch.params_m is None else arch.params_m,
                "gmacs": np.nan if arch.gmacs is None else arch.gmacs, "measurement": mi, "memory_measurement": -1,
                "accuracy_source": code("source", ck.source), "latency_source": code("source", None),
                "memory_source": code("source", None), "latency_estimated": True, "latency_low_ms": p.latency_low_ms,
                "latency_high_ms": p.latency_high_ms, "fps_low": 1000.0 / p.latency_high_ms,
                "memory_low_mb": np.nan if mem_lo is None else mem_lo, "memory_high_mb": np.nan if mem_hi is None else mem_hi,
            }
            for k in out:
                out[k].append(row.get(k, -1))
    arrays = {k: np.asarray(v, dtype=src_cols[k].dtype if k in src_cols else None) for k, v in out.items()}
    for k in ("latency_low_ms", "latency_high_ms", "fps_low", "memory_low_mb", "memory_high_mb"):
        arrays[k] = arrays[k].astype(np.float64)
    arrays["latency_estimated"] = arrays["latency_estimated"].astype(bool)
    merged = dc_replace(catalog._m, measurements=list(catalog._m.measurements) + extra_meas, columns=arrays,
                        strings=strings)
    view = Catalog(merged)
    view._is_estimate_view = True
    return view


__all__ = [
    "INTERVAL",
    "BATCH_EXTRAPOLATION_FACTOR",
    "Prediction",
    "PredictionError",
    "LatencyPredictor",
    "BatchCurve",
    "TransferModel",
    "MemoryModel",
    "calibrate",
    "suggest_probes",
    "predict",
    "predicted_cells",
    "catalog_with_estimates",
    "fit_models",
    "models_for",
]
