"""The library's front door: load_catalog() wraps a catalog table in the solver's Catalog and hands it the
prediction estimator; best(), recommend() and the listing functions query the default catalog."""

from __future__ import annotations

import os
from typing import Any

from .catalog import load_table
from .predict.estimates import PredictedCells
from .estimate import MemoryEstimate
from .schema import Architecture, Checkpoint, Device, DeviceCoverage, Recommendation
from .solver import Catalog

_CATALOGS: dict[str, Catalog] = {}


def load_catalog(*paths: str | os.PathLike[str], embedded: bool = True, use_env: bool = True) -> Catalog:
    """Load the embedded table merged with user files (and ``MODELPICK_DATA`` files).

    Raises :class:`CatalogError` with 'file: place: problem' lines on bad input. The same files with the same
    content give the same :class:`Catalog` object within a process.
    """
    table = load_table(*paths, embedded=embedded, use_env=use_env)
    cat = _CATALOGS.get(table.digest)
    if cat is None:
        if len(_CATALOGS) > 16:
            _CATALOGS.clear()
        cat = _CATALOGS[table.digest] = Catalog(table, estimator=PredictedCells())
    return cat


def catalog() -> Catalog:
    """The default catalog: the embedded table plus files listed in ``MODELPICK_DATA``."""
    return load_catalog()


def best(device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
         max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
         max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
         objective: str = "top1", strict: bool = False, memory_bound: str = "high",
         estimates: str = "exclude",
         include_suspect: bool = False, task: str = "classification",
         min_score: float | None = None) -> Recommendation:
    """The most accurate (or fastest, or smallest) checkpoint on ``device`` within the limits.

    ``estimates="include"`` lets predicted latencies of unmeasured cells compete,
    flagged ``latency_estimated`` with their 80 % interval; a limit is met only by
    the interval's conservative end. Measurements the suspect screen judged
    implausible (``suspect``) are left out unless ``include_suspect=True``,
    which lets them compete, flagged with their reason. Raises :class:`NoFeasibleModel` (with
    ``.diagnosis``) when nothing fits, and :class:`InvalidQuery` /
    :class:`UnknownDevice` for bad arguments.

    ``task`` ("classification" or "detection", see :mod:`modelpick.tasks`) picks the candidates and the metric they
    rank by (answers carry ``task``, ``metric`` and ``score``); ``min_score`` is the limit in that metric, percent.
    ``min_top1`` is classification's; with another task it is an :class:`InvalidQuery` naming ``min_score``.

    ``memory_bound`` ("high", the default, or "point") is the end of an estimated memory ``max_mem_gb`` checks: the
    interval's conservative end, or the estimate itself (bench/eval_memory.py: hidden measured memory exceeded the
    point in 40.4 % of 1,041 points, the high end in 8.7 %). Every estimated memory carries its interval
    (``memory_low_mb``/``memory_high_mb``).
    """
    return catalog().best(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                          batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                          precision=precision, objective=objective, strict=strict, memory_bound=memory_bound,
                          estimates=estimates,
                          include_suspect=include_suspect, task=task, min_score=min_score)


def recommend(device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
              max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
              max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
              objective: str = "top1", strict: bool = False, memory_bound: str = "high",
              limit: int = 10,
              estimates: str = "exclude", include_suspect: bool = False,
              per_architecture: bool = True, task: str = "classification",
              min_score: float | None = None) -> list[Recommendation]:
    """Up to ``limit`` ranked answers; same arguments as :func:`best`.

    One row per architecture (its best checkpoint) by default; ``per_architecture=False`` lists every checkpoint.
    """
    return catalog().recommend(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                               batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                               precision=precision, objective=objective, strict=strict, memory_bound=memory_bound,
                               limit=limit,
                               estimates=estimates, include_suspect=include_suspect,
                               per_architecture=per_architecture, task=task, min_score=min_score)


def estimate_memory(architecture: str, device: Any, *, runtime: str, precision: str, batch_size: int = 1,
                    input_size: int | None = None, compute_unit: str | None = None) -> MemoryEstimate:
    """The computed memory of ``architecture`` on ``device`` (runtime, precision, batch size, input size in px),
    with its interval (``memory_low_mb``/``memory_high_mb``; the high end covered the truth for >= 90 % of the
    measured points in bench/eval_memory.py) and ``method``. ``compute_unit`` (e.g. "npu", "gpu") picks the run whose
    width sizes Qualcomm AI Hub's "float" (default: the cell's own measured run's, else the unit most runs used).
    Bad values raise errors naming the valid choices."""
    return catalog().estimate_memory(architecture, device, runtime=runtime, precision=precision,
                                     batch_size=batch_size, input_size=input_size, compute_unit=compute_unit)


def coverage(device: Any, *, task: str = "classification") -> DeviceCoverage:
    """What was measured on ``device`` for ``task`` (runtimes with backend, precisions, batch sizes, candidate
    counts) and, in plain words, a usual fast runtime of such a device that nobody measured there."""
    return catalog().coverage(device, task=task)


def devices(pattern: str | None = None) -> list[Device]:
    """Devices matching an fnmatch pattern (substring if no wildcard), naturally sorted."""
    return catalog().devices(pattern)


def architectures(pattern: str | None = None, *, task: str = "classification") -> list[Architecture]:
    return catalog().architectures(pattern, task=task)


def checkpoints(pattern: str | None = None, *, task: str | None = None) -> list[Checkpoint]:
    return catalog().checkpoints(pattern, task=task)
