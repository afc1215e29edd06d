"""Load a catalog table: the embedded table merged with user files, through the process memo and the disk cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Sequence

from ..errors import CatalogError
from ..schema import CatalogFile
from ._cache import CACHE_FORMAT, cache_load, cache_store, code_fingerprint
from ._columns import build_columns
from ._files import embedded_table_path, env_data_paths, read_file_cached
from ._merge import merge_files
from ._table import CatalogTable

_MEMO: dict[str, CatalogTable] = {}


def load_table(*paths: str | os.PathLike[str], embedded: bool = True, use_env: bool = True) -> CatalogTable:
    """The embedded table merged with user files (and ``MODELPICK_DATA`` files), as one table.

    Raises :class:`CatalogError` with 'file: place: problem' lines on bad input.
    """
    all_paths: list[Path] = []
    if embedded:
        all_paths.append(embedded_table_path())
    if use_env:
        all_paths.extend(env_data_paths())
    all_paths.extend(Path(p) for p in paths)
    blobs: list[tuple[Path, bytes]] = []
    seen: set[Path] = set()
    for p in all_paths:
        try:
            resolved = p.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            blobs.append((p, p.read_bytes()))
        except IsADirectoryError:
            raise CatalogError([f"{p}: is a directory, expected a YAML file"]) from None
        except OSError as exc:
            raise CatalogError([f"{p}: cannot read: {exc.strerror or exc}"]) from None
    h = hashlib.sha256(f"modelpick-cache-{CACHE_FORMAT}".encode() + code_fingerprint())
    for p, raw in blobs:
        h.update(str(p).encode() + b"\0" + hashlib.sha256(raw).digest())
    digest = h.hexdigest()
    if digest in _MEMO:
        return _MEMO[digest]
    merged = cache_load(digest)
    if merged is None:
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
    if len(_MEMO) > 16:
        _MEMO.clear()
    _MEMO[digest] = merged
    return merged


def validate_files(paths: Sequence[str | os.PathLike[str]], *, with_embedded: bool = True) -> list[str]:
    """Validate files (merged with the embedded table so references resolve). Returns error lines."""
    try:
        load_table(*paths, embedded=with_embedded, use_env=False)
    except CatalogError as exc:
        return exc.errors
    return []
