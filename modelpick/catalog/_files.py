"""Read and validate catalog files: find the embedded table, parse YAML into schema types, with errors that say where."""

from __future__ import annotations

import hashlib
import json
import os
import re
import reprlib
import sys
from pathlib import Path
from typing import Any

from .._excerpt import excerpt
from .._fileio import FileReadError, max_file_bytes, read_input
from ..errors import CatalogError
from ..schema import CatalogFile
from ._cache import CACHE_FORMAT, entries_dir, read_entry, touch, write_quietly
from ._trusted import embedded_table_path, is_certified, trusted_file


def env_data_paths() -> list[Path]:
    raw = os.environ.get("MODELPICK_DATA", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


#: A field name in an error's location is quoted as written up to this length; a longer one (or one that is not
#: a plain name) is a cut excerpt: a key is text from the file, maybe a whole line of a file that is no catalog.
_NAME_CHARS = 40
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.+-]*")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = str(part)
            if len(name) > _NAME_CHARS or not _PLAIN_NAME.fullmatch(name):
                name = excerpt(name, _NAME_CHARS)
            out += ("." if out else "") + name
    return out or "(top level)"


#: Nodes that YAML aliases may add to a document beyond those written in it (an alias "bomb" of 600
#: bytes expands to billions). Anchors for shared settings stay well within this.
MAX_ALIAS_EXPANSION = 100_000

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 40, 40


def _describe_input(value: Any) -> str:
    """A short description of any value: cut while it is written, never after (a value may be huge)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose repr fails still gets described
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def read_bounded(path: Path) -> bytes:
    """A catalog file's bytes: a regular file of at most :func:`max_file_bytes`; anything else is a
    :class:`CatalogError` naming the file (a FIFO, ``/dev/zero`` or a symlink loop never blocks or crashes)."""
    try:
        return read_input(path, what="YAML file")
    except FileReadError as exc:
        raise CatalogError([str(exc)]) from None


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


#: Digits to D, e/E to E, signs to S, every other byte to '.': ``_EXPONENT``'s match is then a 'DED' or 'DES' found by
#: bytes.find (a C substring search; the regex's character classes cost ~30 ns per character on 13 MB).
_EXPONENT_TABLE = bytes(b"D"[0] if chr(i).isdigit() and i < 128 else b"E"[0] if i in b"eE" else b"S"[0] if i in b"+-"
                        else b"."[0] for i in range(256))


def _has_exponent(text: str) -> bool:
    """``_EXPONENT.search(text)``, faster (the same answer: a digit, then e or E, then a digit or sign)."""
    data = text.encode("utf-8", "surrogatepass").translate(_EXPONENT_TABLE)
    return data.find(b"DED") >= 0 or data.find(b"DES") >= 0


def _decoder(text: str):
    """orjson where no number has an exponent (every float then has a dot, as YAML needs); else the standard
    library's parser, which checks each float the way YAML reads it."""
    if _has_exponent(text):
        return json.JSONDecoder(parse_float=_yaml_float).decode
    import orjson

    return orjson.loads


def parse_json_lines(text: str, *, recheck: bool = True) -> dict[str, Any] | None:
    """The document, if ``text`` is written in the JSON-lines subset of YAML the build emits; else None.

    The subset: comment lines, top-level ``key: <JSON>``, and under a bare ``key:`` either ``- <JSON>``
    sequence items or ``  "name": <JSON>`` mapping entries, one per line. Every such line means the same
    to PyYAML and to the JSON parser (floats carry a dot and a signed exponent; see :data:`_UNSAFE`), so
    the result equals ``yaml.safe_load(text)`` -- about 50x faster. Anything else returns None at its
    first line, and the caller parses the whole file as YAML. ``recheck=False`` leaves out the checks for
    characters and repeated keys, for a text the build has already parsed with them (a certified table).
    """
    if recheck and _unsafe(text):
        return None
    doc: dict[str, Any] = {}
    items: dict[str, list[str]] = {}   # key -> its "- " lines (JSON values)
    entries: dict[str, list[str]] = {}  # key -> its '  "name": value' lines
    key: str | None = None
    lines = text.split("\n")
    # Nearly every line is a sequence item ("- "), and a run of them changes no state: the loop visits the other
    # lines one by one and takes each run of items whole (the same rules as line by line, at list speed).
    others = [i for i, line in enumerate(lines) if not line.startswith("- ")]
    others.append(len(lines))
    after = 0  # the first line not yet taken
    for i in others:
        if i > after:  # lines[after:i] are all items
            if key is None or key in entries:
                return None  # an item outside a bare key's block, or among mapping entries: not the subset
            items.setdefault(key, []).extend([line[2:] for line in lines[after:i]])
        after = i + 1
        if i == len(lines):
            break
        line = lines[i]
        if not line or line.startswith("#"):
            continue
        if line.startswith('  "') and key is not None and key not in items:
            entries.setdefault(key, []).append(line[2:])
        else:
            m = _TOP_KEY.fullmatch(line)
            if m is None or m.group(1) in doc:
                return None
            key = m.group(1)
            doc[key] = m.group(2)  # None for a bare key: null unless lines follow, as in YAML
            if m.group(2) is not None:
                key = None
    sections: list[str] = []
    try:
        for k, value in doc.items():
            if value is not None:
                sections.append(value)
                doc[k] = _decoder(value)(value)
        # one decoder call per section (a JSON array or object of its lines), not one per line
        for k, lines in items.items():
            section = "[" + ",".join(lines) + "]"
            sections.append(section)
            doc[k] = _decoder(section)(section)
        for k, lines in entries.items():
            section = "{" + ",".join(lines) + "}"
            mapping = _decoder(section)(section)
            if len(mapping) != len(lines):
                return None  # a repeated name: leave duplicate handling to YAML
            doc[k] = mapping
    except (ValueError, _NotTheSubset):
        return None
    # The JSON parser keeps the last of a repeated key silently, where the YAML path reports it. Each key in
    # this subset is written '"name":'; when the parsed keys are fewer than that count (a repeat, or only a
    # string holding '":'), the sections are decoded again watching for repeats, and a repeat goes to YAML.
    if recheck and _key_count(doc) != text.count('":') - text.count('\\":') and _has_repeated_key(sections):
        return None
    return doc


def _key_count(doc: dict[str, Any]) -> int:
    """The keys of every mapping below the top level of ``doc``, where the text could hold more (a repeated key,
    which the JSON parser keeps once). Counted on orjson's compact re-serialisation of each top-level value: there
    every '":' not after a backslash ends a key (a quote inside a string is always escaped), so where no string holds
    an escaped quote before a colon, the count is exact; otherwise (or for what orjson cannot write) by a walk."""
    import orjson

    n = 0
    for v in doc.values():
        if type(v) not in (dict, list):
            continue
        try:
            data = orjson.dumps(v)
        except (TypeError, orjson.JSONEncodeError):
            return _key_count_walk(doc)
        if b'\\":' in data:
            return _key_count_walk(doc)
        n += data.count(b'":')
    return n


class _RepeatedKey(Exception):
    pass


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _RepeatedKey
    return out


def _has_repeated_key(sections: list[str]) -> bool:
    decoder = json.JSONDecoder(object_pairs_hook=_no_repeats)
    try:
        for section in sections:
            decoder.decode(section)
    except _RepeatedKey:
        return True
    except ValueError:
        return False
    return False


def _key_count_walk(doc: dict[str, Any]) -> int:
    n, stack = 0, [v for v in doc.values() if type(v) in (dict, list)]
    while stack:
        x = stack.pop()
        if type(x) is dict:
            n += len(x)
            stack.extend(y for y in x.values() if type(y) in (dict, list))
        else:
            stack.extend(y for y in x if type(y) in (dict, list))
    return n


def _node_problems(path: Path, root: Any) -> list[str]:
    """Duplicate keys and alias expansion in a composed YAML document, without constructing it.

    Sizes are counted over the node graph with memoisation, so an alias bomb costs its written size;
    a mapping whose key repeats would otherwise keep the last value silently.
    """
    from yaml.nodes import MappingNode, ScalarNode

    errors: list[str] = []
    size: dict[int, int] = {}  # expanded size of each collection node
    unique = 0
    on_stack: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)] if not isinstance(root, ScalarNode) else []
    merge_tag = "tag:yaml.org,2002:merge"

    def recursive(node: Any) -> list[str]:
        return [f"{path}: line {node.start_mark.line + 1}: a recursive alias (a value that contains itself)"]

    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_stack.discard(nid)
            total = 1
            for child in (n for kv in node.value for n in kv) if isinstance(node, MappingNode) else node.value:
                total += 1 if isinstance(child, ScalarNode) else size[id(child)]
            size[nid] = total
            continue
        if nid in size:
            continue
        if nid in on_stack:
            return recursive(node)
        if isinstance(node, MappingNode):
            children = [n for kv in node.value for n in kv]
            keys = [k.value for k, _ in node.value if isinstance(k, ScalarNode) and k.tag != merge_tag]
            if len(set(keys)) < len(keys):  # a repeated key: say which, and where
                lines: dict[str, int] = {}
                for key, _ in node.value:
                    if isinstance(key, ScalarNode) and key.tag != merge_tag:
                        if key.value in lines:
                            errors.append(f"{path}: line {key.start_mark.line + 1}: duplicate key {excerpt(key.value)} "
                                          f"in one mapping (first at line {lines[key.value] + 1}); YAML would keep "
                                          f"the last value silently")
                        else:
                            lines[key.value] = key.start_mark.line
        else:
            children = node.value
        unique += 1 + sum(1 for c in children if isinstance(c, ScalarNode))
        on_stack.add(nid)
        stack.append((node, True))
        for child in children:
            if isinstance(child, ScalarNode):
                continue
            if id(child) in on_stack:
                return recursive(child)
            if id(child) not in size:
                stack.append((child, False))
    added = size.get(id(root), 1) - max(unique, 1)
    if added > MAX_ALIAS_EXPANSION:
        errors.append(f"{path}: YAML aliases expand the document by {added:,} values beyond the {unique:,} written; "
                      f"at most {MAX_ALIAS_EXPANSION:,} are accepted (an alias bomb?)")
    return errors


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml

    if len(text) > _PROGRESS_BYTES:
        print(f"modelpick: parsing {path} ({len(text) / 2**20:.0f} MB of YAML; the result is cached)...",
              file=sys.stderr, flush=True)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problems = _node_problems(path, node)  # before constructing: an alias bomb is never expanded
        if problems:
            raise CatalogError(problems)
        return loader.construct_document(node)
    except RecursionError:
        raise CatalogError([f"{path}: nested too deeply to read"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CatalogError([f"{path}: {where}: not valid YAML: {problem}"]) from None
    finally:
        loader.dispose()


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
    if doc and not doc.keys() & CatalogFile.model_fields.keys():
        # nothing of a catalog at its top level: a misspelt section, or some other file (/etc/shadow ...) whose
        # keys are its lines: name the keys that look like field names, none of the others
        names = [k for k in doc if isinstance(k, str) and _FIELD_NAME.fullmatch(k)]
        others = len(doc) - len(names)
        lines = [f"{path}: {name}: unknown field (check the spelling)" for name in names]
        if others:
            lines.append(f"{path}: not a modelpick catalog file: its top level has none of "
                         f"{', '.join(CatalogFile.model_fields)} ({others} other key(s), not shown)")
        raise CatalogError(lines)
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
    if is_certified(path, digest):  # the embedded table the build validated: its rows are read, not re-validated
        doc = parse_json_lines(text, recheck=False)
        hit = trusted_file(doc) if doc is not None else None
    if hit is None:
        hit = _read_cached(path, raw, text, digest)
    if len(_PARSED) > 32:
        _PARSED.clear()
    _PARSED[key] = hit
    return hit


def _read_cached(path: Path, raw: bytes, text: str, digest: bytes) -> CatalogFile:
    doc = parse_json_lines(text)
    # A large file in full YAML (a user's own big table) also gets a disk cache of its validated parse,
    # keyed by content, as JSON: reading that back takes a fraction of a second where YAML takes many.
    directory = entries_dir() if doc is None and len(raw) > _FILE_CACHE_MIN_BYTES else None
    disk = directory / f"file-{CACHE_FORMAT}-{digest.hex()}.json" if directory else None
    hit = None
    if disk is not None:
        try:
            hit = CatalogFile.model_validate_json(read_entry(disk))
            touch(disk)
        except (OSError, ValueError):
            hit = None
    if hit is None:
        hit = _read_file(path, raw, text, doc)
        if disk is not None:
            write_quietly(disk, hit.model_dump_json().encode())
    return hit


_FILE_CACHE_MIN_BYTES = 256 * 1024


def read_catalog_file(path: str | os.PathLike[str]) -> CatalogFile:
    """Validate one file on its own (references to other files are not checked)."""
    p = Path(path)
    return _read_file(p, read_bounded(p))
