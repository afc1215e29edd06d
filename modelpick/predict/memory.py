"""The memory model: overhead per (device, runtime, precision) + alpha x weights + beta x activations, fitted per
runtime on measured memory by non-negative least squares on relative error."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .intervals import _log_band


def _memory_features(arch, input_size: int, precision: str, batch_size: int) -> tuple[float, float] | None:
    from ..estimate import MIB, bytes_per_activation, bytes_per_param

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
        from .._nnls import nnls

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
