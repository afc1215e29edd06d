"""Load, validate and merge catalog YAML files into columnar numpy arrays.

The embedded table (``data/benchmarks.yaml``) is merged with user files given
to :func:`load_catalog`, listed in ``MODELPICK_DATA`` (an ``os.pathsep``-separated
path list) or passed with ``--data`` on the command line.

Validated, joined catalogs are cached on disk keyed by the sha256 of the file
contents (``MODELPICK_CACHE_DIR``, default ``~/.cache/modelpick``; set
``MODELPICK_CACHE=0`` to disable), so a cold process does not re-parse YAML.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import pickle
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .errors import CatalogError
from .schema import Architecture, CatalogFile, Checkpoint, Device, Source

#: Bump when the cached structure changes.
_CACHE_FORMAT = 5

QUANTIZED_PRECISIONS = frozenset({"int8", "uint8", "w8a8", "w8a16", "w8a8-mixed-int16", "w8a16-mixed-int16", "int4"})


def accuracy_applies(ck_precision: str, ck_source: str, run_precision: str, run_source: str | None) -> bool:
    """Whether a checkpoint's accuracy holds for a latency cell run at ``run_precision``.

    Float weights pair with any float run (fp32, fp16, ...). Quantization changes accuracy and every toolchain
    quantizes its own way, so quantized weights pair only with a run of the same quantized model: same source,
    same 8-bit scheme. A predicted cell has no source, so it never pairs with quantized weights.
    """
    q_ck, q_run = ck_precision in QUANTIZED_PRECISIONS, run_precision in QUANTIZED_PRECISIONS
    if q_ck != q_run:
        return False
    if not q_ck:
        return True
    same_scheme = ck_precision == run_precision or {ck_precision, run_precision} <= {"int8", "w8a8", "uint8"}
    return ck_source == run_source and same_scheme


def embedded_table_path() -> Path:
    """The curated table shipped with modelpick."""
    here = Path(__file__).resolve().parent
    candidates = [here.parent / "data" / "benchmarks.yaml", Path(sys.prefix) / "share" / "modelpick" / "benchmarks.yaml"]
    for path in candidates:
        if path.is_file():
            return path
    raise CatalogError([f"embedded table not found; looked in {', '.join(map(str, candidates))}"])


def env_data_paths() -> list[Path]:
    raw = os.environ.get("MODELPICK_DATA", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def natural_key(text: str) -> list[Any]:
    """Sort 'resnet101' after 'resnet50' (timm's natural sort)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


def normalize_name(name: str) -> str:
    return re.sub(r"[\s_]+", "-", str(name).strip().lower())


def match_patterns(names: Iterable[str], include: str | Sequence[str] | None, exclude: str | Sequence[str] | None = None) -> list[str]:
    """fnmatch include/exclude filters (case-insensitive), naturally sorted, as timm.list_models does.

    A pattern without wildcards matches as a substring.
    """

    def as_list(p: str | Sequence[str] | None) -> list[str]:
        if p is None:
            return []
        pats = [p] if isinstance(p, str) else list(p)
        return [x.lower() if any(c in x for c in "*?[") else f"*{x.lower()}*" for x in pats]

    inc, exc = as_list(include), as_list(exclude)
    out = []
    for name in names:
        low = name.lower()
        if inc and not any(fnmatch.fnmatchcase(low, p) for p in inc):
            continue
        if any(fnmatch.fnmatchcase(low, p) for p in exc):
            continue
        out.append(name)
    return sorted(out, key=natural_key)


# ---------------------------------------------------------------------------
# Reading and validating files


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


def _read_file_cached(path: Path, raw: bytes) -> CatalogFile:
    """Parse each file once per process and content, so merging a small user file with the embedded
    table does not re-parse the embedded table."""
    digest = hashlib.sha256(raw).digest()
    key = (str(path), digest)
    hit = _PARSED.get(key)
    if hit is not None:
        return hit
    # Large files (the embedded table) also get a disk cache of their validated parse, keyed by content:
    # unpickling takes well under a second where YAML parsing takes many seconds.
    directory = _cache_dir() if len(raw) > _FILE_CACHE_MIN_BYTES else None
    disk = directory / f"file-{_CACHE_FORMAT}-{digest.hex()}.pickle" if directory else None
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
            _atomic_pickle(hit, disk)
    if len(_PARSED) > 32:
        _PARSED.clear()
    _PARSED[key] = hit
    return hit


_FILE_CACHE_MIN_BYTES = 256 * 1024


def _atomic_pickle(obj: Any, target: Path) -> None:
    from ._fileio import write_atomic

    try:
        write_atomic(target, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only cache folder must not break queries


# ---------------------------------------------------------------------------
# The merged catalog


_FULL_FIELDS = ("sources", "architectures", "checkpoints", "measurements")


@dataclass
class _Merged:
    """The merged catalog. The cache stores it in two parts: a small core (what a query needs: devices,
    candidate columns, settings) and the full entity tables, loaded on first access, so that a cold
    `modelpick best` process does not unpickle 30,000 measurement rows it never reads."""

    files: list[str]
    digest: str
    sources: dict[str, Source]
    devices: dict[str, Device]
    device_families: dict[str, str]
    architectures: dict[str, Architecture]
    checkpoints: dict[str, Checkpoint]
    measurements: list[dict[str, Any]]  # validated Measurement dumps, canonical ids
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    strings: dict[str, list[str]] = field(default_factory=dict)
    #: Per measurement row: its settings dict (kept in the core for answers).
    measurement_settings: list[dict[str, Any]] | None = None
    #: Every runtime and precision token in the measurements, and lowercase architecture name -> id.
    known: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _FULL_FIELDS and k != "_full_path"}

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes missing from __dict__: the lazily loaded full tables.
        state = self.__dict__
        if name in _FULL_FIELDS and "_full_path" in state:
            try:
                with open(state["_full_path"], "rb") as fh:
                    full = pickle.load(fh)
            except (OSError, pickle.PickleError, EOFError) as exc:
                raise CatalogError([f"catalog cache {state['_full_path']} is unreadable ({exc}); "
                                    "delete the cache folder or set MODELPICK_CACHE=0"]) from None
            state.update({k: full[k] for k in _FULL_FIELDS})
            del state["_full_path"]
            return state[name]
        raise AttributeError(name)


def _close(name: str, known: dict[str, str]) -> str:
    import difflib

    hits = difflib.get_close_matches(name.lower(), list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(sorted({known[h] for h in hits}))}?)" if hits else ""


def _merge(files: list[tuple[Path, CatalogFile]], digest: str) -> _Merged:
    errors: list[str] = []
    sources: dict[str, Source] = {}
    devices: dict[str, Device] = {}
    archs: dict[str, Architecture] = {}
    ckpts: dict[str, Checkpoint] = {}
    families: dict[str, str] = {}
    origin: dict[tuple[str, str], str] = {}

    def add(kind: str, table: dict, item: Any, path: Path, index: int) -> None:
        key = (kind, item.id)
        if item.id in table:
            errors.append(f"{path}: {kind}[{index}].id: duplicate id {item.id!r} (already defined in {origin[key]})")
            return
        table[item.id] = item
        origin[key] = f"{path}: {kind}[{index}]"

    for path, cf in files:
        for i, s in enumerate(cf.sources):
            add("sources", sources, s, path, i)
        for i, d in enumerate(cf.devices):
            add("devices", devices, d, path, i)
        for i, a in enumerate(cf.architectures):
            add("architectures", archs, a, path, i)
        for i, c in enumerate(cf.checkpoints):
            add("checkpoints", ckpts, c, path, i)
        for fam, dev in cf.device_families.items():
            if fam in families and families[fam] != dev:
                errors.append(f"{path}: device_families.{fam}: {dev!r} conflicts with {families[fam]!r} set earlier")
            families[fam] = dev
            origin[("device_families", fam)] = str(path)

    # Name lookup tables; aliases must not collide.
    device_names: dict[str, str] = {}
    for d in devices.values():
        for name in [d.id, *d.aliases]:
            key = normalize_name(name)
            if device_names.get(key, d.id) != d.id:
                errors.append(f"{origin[('devices', d.id)]}.aliases: alias {name!r} of {d.id!r} is already used by "
                              f"{device_names[key]!r} ({origin[('devices', device_names[key])]})")
            device_names.setdefault(key, d.id)
    arch_names: dict[str, str] = {}
    for a in archs.values():
        arch_names.setdefault(a.id.lower(), a.id)
    for a in archs.values():
        for name in a.aliases:
            arch_names.setdefault(name.lower(), a.id)

    for fam, dev in families.items():
        if dev not in devices:
            errors.append(f"{origin[('device_families', fam)]}: device_families.{fam}: unknown device {dev!r}")

    def check_source(where: str, sid: str | None) -> None:
        if sid is not None and sid not in sources:
            errors.append(f"{where}: unknown source {sid!r}")

    for a in archs.values():
        for fld, sid in a.sources.items():
            check_source(f"{origin[('architectures', a.id)]}.sources.{fld}", sid)
    for d in devices.values():
        check_source(f"{origin[('devices', d.id)]}.source", d.source)

    for path, cf in files:
        for i, c in enumerate(cf.checkpoints):
            where = f"{path}: checkpoints[{i}]"
            check_source(where + ".source", c.source)
            canon = arch_names.get(c.architecture.lower())
            if canon is None:
                errors.append(f"{where}.architecture: unknown architecture {c.architecture!r}{_close(c.architecture, arch_names)}")
            elif canon != c.architecture:
                ckpts[c.id] = c.model_copy(update={"architecture": canon})

    measurements: list[dict[str, Any]] = []
    for path, cf in files:
        for i, m in enumerate(cf.measurements):
            where = f"{path}: measurements[{i}]"
            row = m.model_dump()
            canon = arch_names.get(m.architecture.lower())
            if canon is None:
                errors.append(f"{where}.architecture: unknown architecture {m.architecture!r}{_close(m.architecture, arch_names)}")
            row["architecture"] = canon
            dev = device_names.get(normalize_name(m.device))
            if dev is None:
                errors.append(f"{where}.device: unknown device {m.device!r}{_close(normalize_name(m.device), device_names)}")
            row["device"] = dev
            if m.source not in sources:
                errors.append(f"{where}.source: unknown source {m.source!r}")
            row["per_image_latency_ms"] = m.per_image_latency_ms
            measurements.append(row)

    if errors:
        raise CatalogError(errors)
    return _Merged(
        files=[str(p) for p, _ in files],
        digest=digest,
        sources=sources,
        devices=devices,
        device_families=families,
        architectures=archs,
        checkpoints=ckpts,
        measurements=measurements,
    )


def _build_columns(merged: _Merged) -> None:
    """Join checkpoints with measurements on (architecture, input_size) into numpy columns."""
    from .estimate import estimate_memory_mb, fit_memory_groups

    ckpt_ids = sorted(merged.checkpoints, key=natural_key)
    ckpt_index = {cid: i for i, cid in enumerate(ckpt_ids)}
    by_cell: dict[tuple[str, int], list[int]] = {}
    for cid in ckpt_ids:
        c = merged.checkpoints[cid]
        by_cell.setdefault((c.architecture, c.input_size), []).append(ckpt_index[cid])

    # Groups with enough measured memory estimate the rest from their own fit (Bianco Fig. 4).
    memory_fits = fit_memory_groups(merged.measurements, merged.architectures)
    # Memory-only rows lend their memory to latency rows of the same cell.
    memory_only: dict[tuple, int] = {}
    for j, m in enumerate(merged.measurements):
        if m["per_image_latency_ms"] is None and m["memory_mb"] is not None:
            key = (m["architecture"], m["input_size"], m["device"], m["runtime"], m["precision"], m["batch_size"])
            prev = memory_only.get(key)
            if prev is None or merged.measurements[prev]["memory_mb"] < m["memory_mb"]:
                memory_only[key] = j

    strings: dict[str, list[str]] = {"checkpoint": ckpt_ids}
    interned: dict[str, dict[str, int]] = {}

    def intern(kind: str, value: str | None) -> int:
        table = interned.setdefault(kind, {})
        if value not in table:
            table[value] = len(table)
            strings.setdefault(kind, []).append(value)
        return table[value]

    cols: dict[str, list] = {k: [] for k in (
        "checkpoint", "architecture", "device", "runtime", "precision", "batch_size", "input_size", "top1", "top5",
        "latency_ms", "fps", "memory_mb", "memory_estimated", "memory_method", "params_m", "gmacs", "measurement",
        "memory_measurement", "accuracy_source", "latency_source", "memory_source",
    )}
    for j, m in enumerate(merged.measurements):
        latency = m["per_image_latency_ms"]
        if latency is None:
            continue
        arch = merged.architectures[m["architecture"]]
        dev = merged.devices[m["device"]]
        ck_list = by_cell.get((m["architecture"], m["input_size"]), [])
        if not ck_list:
            continue
        mem, mem_est, mem_method, mem_row, mem_source = m["memory_mb"], False, None, j, m["source"]
        if mem is not None:
            mem_method = f"measured: {m['memory_includes']}"
        else:
            key = (m["architecture"], m["input_size"], m["device"], m["runtime"], m["precision"], m["batch_size"])
            if key in memory_only:
                mem_row = memory_only[key]
                donor = merged.measurements[mem_row]
                mem, mem_method, mem_source = donor["memory_mb"], f"measured: {donor['memory_includes']}", donor["source"]
            else:
                mem, mem_method = estimate_memory_mb(
                    params_m=arch.params_m, activations_m=arch.activations_m, precision=m["precision"],
                    batch_size=m["batch_size"], runtime=m["runtime"], device_kind=dev.kind, settings=m["settings"],
                    fit=memory_fits.get((m["device"], m["runtime"], m["precision"], m["batch_size"])),
                )
                mem_est, mem_row = mem is not None, -1
                mem_source = None
                # The run was measured, so it fit in the device: where a source states the device's memory,
                # that bounds the estimate (the activation term over-counts badly at large batches).
                if mem is not None and dev.memory_gb and mem > dev.memory_gb * 1024.0:
                    mem = dev.memory_gb * 1024.0
                    mem_method += f"; capped at the device's {dev.memory_gb:g} GB (the measured run fit in it)"
        for ci in ck_list:
            c = merged.checkpoints[ckpt_ids[ci]]
            if not accuracy_applies(c.precision, c.source, m["precision"], m["source"]):
                continue
            cols["checkpoint"].append(ci)
            cols["architecture"].append(intern("architecture", m["architecture"]))
            cols["device"].append(intern("device", m["device"]))
            cols["runtime"].append(intern("runtime", m["runtime"]))
            cols["precision"].append(intern("precision", m["precision"]))
            cols["batch_size"].append(m["batch_size"])
            cols["input_size"].append(m["input_size"])
            cols["top1"].append(c.top1)
            cols["top5"].append(np.nan if c.top5 is None else c.top5)
            cols["latency_ms"].append(latency)
            cols["fps"].append(1000.0 / latency)
            cols["memory_mb"].append(np.nan if mem is None else mem)
            cols["memory_estimated"].append(mem_est)
            cols["memory_method"].append(intern("memory_method", mem_method))
            cols["params_m"].append(np.nan if arch.params_m is None else arch.params_m)
            cols["gmacs"].append(np.nan if arch.gmacs is None else arch.gmacs)
            cols["measurement"].append(j)
            cols["memory_measurement"].append(mem_row)
            cols["accuracy_source"].append(intern("source", c.source))
            cols["latency_source"].append(intern("source", m["source"]))
            cols["memory_source"].append(intern("source", mem_source))

    dtypes = {"batch_size": np.int32, "input_size": np.int32, "memory_estimated": bool, "top1": np.float64,
              "top5": np.float64, "latency_ms": np.float64, "fps": np.float64, "memory_mb": np.float64,
              "params_m": np.float64, "gmacs": np.float64}
    arrays = {k: np.asarray(v, dtype=dtypes.get(k, np.int32)) for k, v in cols.items()}
    # Group rows by device so a query slices one contiguous block.
    order = np.argsort(arrays["device"], kind="stable")
    arrays = {k: v[order] for k, v in arrays.items()}
    for kind in ("architecture", "device", "runtime", "precision", "memory_method", "source"):
        strings.setdefault(kind, [])
    merged.columns = arrays
    merged.strings = strings
    merged.measurement_settings = [m["settings"] for m in merged.measurements]
    arch_names = {a.lower(): a for a in merged.architectures}
    for a in merged.architectures.values():
        for alias in a.aliases:
            arch_names.setdefault(alias.lower(), a.id)
    merged.known = {
        "runtime": sorted({m["runtime"] for m in merged.measurements}),
        "precision": sorted({m["precision"] for m in merged.measurements}),
        "architecture_names": arch_names,
    }


# ---------------------------------------------------------------------------
# Cache


def _cache_dir() -> Path | None:
    if os.environ.get("MODELPICK_CACHE", "1") == "0":
        return None
    base = os.environ.get("MODELPICK_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "modelpick"


def _cache_load(digest: str) -> _Merged | None:
    directory = _cache_dir()
    if directory is None:
        return None
    core, full = directory / f"catalog-{digest}.core.pickle", directory / f"catalog-{digest}.full.pickle"
    try:
        with open(core, "rb") as fh:
            merged = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(merged, _Merged) or merged.__dict__.get("digest") != digest or not full.is_file():
        return None
    merged.__dict__["_full_path"] = str(full)
    return merged


def _cache_store(merged: _Merged) -> None:
    directory = _cache_dir()
    if directory is None:
        return
    # full first: a core file on disk implies its full file exists
    _atomic_pickle({k: getattr(merged, k) for k in _FULL_FIELDS}, directory / f"catalog-{merged.digest}.full.pickle")
    _atomic_pickle(merged, directory / f"catalog-{merged.digest}.core.pickle")


# ---------------------------------------------------------------------------
# Public loader


def read_catalog_file(path: str | os.PathLike[str]) -> CatalogFile:
    """Validate one file on its own (references to other files are not checked)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CatalogError([f"{p}: cannot read: {exc.strerror or exc}"]) from None
    return _read_file(p, raw)


_MEMO: dict[str, "Catalog"] = {}
_CODE_FINGERPRINT: bytes | None = None


def _code_fingerprint() -> bytes:
    """Hash of the modules whose logic shapes the cached columns, so a code change never serves a stale cache."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        here = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for name in ("catalog.py", "estimate.py", "schema.py"):
            try:
                h.update((here / name).read_bytes())
            except OSError:
                h.update(name.encode())
        _CODE_FINGERPRINT = h.digest()
    return _CODE_FINGERPRINT


def load_catalog(*paths: str | os.PathLike[str], embedded: bool = True, use_env: bool = True) -> "Catalog":
    """Load the embedded table merged with user files (and ``MODELPICK_DATA`` files).

    Raises :class:`CatalogError` with 'file: place: problem' lines on bad input.
    """
    from .solver import Catalog

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
    h = hashlib.sha256(f"modelpick-cache-{_CACHE_FORMAT}".encode() + _code_fingerprint())
    for p, raw in blobs:
        h.update(str(p).encode() + b"\0" + hashlib.sha256(raw).digest())
    digest = h.hexdigest()
    if digest in _MEMO:
        return _MEMO[digest]
    merged = _cache_load(digest)
    if merged is None:
        files: list[tuple[Path, CatalogFile]] = []
        errors: list[str] = []
        for p, raw in blobs:
            try:
                files.append((p, _read_file_cached(p, raw)))
            except CatalogError as exc:
                errors.extend(exc.errors)
        if errors:
            raise CatalogError(errors)
        merged = _merge(files, digest)
        _build_columns(merged)
        _cache_store(merged)
    catalog = Catalog(merged)
    if len(_MEMO) > 16:
        _MEMO.clear()
    _MEMO[digest] = catalog
    return catalog


def validate_files(paths: Sequence[str | os.PathLike[str]], *, with_embedded: bool = True) -> list[str]:
    """Validate files (merged with the embedded table so references resolve). Returns error lines."""
    try:
        load_catalog(*paths, embedded=with_embedded, use_env=False)
    except CatalogError as exc:
        return exc.errors
    return []


__all__ = [
    "embedded_table_path",
    "load_catalog",
    "read_catalog_file",
    "validate_files",
    "match_patterns",
    "natural_key",
]

