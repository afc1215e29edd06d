"""Read and validate catalog files: find the embedded table, parse YAML into schema types, with errors that say where."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from ..errors import CatalogError
from ..schema import CatalogFile
from ._cache import CACHE_FORMAT, cache_dir, touch, write_quietly


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


class _NotTheSubset(Exception):
    """The text leaves the JSON-lines subset of YAML: parse it as YAML."""


def _yaml_float(text: str) -> float:
    # YAML 1.1 (PyYAML) reads a number as a float only with a dot and a signed exponent; JSON's 1e5 is a string there.
    mantissa, _, exponent = text.lower().partition("e")
    if "." not in mantissa or (exponent and exponent[0] not in "+-"):
        raise _NotTheSubset(text)
    return float(text)


#: Characters where JSON and PyYAML could read the same line differently: raw characters YAML refuses or
#: takes as line breaks, tabs and carriage returns, and escaped surrogates (JSON pairs them, PyYAML does not).
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
_HIGH_BYTES = bytes(range(0x80, 0x100))
_UNSAFE_CHARS = re.compile("[\x80-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]")
#: What could be a number with an exponent (a match inside a string, such as a commit hash, only costs speed).
_EXPONENT = re.compile(r"[0-9][eE][-+0-9]")
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.+))?")


def _unsafe(text: str) -> bool:
    # Removing printable ASCII leaves control bytes and whole UTF-8 sequences: a C loop, not a regex scan.
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_ASCII)
    if rest.translate(None, _HIGH_BYTES):
        return True  # a control character (tab, carriage return, ...)
    if _UNSAFE_CHARS.search(rest.decode("utf-8", "surrogatepass")):
        return True
    return "\\u" in text and bool(_SURROGATE_ESCAPE.search(text))


def _decoder(text: str):
    """orjson where no number has an exponent (every float then has a dot, as YAML needs); else the standard
    library's parser, which checks each float the way YAML reads it."""
    if _EXPONENT.search(text):
        return json.JSONDecoder(parse_float=_yaml_float).decode
    import orjson

    return orjson.loads


def parse_json_lines(text: str) -> dict[str, Any] | None:
    """The document, if ``text`` is written in the JSON-lines subset of YAML the build emits; else None.

    The subset: comment lines, top-level ``key: <JSON>``, and under a bare ``key:`` either ``- <JSON>``
    sequence items or ``  "name": <JSON>`` mapping entries, one per line. Every such line means the same
    to PyYAML and to the JSON parser (floats carry a dot and a signed exponent; see :data:`_UNSAFE`), so
    the result equals ``yaml.safe_load(text)`` -- about 50x faster. Anything else returns None at its
    first line, and the caller parses the whole file as YAML.
    """
    if _unsafe(text):
        return None
    doc: dict[str, Any] = {}
    items: dict[str, list[str]] = {}   # key -> its "- " lines (JSON values)
    entries: dict[str, list[str]] = {}  # key -> its '  "name": value' lines
    key: str | None = None
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        if line.startswith("- ") and key is not None and key not in entries:
            items.setdefault(key, []).append(line[2:])
        elif line.startswith('  "') and key is not None and key not in items:
            entries.setdefault(key, []).append(line[2:])
        else:
            m = _TOP_KEY.fullmatch(line)
            if m is None or m.group(1) in doc:
                return None
            key = m.group(1)
            doc[key] = m.group(2)  # None for a bare key: null unless lines follow, as in YAML
            if m.group(2) is not None:
                key = None
    try:
        for k, value in doc.items():
            if value is not None:
                doc[k] = _decoder(value)(value)
        # one decoder call per section (a JSON array or object of its lines), not one per line
        for k, lines in items.items():
            section = "[" + ",".join(lines) + "]"
            doc[k] = _decoder(section)(section)
        for k, lines in entries.items():
            section = "{" + ",".join(lines) + "}"
            mapping = _decoder(section)(section)
            if len(mapping) != len(lines):
                return None  # a repeated name: leave duplicate handling to YAML
            doc[k] = mapping
    except (ValueError, _NotTheSubset):
        return None
    return doc


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml

    if len(text) > _PROGRESS_BYTES:
        print(f"modelpick: parsing {path} ({len(text) / 2**20:.0f} MB of YAML; the result is cached)...",
              file=sys.stderr, flush=True)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CatalogError([f"{path}: {where}: not valid YAML: {problem}"]) from None


#: Inputs above this size announce themselves on stderr before slow work (YAML parsing, a first index).
_PROGRESS_BYTES = 1 << 20


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # strict: YAML would otherwise guess UTF-16 from stray bytes
    except UnicodeDecodeError as exc:
        raise CatalogError([f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})"]) from None


def _read_file(path: Path, raw: bytes, text: str | None = None, doc: Any = None) -> CatalogFile:
    from pydantic import ValidationError

    if doc is None:
        text = _decode(path, raw) if text is None else text
        doc = parse_json_lines(text)
        if doc is None:
            doc = _parse_yaml(path, text)
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
    text = _decode(path, raw)
    doc = parse_json_lines(text)
    # A large file in full YAML (a user's own big table) also gets a disk cache of its validated parse,
    # keyed by content, as JSON: reading that back takes a fraction of a second where YAML takes many.
    directory = cache_dir() if doc is None and len(raw) > _FILE_CACHE_MIN_BYTES else None
    disk = directory / f"file-{CACHE_FORMAT}-{digest.hex()}.json" if directory else None
    if disk is not None:
        try:
            hit = CatalogFile.model_validate_json(disk.read_bytes())
            touch(disk)
        except (OSError, ValueError):
            hit = None
    if hit is None:
        hit = _read_file(path, raw, text, doc)
        if disk is not None:
            write_quietly(disk, hit.model_dump_json().encode())
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
