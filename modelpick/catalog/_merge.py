"""Merge validated catalog files into one table: unique ids, resolved names and aliases, checked references."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._excerpt import excerpt
from ..errors import CatalogError
from ..schema import Architecture, CatalogFile, Checkpoint, Device, Source
from ..tasks import get_task, metric_task
from ._names import normalize_name
from ._table import CatalogTable
from ._trusted import is_trusted


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
            errors.append(f"{path}: {kind}[{index}].id: duplicate id {excerpt(item.id)} (already defined in {origin[key]})")
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
                errors.append(f"{path}: device_families.{fam}: {excerpt(dev)} conflicts with {excerpt(families[fam])} set earlier")
            families[fam] = dev
            origin[("device_families", fam)] = str(path)

    # Name lookup tables; aliases must not collide.
    device_names: dict[str, str] = {}
    for d in devices.values():
        for name in [d.id, *d.aliases]:
            key = normalize_name(name)
            if device_names.get(key, d.id) != d.id:
                errors.append(f"{origin[('devices', d.id)]}.aliases: alias {excerpt(name)} of {excerpt(d.id)} is already used by "
                              f"{excerpt(device_names[key])} ({origin[('devices', device_names[key])]})")
            device_names.setdefault(key, d.id)
    arch_names: dict[str, str] = {}
    for a in archs.values():
        arch_names.setdefault(a.id.lower(), a.id)
    for a in archs.values():
        for name in a.aliases:
            arch_names.setdefault(name.lower(), a.id)

    for fam, dev in families.items():
        if dev not in devices:
            errors.append(f"{origin[('device_families', fam)]}: device_families.{fam}: unknown device {excerpt(dev)}")

    def check_source(where: str, sid: str | None) -> None:
        if sid is not None and sid not in sources:
            errors.append(f"{where}: unknown source {excerpt(sid)}")

    for a in archs.values():
        for fld, sid in a.sources.items():
            check_source(f"{origin[('architectures', a.id)]}.sources.{fld}", sid)
    for d in devices.values():
        check_source(f"{origin[('devices', d.id)]}.source", d.source)
        check_source(f"{origin[('devices', d.id)]}.peak_source", d.peak_source)

    for path, cf in files:
        for i, c in enumerate(cf.checkpoints):
            where = f"{path}: checkpoints[{i}]"
            check_source(where + ".source", c.source)
            canon = arch_names.get(c.architecture.lower())
            if canon is None:
                errors.append(f"{where}.architecture: unknown architecture {excerpt(c.architecture)}{_close(c.architecture, arch_names)}")
            elif canon != c.architecture:
                ckpts[c.id] = c.model_copy(update={"architecture": canon})
            if canon is not None:
                task = get_task(archs[canon].task)
                if c.metric_id != task.metric:
                    field = "metric" if c.metric is not None else "top1"
                    errors.append(f"{where}.{field}: gives {c.metric_id} ({metric_task(c.metric_id).label}), but "
                                  f"architecture {excerpt(canon)} is a {task.id} architecture, whose checkpoints give "
                                  f"metric {excerpt(task.metric)} ({task.label}) as {task.score_field}")
    errors.extend(_check_same_weights(ckpts))

    measurements: list[dict[str, Any]] = []
    device_of: dict[str, str | None] = {}  # a row's device as written -> its id (a few hundred names, 38,000 rows)
    for path, cf in files:
        for i, m in enumerate(cf.measurements):
            row = dict(m.__dict__)  # the fields (model_dump's result, without its cost on 30,000 rows)
            canon = arch_names.get(m.architecture.lower())
            if canon is None:
                errors.append(f"{path}: measurements[{i}].architecture: unknown architecture {excerpt(m.architecture)}"
                              f"{_close(m.architecture, arch_names)}")
            row["architecture"] = canon
            name = m.device
            dev = device_of[name] if name in device_of else device_of.setdefault(
                name, device_names.get(normalize_name(name)))
            if dev is None:
                errors.append(f"{path}: measurements[{i}].device: unknown device {excerpt(m.device)}"
                              f"{_close(normalize_name(m.device), device_names)}")
            row["device"] = dev
            if m.source not in sources:
                errors.append(f"{path}: measurements[{i}].source: unknown source {excerpt(m.source)}")
            row["per_image_latency_ms"] = m.per_image_latency_ms
            measurements.append(row)

    _check_failures(files, arch_names, device_names, sources, errors)
    if not (len(files) == 1 and is_trusted(files[0][1])):  # the build checked a certified table alone for repeats
        _check_duplicate_rows(files, measurements, errors)
    warnings = _never_joining(files, measurements, ckpts)

    if errors:
        raise CatalogError(errors)
    return CatalogTable(
        warnings=warnings,
        files=[str(p) for p, _ in files],
        digest=digest,
        sources=sources,
        devices=devices,
        device_families=families,
        architectures=archs,
        checkpoints=ckpts,
        measurements=measurements,
    )


def _check_same_weights(ckpts: dict[str, Any]) -> list[str]:
    """A checkpoint's ``same_weights_as`` names another, primary checkpoint of the same architecture and input size
    (answers show the primary and name its copies, so a copy that differs in either would lose its own cell)."""
    errors = []
    for c in ckpts.values():
        target = c.same_weights_as
        if target is None:
            continue
        primary = ckpts.get(target)
        if primary is None:
            errors.append(f"checkpoint {excerpt(c.id)}: same_weights_as names unknown checkpoint {excerpt(target)}")
        elif primary.same_weights_as is not None or target == c.id:
            errors.append(f"checkpoint {excerpt(c.id)}: same_weights_as {excerpt(target)} must name a primary checkpoint (one "
                          "without same_weights_as of its own)")
        elif (primary.architecture, primary.input_size) != (c.architecture, c.input_size):
            errors.append(f"checkpoint {excerpt(c.id)}: same_weights_as {excerpt(target)} differs in architecture or input size "
                          f"({c.architecture} @ {c.input_size} px vs {primary.architecture} @ {primary.input_size} px)")
    return errors


def _check_failures(files: list[tuple[Path, CatalogFile]], arch_names: dict[str, str], device_names: dict[str, str],
                    sources: dict[str, Source], errors: list[str]) -> None:
    """A failure entry must name a known architecture, device and source, as a measurement must."""
    for path, cf in files:
        for i, f in enumerate(cf.failures):
            where = f"{path}: failures[{i}]"
            if f.architecture.lower() not in arch_names:
                errors.append(f"{where}.architecture: unknown architecture {excerpt(f.architecture)}{_close(f.architecture, arch_names)}")
            if normalize_name(f.device) not in device_names:
                errors.append(f"{where}.device: unknown device {excerpt(f.device)}{_close(normalize_name(f.device), device_names)}")
            if f.source not in sources:
                errors.append(f"{where}.source: unknown source {excerpt(f.source)}")


_NUMBERS = ("latency_ms", "batch_latency_ms", "fps", "memory_mb")


def _row_places(files: list[tuple[Path, CatalogFile]]) -> list[str]:
    return [f"{path}: measurements[{i}]" for path, cf in files for i in range(len(cf.measurements))]


def _check_duplicate_rows(files: list[tuple[Path, CatalogFile]], measurements: list[dict[str, Any]],
                          errors: list[str]) -> None:
    """Two rows of one cell from one source, run and model name must not repeat or contradict each other.

    A memory-only row beside a latency-only row of the same cell is fine (they document different numbers).
    """
    places: list[str] | None = None
    first: dict[tuple, int] = {}
    for j, row in enumerate(measurements):
        key = (row["architecture"], row["input_size"], row["device"], row["runtime"], row["precision"],
               row["batch_size"], row["source"], row.get("name"), repr(sorted((row.get("settings") or {}).items())))
        i = first.setdefault(key, j)
        if i == j:
            continue
        places = places or _row_places(files)
        other = measurements[i]
        clash = [f"{k} {other[k]:g} vs {row[k]:g}" for k in _NUMBERS
                 if row.get(k) is not None and other.get(k) is not None and row[k] != other[k]]
        if clash:
            errors.append(f"{places[j]}: conflicts with {places[i]} (same cell, source, settings and name): "
                          f"{'; '.join(clash)}")
        elif all(row.get(k) == other.get(k) for k in _NUMBERS):
            errors.append(f"{places[j]}: repeats {places[i]} (same cell, source, settings, name and numbers)")


def _never_joining(files: list[tuple[Path, CatalogFile]], measurements: list[dict[str, Any]],
                   ckpts: dict[str, Checkpoint]) -> list[str]:
    """Warnings for user rows whose input size no checkpoint of their architecture has: they never join an accuracy.

    The embedded table is exempt (its build keeps such rows on purpose, for predictions and the memory model).
    """
    from ._files import embedded_table_path

    try:
        embedded = embedded_table_path()
    except CatalogError:
        embedded = None
    sizes: dict[str, set[int]] = {}
    for c in ckpts.values():
        sizes.setdefault(c.architecture, set()).add(c.input_size)
    out: list[str] = []
    j = 0
    for path, cf in files:
        user = embedded is None or Path(path) != embedded
        for i in range(len(cf.measurements)):
            row = measurements[j]
            j += 1
            have = sizes.get(row["architecture"] or "")
            if user and have and row["input_size"] not in have:
                out.append(f"{path}: measurements[{i}].input_size: {row['input_size']} never joins an accuracy: "
                           f"{excerpt(row['architecture'])} has checkpoints at input size "
                           f"{', '.join(map(str, sorted(have)))} only")
    return out
