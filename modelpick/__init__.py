"""modelpick: the most accurate pretrained image classifier that fits your device's memory and speed limits.

>>> import modelpick
>>> rec = modelpick.best(device="jetson", max_mem_gb=1.0, min_fps=30)   # doctest: +SKIP
>>> rec.checkpoint, rec.fps, rec.sources                                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
# `catalog` (the function, from .api) shadows the subpackage name on purpose: modelpick.catalog() is public API.
from .api import (architectures, best, catalog, checkpoints, coverage, devices, estimate_memory, load_catalog,
                  recommend)
from .estimate import MemoryEstimate
from .catalog import embedded_table_path, validate_files
from .errors import CatalogError, CatalogWarning, InvalidQuery, ModelpickError, NoFeasibleModel, UnknownDevice, UnknownName
from .schema import (
    Architecture,
    CatalogFile,
    Checkpoint,
    Device,
    DeviceCoverage,
    MeasuredRun,
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
    "import_results": ".importers.api", "ImportResult": ".importers.api", "ImportFormatError": ".importers.base",
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


__all__ = [
    "__version__",
    # queries
    "best",
    "recommend",
    "devices",
    "architectures",
    "checkpoints",
    "coverage",
    "estimate_memory",
    "catalog",
    "measure",
    "load_catalog",
    "validate_files",
    # benchmark-tool outputs -> catalog files
    "import_results",
    "ImportResult",
    "ImportFormatError",
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
    "DeviceCoverage",
    "MeasuredRun",
    "MemoryEstimate",
    # errors
    "ModelpickError",
    "CatalogError",
    "CatalogWarning",
    "InvalidQuery",
    "UnknownDevice",
    "UnknownName",
    "NoFeasibleModel",
]
