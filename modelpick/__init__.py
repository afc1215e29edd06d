"""modelpick: the most accurate pretrained image classifier that fits your device's memory and speed limits.

>>> import modelpick
>>> rec = modelpick.best(device="jetson", max_mem_gb=1.0, min_fps=30)   # doctest: +SKIP
>>> rec.checkpoint, rec.fps, rec.sources                                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .catalog import embedded_table_path, load_catalog, validate_files
from .errors import CatalogError, InvalidQuery, ModelpickError, NoFeasibleModel, UnknownDevice, UnknownName
from .schema import (
    Architecture,
    CatalogFile,
    Checkpoint,
    Device,
    Measurement,
    Query,
    Recommendation,
    Source,
)
from .solver import Catalog

# Eager: `predict` names both a submodule and a function, and a lazy import of the submodule would rebind the name.
from .predict import LatencyPredictor, Prediction, PredictionError, calibrate, predict, suggest_probes

# Frontiers, predictions, conv complexity and the measurement plugin load on first use (PEP 562), so
# `import modelpick` and a cold `modelpick best` stay fast.
_LAZY = {
    "upper_bound": ".bounds", "pareto": ".bounds", "efficiency": ".bounds", "memory_model": ".bounds",
    "grid": ".bounds", "UpperBound": ".bounds", "ParetoFront": ".bounds", "Efficiency": ".bounds",
    "MemoryModel": ".bounds", "Grid": ".bounds", "GridCell": ".bounds",
}
_LAZY_MODULES = {"complexity", "measure", "bounds", "plot", "client"}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'modelpick' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def catalog() -> Catalog:
    """The default catalog: the embedded table plus files listed in ``MODELPICK_DATA``."""
    return load_catalog()


def best(device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
         max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
         max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
         objective: str = "top1", strict: bool = False, estimates: str = "exclude") -> Recommendation:
    """The most accurate (or fastest, or smallest) checkpoint on ``device`` within the limits.

    ``estimates="include"`` lets predicted latencies of unmeasured cells compete,
    flagged ``latency_estimated`` with their 80 % interval; a limit is met only by
    the interval's conservative end. Raises :class:`NoFeasibleModel` (with
    ``.diagnosis``) when nothing fits, and :class:`InvalidQuery` /
    :class:`UnknownDevice` for bad arguments.
    """
    return catalog().best(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                          batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                          precision=precision, objective=objective, strict=strict, estimates=estimates)


def recommend(device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
              max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
              max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
              objective: str = "top1", strict: bool = False, limit: int = 10,
              estimates: str = "exclude") -> list[Recommendation]:
    """Up to ``limit`` ranked answers, one per checkpoint; same arguments as :func:`best`."""
    return catalog().recommend(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                               batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                               precision=precision, objective=objective, strict=strict, limit=limit,
                               estimates=estimates)


def devices(pattern: str | None = None) -> list[Device]:
    """Devices matching an fnmatch pattern (substring if no wildcard), naturally sorted."""
    return catalog().devices(pattern)


def architectures(pattern: str | None = None) -> list[Architecture]:
    return catalog().architectures(pattern)


def checkpoints(pattern: str | None = None) -> list[Checkpoint]:
    return catalog().checkpoints(pattern)


__all__ = [
    "__version__",
    # queries
    "best",
    "recommend",
    "devices",
    "architectures",
    "checkpoints",
    "catalog",
    "measure",
    "load_catalog",
    "validate_files",
    "embedded_table_path",
    # frontiers (computed, always labelled)
    "upper_bound",
    "pareto",
    "efficiency",
    "memory_model",
    "grid",
    "complexity",
    "UpperBound",
    "ParetoFront",
    "Efficiency",
    "MemoryModel",
    "Grid",
    "GridCell",
    # predictions (computed, always flagged)
    "calibrate",
    "suggest_probes",
    "predict",
    "Prediction",
    "LatencyPredictor",
    "PredictionError",
    # types
    "Catalog",
    "CatalogFile",
    "Query",
    "Recommendation",
    "Source",
    "Device",
    "Architecture",
    "Checkpoint",
    "Measurement",
    # errors
    "ModelpickError",
    "CatalogError",
    "InvalidQuery",
    "UnknownDevice",
    "UnknownName",
    "NoFeasibleModel",
]
