"""The fitted bundle for one catalog (transfer, batch-curve band, memory), cached in memory and on disk by
catalog hash and this package's code (data only: modelpick._safestate); and the default catalog for calls
made without one."""

from __future__ import annotations

import copy
import hashlib
import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .batch import batch_curve_errors, batch_curve_groups
from .cells import latency_cells
from .intervals import _log_band, calibrate_intervals
from .memory import MemoryModel
from .plausibility import PlausibilityFloor
from .transfer import TransferModel
from .twins import twin_sets
from .zoo import probe_architectures
from .types import Column, Target

_MODEL_VERSION = 7


@dataclass
class Models:
    transfer: TransferModel | None
    memory: MemoryModel
    cells: dict[tuple[Target, Column], float]
    curve_band: tuple[float, float] | None  # 80 % band of log(measured / curve) from leave-one-batch-out
    curve_errors: int = 0
    #: Fastest measured ms/GMAC per device run and the margin below it that predictions may reach.
    floor: PlausibilityFloor | None = None


_MODELS: dict[str, Models] = {}

_CODE_KEY: str | None = None


def _code_key() -> str:
    """Hash of this package's source: a changed fit never reads an old cache."""
    global _CODE_KEY
    if _CODE_KEY is None:
        h = hashlib.sha256(str(_MODEL_VERSION).encode())
        for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_KEY = h.hexdigest()[:16]
    return _CODE_KEY


def _cache_path(catalog) -> Path | None:
    from ..catalog._cache import entries_dir

    d = entries_dir()
    return None if d is None else d / f"predict-{_code_key()}-{catalog.hash}.npz"


def _pack(models: Models) -> dict:
    """The models with their measured cells as three arrays indexing the transfer model's rows and columns
    (34,000 tuple keys would cost more to decode than the whole fit)."""
    cells = models.cells
    if models.transfer is not None:
        models.transfer.drop_caches()  # derived arrays (rows x columns), rebuilt on first use
    packed = {"models": replace(models, cells={})}
    if cells and models.transfer is not None:
        t = models.transfer
        if all(k in t.__dict__ for k in t.FROM_CELLS):  # rebuilt from the cells on unpacking: saved once, not twice
            lean = copy.copy(t)
            for k in t.FROM_CELLS:
                del lean.__dict__[k]
            packed["models"] = replace(models, transfer=lean, cells={})
        packed["cell_row"] = np.array([t.row_index[k] for k, _ in cells], dtype=np.int64)
        packed["cell_col"] = np.array([t.col_index[c] for _, c in cells], dtype=np.int64)
        packed["cell_ms"] = np.array(list(cells.values()), dtype=np.float64)
    elif cells:
        raise TypeError("cells without a transfer model")
    return packed


def _unpack(packed: dict) -> Models:
    models = packed["models"]
    if not isinstance(models, Models):
        raise ValueError("not saved models")
    if "cell_ms" in packed:
        rows, cols = models.transfer.rows, models.transfer.cols
        models.cells = {(rows[r], cols[c]): ms for r, c, ms in
                        zip(packed["cell_row"].tolist(), packed["cell_col"].tolist(), packed["cell_ms"].tolist())}
        if "cell_rows" not in models.transfer.__dict__:
            models.transfer.restore_cells(packed["cell_row"], packed["cell_col"], packed["cell_ms"])
    return models


def _saved_classes() -> list[type]:
    """What a saved fit may contain besides plain values and arrays."""
    from .calibrated_run import Blend
    from .transfer import _Features

    return [Models, TransferModel, MemoryModel, _Features, Target, Blend, PlausibilityFloor]


def fit_models(catalog, *, calibrate_intervals_by_device: bool = True) -> Models:
    """Fit the transfer, batch-curve and memory models on every measured cell of ``catalog``."""
    cells = latency_cells(catalog)
    lookup = catalog._m.architectures.get
    transfer = None
    if cells:
        transfer = TransferModel().fit(cells, lookup)
        if calibrate_intervals_by_device:
            calibrate_intervals(transfer, cells, lookup, twins=twin_sets(catalog._m.devices, cells),
                                probe_archs=probe_architectures(catalog),
                                chip_twins=twin_sets(catalog._m.devices, cells, family=False))
    errors: list[float] = []
    for pts in batch_curve_groups(cells).values():
        if len(pts) >= 3:
            errors.extend(batch_curve_errors(pts))
    return Models(transfer, MemoryModel().fit(catalog), cells, _log_band(errors), len(errors),
                  PlausibilityFloor().fit(cells, lookup))


def models_for(catalog) -> Models:
    """The fitted models for ``catalog`` (memory cache, then disk cache, then the shipped fit, then fit)."""
    key = catalog.hash
    if key in _MODELS:
        return _MODELS[key]
    from .. import _safestate
    from ..catalog._cache import evict, touch, write_quietly

    path = _cache_path(catalog)
    models = None
    if path is not None and os.path.lexists(path):
        try:
            models = _unpack(_safestate.load(path, _saved_classes()))
            touch(path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError, MemoryError,
                RecursionError, zipfile.BadZipFile):
            models = None  # damaged or foreign: fit again
    if not isinstance(models, Models):
        models = load_shipped(catalog)  # the embedded table's fit, shipped with the package
    if not isinstance(models, Models):
        models = fit_models(catalog)
        if path is not None:
            try:
                data = _safestate.dumps(_pack(models), _saved_classes())
            except TypeError:
                data = None  # something unsaveable in the fit: it is simply not cached
            if data is not None and write_quietly(path, data):
                evict(path.parent)
    _MODELS[key] = models
    return models


#: The shipped file's name among the package data (``modelpick/data/``, the repository's ``data/``).
SHIPPED_NAME = "predict_fit.npz"

_TABLE_SHA: dict[tuple, str] = {}


def table_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a table file's bytes (remembered by the file's identity within a process)."""
    st = os.stat(path)
    ident = (os.fspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    hit = _TABLE_SHA.get(ident)
    if hit is None:
        hit = _TABLE_SHA[ident] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return hit


def shipped_key(table_sha: str) -> str:
    """What a shipped fit must carry to be used: this package's code hash and the table's sha256."""
    return f"{_code_key()}-{table_sha}"


def shipped_path() -> Path:
    """Where the shipped fit lies next to the embedded table (it may be missing)."""
    from ..catalog import embedded_table_path

    return embedded_table_path().parent / SHIPPED_NAME


def load_shipped(catalog) -> Models | None:
    """The shipped fit, when ``catalog`` is the embedded table alone and the file's key matches; else None."""
    from .. import _safestate
    from ..catalog import embedded_table_path

    try:
        table = embedded_table_path()
        if [os.path.realpath(f) for f in catalog.files] != [os.path.realpath(table)]:
            return None  # user files or MODELPICK_DATA change the fit
        path = shipped_path()
        if not path.is_file():
            return None
        packed = _safestate.load(path, _saved_classes())
        if not isinstance(packed, dict) or packed.get("key") != shipped_key(table_sha256(table)):
            return None  # stale: the code or the table changed since the build
        return _unpack(packed)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, EOFError, MemoryError,
            RecursionError, zipfile.BadZipFile):
        return None


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
