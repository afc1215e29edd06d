"""The low-rank transfer model: log latency = a[row] + b[col] + U[row] . V[col], columns shrunk towards a
feature prior (log GMACs, params, activations, input size); fitted by alternating ridge regression."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from .types import _Z, Column, PredictionError, Target


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
        # the measured cells, for neighbour runs (see neighbours.py)
        self.cell_rows, self.cell_cols, self.cell_log_ms = r, c, y
        return self

    # -- derived arrays (built on first use, not pickled) ---------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_cache_")}

    def drop_caches(self) -> None:
        """Forget the derived arrays (before saving; they are rebuilt on first use)."""
        for key in [k for k in self.__dict__ if k.startswith("_cache_")]:
            del self.__dict__[key]

    def _cached(self, name: str, build):
        key = "_cache_" + name
        if key not in self.__dict__:
            self.__dict__[key] = build()
        return self.__dict__[key]

    def runtime_rows(self, runtime: str | None) -> np.ndarray:
        """Indices of the fitted rows measured with ``runtime``."""
        by = self._cached("runtime_rows", lambda: {})
        if runtime not in by:
            by[runtime] = np.flatnonzero(np.array([t.runtime == runtime for t in self.rows], dtype=bool))
        return by[runtime]

    def measured_log_ms(self) -> np.ndarray:
        """Rows x columns of measured log latency, NaN where not measured."""
        def build():
            Y = np.full((len(self.rows), len(self.cols)), np.nan)
            Y[self.cell_rows, self.cell_cols] = self.cell_log_ms
            return Y
        return self._cached("measured", build)

    def completed_log_ms(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Log latency of fitted ``rows`` at fitted ``cols``: measured where measured, else the low-rank fit."""
        fit = self.a[rows, None] + self.b[None, cols] + self.U[rows] @ self.V[cols].T
        measured = self.measured_log_ms()[np.ix_(rows, cols)]
        return np.where(np.isnan(measured), fit, measured)

    def _residuals(self) -> np.ndarray:
        """Rows x columns of fitted residuals, NaN where not measured."""
        def build():
            R = np.full((len(self.rows), len(self.cols)), np.nan)
            for ci, (rows, res) in enumerate(zip(self.col_res_rows, self.col_res)):
                R[rows, ci] = res
            return R
        return self._cached("residuals", build)

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
        res = self._column_residuals(r, c, y)
        dof = max(len(y) - (R + C) * (k + 1) * 0.5, len(y) * 0.25)
        self.sigma2 = max(float(res @ res) / dof, 1e-4)
        dev = np.column_stack([b, V]) - F @ G
        well = self.has_prior & (self.n_col >= 3)
        self.tau2 = (np.mean(dev[well] ** 2, axis=0) if well.sum() >= 3 else np.full(k + 1, 1.0)) + 1e-4
        # Row prior by runtime: new devices of a runtime look like that runtime's rows.
        theta = np.column_stack([a, U])
        self.row_prior: dict[str | None, tuple[np.ndarray, np.ndarray]] = {None: self._moments(theta)}
        for rt in sorted({t.runtime for t in self.rows}):
            sel = np.array([t.runtime == rt for t in self.rows])
            if sel.sum() >= 2 * (k + 1):
                self.row_prior[rt] = self._moments(theta[sel])
        self.mult_new = _Z      # replaced by calibrate_intervals()
        self.mult_new_by_runtime: dict[str, float] = {}
        self.mult_fitted = _Z

    def _column_residuals(self, r: np.ndarray, c: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per column, which rows measured it and their residuals (for the neighbour correction); the residuals.

        Derived from the fitted factors and the cells alone, so a saved fit leaves them out and rebuilds them."""
        res = y - (self.a[r] + self.b[c] + np.einsum("ij,ij->i", self.U[r], self.V[c]))
        order = np.argsort(c, kind="stable")
        splits = np.cumsum(np.bincount(c, minlength=len(self.cols)))[:-1]
        self.col_res_rows = np.split(r[order], splits)
        self.col_res = np.split(res[order], splits)
        return res

    #: Attributes rebuilt from the measured cells by :meth:`restore_cells` (a saved fit leaves them out).
    FROM_CELLS = ("cell_rows", "cell_cols", "cell_log_ms", "col_res_rows", "col_res")

    def restore_cells(self, r: np.ndarray, c: np.ndarray, latency_ms: np.ndarray) -> None:
        """Rebuild :data:`FROM_CELLS` from the cells the model was fitted on (row and column indices and the
        latencies, in the fit's order), exactly as :meth:`fit` computed them."""
        y = np.log(np.asarray(latency_ms, dtype=float))
        self._column_residuals(r, c, y)
        self.cell_rows, self.cell_cols, self.cell_log_ms = r, c, y

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
        does not know support nothing: predictions never cross to a runtime no catalog device used.
        """
        if runtime is None:
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
            idx = self.runtime_rows(runtime)
            if len(idx) < self.neighbours:
                idx = np.arange(len(self.rows))
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
            ci = np.array([self.col_index.get(col, -1) for col in cols], dtype=int)
            have = ci >= 0
            if have.any():
                res = self._residuals()[np.ix_(near[:3], ci[have])]
                n = np.sum(~np.isnan(res), axis=0)
                total = np.nansum(res, axis=0)
                mean[have] += np.where(n > 0, total / np.maximum(n, 1) * n / (n + 1.0), 0.0)
        var = np.einsum("ij,jk,ik->i", X, S, X) + self.sigma2 + colvar * (1 + np.sum(theta[1:] ** 2) / max(self.rank, 1))
        return mean, np.sqrt(var)

    def predict_fitted(self, row: int, b: np.ndarray, V: np.ndarray, colvar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Log-latency mean and sd for columns of a fitted row."""
        mean = self.a[row] + b + V @ self.U[row]
        rowvar = self.sigma2 * (self.rank + 1) / max(self.n_row[row], 1)
        var = self.sigma2 + rowvar + colvar * (1 + np.sum(self.U[row] ** 2) / max(self.rank, 1))
        return mean, np.sqrt(var)

    # -- probe choice ------------------------------------------------------------
    def suggest(self, k: int, candidates: Sequence[int] | None = None, runtime: str | None = None,
                min_runs: int = 3) -> list[int]:
        """Greedy Bayesian D-optimal choice of k columns: each pick has the largest posterior variance left.

        Columns fitted on fewer than ``min_runs`` runs are skipped (their factors are mostly noise)."""
        cand = [int(i) for i in (candidates if candidates is not None else range(len(self.cols)))
                if self.n_col[int(i)] >= min(min_runs, int(self.n_col.max()))]
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
