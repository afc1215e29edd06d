"""The ``modelpick`` command line.

Exit codes: 0 an answer, 2 bad usage or input (including invalid catalog files),
3 no feasible model, 1 an unexpected internal error.

Other modules add subcommands by exposing ``register(subparsers, parents)``
and being listed in ``_COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import math
import sys
from typing import Any, Callable, Sequence

from ._fileio import write_atomic  # noqa: F401  (re-exported for command modules)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INFEASIBLE = 0, 1, 2, 3

#: Modules that add subcommands: each has register(subparsers, parents).
_COMMAND_MODULES: list[str] = ["modelpick.cli_frontiers", "modelpick.cli_measure", "modelpick.cli_predict"]


# ---------------------------------------------------------------------------
# helpers shared with command modules


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= minimum, with an error that names the bad text."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def batch_size_arg(text: str) -> int | None:
    if text.lower() in ("best", "any", "none"):
        return None
    try:
        return int_at_least(1)(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1 or 'best', got {text!r}") from None


def catalog_from_args(args: argparse.Namespace):
    from .catalog import load_catalog

    return load_catalog(*(args.data or []))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n")


def add_query_options(p: argparse.ArgumentParser, *, device_required: bool = True) -> None:
    """The query options shared by best/recommend and the frontier commands (same names as the API)."""
    p.add_argument("--device", "-d", required=device_required, help="device id, alias or family, e.g. jetson-nano, jetson, rpi4")
    p.add_argument("--max-mem-gb", type=positive_float, help="memory limit in GB (1 GB = 1024 MB)")
    p.add_argument("--min-fps", type=positive_float, help="minimum frames per second")
    p.add_argument("--max-latency-ms", type=positive_float, help="maximum per-image latency in ms")
    p.add_argument("--batch-size", type=batch_size_arg, default=1,
                   help="batch size (default 1 = real-time streaming); 'best' = best measured batch that fits")
    p.add_argument("--min-top1", type=float, help="minimum ImageNet top-1 accuracy in percent")
    p.add_argument("--max-params-m", type=positive_float, help="maximum parameters in millions")
    p.add_argument("--runtime", help="runtime, e.g. tensorrt, ncnn, pytorch, tflite")
    p.add_argument("--precision", help="precision, e.g. fp32, fp16, int8")
    p.add_argument("--objective", choices=["top1", "fps", "memory"], default="top1",
                   help="top1: most accurate (default); fps: fastest; memory: smallest")
    p.add_argument("--strict", action="store_true", help="exclude estimated memory values")
    p.add_argument("--estimates", choices=["exclude", "include"], default="exclude",
                   help="include: predicted latencies of unmeasured cells compete, flagged ESTIMATED, judged by "
                        "their interval's conservative end (default: measured only)")


def query_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {k: getattr(args, k) for k in ("max_mem_gb", "min_fps", "max_latency_ms", "batch_size", "min_top1",
                                          "max_params_m", "runtime", "precision", "objective", "strict",
                                          "estimates")}


# ---------------------------------------------------------------------------
# formatting


def _fmt_mem(rec) -> str:
    if rec.memory_mb is None:
        return "unknown"
    return f"{rec.memory_mb:,.0f} MB" + (" (estimated)" if rec.memory_estimated else "")


def format_recommendation(rec, requested_device: str | None = None) -> str:
    resolved = f" (resolved from {requested_device!r})" if requested_device and requested_device != rec.device else ""
    settings = ", ".join(f"{k}={v}" for k, v in sorted(rec.settings.items()))
    src = rec.sources
    lines = [
        f"{rec.checkpoint}",
        f"  architecture  {rec.architecture} @ {rec.input_size}px" + (f", {rec.params_m:g} M params" if rec.params_m else "")
        + (f", {rec.gmacs:g} GMACs" if rec.gmacs else ""),
        f"  device        {rec.device}{resolved}",
        f"  runtime       {rec.runtime}, {rec.precision}, batch {rec.batch_size}" + (f" [{settings}]" if settings else ""),
        f"  top-1         {rec.top1:.2f}%" + (f"  (top-5 {rec.top5:.2f}%)" if rec.top5 is not None else "")
        + f"    source: {src.get('accuracy')}",
        f"  latency       {rec.latency_ms:.3g} ms/image = {rec.fps:.1f} FPS"
        + (f"  [ESTIMATED: predicted, 80% interval {rec.latency_low_ms:.3g}-{rec.latency_high_ms:.3g} ms]"
           if rec.latency_estimated else "") + f"    source: {src.get('latency') or 'computed'}",
        f"  memory        {_fmt_mem(rec)}    "
        + (f"source: {src.get('memory')}" if src.get("memory")
           else f"({rec.memory_method})" if rec.memory_mb is None else f"computed: {rec.memory_method}"),
    ]
    for reason in rec.why:
        lines.append(f"  why           {reason}")
    return "\n".join(lines)


def format_table(recs) -> str:
    header = ["#", "checkpoint", "runtime", "prec", "bs", "top1%", "FPS", "ms", "memory MB", "sources (acc/lat/mem)"]
    rows = []
    for i, r in enumerate(recs, 1):
        mem = "?" if r.memory_mb is None else f"{r.memory_mb:,.0f}" + ("*" if r.memory_estimated else "")
        srcs = "/".join(str(r.sources.get(k) or "computed") for k in ("accuracy", "latency", "memory"))
        est = "~" if r.latency_estimated else ""  # predicted latency, see the footnote
        rows.append([str(i), r.checkpoint, r.runtime, r.precision, str(r.batch_size), f"{r.top1:.2f}",
                     f"{est}{r.fps:.1f}", f"{est}{r.latency_ms:.3g}", mem, srcs])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    if any(r.latency_estimated for r in recs):
        out.append("~ latency predicted (computed, not measured; limits checked against the 80% interval's slow end)")
    if any(r.memory_estimated for r in recs):
        out.append("* memory estimated (computed, not measured); see README 'Memory estimates'")
    return "\n".join(out)


def answer_json(cat, recs, query) -> dict[str, Any]:
    return {
        "best": recs[0].to_dict() if recs else None,
        "alternatives": [r.to_dict() for r in recs[1:]],
        "query": query.model_dump(mode="json"),
        "catalog": {"version": cat.version, "hash": cat.hash},
    }


# ---------------------------------------------------------------------------
# commands


def cmd_best(args: argparse.Namespace, limit: int = 1) -> int:
    cat = catalog_from_args(args)
    query = cat.query(args.device, **query_kwargs(args), limit=limit)
    recs = cat.solve(query)
    if args.json:
        print_json(answer_json(cat, recs, query))
    elif limit == 1:
        print(format_recommendation(recs[0], args.device))
    else:
        top = recs[0]
        print(f"device {top.device}" + (f" (resolved from {args.device!r})" if args.device != top.device else "")
              + f"; catalog {cat.version}")
        print(format_table(recs))
        for reason in top.why:
            print(f"why: {reason}")
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace) -> int:
    return cmd_best(args, limit=args.limit)


def cmd_devices(args: argparse.Namespace) -> int:
    cat = catalog_from_args(args)
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


def cmd_show(args: argparse.Namespace) -> int:
    from .errors import UnknownName

    cat = catalog_from_args(args)
    name = args.name
    found: dict[str, Any] = {}
    try:
        found["device"] = cat.device(name).model_dump(mode="json")
        found["device"]["runtimes"] = cat.runtimes(found["device"]["id"])
        found["device"]["batch_sizes"] = cat.batch_sizes(found["device"]["id"])
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
        from .errors import InvalidQuery

        choices = list(cat._m.devices) + list(cat._m.architectures) + list(cat.sources)
        raise InvalidQuery("name", name, "not a device, architecture, checkpoint or source", choices=choices)
    if args.json:
        print_json(found)
    else:
        import yaml

        print(yaml.safe_dump(found, sort_keys=False, allow_unicode=True, width=120).rstrip())
    return EXIT_OK


EXPORT_COLUMNS = ["checkpoint", "architecture", "device", "runtime", "precision", "batch_size", "input_size", "top1",
                  "top5", "latency_ms", "fps", "memory_mb", "memory_estimated", "memory_method", "latency_estimated",
                  "params_m", "gmacs", "accuracy_source", "latency_source", "memory_source", "settings"]


def cmd_export(args: argparse.Namespace) -> int:
    cat = catalog_from_args(args)
    device = cat.resolve_device(args.device) if args.device else None
    records = cat.iter_records(device)
    if args.format == "json":
        text = json.dumps(list(records), indent=1, allow_nan=False) + "\n"
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for rec in records:
            row = {k: rec.get(k) for k in EXPORT_COLUMNS}
            for k in ("accuracy", "latency", "memory"):
                row[f"{k}_source"] = rec["sources"].get(k)
            row["settings"] = json.dumps(rec["settings"], sort_keys=True) if rec["settings"] else ""
            writer.writerow(row)
        text = buf.getvalue()
    if args.output:
        write_atomic(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .catalog import validate_files

    status = EXIT_OK
    for path in args.files:
        errors = validate_files([path], with_embedded=not args.standalone)
        if errors:
            status = EXIT_USAGE
            for line in errors:
                print(line, file=sys.stderr)
        else:
            print(f"{path}: OK")
    return status


# ---------------------------------------------------------------------------
# parser and entry point


_CORE_COMMANDS = frozenset({"best", "recommend", "devices", "models", "show", "export", "validate"})


def build_parser(*, with_plugins: bool = True) -> argparse.ArgumentParser:
    from . import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", action="append", metavar="FILE",
                        help="extra catalog YAML file to merge (repeatable; also MODELPICK_DATA)")
    common.add_argument("--json", action="store_true", help="machine-readable JSON output")

    parser = argparse.ArgumentParser(
        prog="modelpick",
        description="Pick the most accurate pretrained image classifier that fits a device's memory and speed limits.",
        epilog="exit codes: 0 answer, 2 bad usage or input, 3 no feasible model",
    )
    parser.add_argument("--version", action="version", version=f"modelpick {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("best", parents=[common], help="the single best model for the constraints")
    add_query_options(p)
    p.set_defaults(func=cmd_best)

    p = sub.add_parser("recommend", parents=[common], help="a ranked list, one row per checkpoint")
    add_query_options(p)
    p.add_argument("--limit", type=int, default=10, help="number of answers (default 10)")
    p.set_defaults(func=cmd_recommend)

    p = sub.add_parser("devices", parents=[common], help="list devices (fnmatch PATTERN, substring without wildcards)")
    p.add_argument("pattern", nargs="?")
    p.add_argument("--kind", choices=["gpu", "cpu", "npu", "tpu", "soc"])
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("models", parents=[common], help="list architectures and their checkpoints")
    p.add_argument("pattern", nargs="?")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("show", parents=[common], help="details of a device, architecture, checkpoint or source")
    p.add_argument("name")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("export", parents=[common], help="export joined candidates (Recommendation fields)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--device", "-d")
    p.add_argument("--output", "-o", help="write to FILE atomically instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("validate", parents=[common], help="validate catalog YAML files against the embedded table")
    p.add_argument("files", nargs="+")
    p.add_argument("--standalone", action="store_true", help="validate without merging the embedded table")
    p.set_defaults(func=cmd_validate)

    if with_plugins:
        for module_name in _COMMAND_MODULES:
            importlib.import_module(module_name).register(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .errors import CatalogError, InvalidQuery, ModelpickError, NoFeasibleModel

    argv = list(sys.argv[1:] if argv is None else argv)
    # A core command does not need the other commands' modules: skipping them keeps a cold `best` fast.
    parser = build_parser(with_plugins=not (argv and argv[0] in _CORE_COMMANDS))
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    want_json = getattr(args, "json", False)
    try:
        return func(args)
    except NoFeasibleModel as exc:
        if want_json:
            print_json({"error": "no-feasible-model", "detail": str(exc), "diagnosis": exc.diagnosis})
        print(f"modelpick: no feasible model: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except InvalidQuery as exc:
        if want_json:
            print_json({"error": "invalid-query", "detail": str(exc), **exc.to_dict()})
        print(f"modelpick: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogError as exc:
        if want_json:
            print_json({"error": "invalid-catalog", "detail": str(exc), "errors": exc.errors})
        print(f"modelpick: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ModelpickError as exc:
        print(f"modelpick: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
