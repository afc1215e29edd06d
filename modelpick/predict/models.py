"""The fitted bundle for one catalog (transfer, batch-curve band, memory), cached in memory and on disk by
catalog hash; and the default catalog for calls made without one."""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .batch import batch_curve_errors, batch_curve_groups
from .cells import latency_cells
from .intervals import _log_band, calibrate_intervals
from .memory import MemoryModel
from .transfer import TransferModel
from .types import Column, Target

_MODEL_VERSION = 5


@dataclass
class Models:
    transfer: TransferModel | None
    memory: MemoryModel
    cells: dict[tuple[Target, Column], float]
    curve_band: tuple[float, float] | None  # 80 % band of log(measured / curve) from leave-one-batch-out
    curve_errors: int = 0


_MODELS: dict[str, Models] = {}


def _cache_path(catalog) -> Path | None:
    from ..catalog import cache_dir

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
    """``catalog``, or the default one (embedded table + ``MODELPICK_DATA``) when None.

    Built from the catalog and solver layers directly: prediction sits below ``modelpick.api``, which hands
    this package's estimator to the catalogs it loads.
    """
    if catalog is not None:
        return catalog
    from ..catalog import load_table
    from ..solver import Catalog

    return Catalog(load_table())
