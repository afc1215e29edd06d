"""Batch curves: per-image latency t(b) = a/b + c within one run, for batch sizes near the measured ones."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .types import Column, PredictionError, Target

#: Batch curves predict at most this factor beyond the measured batch range.
BATCH_EXTRAPOLATION_FACTOR = 2.0


@dataclass(frozen=True)
class BatchCurve:
    """Per-image latency t(b) = a/b + c (a, c >= 0) fitted to measured (batch size, per-image ms) points."""

    a_ms: float
    c_ms: float
    batch_sizes: tuple[int, ...]
    latencies_ms: tuple[float, ...]

    @classmethod
    def fit(cls, batch_sizes: Sequence[int], per_image_ms: Sequence[float]) -> "BatchCurve":
        from .._nnls import nnls

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
