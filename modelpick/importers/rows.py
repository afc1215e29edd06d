"""The one row contract: a measurement as a source states it, mapped through the reviewed alias table into catalog rows.

Both producers of measurements use it: the catalog build's source adapters (scripts/build_catalog) and the
benchmark-log importers (modelpick.importers). Each reads its own input into :class:`SourceRow` objects that keep the
source's own words (its model name, device string, settings); :func:`map_rows` then maps the model name through
``data/aliases.yaml`` (one section per source; a name not listed there is reported, never guessed) and the device
through a resolver the caller hands in, and :func:`to_measurement` turns a mapped row into a measurement dict that
validates as :class:`modelpick.schema.Measurement`.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .._excerpt import excerpt

Scalar = str | int | float | bool

#: Key order of a measurement dict, as the catalog file writes it.
MEASUREMENT_KEYS = ("architecture", "input_size", "device", "runtime", "precision", "batch_size", "latency_ms",
                    "batch_latency_ms", "fps", "memory_mb", "memory_includes", "source", "settings", "stats", "name",
                    "note")


@dataclass(frozen=True)
class SourceRow:
    """One measurement exactly as a source states it, before any name mapping.

    ``model`` is the source's own name (``mobilenet``, ``resnet50-v1-7.onnx``). ``architecture`` is set only where
    the architecture is stated outside the alias table: a canonical name the source itself uses (timm names) or the
    user's ``--architecture`` for a single-model log. ``precision`` and ``input_size`` may be left None when the
    source does not state them; the alias entry may supply them (see :func:`to_measurement`). ``origin`` says where
    the row was read (``file:line``), for error messages and reports; it is not written to the catalog.
    """

    model: str
    runtime: str
    batch_size: int
    device: str | None = None
    precision: str | None = None
    input_size: int | None = None
    latency_ms: float | None = None
    batch_latency_ms: float | None = None
    fps: float | None = None
    memory_mb: float | None = None
    memory_includes: str | None = None
    settings: Mapping[str, Scalar] = field(default_factory=dict)
    stats: Mapping[str, float] = field(default_factory=dict)
    note: str | None = None
    architecture: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class AliasEntry:
    """A reviewed mapping of one source model name; ``arch`` None means deliberately left out (``reason`` says why)."""

    arch: str | None
    input_size: int | None = None
    precision: str | None = None
    reason: str | None = None


def default_aliases_path() -> Path:
    """The reviewed alias table shipped with modelpick (inside the installed package, or data/ in a source checkout)."""
    from .._data import data_file
    from ..errors import CatalogError

    try:
        return data_file("aliases.yaml")
    except CatalogError as exc:
        raise FileNotFoundError(exc.errors[0]) from None


class AliasTable:
    """The reviewed model-name table (data/aliases.yaml): per-source sections plus timm's canonical merges."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.sections: Mapping[str, Mapping[str, Any]] = data.get("sources") or {}
        self.timm_to_canonical: dict[str, str] = {k: v["to"] for k, v in (data.get("timm_to_canonical") or {}).items()}

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "AliasTable":
        p = Path(path) if path is not None else default_aliases_path()
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(p, encoding="utf-8") as fh:
            return cls(yaml.load(fh, Loader=loader) or {})

    def entry(self, source_id: str, name: str) -> AliasEntry | None:
        """The reviewed entry for ``name`` in ``source_id``'s section; None when the name is not listed."""
        table = self.sections.get(source_id) or {}
        if name not in table:
            return None
        raw = table[name]
        if isinstance(raw, str):
            return AliasEntry(arch=raw)
        return AliasEntry(arch=raw.get("arch"), input_size=raw.get("input_size"), precision=raw.get("precision"),
                          reason=raw.get("reason"))

    def canonical_timm(self, timm_name: str) -> str:
        """A timm architecture name -> the catalog id (timm names are catalog ids unless merged with torchvision)."""
        return self.timm_to_canonical.get(timm_name, timm_name)


@dataclass
class MappingReport:
    """What mapping kept out, per source: names not in the table, names left out on purpose, unmapped devices."""

    unmapped: collections.Counter = field(default_factory=collections.Counter)      # (source, name) -> rows
    left_out: dict[tuple[str, str], str] = field(default_factory=dict)              # (source, name) -> reason
    unmapped_devices: collections.Counter = field(default_factory=collections.Counter)  # (source, text) -> rows
    origins: dict[tuple[str, str], list[str]] = field(default_factory=lambda: collections.defaultdict(list))

    def lines(self, hint: Callable[[str, str], str] | None = None) -> list[str]:
        """One line per kept-out name; ``hint(source, name)`` adds to an unmapped name's line (the importers give
        close names; the build log has none)."""
        out = []
        for (sid, name), n in sorted(self.unmapped.items()):
            where = self.origins.get((sid, name)) or []
            at = f" (first at {where[0]})" if where else ""
            out.append(f"[{sid}] model name {excerpt(name)} is not in the alias table: {n} row(s) kept out{at}"
                       + (hint(sid, name) if hint else ""))
        for (sid, name), reason in sorted(self.left_out.items()):
            out.append(f"[{sid}] model name {excerpt(name)} left out: {reason}")
        for (sid, text), n in sorted(self.unmapped_devices.items()):
            out.append(f"[{sid}] device {excerpt(text)} is not mapped: {n} row(s) kept out")
        return out


DeviceResolver = Callable[[SourceRow], str | None]


def map_model(name: str, source_id: str, aliases: AliasTable, report: MappingReport,
              origin: str | None = None) -> AliasEntry | None:
    """The reviewed entry of a source's model name, or None with the reason recorded in ``report``.

    Shared by :func:`map_rows` and the catalog build, whose adapters map each raw table row before parsing it.
    """
    entry = aliases.entry(source_id, name)
    if entry is None:
        report.unmapped[(source_id, name)] += 1
        if origin:
            report.origins[(source_id, name)].append(origin)
        return None
    if entry.arch is None:
        report.left_out[(source_id, name)] = entry.reason or "no reason given"
        return None
    return entry


def map_rows(rows: Iterable[SourceRow], source_id: str, aliases: AliasTable, device: DeviceResolver | str,
             report: MappingReport) -> Iterator[tuple[SourceRow, AliasEntry, str]]:
    """Rows whose model and device both map, with their alias entry and device id; the rest go to ``report``.

    ``device`` is a device id for every row (an importer's ``--device-id``) or a resolver of a row's device string
    that returns None (and records why) when the string is not mapped.
    """
    for row in rows:
        if row.architecture is not None:
            entry: AliasEntry | None = AliasEntry(arch=row.architecture)
        else:
            entry = map_model(row.model, source_id, aliases, report, row.origin)
            if entry is None:
                continue
        dev = device if isinstance(device, str) else device(row)
        if dev is None:
            report.unmapped_devices[(source_id, row.device or "(none)")] += 1
            continue
        yield row, entry, dev


def to_measurement(row: SourceRow, entry: AliasEntry, device_id: str, source_id: str) -> dict[str, Any]:
    """A catalog measurement dict (keys in file order, empty values dropped, settings and stats sorted).

    The alias entry's precision overrides the row's (quantized model names); the row's input size wins over the
    entry's, which fills in only where the source does not state one. A row that still has no input size is an error.
    """
    input_size = row.input_size if row.input_size is not None else entry.input_size
    if input_size is None:
        where = f" ({row.origin})" if row.origin else ""
        raise ValueError(f"{source_id}: model {row.model!r}{where} has no input size: the source does not state it "
                         "and the alias entry gives none")
    values: dict[str, Any] = {
        "architecture": entry.arch, "input_size": input_size, "device": device_id, "runtime": row.runtime,
        "precision": entry.precision or row.precision or "unspecified", "batch_size": row.batch_size,
        "latency_ms": row.latency_ms, "batch_latency_ms": row.batch_latency_ms, "fps": row.fps,
        "memory_mb": row.memory_mb, "memory_includes": row.memory_includes, "source": source_id,
        "settings": dict(sorted(row.settings.items())), "stats": dict(sorted(row.stats.items())),
        "name": row.model, "note": row.note,
    }
    return {k: values[k] for k in MEASUREMENT_KEYS if values[k] is not None and values[k] != {}}


def measurements(rows: Iterable[SourceRow], source_id: str, aliases: AliasTable, device: DeviceResolver | str,
                 report: MappingReport) -> list[dict[str, Any]]:
    """map_rows + to_measurement: the catalog measurement dicts of the rows that map."""
    return [to_measurement(r, e, dev, source_id) for r, e, dev in map_rows(rows, source_id, aliases, device, report)]


__all__ = ["SourceRow", "AliasEntry", "AliasTable", "MappingReport", "map_model", "map_rows", "to_measurement",
           "measurements", "default_aliases_path", "MEASUREMENT_KEYS"]
