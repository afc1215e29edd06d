"""Merge validated catalog files into one table: unique ids, resolved names and aliases, checked references."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CatalogError
from ..schema import Architecture, CatalogFile, Checkpoint, Device, Source
from ._names import normalize_name
from ._table import CatalogTable


def _close(name: str, known: dict[str, str]) -> str:
    import difflib

    hits = difflib.get_close_matches(name.lower(), list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(sorted({known[h] for h in hits}))}?)" if hits else ""


def merge_files(files: list[tuple[Path, CatalogFile]], digest: str) -> CatalogTable:
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
            row = dict(m.__dict__)  # the fields (model_dump's result, without its cost on 30,000 rows)
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
    return CatalogTable(
        files=[str(p) for p, _ in files],
        digest=digest,
        sources=sources,
        devices=devices,
        device_families=families,
        architectures=archs,
        checkpoints=ckpts,
        measurements=measurements,
    )
