"""Load a catalog table: the embedded table merged with user files, through the process memo and the disk cache."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import sys
import warnings
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import CatalogError, CatalogWarning, InvalidQuery
from ..schema import CatalogFile
from ._cache import CACHE_FORMAT, cache_load, cache_store, code_fingerprint
from ._columns import build_columns
from ._files import _PROGRESS_BYTES, embedded_table_path, env_data_paths, read_bounded, read_file_cached
from ._merge import merge_files
from ._table import CatalogTable

_MEMO: dict[str, CatalogTable] = {}
#: File identities (path, device, inode, size, mtime, ctime) of a load -> its digest, so that a repeated
#: load (``modelpick.best()`` in a loop) stats the files instead of reading and hashing 11 MB each time.
_IDENTITY: dict[tuple, str] = {}


def _identity(paths: list[Path]) -> tuple | None:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            return None  # let the read report it
        # the path as given (its digest includes it), and the file it names by device and inode
        out.append((os.fspath(p), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


def load_table(*paths: str | os.PathLike[str], embedded: bool = True, use_env: bool = True) -> CatalogTable:
    """The embedded table merged with user files (and ``MODELPICK_DATA`` files), as one table.

    Raises :class:`CatalogError` with 'file: place: problem' lines on bad input. Within a process, files
    whose identity (path, inode, size, modification and change times) is unchanged are not read again.
    """
    all_paths: list[Path] = []
    if embedded:
        all_paths.append(embedded_table_path())
    if use_env:
        all_paths.extend(env_data_paths())
    for p in paths:
        if not isinstance(p, (str, os.PathLike)) or isinstance(os.fspath(p), bytes):
            raise InvalidQuery("path", p, f"not a catalog file path: expected a str or os.PathLike, got "
                                          f"{type(p).__name__}")
        all_paths.append(Path(p))
    identity = _identity(all_paths)
    digest = _IDENTITY.get(identity) if identity is not None else None
    if digest is not None and digest in _MEMO:
        return _MEMO[digest]
    blobs: list[tuple[Path, bytes]] = []
    seen: set[str] = set()
    for p in all_paths:
        raw = read_bounded(p)  # a clear CatalogError for a missing, special, looping, huge or unusable path
        resolved = os.path.realpath(p)  # never raises on a symlink loop (Path.resolve does)
        if resolved in seen:
            continue
        seen.add(resolved)
        blobs.append((p, raw))
    h = hashlib.sha256(f"modelpick-cache-{CACHE_FORMAT}".encode() + code_fingerprint())
    for p, raw in blobs:
        h.update(str(p).encode() + b"\0" + hashlib.sha256(raw).digest())
    digest = h.hexdigest()
    table = _MEMO.get(digest)
    if table is None:
        table = _load(blobs, digest)
        for line in table.warnings:  # once per table and process: memo hits return without them
            warnings.warn(line, CatalogWarning, stacklevel=2)
        if len(_MEMO) >= 16:
            _MEMO.clear()
            _IDENTITY.clear()
        _MEMO[digest] = table
    if identity is not None and identity == _identity(all_paths):  # unchanged while it was read
        if len(_IDENTITY) > 64:
            _IDENTITY.clear()
        _IDENTITY[identity] = digest
    return table


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a table is read: the read allocates about a million containers
    (rows, their settings, parsed JSON) and frees none of them, so the collections it would trigger (four full
    ones on the embedded table) only re-walk live objects: about 0.25 s of a first run's CPU. Unreachable cycles,
    if any, are collected by the next collection after it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load(blobs: list[tuple[Path, bytes]], digest: str) -> CatalogTable:
    with _gc_paused():
        return _load_now(blobs, digest)


def _load_now(blobs: list[tuple[Path, bytes]], digest: str) -> CatalogTable:
    merged = cache_load(digest)
    if merged is not None:
        return merged
    size = sum(len(raw) for _, raw in blobs)
    if size > _PROGRESS_BYTES:
        print(f"modelpick: indexing {size / 2**20:.0f} MB of catalog data (first use of these files; cached "
              "for later runs)...", file=sys.stderr, flush=True)
    files: list[tuple[Path, CatalogFile]] = []
    errors: list[str] = []
    for p, raw in blobs:
        try:
            files.append((p, read_file_cached(p, raw)))
        except CatalogError as exc:
            errors.extend(exc.errors)
    if errors:
        raise CatalogError(errors)
    merged = merge_files(files, digest)
    build_columns(merged)
    cache_store(merged)
    return merged


def validate_files(paths: Sequence[str | os.PathLike[str]], *, with_embedded: bool = True) -> list[str]:
    """Validate files (merged with the embedded table so references resolve). Returns error lines."""
    return check_files(paths, with_embedded=with_embedded)[0]


def check_files(paths: Sequence[str | os.PathLike[str]], *, with_embedded: bool = True) -> tuple[list[str], list[str]]:
    """Validate files as :func:`validate_files` does; returns (error lines, warning lines)."""
    if isinstance(paths, (str, bytes, os.PathLike)) or not hasattr(paths, "__iter__"):
        raise InvalidQuery("paths", paths, "must be a list of file paths, e.g. ['my.yaml']")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CatalogWarning)
            table = load_table(*paths, embedded=with_embedded, use_env=False)
    except CatalogError as exc:
        return exc.errors, []
    return [], list(table.warnings)
