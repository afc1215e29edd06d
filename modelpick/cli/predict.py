"""CLI commands for predictions: ``predict`` and ``suggest-probes`` (computed latencies, always labelled as such)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .toolkit import batch_size_arg, catalog_from_args, print_json


def _fmt(p) -> str:
    tag = "measured" if not p.latency_estimated else f"PREDICTED ({p.method})"
    line = (f"{p.architecture:28s} {p.runtime}/{p.precision} batch {p.batch_size}: {p.latency_ms:.3g} ms/image")
    if p.latency_estimated:
        line += f"  80% interval {p.latency_low_ms:.3g}-{p.latency_high_ms:.3g} ms"
    if p.memory_mb is not None:
        line += f"  memory ~{p.memory_mb:,.0f} MB ({p.memory_low_mb:,.0f}-{p.memory_high_mb:,.0f})"
    lines = [f"{line}  [{tag}]"]
    if p.capped:
        lines.append(f"    capped: {p.capped}")
    return "\n".join(lines)


def _read_probes(path: str) -> list[dict[str, Any]]:
    from ..errors import InvalidQuery

    from .._fileio import MAX_NESTING, FileReadError, nesting_depth_exceeds, read_input

    try:
        text = read_input(path, what="probes file").decode("utf-8")
    except FileReadError as exc:
        raise InvalidQuery("probes", path, str(exc).removeprefix(f"{path}: ")) from None
    except UnicodeDecodeError as exc:
        raise InvalidQuery("probes", path, f"not UTF-8 text (byte {exc.start})") from None
    if nesting_depth_exceeds(text):
        raise InvalidQuery("probes", path, f"nested more than {MAX_NESTING} levels deep; expected a JSON list of "
                           "measurements")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidQuery("probes", path, f"not valid JSON (line {exc.lineno}): {exc.msg}") from None
    if isinstance(data, dict):
        data = data.get("measurements", data)
    if not isinstance(data, list):
        raise InvalidQuery("probes", path, "expected a JSON list of measurements (or {'measurements': [...]})")
    return data


def cmd_predict(args: argparse.Namespace) -> int:
    from ..predict import calibrate, predict

    cat = catalog_from_args(args)
    if args.probes:
        # a YAML catalog file (what `modelpick import` writes) is read by calibrate(); JSON is a list of probes
        probes = args.probes if args.probes.endswith((".yaml", ".yml")) else _read_probes(args.probes)
        predictor = calibrate(args.device, probes, catalog=cat)
        if args.architecture:
            preds = [predictor.predict(a, args.batch_size, runtime=args.runtime, precision=args.precision)
                     for a in args.architecture]
        else:
            preds = predictor.predict_all(runtime=args.runtime, precision=args.precision, batch_size=args.batch_size)
    else:
        if not args.architecture:
            from ..errors import InvalidQuery

            raise InvalidQuery("architecture", None, "give --architecture (repeatable), or --probes FILE to "
                               "predict every architecture for a new device")
        preds = [predict(args.device, a, runtime=args.runtime, precision=args.precision, batch_size=args.batch_size,
                         catalog=cat) for a in args.architecture]
    if args.json:
        print_json({"predictions": [p.to_dict() for p in preds], "catalog": {"version": cat.version, "hash": cat.hash},
                    "note": "latency_estimated=true rows are computed predictions with an 80% interval, not measurements"})
    else:
        for p in preds:
            print(_fmt(p))
        for note in dict.fromkeys(n for p in preds for n in p.notes):
            print(f"note: {note}")
    return 0


def cmd_suggest_probes(args: argparse.Namespace) -> int:
    from ..predict import suggest_probes

    cat = catalog_from_args(args)
    picks = suggest_probes(args.k, runtime=args.runtime, among=args.among, max_gmacs=args.max_gmacs, catalog=cat)
    if args.json:
        print_json({"probes": picks, "runtime": args.runtime})
    else:
        print("\n".join(picks))
    return 0


def register(sub, parents) -> None:
    p = sub.add_parser("predict", parents=parents,
                       help="predicted latency (80%% interval) of unmeasured cells; --probes FILE for a new device")
    p.add_argument("--device", "-d", required=True, help="catalog device, or a new device id with --probes")
    p.add_argument("--architecture", "-a", action="append", help="architecture id or alias (repeatable)")
    p.add_argument("--runtime")
    p.add_argument("--precision")
    p.add_argument("--batch-size", type=batch_size_arg, default=1)
    p.add_argument("--probes", metavar="FILE", help="JSON list of measured probes: architecture (id, alias or the "
                   "tool's own name, e.g. ncnn's 'mobilenet'), runtime, precision, batch_size, latency_ms; or a YAML "
                   "file written by `modelpick import`")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("suggest-probes", parents=parents, help="the architectures most informative to measure first")
    p.add_argument("-k", type=int, default=5, help="how many (default 5)")
    p.add_argument("--runtime", help="only architectures measured with this runtime")
    p.add_argument("--among", action="append", metavar="ARCH",
                   help="choose only among these architectures (repeatable; default: the runtimes' model zoos)")
    p.add_argument("--max-gmacs", type=float, default=5.0, help="largest probe in GMACs (default 5)")
    p.set_defaults(func=cmd_suggest_probes)
