"""Read and validate catalog files: find the embedded table, parse YAML into schema types, with errors that say where."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from ..errors import CatalogError
from ..schema import CatalogFile
from ._cache import CACHE_FORMAT, atomic_pickle, cache_dir


def embedded_table_path() -> Path:
    """The curated table shipped with modelpick."""
    here = Path(__file__).resolve().parent.parent
    candidates = [here.parent / "data" / "benchmarks.yaml", Path(sys.prefix) / "share" / "modelpick" / "benchmarks.yaml"]
    for path in candidates:
        if path.is_file():
            return path
    raise CatalogError([f"embedded table not found; looked in {', '.join(map(str, candidates))}"])


def env_data_paths() -> list[Path]:
    raw = os.environ.get("MODELPICK_DATA", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _describe_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _read_file(path: Path, raw: bytes) -> CatalogFile:
    import yaml
    from pydantic import ValidationError

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = raw.decode("utf-8-sig")  # strict: YAML would otherwise guess UTF-16 from stray bytes
    except UnicodeDecodeError as exc:
        raise CatalogError([f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})"]) from None
    try:
        doc = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CatalogError([f"{path}: {where}: not valid YAML: {problem}"]) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise CatalogError([f"{path}: top level must be a mapping with sources/devices/architectures/checkpoints/measurements, got {type(doc).__name__}"])
    try:
        return CatalogFile.model_validate(doc)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            loc = _format_loc(tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field (check the spelling)"
            elif err["type"] == "missing":
                msg = "required field is missing"
            else:
                msg += f", got {_describe_input(err.get('input'))}" if "got" not in msg else ""
            lines.append(f"{path}: {loc}: {msg}")
        raise CatalogError(lines) from None


_PARSED: dict[tuple[str, bytes], CatalogFile] = {}


def read_file_cached(path: Path, raw: bytes) -> CatalogFile:
    """Parse each file once per process and content, so merging a small user file with the embedded
    table does not re-parse the embedded table."""
    digest = hashlib.sha256(raw).digest()
    key = (str(path), digest)
    hit = _PARSED.get(key)
    if hit is not None:
        return hit
    # Large files (the embedded table) also get a disk cache of their validated parse, keyed by content:
    # unpickling takes well under a second where YAML parsing takes many seconds.
    directory = cache_dir() if len(raw) > _FILE_CACHE_MIN_BYTES else None
    disk = directory / f"file-{CACHE_FORMAT}-{digest.hex()}.pickle" if directory else None
    if disk is not None:
        try:
            with open(disk, "rb") as fh:
                hit = pickle.load(fh)
            if not isinstance(hit, CatalogFile):
                hit = None
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            hit = None
    if hit is None:
        hit = _read_file(path, raw)
        if disk is not None:
            atomic_pickle(hit, disk)
    if len(_PARSED) > 32:
        _PARSED.clear()
    _PARSED[key] = hit
    return hit


_FILE_CACHE_MIN_BYTES = 256 * 1024


def read_catalog_file(path: str | os.PathLike[str]) -> CatalogFile:
    """Validate one file on its own (references to other files are not checked)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CatalogError([f"{p}: cannot read: {exc.strerror or exc}"]) from None
    return _read_file(p, raw)
