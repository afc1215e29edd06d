"""CLI commands that browse and check catalog data: ``devices``, ``models``, ``show``, ``export``, ``validate``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._fileio import write_atomic
from .toolkit import EXIT_INFEASIBLE, EXIT_OK, EXIT_USAGE, catalog_from_args, print_json


def cmd_devices(args: argparse.Namespace) -> int:
    cat = catalog_from_args(args)
    if args.coverage:
        from .._families import family_table, format_family_table

        rows = family_table(cat)
        if args.json:
            print_json(rows)
        else:
            print(format_family_table(rows))
        return EXIT_OK
    devs = cat.devices(args.pattern, kind=args.kind)
    if args.json:
        print_json([d.model_dump(mode="json") | {"candidates": len(range(*cat._block(d.id)))} for d in devs])
        return EXIT_OK
    fam = {v: k for k, v in cat.device_families.items()}
    for d in devs:
        n = len(range(*cat._block(d.id)))
        extra = f"  [default for '{fam[d.id]}']" if d.id in fam else ""
        mem = f", {d.memory_gb:g} GB" if d.memory_gb else ""
        print(f"{d.id:32s} {d.kind:4s} {n:6d} candidates  {d.name}{mem}{extra}")
    if not devs:
        print(f"no device matches {args.pattern!r}", file=sys.stderr)
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    cat = catalog_from_args(args)
    archs = cat.architectures(args.pattern)
    by_arch: dict[str, list] = {}
    for c in cat.checkpoints():
        by_arch.setdefault(c.architecture, []).append(c)
    if args.json:
        print_json([a.model_dump(mode="json") | {"checkpoints": [c.model_dump(mode="json") for c in by_arch.get(a.id, [])]}
                    for a in archs])
        return EXIT_OK
    for a in archs:
        cks = by_arch.get(a.id, [])
        best_top1 = max((c.top1 for c in cks), default=None)
        params = f"{a.params_m:g}M" if a.params_m else "?"
        gm = f"{a.gmacs:g}" if a.gmacs else "?"
        acc = f"best top-1 {best_top1:.2f}%" if best_top1 is not None else "no checkpoint"
        print(f"{a.id:40s} {a.input_size:4d}px  params {params:>9s}  GMACs {gm:>8s}  {len(cks):3d} ckpt  {acc}")
    if not archs:
        print(f"no architecture matches {args.pattern!r}", file=sys.stderr)
    return EXIT_OK


def _device_suspects(cat, device: str) -> list[dict[str, Any]]:
    """The device's measurements the suspect screen flagged, with their reasons (answers leave them out)."""
    out = []
    for m in cat.suspects(device):
        entry = {"architecture": m.architecture, "input_size": m.input_size, "runtime": m.runtime,
                 "precision": m.precision, "batch_size": m.batch_size, "latency_ms": m.per_image_latency_ms,
                 "source": m.source}
        if m.settings:
            entry["settings"] = dict(m.settings)
        entry["reason"] = m.suspect
        out.append(entry)
    return out


def _device_unpaired(cat, device: str) -> list[dict[str, Any]]:
    """The device's measured latency rows that pair with no checkpoint, per task, runtime, backend and precision."""
    by_task = cat._unpaired_runs(device)
    return [{"task": task, "runtime": runtime, **({"backend": backend} if backend else {}), "precision": precision,
             "rows": rows} for task, runs in sorted(by_task.items()) for runtime, backend, precision, rows in runs]


def cmd_show(args: argparse.Namespace) -> int:
    from ..errors import UnknownName

    cat = catalog_from_args(args)
    name = args.name
    found: dict[str, Any] = {}
    try:
        found["device"] = cat.device(name).model_dump(mode="json")
        found["device"]["runtimes"] = cat.runtimes(found["device"]["id"])
        found["device"]["batch_sizes"] = cat.batch_sizes(found["device"]["id"])
        found["device"]["suspects"] = _device_suspects(cat, found["device"]["id"])
        unpaired = _device_unpaired(cat, found["device"]["id"])
        if unpaired:  # measured runs that answer nothing: said here, or `runtimes: []` would read as "never measured"
            found["device"]["measured_without_accuracy"] = unpaired
    except UnknownName:
        pass
    except Exception:
        pass
    try:
        arch = cat.architecture(name)
        found["architecture"] = arch.model_dump(mode="json")
        found["architecture"]["checkpoints"] = [c.id for c in cat.checkpoints(architecture=arch.id)]
        found["architecture"]["measured_on"] = sorted({m.device for m in cat.measurements if m.architecture == arch.id})
    except UnknownName:
        pass
    if name in cat._m.checkpoints:
        found["checkpoint"] = cat.checkpoint(name).model_dump(mode="json")
    if name in cat.sources:
        found["source"] = cat.sources[name].model_dump(mode="json")
    if not found:
        from ..errors import InvalidQuery

        choices = list(cat._m.devices) + list(cat._m.architectures) + list(cat.sources)
        raise InvalidQuery("name", name, "not a device, architecture, checkpoint or source", choices=choices)
    if args.json:
        print_json(found)
    else:
        import yaml

        print(yaml.safe_dump(found, sort_keys=False, allow_unicode=True, width=120).rstrip())
    return EXIT_OK


EXPORT_COLUMNS = ["checkpoint", "architecture", "device", "runtime", "precision", "batch_size", "input_size", "task", "metric", "score", "top1",
                  "top5", "latency_ms", "fps", "memory_mb", "memory_estimated", "memory_method", "latency_estimated",
                  "params_m", "gmacs", "gmacs_computed", "accuracy_source", "latency_source", "memory_source", "settings",
                  "suspect"]


def _export_row(rec: dict) -> dict:
    row = {k: rec.get(k) for k in EXPORT_COLUMNS}
    for k in ("accuracy", "latency", "memory"):
        row[f"{k}_source"] = rec["sources"].get(k)
    row["settings"] = json.dumps(rec["settings"], sort_keys=True) if rec["settings"] else ""
    return row


def cmd_export(args: argparse.Namespace) -> int:
    cat = catalog_from_args(args)
    device = cat.resolve_device(args.device) if args.device else None
    records = list(cat.iter_records(device, task=args.task))
    if device is not None and not records:
        # a header-only file and exit 0 would look like a successful export; say why there is nothing instead
        cov = cat.coverage(device, task=args.task)
        why = cov.missing[0] if cov.missing else cov.text
        print(f"modelpick: nothing to export for {device} ({cov.task}): {why}", file=sys.stderr)
        return EXIT_INFEASIBLE
    if args.format == "json":
        text = json.dumps(records, indent=1, allow_nan=False) + "\n"
    else:
        from .._csvcells import csv_text

        text = csv_text(EXPORT_COLUMNS, (_export_row(rec) for rec in records))
    if args.output:
        write_atomic(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from ..catalog import check_files, screen_files

    status = EXIT_OK
    for path in args.files:
        errors, warnings = check_files([path], with_embedded=not args.standalone)
        for line in warnings:
            print(f"warning: {line}", file=sys.stderr)
        if errors:
            status = EXIT_USAGE
            for line in errors:
                print(line, file=sys.stderr)
            continue
        # the suspect screen warns; it never rejects a file (a suspect may be a real effect the screen cannot know)
        suspects = screen_files([path], with_embedded=not args.standalone)
        for line in suspects:
            print(f"warning: {line}", file=sys.stderr)
        notes = []
        if warnings:
            notes.append(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}")
        if suspects:
            notes.append(f"{len(suspects)} suspect measurement(s), see the warnings; to keep one out of answers, "
                         f"add suspect: <reason> to its row")
        print(f"{path}: OK" + (f" ({'; '.join(notes)})" if notes else ""))
    return status


def register(sub, parents) -> None:
    p = sub.add_parser("devices", parents=parents, help="list devices (fnmatch PATTERN, substring without wildcards)")
    p.add_argument("pattern", nargs="?")
    p.add_argument("--kind", choices=["gpu", "cpu", "npu", "tpu", "soc"])
    p.add_argument("--coverage", action="store_true",
                   help="the family table: each family's fast runtime, whether it is measured, the measured runs "
                        "and the answer of best --device FAMILY --min-fps 30 (data/fast_runtimes.yaml)")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("models", parents=parents, help="list architectures and their checkpoints")
    p.add_argument("pattern", nargs="?")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("show", parents=parents, help="details of a device, architecture, checkpoint or source")
    p.add_argument("name")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("export", parents=parents, help="export joined candidates (Recommendation fields)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--device", "-d")
    p.add_argument("--task", default="classification", help="the task whose candidates to export (default "
                   "classification)")
    p.add_argument("--output", "-o", help="write to FILE atomically instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("validate", parents=parents,
                       help="validate catalog YAML files against the embedded table, and warn about implausible "
                            "latencies (the suspect screen)")
    p.add_argument("files", nargs="+")
    p.add_argument("--standalone", action="store_true", help="validate without merging the embedded table")
    p.set_defaults(func=cmd_validate)
