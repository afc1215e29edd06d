"""The catalog's disk cache: data only (JSON and ``.npz``), keyed by content and code, bounded in size.

Validated, joined catalogs are cached keyed by the sha256 of the file contents and of the code that shapes
them (``MODELPICK_CACHE_DIR``, default ``~/.cache/modelpick``; ``MODELPICK_CACHE=0`` disables it).

Nothing read back from the cache can become code: columns come from ``.npz`` files read with
``allow_pickle=False``, everything else from JSON, re-validated into the schema types. A cache file that
is missing, corrupt or of another format is a miss, never an error. The folder is bounded: after each
store, only the newest :data:`KEEP_ENTRIES` entries of each kind are kept (a hit refreshes an entry's age),
within :data:`MAX_BYTES` in all; files of older formats (pickles) are removed.
"""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .._fileio import write_atomic
from ._table import FULL_FIELDS, CatalogTable

#: Bump when the cached structure changes.
CACHE_FORMAT = 7

#: Newest entries kept per kind (catalog, parsed file, fitted predictions).
KEEP_ENTRIES = 8
#: Upper bound on the whole cache folder.
MAX_BYTES = 512 * 2**20
#: File name prefixes this package writes; anything else in the folder is left alone.
OWN_PREFIXES = ("catalog-", "file-", "predict-", ".catalog-", ".file-", ".predict-")


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off (``MODELPICK_CACHE=0``)."""
    if os.environ.get("MODELPICK_CACHE", "1") == "0":
        return None
    base = os.environ.get("MODELPICK_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "modelpick"


def json_bytes(obj: Any) -> bytes:
    import orjson

    return orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY)


def json_load(raw: bytes) -> Any:
    import orjson

    return orjson.loads(raw)


def write_quietly(target: Path, data: bytes) -> bool:
    try:
        write_atomic(target, data)
        return True
    except OSError:
        return False  # a read-only cache folder must not break queries


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def npz_load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def touch(path: Path) -> None:
    """Refresh an entry's age on a hit, so eviction drops the least recently used."""
    try:
        os.utime(path)
    except OSError:
        pass


# ---------------------------------------------------------------------------
# Catalog entries: <digest>.npz (columns), .core.json (what a query needs), .full.json (entity tables)


def _paths(directory: Path, digest: str) -> tuple[Path, Path, Path]:
    stem = directory / f"catalog-{digest}"
    return stem.with_suffix(".npz"), Path(f"{stem}.core.json"), Path(f"{stem}.full.json")


def _core_state(table: CatalogTable) -> dict[str, Any]:
    return {
        "format": CACHE_FORMAT,
        "files": table.files,
        "digest": table.digest,
        "devices": [d.model_dump(mode="json") for d in table.devices.values()],
        "device_families": table.device_families,
        "strings": table.strings,
        "measurement_settings": table.measurement_settings,
        "suspects": sorted(table.suspects.items()),  # JSON keys are strings: pairs keep the row index an int
        "known": table.known,
        "warnings": table.warnings,
    }


def _full_bytes(table: CatalogTable) -> bytes:
    """The entity tables as one JSON object; each list serialised in one pydantic-core call."""
    from pydantic import TypeAdapter

    from ..schema import Architecture, Checkpoint, Source

    parts = [b'{"sources":', TypeAdapter(list[Source]).dump_json(list(table.sources.values())),
             b',"architectures":', TypeAdapter(list[Architecture]).dump_json(list(table.architectures.values())),
             b',"checkpoints":', TypeAdapter(list[Checkpoint]).dump_json(list(table.checkpoints.values())),
             b',"measurements":', json_bytes(table.measurements), b"}"]
    return b"".join(parts)


def _full_loader(path: Path) -> Callable[[], dict[str, Any]]:
    def load() -> dict[str, Any]:
        from ..schema import Architecture, Checkpoint, Source

        state = json_load(path.read_bytes())
        return {
            "sources": {s["id"]: Source.model_validate(s) for s in state["sources"]},
            "architectures": {a["id"]: Architecture.model_validate(a) for a in state["architectures"]},
            "checkpoints": {c["id"]: Checkpoint.model_validate(c) for c in state["checkpoints"]},
            "measurements": list(state["measurements"]),
        }

    return load


def cache_load(digest: str) -> CatalogTable | None:
    directory = cache_dir()
    if directory is None:
        return None
    npz, core, full = _paths(directory, digest)
    try:
        state = json_load(core.read_bytes())
        if state.get("format") != CACHE_FORMAT or state.get("digest") != digest or not full.is_file():
            return None
        columns = npz_load(npz)
        from ..schema import Device

        devices = {d["id"]: Device.model_validate(d) for d in state["devices"]}
        table = CatalogTable.lazy(
            files=list(state["files"]), digest=digest, devices=devices,
            device_families=dict(state["device_families"]), columns=columns, strings=state["strings"],
            measurement_settings=state["measurement_settings"], known=state["known"],
            warnings=list(state["warnings"]), suspects={int(i): str(reason) for i, reason in state["suspects"]},
            load_full=_full_loader(full), full_source=str(full))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError):
        return None  # missing, corrupt or foreign: rebuild
    touch(core)
    return table


def cache_store(table: CatalogTable) -> None:
    directory = cache_dir()
    if directory is None:
        return
    npz, core, full = _paths(directory, table.digest)
    # core last: a core file on disk implies the other two exist
    if (write_quietly(full, _full_bytes(table)) and write_quietly(npz, npz_bytes(table.columns))
            and write_quietly(core, json_bytes(_core_state(table)))):
        evict(directory)


# ---------------------------------------------------------------------------
# Bounding the folder


def _entry(name: str) -> tuple[str, str] | None:
    """(kind, entry key) of a file this package wrote, or None."""
    if name.startswith("."):  # a temp file of an interrupted write: its own entry, evicted by age
        return ("tmp", name)
    for prefix in ("catalog-", "file-", "predict-"):
        if name.startswith(prefix):
            return (prefix[:-1], name.split(".", 1)[0])
    return None


def evict(directory: Path, keep: int = KEEP_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
    """Keep the newest ``keep`` entries of each kind within ``max_bytes``; remove older formats and stale temp files."""
    try:
        listing = list(os.scandir(directory))
    except OSError:
        return
    groups: dict[tuple[str, str], list[tuple[os.DirEntry, os.stat_result]]] = {}
    doomed: list[os.DirEntry] = []
    now = time.time()
    for e in listing:
        if not e.is_file(follow_symlinks=False) or not e.name.startswith(OWN_PREFIXES):
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        kind = _entry(e.name)
        if kind is None:
            continue
        if e.name.endswith(".pickle"):
            doomed.append(e)  # an older format, never read again
        elif kind[0] == "tmp":
            if now - st.st_mtime > 3600:
                doomed.append(e)
        else:
            groups.setdefault(kind, []).append((e, st))
    newest = sorted(groups.items(), key=lambda kv: -max(st.st_mtime for _, st in kv[1]))
    per_kind: dict[str, int] = {}
    total = 0
    for (kind, _), files in newest:
        size = sum(st.st_size for _, st in files)
        per_kind[kind] = per_kind.get(kind, 0) + 1
        if per_kind[kind] > keep or total + size > max_bytes:
            doomed.extend(e for e, _ in files)
        else:
            total += size
    for e in doomed:
        try:
            os.unlink(e.path)
        except OSError:
            pass


_CODE_FINGERPRINT: bytes | None = None


def code_fingerprint() -> bytes:
    """Hash of the modules whose logic shapes the cached columns, so a code change never serves a stale cache."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        here = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for path in [*sorted(here.glob("*.py")), here.parent / "estimate.py", here.parent / "schema.py",
                     here.parent / "tasks.py"]:
            h.update(path.name.encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:
                pass
        _CODE_FINGERPRINT = h.digest()
    return _CODE_FINGERPRINT


__all__ = ["cache_dir", "cache_load", "cache_store", "code_fingerprint", "evict", "CACHE_FORMAT"]
