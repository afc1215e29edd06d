"""The catalog's disk cache: where it lives, atomic pickles, and the code fingerprint that keys it.

Validated, joined catalogs are cached keyed by the sha256 of the file contents and of the code that shapes
them (``MODELPICK_CACHE_DIR``, default ``~/.cache/modelpick``; ``MODELPICK_CACHE=0`` disables it).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from .._fileio import write_atomic
from ._table import FULL_FIELDS, CatalogTable

#: Bump when the cached structure changes.
CACHE_FORMAT = 5


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off (``MODELPICK_CACHE=0``)."""
    if os.environ.get("MODELPICK_CACHE", "1") == "0":
        return None
    base = os.environ.get("MODELPICK_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "modelpick"


def atomic_pickle(obj: Any, target: Path) -> None:
    try:
        write_atomic(target, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only cache folder must not break queries


def cache_load(digest: str) -> CatalogTable | None:
    directory = cache_dir()
    if directory is None:
        return None
    core, full = directory / f"catalog-{digest}.core.pickle", directory / f"catalog-{digest}.full.pickle"
    try:
        with open(core, "rb") as fh:
            merged = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(merged, CatalogTable) or merged.__dict__.get("digest") != digest or not full.is_file():
        return None
    merged.__dict__["_full_path"] = str(full)
    return merged


def cache_store(merged: CatalogTable) -> None:
    directory = cache_dir()
    if directory is None:
        return
    # full first: a core file on disk implies its full file exists
    atomic_pickle({k: getattr(merged, k) for k in FULL_FIELDS}, directory / f"catalog-{merged.digest}.full.pickle")
    atomic_pickle(merged, directory / f"catalog-{merged.digest}.core.pickle")


_CODE_FINGERPRINT: bytes | None = None


def code_fingerprint() -> bytes:
    """Hash of the modules whose logic shapes the cached columns, so a code change never serves a stale cache."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        here = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for path in [*sorted(here.glob("*.py")), here.parent / "estimate.py", here.parent / "schema.py"]:
            h.update(path.name.encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:
                pass
        _CODE_FINGERPRINT = h.digest()
    return _CODE_FINGERPRINT
