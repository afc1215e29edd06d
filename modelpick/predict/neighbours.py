"""Neighbour runs: predict a new run from the catalog runs of the same runtime whose probe profile matches it.

A run's *profile* at the probe architectures is its log latencies there (measured where measured, else the
low-rank fit). The spread of ``log(new / run)`` over the probes says how alike two runs are, whatever their
speed; the mean of it is the speed factor. The prediction for an architecture is the kernel-weighted average of the
closest runs' latencies there, each scaled by its factor. Where a same-chip twin exists (AI Hub lists several
devices per SoC) its spread is near zero and it dominates; elsewhere several runs share the weight.
Neighbours never cross runtimes.
"""

from __future__ import annotations

import numpy as np

from .transfer import TransferModel

#: At most this many of the closest runs vote.
NEIGHBOUR_RUNS = 10
#: Kernel width in log-spread units: a run 0.02 less alike than the closest weighs e^-0.5 as much.
NEIGHBOUR_BANDWIDTH = 0.02
#: Fewer probes than this say too little about a profile; the transfer model predicts alone.
MIN_NEIGHBOUR_PROBES = 3


def neighbour_log_ms(model: TransferModel, runtime: str, probe_cols: np.ndarray, probe_log_ms: np.ndarray,
                     target_cols: np.ndarray, min_probes: int = MIN_NEIGHBOUR_PROBES) -> np.ndarray | None:
    """Log-latency predictions at fitted columns ``target_cols`` from probes at fitted columns ``probe_cols``.

    None with fewer than ``min_probes`` probes or fewer than two catalog runs of ``runtime``.
    """
    pool = model.runtime_rows(runtime)
    k = len(probe_cols)
    if k < min_probes or len(pool) < 2:
        return None
    Z = model.completed_log_ms(pool, np.concatenate([probe_cols, target_cols]).astype(int))
    diff = probe_log_ms[None, :] - Z[:, :k]
    shift = diff.mean(axis=1)
    spread = np.sqrt(np.mean((diff - shift[:, None]) ** 2, axis=1))
    order = np.argsort(spread, kind="stable")[:NEIGHBOUR_RUNS]
    w = np.exp(-0.5 * ((spread[order] - spread[order[0]]) / NEIGHBOUR_BANDWIDTH) ** 2)
    return (w @ (Z[order, k:] + shift[order, None])) / w.sum()
