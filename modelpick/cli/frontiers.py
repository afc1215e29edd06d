"""CLI commands for frontiers: ``bound``, ``pareto``, ``grid``, ``memory-model`` and ``plot``.

Every fitted number printed here is marked as computed; ``--json`` carries ``computed: true`` and the method.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..tasks import get_task, task_ids
from .toolkit import EXIT_OK, add_query_options, batch_size_arg, catalog_from_args, positive_float, print_json

COMPUTED = "[computed]"


def _levels(text: str) -> list[float]:
    out = []
    for part in text.split(","):
        out.append(positive_float(part.strip()))
    if not out:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers > 0, got {text!r}")
    return out


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", "-d", required=True, help="device id, alias or family, e.g. jetson-nano, rpi4")
    p.add_argument("--runtime", help="restrict to one runtime (default: all runtimes measured on the device)")
    p.add_argument("--precision", help="restrict to one precision (default: all)")
    p.add_argument("--batch-size", type=batch_size_arg, default=1,
                   help="batch size (default 1); 'best' = each checkpoint's fastest measured batch")


def _add_task(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", default="classification",
                   help=f"task: {', '.join(task_ids())} (default classification); points use its metric")


def _selection_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {"runtime": args.runtime, "precision": args.precision, "batch_size": args.batch_size, "task": args.task}


def _fmt_mem(rec) -> str:
    if rec.memory_mb is None:
        return "unknown"
    return f"{rec.memory_mb:,.0f}" + ("*" if rec.memory_estimated else "")


# ---------------------------------------------------------------------------


def cmd_bound(args: argparse.Namespace) -> int:
    from ..bounds import upper_bound

    cat = catalog_from_args(args)
    ub = upper_bound(args.device, form=args.form, include_suspect=args.include_suspect, catalog=cat,
                     **_selection_kwargs(args))
    preds = [ub.prediction(f) for f in (args.fps or [])]
    if args.json:
        print_json({**ub.to_dict(), "predictions": preds})
        return EXIT_OK
    sel = ub.selection
    label = get_task(sel.task).label
    print(f"upper bound of {label} vs FPS on {sel.describe()} {COMPUTED}")
    print(f"  {ub.equation}   (a = {ub.a:.4f} %, b = {ub.b:.6g} % per {'decade of FPS' if ub.form == 'log' else 'FPS'})")
    print(f"  fitted on {ub.n_points} checkpoints (one point each, its fastest cell), FPS {ub.fps_min:.4g} .. "
          f"{ub.fps_max:.4g}; runtimes {', '.join(ub.runtimes)}; precisions {', '.join(ub.precisions)}")
    print(f"  method: {ub.method}")
    print("  on the line (support):")
    for p in ub.support:
        print(f"    {p['checkpoint']:40s} {p['top1']:6.2f}%  {p['fps']:9.2f} FPS  {p['runtime']}/{p['precision']}")
    for pr in preds:
        note = " (extrapolated: outside the fitted FPS range)" if pr["extrapolated"] else ""
        print(f"  at {pr['fps']:g} FPS the bound allows {label} <= {pr['top1_bound']:.2f}% {COMPUTED}{note}")
    print(f"  sources: {', '.join(ub.sources)}; catalog {ub.catalog_version}")
    return EXIT_OK


def cmd_pareto(args: argparse.Namespace) -> int:
    from ..bounds import _efficiency_rows, _fit_rows, _select, pareto
    from ..errors import NoFeasibleModel

    cat = catalog_from_args(args)
    front = pareto(args.device, strict=args.strict, include_suspect=args.include_suspect, catalog=cat,
                   **_selection_kwargs(args))
    sel, rows = _select(cat, front.selection.device, front.selection.runtime, front.selection.precision,
                        front.selection.batch_size, include_suspect=args.include_suspect, task=front.selection.task)
    try:
        bound = _fit_rows(cat, sel, rows, args.form)
    except NoFeasibleModel:
        bound = None
    eff = {e.checkpoint: e for e in _efficiency_rows(cat, rows, bound)}
    if args.json:
        out = front.to_dict()
        for p in out["points"]:
            e = eff[p["checkpoint"]]
            p["efficiency"] = {"top1_per_m_params": e.top1_per_m_params, "top1_per_gmac": e.top1_per_gmac,
                               "bound_top1": e.bound_top1, "gap_below_bound_pts": e.gap_below_bound_pts,
                               "bound_form": args.form if bound else None, "computed": True}
        print_json(out)
        return EXIT_OK
    t = get_task(front.selection.task)
    print(f"Pareto front on ({t.label} up, FPS up, memory down) on {front.selection.describe()} {COMPUTED}: "
          f"{len(front.points)} of {front.n_candidates} checkpoints")
    header = ["checkpoint", f"{t.label} %", "FPS", "memory MB", "runtime/precision", f"{t.header}/Mparam",
              f"{t.header}/GMAC", "gap to bound"]
    table = []
    for p in front.points:
        e = eff[p.checkpoint]
        table.append([p.checkpoint, f"{p.score:.2f}", f"{p.fps:.1f}", _fmt_mem(p), f"{p.runtime}/{p.precision}",
                      f"{e.top1_per_m_params:.2f}" if e.top1_per_m_params is not None else "-",
                      f"{e.top1_per_gmac:.1f}" if e.top1_per_gmac is not None else "-",
                      f"{e.gap_below_bound_pts:.2f}" if e.gap_below_bound_pts is not None else "-"])
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    if any(p.memory_estimated for p in front.points):
        print("* memory estimated (computed, not measured)")
    print(f"efficiency columns are computed; gap = points of {t.label} below the fitted {args.form} bound at that FPS"
          + ("" if bound else " (no bound: fewer than 2 distinct FPS values)"))
    return EXIT_OK


def cmd_grid(args: argparse.Namespace) -> int:
    from ..bounds import grid

    cat = catalog_from_args(args)
    g = grid(args.device, args.mem_levels, args.fps_levels, args.batch_size, runtime=args.runtime,
             precision=args.precision, strict=args.strict, include_suspect=args.include_suspect, task=args.task,
             catalog=cat)
    if args.json:
        print_json(g.to_dict())
        return EXIT_OK
    print(f"best model per memory x speed level on {g.selection.describe()} (Bianco et al. 2018, Table 3)")
    cols = [f">= {f:g} FPS" for f in g.fps_levels]
    texts = {}
    for cell in g.cells:
        if cell.best:
            b = cell.best
            texts[(cell.max_mem_gb, cell.min_fps)] = f"{b.checkpoint} {b.score:.2f}% {b.fps:.0f}FPS {_fmt_mem(b)}MB"
        else:
            texts[(cell.max_mem_gb, cell.min_fps)] = "none (see below)"
    width = max([len(t) for t in texts.values()] + [len(c) for c in cols])
    print(f"{'memory':>10s}  " + "  ".join(c.ljust(width) for c in cols))
    for mem in g.mem_levels_gb:
        print(f"{'<= ' + format(mem, 'g') + ' GB':>10s}  " + "  ".join(texts[(mem, f)].ljust(width) for f in g.fps_levels))
    empty = [c for c in g.cells if c.best is None]
    for c in empty:
        print(f"<= {c.max_mem_gb:g} GB, >= {c.min_fps:g} FPS: {c.reason}")
    if any(c.best and c.best.memory_estimated for c in g.cells):
        print("* memory estimated (computed, not measured)")
    return EXIT_OK


def cmd_memory_model(args: argparse.Namespace) -> int:
    from ..bounds import memory_model

    cat = catalog_from_args(args)
    if args.batch_size is None:
        from ..errors import InvalidQuery

        raise InvalidQuery("batch_size", "best", "a memory model is fitted at one batch size; give an integer >= 1")
    mm = memory_model(args.device, runtime=args.runtime, precision=args.precision, batch_size=args.batch_size,
                      catalog=cat)
    if args.json:
        print_json(mm.to_dict())
        return EXIT_OK
    print(f"memory vs parameter size on {mm.selection.describe()} {COMPUTED}")
    print(f"  memory_mb = {mm.slope:.4f} x weights_mb + {mm.intercept_mb:.1f}   R² {mm.r2:.3f}, "
          f"RMSE {mm.rmse_mb:.1f} MB, max |residual| {mm.max_abs_residual_mb:.1f} MB, {mm.n_points} points")
    print(f"  used for memory estimates on this device/runtime/precision/batch: {'yes' if mm.used_for_estimates else 'no'}")
    print(f"  {'architecture':32s} {'weights MB':>10s} {'measured MB':>11s} {'fit MB':>8s} {'residual':>9s}")
    for r in mm.residuals:
        print(f"  {r['architecture']:32s} {r['weights_mb']:10.1f} {r['memory_mb']:11.1f} {r['predicted_mb']:8.1f} "
              f"{r['residual_mb']:9.1f}")
    print(f"  sources: {', '.join(mm.sources)}; catalog {mm.catalog_version}")
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from .. import plot
    from ..errors import InvalidQuery

    cat = catalog_from_args(args)
    kind = args.kind
    kwargs: dict[str, Any] = {"catalog": cat, "runtime": args.runtime, "precision": args.precision,
                              "batch_size": args.batch_size}
    task = get_task(args.task)
    kwargs["task"] = task.id  # memory-params: the task's models are the points; the fit stays the group's
    if kind == "accuracy-fps":
        kwargs.update(form=args.form, max_mem_gb=args.max_mem_gb, min_fps=args.min_fps,
                      max_latency_ms=args.max_latency_ms, min_top1=args.min_top1, min_score=args.min_score,
                      max_params_m=args.max_params_m, strict=args.strict)
    else:
        given = [k for k in ("max_mem_gb", "min_fps", "max_latency_ms", "min_top1", "min_score", "max_params_m")
                 if getattr(args, k) is not None]
        if given:
            raise InvalidQuery(given[0], getattr(args, given[0]), f"constraints apply to the accuracy-fps plot only, "
                               f"not {kind}")
    if kind == "memory-params" and args.batch_size is None:
        raise InvalidQuery("batch_size", "best", "memory-params is fitted at one batch size; give an integer >= 1")
    output = args.output or (f"{kind}-{args.device or 'all'}" + ("" if task.id == "classification" else f"-{task.id}")
                             + ".png")
    fmt = output.rsplit(".", 1)[-1].lower() if "." in output else ""
    if fmt not in plot.FORMATS:
        raise InvalidQuery("output", output, "the file suffix must name an image format",
                           choices=[f".{f}" for f in plot.FORMATS])
    fig = plot.figure(kind, args.device, **kwargs)
    plot.save(fig, output)
    if args.json:
        print_json({"kind": kind, "device": args.device, "output": output, "format": fmt,
                    "catalog_version": cat.version} | ({} if task.id == "classification" else {"task": task.id}))
    else:
        print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def _add_include_suspect(p: argparse.ArgumentParser) -> None:
    p.add_argument("--include-suspect", action="store_true",
                   help="let measurements the suspect screen judged implausible count (default: left out, as in answers)")


def register(sub, parents) -> None:
    p = sub.add_parser("bound", parents=parents, help="fitted upper bound of top-1 vs FPS on a device (computed)",
                       description="Fit top1 = a - b*fps (or a - b*log10 fps) on or above every candidate, with "
                                   "minimal area (a linear program). Bianco et al. 2018, Fig. 3.")
    _add_selection(p)
    p.add_argument("--form", choices=["linear", "log"], default="linear", help="linear in FPS (default) or in log10 FPS")
    p.add_argument("--fps", type=positive_float, action="append", metavar="FPS",
                   help="also print the bound's top-1 at this FPS target (repeatable)")
    _add_task(p)
    _add_include_suspect(p)
    p.set_defaults(func=cmd_bound)

    p = sub.add_parser("pareto", parents=parents, help="non-dominated models on top-1 / FPS / memory, with efficiency")
    _add_selection(p)
    p.add_argument("--strict", action="store_true", help="treat estimated memory as unknown")
    p.add_argument("--form", choices=["linear", "log"], default="linear", help="bound form for the gap column")
    _add_task(p)
    _add_include_suspect(p)
    p.set_defaults(func=cmd_pareto)

    p = sub.add_parser("grid", parents=parents, help="best model per memory x FPS level (Bianco Table 3)")
    _add_selection(p)
    p.add_argument("--mem-levels", type=_levels, default=[0.7, 1.0, 1.4], metavar="GB,GB,...",
                   help="memory limits in GB (default 0.7,1.0,1.4)")
    p.add_argument("--fps-levels", type=_levels, default=[15.0, 30.0, 60.0], metavar="FPS,FPS,...",
                   help="minimum FPS levels (default 15,30,60)")
    p.add_argument("--strict", action="store_true", help="exclude estimated memory values")
    _add_task(p)
    _add_include_suspect(p)
    p.set_defaults(func=cmd_grid)

    p = sub.add_parser("memory-model", parents=parents,
                       help="least-squares fit of measured memory vs parameter size (Bianco Fig. 4)")
    _add_selection(p)
    p.set_defaults(func=cmd_memory_model)

    from ..plot import KINDS

    p = sub.add_parser("plot", parents=parents, help=f"draw a figure: {', '.join(KINDS)} (needs modelpick[plot])")
    p.add_argument("kind", choices=KINDS)
    add_query_options(p, device_required=False)
    p.add_argument("--form", choices=["linear", "log"], default="linear", help="bound form (accuracy-fps)")
    p.add_argument("--output", "-o", help="output file, .png, .svg or .pdf (default KIND-DEVICE.png)")
    p.set_defaults(func=cmd_plot)
