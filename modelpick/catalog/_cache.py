"""The catalog's disk cache: data only (JSON and ``.npz``), keyed by content and code, bounded in size.

Validated, joined catalogs are cached keyed by the sha256 of the file contents and of the code that shapes
them (``MODELPICK_CACHE_DIR``, default ``~/.cache/modelpick``; ``MODELPICK_CACHE=0`` disables it).

Nothing read back from the cache can become code: columns come from ``.npz`` files read with
``allow_pickle=False``, everything else from JSON, re-validated into the schema types. A cache file that
is missing, corrupt, of another format or not a regular file is a miss, never an error.

Entries live in their own subfolder, :data:`ENTRIES` (``<cache dir>/entries``), which the cache creates with a
``CACHEDIR.TAG`` naming modelpick; a folder without that tag is never written to or evicted from, so pointing
``MODELPICK_CACHE_DIR`` at a folder of one's own files (even ``catalog-2025.yaml``) loses nothing. The subfolder
is bounded: after each store, only the newest :data:`KEEP_ENTRIES` entries of each kind are kept (a hit
refreshes an entry's age), within :data:`MAX_BYTES` in all; only names the cache writes are considered.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .._fileio import write_atomic
from ._table import FULL_FIELDS, CatalogTable

#: Bump when the cached structure changes.
CACHE_FORMAT = 8

#: Newest entries kept per kind (catalog, parsed file, fitted predictions).
KEEP_ENTRIES = 8
#: Upper bound on the whole cache folder.
MAX_BYTES = 512 * 2**20
#: The subfolder of :func:`cache_dir` that holds the entries, tagged by :data:`TAG_TEXT`.
ENTRIES = "entries"
#: The Cache Directory Tagging Specification's signature (backup tools skip the folder), then who wrote it.
TAG_TEXT = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
            b"# This folder holds modelpick's cache (catalogs, parses, fits); deleting it is safe.\n")
#: The names the cache writes (entry, key), and their temp files: nothing else is ever evicted.
_OWN_NAME = re.compile(r"(?P<key>(?P<kind>catalog)-[0-9a-f]{64})\.(?:npz|core\.json|full\.json)"
                       r"|(?P<key2>(?P<kind2>file)-[0-9]+-[0-9a-f]{64})\.json"
                       r"|(?P<key3>(?P<kind3>predict)-[0-9a-f]{16}-[0-9a-f]+)\.npz")
_OWN_TEMP = re.compile(r"\.(?:catalog|file|predict)-[0-9a-f-]+\.[a-z.]+\.[A-Za-z0-9_]+\.tmp")
#: Largest cache file read back (a damaged or planted file is a miss, not a read of any size).
MAX_ENTRY_BYTES = MAX_BYTES


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off (``MODELPICK_CACHE=0``)."""
    if os.environ.get("MODELPICK_CACHE", "1") == "0":
        return None
    base = os.environ.get("MODELPICK_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "modelpick"


def _tagged(directory: Path) -> bool:
    try:
        with open(directory / "CACHEDIR.TAG", "rb") as fh:
            return fh.read(len(TAG_TEXT) + 1) == TAG_TEXT
    except OSError:
        return False


def entries_dir() -> Path | None:
    """The tagged folder the cache reads and writes, created on first use; None when caching is off or the
    folder exists without modelpick's tag (someone else's folder: never written to or evicted from)."""
    base = cache_dir()
    if base is None:
        return None
    directory = base / ENTRIES
    if _tagged(directory):
        return directory
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if any(os.scandir(directory)):
            return None
        write_atomic(directory / "CACHEDIR.TAG", TAG_TEXT)
    except OSError:
        return None
    return directory if _tagged(directory) else None


def read_entry(path: Path) -> bytes:
    """A cache file's bytes; ``OSError`` (a miss) for anything but a regular file within the cap."""
    from .._fileio import FileReadError, read_bounded

    try:
        return read_bounded(path, MAX_ENTRY_BYTES, what="cache file")
    except FileReadError as exc:
        raise OSError(str(exc)) from None


def json_bytes(obj: Any) -> bytes:
    import orjson

    return orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY)


def json_load(raw: bytes) -> Any:
    import orjson

    return orjson.loads(raw)


def write_quietly(target: Path, data: bytes) -> bool:
    try:
        st = os.lstat(target)
    except OSError:
        st = None
    try:
        if st is not None and not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            os.unlink(target)  # a planted symlink or FIFO under the cache's own name: replace it, never write through
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
    """The arrays of a cached ``.npz``; ``ValueError`` for any member whose header claims more data than the
    member holds (a planted header with shape (2**40,) must not allocate terabytes)."""
    import io

    from .._safestate import npz_arrays

    return npz_arrays(io.BytesIO(read_entry(path)))


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
        # 37,000 rows share ~5,000 distinct settings: each written once, with one index per row (see _shared_settings)
        **_settings_state(table.measurement_settings),
        "suspects": sorted(table.suspects.items()),  # JSON keys are strings: pairs keep the row index an int
        "known": table.known,
        "warnings": table.warnings,
    }


def _settings_state(settings: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The rows' settings as a table of the distinct ones and an index per row (None stays None)."""
    import orjson

    if settings is None:
        return {"settings_table": None, "settings_index": None}
    try:
        keys: list[Any] = list(map(orjson.dumps, settings))  # each dict's identity as written: 1, 1.0 and True are
        # equal in Python but not in JSON, and so is key order
    except TypeError:  # a value orjson cannot write (never in a validated table): every row its own entry
        keys = list(range(len(settings)))
    seen: dict[Any, int] = {}
    index = [seen.setdefault(k, len(seen)) for k in keys]
    # the codes number the distinct dicts in order of first appearance: the table holds each one's first row
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
    return {"settings_table": [settings[i] for i in sorted(first.values())], "settings_index": index}


def _shared_settings(state: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The per-row settings list back from :func:`_settings_state`: rows with the same settings share one dict
    (read-only by convention, as every row of the table is): 9.7 MB of a service worker's 37,000 dicts become ~1."""
    table, index = state["settings_table"], state["settings_index"]
    if table is None:
        return None
    if not isinstance(table, list) or not isinstance(index, list):
        raise TypeError("settings_table and settings_index must be lists")
    return [table[i] for i in index]


def rows_state(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Measurement rows as columns, each column of strings, dicts or None as a table of its distinct values and a
    code per row (the JSON parser would make one object per row of each: 229,000 strings for ~3,500 distinct, 37,000
    settings dicts for ~5,000), any other column as its values. Rows must share their keys, in order (validated
    Measurement dumps do); otherwise they are written as they are."""
    fields = list(rows[0]) if rows else []
    if any(list(r) != fields for r in rows):
        return {"rows": rows}
    columns: dict[str, Any] = {}
    for f, column in zip(fields, zip(*map(dict.values, rows)) if rows else ()):
        values = list(column)
        kinds = set(map(type, values))
        if kinds <= {str, type(None)}:  # str and None never compare equal: the values are their own keys
            table = list(dict.fromkeys(values))  # the distinct values in order of first appearance
            codes = list(map({v: i for i, v in enumerate(table)}.__getitem__, values))
            columns[f] = {"table": table, "codes": codes}
        elif kinds <= {dict, type(None)}:
            columns[f] = _settings_state(values)
        else:
            columns[f] = {"values": values}
    return {"fields": fields, "columns": columns, "n": len(rows)}


def rows_from_state(state: dict[str, Any], settings: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """:func:`rows_state` back into rows: equal strings and dicts are one object each, shared by the rows (read-only
    by convention, as every row is), and a row's settings the same dict as its entry of ``settings`` (the core's)."""
    if "rows" in state:
        return list(state["rows"])
    n = state["n"]
    cols = []
    for f in state["fields"]:
        col = state["columns"][f]
        if "table" in col:
            table = col["table"]
            values = [table[c] for c in col["codes"]]
        elif "settings_table" in col:
            values = _shared_settings(col)
            if f == "settings" and settings is not None and len(settings) == n:  # the core's dicts, where equal
                values = [a if a == b else b for a, b in zip(settings, values)]
        else:
            values = col["values"]
        if len(values) != n:
            raise ValueError("a measurement column of the wrong length")
        cols.append(values)
    fields = state["fields"]
    return [dict(zip(fields, vals)) for vals in zip(*cols)]


def _full_bytes(table: CatalogTable) -> bytes:
    """The entity tables as one JSON object; each list serialised in one pydantic-core call."""
    from pydantic import TypeAdapter

    from ..schema import Architecture, Checkpoint, Source

    parts = [b'{"sources":', TypeAdapter(list[Source]).dump_json(list(table.sources.values())),
             b',"architectures":', TypeAdapter(list[Architecture]).dump_json(list(table.architectures.values())),
             b',"checkpoints":', TypeAdapter(list[Checkpoint]).dump_json(list(table.checkpoints.values())),
             b',"measurements":', json_bytes(rows_state(table.measurements)), b"}"]
    return b"".join(parts)


def _full_loader(path: Path, settings: list[dict[str, Any]] | None) -> Callable[[], dict[str, Any]]:
    def load() -> dict[str, Any]:
        from ..schema import Architecture, Checkpoint, Source

        state = json_load(read_entry(path))
        measurements = rows_from_state(state["measurements"], settings)
        return {
            "sources": {s["id"]: Source.model_validate(s) for s in state["sources"]},
            "architectures": {a["id"]: Architecture.model_validate(a) for a in state["architectures"]},
            "checkpoints": {c["id"]: Checkpoint.model_validate(c) for c in state["checkpoints"]},
            "measurements": measurements,
        }

    return load


def cache_load(digest: str) -> CatalogTable | None:
    directory = entries_dir()
    if directory is None:
        return None
    npz, core, full = _paths(directory, digest)
    try:
        state = json_load(read_entry(core))
        if (not isinstance(state, dict) or state.get("format") != CACHE_FORMAT or state.get("digest") != digest
                or not _plausible_full(full, state.get("full_bytes"))):
            return None
        columns = npz_load(npz)
        from ..schema import Device

        devices = {d["id"]: Device.model_validate(d) for d in state["devices"]}
        settings = _shared_settings(state)
        table = CatalogTable.lazy(
            files=list(state["files"]), digest=digest, devices=devices,
            device_families=dict(state["device_families"]), columns=columns, strings=state["strings"],
            measurement_settings=settings, known=state["known"],
            warnings=list(state["warnings"]), suspects={int(i): str(reason) for i, reason in state["suspects"]},
            load_full=_full_loader(full, settings), full_source=str(full))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, zipfile.BadZipFile, EOFError,
            MemoryError, RecursionError):
        return None  # missing, corrupt or foreign: rebuild
    touch(core)
    return table


def _plausible_full(full: Path, size: Any) -> bool:
    """The lazily read entity tables look whole: a regular file (not a link) of the size the core recorded,
    framed as written. Checked at load, so that a damaged part is a miss, not an error on first use."""
    try:
        st = os.lstat(full)
        if not stat.S_ISREG(st.st_mode) or type(size) is not int or st.st_size != size:
            return False
        with open(full, "rb") as fh:
            head = fh.read(11)
            fh.seek(-1, os.SEEK_END)
            return head == b'{"sources":' and fh.read(1) == b"}"
    except OSError:
        return False


def cache_store(table: CatalogTable) -> None:
    directory = entries_dir()
    if directory is None:
        return
    npz, core, full = _paths(directory, table.digest)
    full_data = _full_bytes(table)
    # core last: a core file on disk implies the other two exist
    if (write_quietly(full, full_data) and write_quietly(npz, npz_bytes(table.columns))
            and write_quietly(core, json_bytes({**_core_state(table), "full_bytes": len(full_data)}))):
        evict(directory)


# ---------------------------------------------------------------------------
# Bounding the folder


def _entry(name: str) -> tuple[str, str] | None:
    """(kind, entry key) of a file this cache writes, or None for any other name."""
    if _OWN_TEMP.fullmatch(name):  # a temp file of an interrupted write: its own entry, evicted by age
        return ("tmp", name)
    m = _OWN_NAME.fullmatch(name)
    if m is None:
        return None
    for n in ("", "2", "3"):
        if m.group("kind" + n):
            return (m.group("kind" + n), m.group("key" + n))
    return None


def evict(directory: Path, keep: int = KEEP_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
    """Keep the newest ``keep`` entries of each kind within ``max_bytes``, and drop stale temp files; only in a
    folder carrying the cache's tag, and only regular files with the names the cache writes."""
    if not _tagged(directory):
        return
    try:
        listing = list(os.scandir(directory))
    except OSError:
        return
    groups: dict[tuple[str, str], list[tuple[os.DirEntry, os.stat_result]]] = {}
    doomed: list[os.DirEntry] = []
    now = time.time()
    for e in listing:
        kind = _entry(e.name)
        if kind is None:
            continue
        try:
            if not e.is_file(follow_symlinks=False):
                continue
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if kind[0] == "tmp":
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


__all__ = ["cache_dir", "entries_dir", "cache_load", "cache_store", "code_fingerprint", "evict", "CACHE_FORMAT"]
