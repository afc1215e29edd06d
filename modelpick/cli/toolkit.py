"""The CLI's shared toolkit: argument types, the query options, catalog loading and answer formatting."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, Callable

from ..tasks import get_task, task_ids

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INFEASIBLE = 0, 1, 2, 3


# ---------------------------------------------------------------------------
# arguments


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
    from ..api import load_catalog

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
    p.add_argument("--min-top1", type=float, help="minimum ImageNet top-1 accuracy in percent (classification)")
    p.add_argument("--min-score", type=float, help="minimum score in the task's metric, percent (top-1 for "
                   "classification, COCO mAP50-95 for detection)")
    p.add_argument("--task", default="classification",
                   help=f"task: {', '.join(task_ids())} (default classification); answers rank by its metric")
    p.add_argument("--max-params-m", type=positive_float, help="maximum parameters in millions")
    p.add_argument("--runtime", help="runtime, e.g. tensorrt, ncnn, pytorch, tflite")
    p.add_argument("--precision", help="precision, e.g. fp32, fp16, int8")
    p.add_argument("--objective", choices=["top1", "fps", "memory"], default="top1",
                   help="top1: most accurate (default); fps: fastest; memory: smallest")
    p.add_argument("--strict", action="store_true", help="exclude estimated memory values")
    p.add_argument("--estimates", choices=["exclude", "include"], default="exclude",
                   help="include: predicted latencies of unmeasured cells compete, flagged ESTIMATED, judged by "
                        "their interval's conservative end (default: measured only)")
    p.add_argument("--include-suspect", action="store_true",
                   help="let measurements the suspect screen judged implausible compete (flagged SUSPECT with the "
                        "reason; default: excluded, see 'modelpick show DEVICE')")


def query_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    out = {k: getattr(args, k) for k in ("max_mem_gb", "min_fps", "max_latency_ms", "batch_size", "min_top1",
                                         "max_params_m", "runtime", "precision", "objective", "strict",
                                         "estimates", "include_suspect", "task", "min_score")}
    if getattr(args, "memory_bound", None) is not None:  # best/recommend only
        out["memory_bound"] = args.memory_bound
    return out


# ---------------------------------------------------------------------------
# output


def _fmt_mem(rec) -> str:
    if rec.memory_mb is None:
        # the run fit in the device and nothing more is known: say that, never the device's memory as the model's
        return rec.memory_method if rec.memory_high_mb is not None and rec.memory_method else "unknown"
    if rec.memory_estimated and rec.memory_low_mb is not None and rec.memory_high_mb is not None:
        return f"{rec.memory_mb:,.0f} MB (estimated, {rec.memory_low_mb:,.0f}-{rec.memory_high_mb:,.0f} MB)"
    return f"{rec.memory_mb:,.0f} MB" + (" (estimated)" if rec.memory_estimated else "")


def format_recommendation(rec, requested_device: str | None = None) -> str:
    resolved = f" (resolved from {requested_device!r})" if requested_device and requested_device != rec.device else ""
    settings = ", ".join(f"{k}={v}" for k, v in sorted(rec.settings.items()))
    src = rec.sources
    lines = [
        f"{rec.checkpoint}" + (f"  (same weights as {', '.join(rec.also_named)})" if rec.also_named else ""),
        f"  architecture  {rec.architecture} @ {rec.input_size}px" + (f", {rec.params_m:g} M params" if rec.params_m else "")
        + (f", {rec.gmacs:.4g} GMACs" + (" (computed, not published: scaled to this size, or GFLOPs / 2)" if rec.gmacs_computed else "")
           if rec.gmacs else ""),
        f"  device        {rec.device}{resolved}",
        f"  runtime       {rec.runtime}, {rec.precision}, batch {rec.batch_size}" + (f" [{settings}]" if settings else ""),
        f"  {get_task(rec.task).label:<13} {rec.score:.2f}%" + (f"  (top-5 {rec.top5:.2f}%)" if rec.top5 is not None else "")
        + f"    source: {src.get('accuracy')}",
        f"  latency       {rec.latency_ms:.3g} ms/image = {rec.fps:.1f} FPS"
        + (f"  [ESTIMATED: predicted, 80% interval {rec.latency_low_ms:.3g}-{rec.latency_high_ms:.3g} ms]"
           if rec.latency_estimated else "") + f"    source: {src.get('latency') or 'computed'}",
        f"  memory        {_fmt_mem(rec)}    "
        + (f"source: {src.get('memory')}" if src.get("memory")
           else "" if rec.memory_mb is None and rec.memory_high_mb is not None
           else f"({rec.memory_method})" if rec.memory_mb is None else f"computed: {rec.memory_method}"),
    ]
    if rec.suspect:
        lines.append(f"  SUSPECT       {rec.suspect}")
    for reason in rec.why:
        lines.append(f"  why           {reason}")
    return "\n".join(lines)


def format_table(recs) -> str:
    score = get_task(recs[0].task if recs else None).header
    header = ["#", "checkpoint", "runtime", "prec", "bs", f"{score}%", "FPS", "ms", "memory MB", "sources (acc/lat/mem)"]
    rows = []
    for i, r in enumerate(recs, 1):
        mem = (f"<={r.memory_high_mb:,.0f}" if r.memory_mb is None and r.memory_high_mb is not None
               else "?" if r.memory_mb is None else f"{r.memory_mb:,.0f}" + ("*" if r.memory_estimated else ""))
        srcs = "/".join(str(r.sources.get(k) or "computed") for k in ("accuracy", "latency", "memory"))
        est = "~" if r.latency_estimated else "!" if r.suspect else ""  # predicted / suspect latency: footnotes
        name = r.checkpoint + ("=" if r.also_named else "")  # footnote: same weights under another name
        rows.append([str(i), name, r.runtime, r.precision, str(r.batch_size), f"{r.score:.2f}",
                     f"{est}{r.fps:.1f}", f"{est}{r.latency_ms:.3g}", mem, srcs])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    if any(r.latency_estimated for r in recs):
        out.append("~ latency predicted (computed, not measured; limits checked against the 80% interval's slow end)")
    if any(r.suspect for r in recs):
        out.append("! suspect latency: the screen judged it implausible (included by --include-suspect; reasons in "
                   "--json or 'modelpick show DEVICE')")
    for r in recs:
        if r.also_named:
            out.append(f"= {r.checkpoint}: the same weights as {', '.join(r.also_named)} (shown once)")
    if any(r.memory_estimated for r in recs):
        out.append("* memory estimated (computed, not measured; its interval in --json or 'best'); see README "
                   "'Memory estimates'")
    if any(r.memory_mb is None and r.memory_high_mb is not None for r in recs):
        out.append("<= fits in the device's memory (the measured run did); its need is unknown")
    return "\n".join(out)


def answer_json(cat, recs, query) -> dict[str, Any]:
    return {
        "best": recs[0].to_dict() if recs else None,
        "alternatives": [r.to_dict() for r in recs[1:]],
        "query": query.model_dump(mode="json"),
        "coverage": cat.coverage(query.device, task=query.task).to_dict(),
        "catalog": {"version": cat.version, "hash": cat.hash},
    }
