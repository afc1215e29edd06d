"""``import_results``: benchmark-tool outputs -> a catalog file (device, source and measurements) that validates.

Flow: the format's parser reads each file into SourceRows plus what the file states about the run; the rows go
through the reviewed alias table (modelpick.importers.rows) and must name an architecture the catalog knows; the
device entry, one source entry per set of input files (its id carries a hash of their bytes, so re-importing the
same files adds nothing) and the measurements are then written atomically, merged into ``output`` with ``append``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .._excerpt import excerpt
from .._fileio import MAX_NESTING, FileReadError, locked, nesting_depth_exceeds, read_input, write_atomic
from ..errors import InvalidQuery
from ..schema import CatalogFile, Device, Measurement, device_id_problem
from .base import ImportFormatError, ParseOptions, Parsed
from .rows import AliasEntry, AliasTable, MappingReport, SourceRow, map_rows, to_measurement

#: Format name -> parser module (each has FORMAT, ALIAS_SECTION and parse(); ALIAS_SECTIONS where the tool's names
#: are reviewed in more than one section, e.g. benchncnn's classifiers and its detection graphs).
FORMATS: dict[str, str] = {
    "benchncnn": "benchncnn",
    "tflite-benchmark": "tflite_benchmark",
    "openvino-benchmark-app": "openvino_benchmark_app",
    "trtexec": "trtexec",
    "onnxruntime-perf-test": "onnxruntime_perf_test",
    "timm-benchmark": "timm_benchmark",
    "aihub-perf": "aihub_perf",
}
DEVICE_KINDS = ("soc", "cpu", "gpu", "npu", "tpu")


@dataclass
class ImportResult:
    """What an import produced: the catalog dict (as written), counts, and what was kept out and why."""

    catalog: dict[str, Any]
    source_id: str
    added: int
    duplicates: int
    kept_out: list[str] = field(default_factory=list)
    output: Path | None = None
    notes: list[str] = field(default_factory=list)
    #: Task id -> rows of that task among the imported ones (by the architecture each row maps to).
    tasks: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        by_task = ", ".join(f"{n} {t}" for t, n in sorted(self.tasks.items()))
        lines = [f"{self.added} measurement(s) added to source {self.source_id}"
                 + (f" ({by_task})" if by_task else "")
                 + (f", {self.duplicates} already present" if self.duplicates else "")
                 + (f" -> {self.output}" if self.output else "")]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  kept out: {k}" for k in self.kept_out]
        return "\n".join(lines)


def parser_module(fmt: str):
    if fmt not in FORMATS:
        raise InvalidQuery("format", fmt, "unknown import format", FORMATS)
    return importlib.import_module(f"{__package__}.{FORMATS[fmt]}")


def parse_file(fmt: str, path: str | os.PathLike[str], opts: ParseOptions | None = None) -> Parsed:
    """Parse one file in ``fmt`` (no mapping): its SourceRows and stated facts."""
    module = parser_module(fmt)
    p = Path(path)
    raw = read_import(p)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if not text.strip():
        raise ImportFormatError(p, "file is empty")
    if fmt in _NESTED_FORMATS and nesting_depth_exceeds(text):
        raise ImportFormatError(p, f"nested more than {MAX_NESTING} levels deep; not a {fmt} output")
    try:
        return module.parse(p, text, opts or ParseOptions())
    except RecursionError:
        raise ImportFormatError(p, f"nested too deeply to read as {fmt} output") from None


#: Formats read with a YAML or JSON parser (recursive): their nesting is bounded before parsing.
_NESTED_FORMATS = ("aihub-perf", "timm-benchmark")


def read_import(p: Path) -> bytes:
    """An input file's bytes through the shared bounded reader (regular files only, size cap)."""
    try:
        return read_input(p, what="benchmark output file")
    except FileReadError as exc:
        raise ImportFormatError(p, str(exc).removeprefix(f"{p}: ")) from None


def _known_names(data: Sequence[str | os.PathLike[str]]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Architecture and device names the catalog (embedded table + ``data``) knows -> their ids, and each
    architecture id -> its task."""
    from ..catalog import load_table, normalize_name

    table = load_table(*data, use_env=False)
    archs: dict[str, str] = {}
    tasks: dict[str, str] = {}
    for a in table.architectures.values():
        archs[a.id.lower()] = a.id
        tasks[a.id] = a.task
        for alias in a.aliases:
            archs.setdefault(alias.lower(), a.id)
    devices: dict[str, str] = {}
    for d in table.devices.values():
        for name in (d.id, *d.aliases):
            devices.setdefault(normalize_name(name), d.id)
    return archs, devices, tasks


def _alias_view(aliases: AliasTable, sections: Sequence[str]) -> AliasTable:
    """The alias table with ``sections`` read as one (the first section's id; an earlier section wins a name)."""
    if len(sections) == 1:
        return aliases
    merged: dict[str, Any] = {}
    for section in sections:
        for name, entry in (aliases.sections.get(section) or {}).items():
            merged.setdefault(name, entry)
    return AliasTable({**aliases.data, "sources": {**aliases.sections, sections[0]: merged}})


def _close_names(section: Mapping[str, Any], known: Mapping[str, str]) -> Callable[[str, str], str]:
    """A hint for a model name the alias table does not list: the closest reviewed names and catalog ids."""
    from ..errors import Names, close_matches

    choices = Names([*(n for n, e in section.items() if not isinstance(e, dict) or e.get("arch")), *known.values()])

    def hint(_source: str, name: str) -> str:
        near = close_matches(name, choices, n=4)
        return (f"; close names: {', '.join(near)} (give --architecture only if the log ran one of these networks)"
                if near else "; no close name in the alias table or the catalog (give --architecture)")

    return hint


def _source_id(fmt: str, device_id: str, blobs: list[bytes]) -> str:
    h = hashlib.sha256()
    for b in blobs:
        h.update(hashlib.sha256(b).digest())
    return f"{fmt}-{device_id}-{h.hexdigest()[:8]}"


def _source_entry(fmt: str, sid: str, paths: list[Path], facts: dict[str, list[str]], title: str | None,
                  unstated: list[str]) -> dict[str, Any]:
    src: dict[str, Any] = {
        "id": sid,
        "title": title or f"{fmt} output imported with modelpick import ({', '.join(p.name for p in paths)})",
        "published": {"url": paths[0].resolve().as_uri()},
    }
    for key in ("runtime", "precision", "batch", "timing", "memory"):
        if facts.get(key):
            src[key] = "; ".join(facts[key])
    caveats = [f"imported from {', '.join(str(p) for p in paths)}"] + unstated
    src["caveats"] = caveats
    return src


def _screen_imported(catalog: dict[str, Any], data: Sequence[str | os.PathLike[str]], first_new: int) -> list[str]:
    """Screen the new rows as the build screens the catalog's (modelpick.screen, against the embedded table and
    ``data``): a suspect row gets ``suspect: <reason>`` (answers leave it out unless asked) and a note."""
    import tempfile
    import warnings

    from ..catalog import screen_verdicts
    from ..errors import CatalogWarning

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        # what loading the new file warns about (a row that never joins an accuracy) is said when it is used
        warnings.simplefilter("ignore", CatalogWarning)
        path = Path(tmp) / "imported.yaml"
        path.write_text(yaml.safe_dump(catalog, sort_keys=False, allow_unicode=True), encoding="utf-8")
        verdicts = screen_verdicts([*data, path])
    notes = []
    for file, index, row, reason in verdicts:
        if file != path or index < first_new:
            continue
        catalog["measurements"][index]["suspect"] = reason
        notes.append(f"suspect: {row['architecture']} at {row['per_image_latency_ms']:.3g} ms/image on {row['device']}: "
                     f"{reason} (written as suspect: answers leave it out unless asked; delete the field to let it "
                     "compete)")
    return notes


#: Words of a tool's device string that name a desktop or server GPU card, not an SoC's integrated GPU.
_CARD_WORDS = ("geforce", "quadro", "tesla", "radeon", "rtx", "gtx", "titan")
#: Words that name an NVIDIA Jetson module (an SoC).
_SOC_WORDS = ("jetson", "orin", "xavier", "tegra")


def _device_contradictions(measurements: list[dict[str, Any]], device_id: str, new_kind: str,
                           data: Sequence[str | os.PathLike[str]]) -> list[str]:
    """A note for each device string the tool printed (trtexec's 'Selected Device') that names other hardware than
    ``device_id``: a card where the device is an SoC or CPU, a Jetson where it is not one, or another model number."""
    import re

    from ..catalog import load_table

    printed = sorted({str(m["settings"]["gpu"]) for m in measurements if "gpu" in (m.get("settings") or {})})
    if not printed:
        return []
    device = load_table(*data, use_env=False).devices.get(device_id)
    kind = device.kind if device is not None else new_kind
    ours = " ".join([device_id, *((device.name, *device.aliases) if device is not None else ())]).lower()
    notes = []
    for text in printed:
        words = set(re.findall(r"[a-z0-9]+", text.lower()))
        numbers = {w for w in words if any(c.isdigit() for c in w)}
        our_numbers = {w for w in re.findall(r"[a-z0-9]+", ours) if any(c.isdigit() for c in w)}
        wrong = ((words & set(_CARD_WORDS) and kind != "gpu")
                 or (words & set(_SOC_WORDS) and not any(w in ours for w in _SOC_WORDS))
                 or (numbers and our_numbers and not numbers & our_numbers))
        if wrong:
            notes.append(f"the tool ran on {excerpt(text)}, which is not {device_id!r}"
                         + (f" ({device.name}, kind {kind})" if device is not None else f" (kind {kind})")
                         + ": check --device-id and --kind")
    return notes


def _row_problem(m: dict[str, Any]) -> str | None:
    """Why a measurement row would not validate (a number outside its physical range, ...), or None."""
    from pydantic import ValidationError

    try:
        Measurement.model_validate(m)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(x) for x in err["loc"])
        return (f"{where}: " if where else "") + err["msg"].removeprefix("Value error, ")
    return None


def _dedupe_key(m: dict[str, Any]) -> str:
    return json.dumps(m, sort_keys=True)


def import_results(fmt: str, paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *, device_id: str,
                   device_name: str | None = None, kind: str | None = None, architecture: str | None = None,
                   input_size: int | None = None, precision: str | None = None, source_title: str | None = None,
                   source_device: str | None = None, output: str | os.PathLike[str] | None = None,
                   append: bool = False, data: Sequence[str | os.PathLike[str]] = ()) -> ImportResult:
    """Import benchmark-tool output files as a catalog file for one device.

    ``fmt`` is one of :data:`FORMATS`. Names in the outputs are mapped through the reviewed alias table
    (data/aliases.yaml); names it does not list, and names whose architecture the catalog (the embedded table plus
    ``data`` files) does not know, are reported in ``kept_out``, never guessed. ``architecture`` names the model of a
    single-model log. With ``output`` the file is written atomically; with ``append`` it is merged into an existing
    file (rows already present are not duplicated); without ``append`` an existing ``output`` is an error. Raises :class:`ImportFormatError` (file and line) for unreadable
    input and :class:`modelpick.errors.InvalidQuery` for bad arguments.
    """
    module = parser_module(fmt)
    path_list = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    if not path_list:
        raise InvalidQuery("paths", [], "give at least one file to import")
    if kind is not None and kind not in DEVICE_KINDS:
        raise InvalidQuery("kind", kind, "unknown device kind", DEVICE_KINDS)
    if input_size is not None and (isinstance(input_size, bool) or not isinstance(input_size, int) or not 0 < input_size <= 4096):
        raise InvalidQuery("input_size", input_size, "must be an integer from 1 to 4096")
    problem = device_id_problem(device_id)
    if problem:
        raise InvalidQuery("device_id", device_id, problem)
    from pydantic import ValidationError

    try:
        Device.model_validate({"id": device_id, "name": device_name or device_id, "kind": kind or "soc"})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        # name the argument the caller gave, not Device's field (id -> device_id, name -> device_name)
        field = ".".join(map(str, err["loc"]))
        param = {"id": "device_id", "name": "device_name", "kind": "kind"}.get(field, field or "device_id")
        raise InvalidQuery(param, err.get("input"), err["msg"].removeprefix("Value error, ")) from None
    if precision is not None:
        try:
            Measurement.model_validate({"architecture": "a", "input_size": 1, "device": "d", "runtime": "r",
                                        "precision": precision, "batch_size": 1, "latency_ms": 1.0, "source": "s"})
        except Exception:
            raise InvalidQuery("precision", precision, "must be a lowercase token such as 'fp32', 'fp16' or 'int8'") from None
    if output is None and append:
        raise InvalidQuery("append", True, "append needs an output file")
    if output is not None and not append and Path(output).exists():
        # never replace a file the user may have built up: adding to it is an explicit choice
        raise InvalidQuery("output", str(output), "exists; use --append (append=True) to add to it, or choose a new file")

    opts = ParseOptions(architecture=architecture, input_size=input_size, precision=precision,
                        source_device=source_device)
    facts: dict[str, list[str]] = {}
    rows: list[SourceRow] = []
    blobs: list[bytes] = []
    for p in path_list:
        parsed = parse_file(fmt, p, opts)
        names = sorted({r.model for r in parsed.rows})
        if architecture is not None:
            if len(names) > 1:
                raise ImportFormatError(p, f"--architecture names the model of a single-model log, but this file has "
                                        f"{len(names)} models ({', '.join(names[:10])})")
            parsed.rows = [dataclasses.replace(r, architecture=architecture) for r in parsed.rows]
        rows.extend(parsed.rows)
        blobs.append(read_import(p))
        for k, items in parsed.facts.items():
            for item in items:
                if item not in facts.setdefault(k, []):
                    facts[k].append(item)

    # read-merge-write under one lock: concurrent appenders each see the rows written before them
    with locked(output) if output is not None else contextlib.nullcontext():
        if output is not None and not append and Path(output).exists():
            raise InvalidQuery("output", str(output), "exists; use --append (append=True) to add to it, or choose a new file")
        return _map_and_write(module, fmt, path_list, rows, blobs, facts, device_id=device_id, device_name=device_name,
                              kind=kind, source_title=source_title, output=output, append=append, data=data)


def _map_and_write(module, fmt: str, path_list: list[Path], rows: list[SourceRow], blobs: list[bytes],
                   facts: dict[str, list[str]], *, device_id: str, device_name: str | None, kind: str | None,
                   source_title: str | None, output, append: bool, data) -> ImportResult:
    aliases = AliasTable.load()
    from ..catalog import normalize_name

    known, known_devices, arch_tasks = _known_names([*data, *([output] if append and output and Path(output).exists()
                                                              else [])])
    sections = getattr(module, "ALIAS_SECTIONS", (module.ALIAS_SECTION,))
    aliases = _alias_view(aliases, sections)
    notes: list[str] = []
    existing_device = known_devices.get(normalize_name(device_id))
    if existing_device is not None:
        # the catalog already has this device: the rows refer to it, and no second device entry is written
        if existing_device != device_id:
            notes.append(f"device {device_id!r} is the catalog's {existing_device!r}; the rows use that id")
        device_id = existing_device
    report = MappingReport()
    kept_out: list[str] = []
    measurements: list[dict[str, Any]] = []
    sid = _source_id(fmt, device_id, blobs)
    if module.ALIAS_SECTION == "timm":
        rows = [r if r.architecture else dataclasses.replace(r, architecture=aliases.canonical_timm(r.model.split(".")[0]))
                for r in rows]
    for row, entry, dev in map_rows(rows, sections[0], aliases, device_id, report):
        canon = known.get((entry.arch or "").lower())
        if canon is None:
            kept_out.append(f"{row.origin}: {row.model!r} -> architecture {entry.arch!r} is not in the catalog "
                            "(add it in a --data file, or give --architecture)")
            continue
        entry = dataclasses.replace(entry, arch=canon)
        try:
            m = to_measurement(row, entry, device_id, sid)
        except ValueError:
            kept_out.append(f"{row.origin}: {row.model!r} has no input size (the output does not state it); "
                            "give --input-size")
            continue
        problem = _row_problem(m)
        if problem is not None:  # e.g. 'Inference (avg): 1e-318': outside the physical range, never a catalog row
            kept_out.append(f"{row.origin}: {row.model!r}: {problem}")
            continue
        measurements.append(m)
    kept_out = report.lines(hint=_close_names(aliases.sections.get(sections[0]) or {}, known)) + kept_out
    unstated = []
    if any(m["precision"] == "unspecified" for m in measurements):
        unstated.append("precision not stated by the output (stored as 'unspecified'; --precision sets it)")
    if not measurements:
        raise ImportFormatError(path_list[0], "no measurement could be imported:\n  " + "\n  ".join(kept_out or ["(no rows)"]))

    device = {"id": device_id, "name": device_name or device_id, "kind": kind or "soc"}
    source = _source_entry(fmt, sid, path_list, facts, source_title, unstated + facts.get("caveats", []))
    catalog: dict[str, Any] = {"schema_version": 1, "description": f"measurements imported by modelpick import {fmt}",
                               "sources": [], "devices": [], "measurements": []}
    out_path = Path(output) if output is not None else None
    if append and out_path is not None and out_path.exists():
        from ..catalog._files import read_catalog_file

        read_catalog_file(out_path)  # the shared bounded reader and its clear errors (size, nesting, aliases)
        try:
            existing = yaml.safe_load(read_import(out_path).decode("utf-8")) or {}
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ImportFormatError(out_path, f"cannot read the file to append to: {str(exc)[:200]}") from None
        if not isinstance(existing, dict):
            raise ImportFormatError(out_path, "the file to append to is not a catalog mapping")
        catalog = existing
        for k in ("sources", "devices", "measurements"):
            catalog.setdefault(k, [])
    if existing_device is None and not any(d.get("id") == device_id for d in catalog["devices"]):
        catalog["devices"].append(device)
    if not any(s.get("id") == sid for s in catalog["sources"]):
        catalog["sources"].append(source)
    seen = {_dedupe_key(m) for m in catalog["measurements"]}
    added = duplicates = 0
    for m in measurements:
        key = _dedupe_key(m)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        catalog["measurements"].append(m)
        added += 1
    CatalogFile.model_validate(catalog)
    notes += _screen_imported(catalog, data, first_new=len(catalog["measurements"]) - added)
    notes += _device_contradictions(measurements, device_id, kind or "soc", data)
    tasks: dict[str, int] = {}
    for m in catalog["measurements"][len(catalog["measurements"]) - added:]:
        task = arch_tasks.get(m["architecture"], "classification")
        tasks[task] = tasks.get(task, 0) + 1
    if out_path is not None:
        text = "# Written by modelpick import; numbers as the benchmark output states them.\n" + yaml.safe_dump(
            catalog, sort_keys=False, allow_unicode=True, width=120)
        write_atomic(out_path, text)
    return ImportResult(catalog=catalog, source_id=sid, added=added, duplicates=duplicates, kept_out=kept_out,
                        output=out_path, notes=notes, tasks=tasks)


__all__ = ["import_results", "parse_file", "ImportResult", "ImportFormatError", "FORMATS", "ParseOptions"]
