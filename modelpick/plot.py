"""Figures after Bianco et al. 2018 for any device in the catalog (needs the ``[plot]`` extra: matplotlib).

Kinds (:data:`KINDS`):

* ``accuracy-flops``: accuracy vs GFLOPs per image, ball size = parameters (Fig. 1);
* ``density``: accuracy density, accuracy per million parameters (Fig. 2);
* ``accuracy-fps``: accuracy vs FPS on a log axis, with the fitted upper bound, the Pareto front and, when
  constraints are given, the recommendation (Fig. 3);
* ``memory-params``: measured memory vs parameter size, with the least-squares fit (Fig. 4).

"Accuracy" is the task's metric (``task=``, :mod:`modelpick.tasks`): ImageNet top-1 for classification (the
default), COCO mAP50-95 for detection; axes, titles and legends take its labels from the task registry.

Every figure names its selection (device, batch size, runtime, precision) on its axes, lists the sources of
its numbers in a footer, labels computed lines as computed, and draws points whose memory is estimated
hollow. Figures are built with matplotlib's object API (no pyplot, no global backend state).
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidQuery, ModelpickError, NoFeasibleModel
from .tasks import DEFAULT_TASK, get_task

KINDS = ("accuracy-flops", "density", "accuracy-fps", "memory-params")
FORMATS = ("png", "svg", "pdf")
INSTALL_HINT = "pip install 'modelpick[plot]'"
_CONSTRAINT_ARGS = ("max_mem_gb", "min_fps", "max_latency_ms", "min_top1", "min_score", "max_params_m")

# colour-blind-safe palette (Okabe-Ito)
_BLUE, _ORANGE, _GREEN, _VERMILION, _GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999"


class PlotUnavailable(ModelpickError):
    """matplotlib is not installed."""


def _figure(width: float = 10.0, height: float = 6.4):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable(f"plotting needs matplotlib, which is not installed; install the extra: {INSTALL_HINT}") from None
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    return fig


def _catalog(catalog):
    from .bounds import _catalog as get

    return get(catalog)


def _short(name: str, n: int = 30) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def _selection_text(sel) -> str:
    batch = f"batch {sel.batch_size}" if sel.batch_size is not None else "best measured batch"
    return f"{batch}, runtime {sel.runtime or 'any'}, precision {sel.precision or 'any'}"


def _runtime_text(sel, runtimes, precisions) -> str:
    """Selection text naming what the points actually use when the selection left it open."""
    batch = f"batch {sel.batch_size}" if sel.batch_size is not None else "best measured batch"
    rt = sel.runtime or ("/".join(runtimes) if runtimes else "any")
    pr = sel.precision or ("/".join(precisions) if precisions else "any")
    return f"{batch}, runtime {rt}, precision {pr}"


def _footer(fig, cat, sources, computed: str) -> None:
    srcs = ", ".join(sorted(s for s in sources if s))
    text = (f"Numbers: {srcs or 'none'} (details: modelpick show <source>); catalog {cat.version}.\n"
            f"Computed by modelpick (not measured): {computed}.")
    fig.text(0.005, 0.003, text, fontsize=7, color="#444444", ha="left", va="bottom", wrap=True)
    fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))


def _plain_log_axis(axis) -> None:
    """Log axis with ticks at 1, 2, 5 x 10^k written as plain numbers (10, 20, 50, ...)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _label_spread(ax, xs, ys, names, limit: int, logx: bool = True) -> None:
    """Label up to ``limit`` points in the given priority order, skipping any too close to one already labelled."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    if len(xs) == 0:
        return
    px = np.log10(xs) if logx else xs
    span_x = max(float(np.ptp(px)), 1e-9)
    span_y = max(float(np.ptp(ys)), 1e-9)
    kept: list[int] = []
    for i in range(len(xs)):
        if len(kept) >= limit:
            break
        if any(abs(px[i] - px[k]) < 0.12 * span_x and abs(ys[i] - ys[k]) < 0.035 * span_y for k in kept):
            continue
        kept.append(i)
        ax.annotate(_short(names[i]), (xs[i], ys[i]), xytext=(5, 3), textcoords="offset points", fontsize=7,
                    color="#333333", zorder=6)


def _device_name(cat, device_id: str) -> str:
    d = cat._m.devices[device_id]
    return d.name if d.name.lower() != d.id else d.id


def _memory_style(estimated: np.ndarray, mem: np.ndarray):
    """Masks for measured / estimated / unknown memory (estimated points are drawn hollow)."""
    unknown = np.isnan(mem)
    return (~unknown & ~estimated), (~unknown & estimated), unknown


# ---------------------------------------------------------------------------
# accuracy vs FPS (Fig. 3)


def accuracy_fps(device: Any, *, runtime: str | None = None, precision: str | None = None, batch_size: int | None = 1,
                 form: str = "linear", max_mem_gb: float | None = None, min_fps: float | None = None,
                 max_latency_ms: float | None = None, min_top1: float | None = None,
                 max_params_m: float | None = None, min_score: float | None = None, strict: bool = False,
                 label_limit: int = 12, task: str = DEFAULT_TASK, catalog=None):
    """The task's accuracy (top-1 by default) vs FPS (log x) with the fitted upper bound, the Pareto front and the
    recommendation."""
    from .bounds import _check_form, _fit_rows, _select, pareto

    cat = _catalog(catalog)
    _check_form(form)
    t = get_task(task)
    sel, rows = _select(cat, device, runtime, precision, batch_size, strict, task=t.id)
    if len(rows) == 0:
        from .bounds import _no_points

        raise _no_points(sel, cat, "an accuracy-fps plot", 1, 0)
    c, s = cat._cols, cat._str
    fps, top1, mem = c["fps"][rows], c["score"][rows], c["memory_mb"][rows]  # score: the task's metric (= top1)
    est = c["memory_estimated"][rows]
    fig = _figure(10.0, 7.4)
    # main axes above, legend panel below (a legend inside would hide points)
    ax, legend_ax = fig.subplots(2, 1, height_ratios=[5.2, 1])
    legend_ax.axis("off")
    measured, estimated, unknown = _memory_style(est, mem)
    # only categories that occur get a legend entry
    if measured.any():
        ax.scatter(fps[measured], top1[measured], s=26, color=_BLUE, alpha=0.8, label="candidate, memory measured", zorder=3)
    if estimated.any():
        ax.scatter(fps[estimated], top1[estimated], s=26, facecolors="none", edgecolors=_BLUE, alpha=0.8,
                   label="candidate, memory estimated (computed)", zorder=3)
    if unknown.any():
        ax.scatter(fps[unknown], top1[unknown], s=20, color=_GREY, alpha=0.8, label="candidate, memory unknown", zorder=3)

    computed = ["Pareto front"]
    bound = None
    if len(rows) >= 2 and np.ptp(fps) > 0:
        bound = _fit_rows(cat, sel, rows, form)
        xs = np.geomspace(bound.fps_min, bound.fps_max, 200)
        ax.plot(xs, bound.predict(xs), color=_VERMILION, lw=1.8, zorder=2,
                label=f"fitted upper bound (computed, LP): {bound.equation}")
        computed.insert(0, f"upper bound ({form} form, linear program over {bound.n_points} points)")
    front = pareto(sel.device, runtime=sel.runtime, precision=sel.precision, batch_size=sel.batch_size,
                   strict=strict, task=t.id, catalog=cat)
    pf = np.array([p.fps for p in front.points])
    pt = np.array([p.score for p in front.points])
    ax.scatter(pf, pt, s=90, facecolors="none", edgecolors=_ORANGE, linewidths=2.0, zorder=4,
               label=f"Pareto front on {t.label} / FPS / memory ({len(pf)}, computed)")
    # label the front, most accurate first
    _label_spread(ax, pf, pt, [p.checkpoint for p in front.points], label_limit)

    constraints = {"max_mem_gb": max_mem_gb, "min_fps": min_fps, "max_latency_ms": max_latency_ms,
                   "min_top1": min_top1, "min_score": min_score, "max_params_m": max_params_m}
    given = {k: v for k, v in constraints.items() if v is not None}
    title_extra = ""
    if given:
        desc = ", ".join(f"{k}={v:g}" for k, v in given.items())
        try:
            rec = cat.best(sel.device, runtime=sel.runtime, precision=sel.precision, batch_size=sel.batch_size,
                           strict=strict, task=t.id, **given)
            ax.scatter([rec.fps], [rec.score], marker="*", s=320, color=_GREEN, edgecolors="black", zorder=7,
                       label=f"recommendation for {desc}: {_short(rec.checkpoint, 40)} ({rec.score:.2f}%, {rec.fps:.1f} FPS)")
        except NoFeasibleModel as exc:
            title_extra = f"\nno model meets {desc}"
            ax.text(0.99, 0.99, _short(f"no feasible model: {exc}", 160), transform=ax.transAxes, ha="right",
                    va="top", fontsize=7.5, wrap=True, color=_VERMILION,
                    bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": _VERMILION, "alpha": 0.9})
        if min_fps is not None:
            ax.axvline(min_fps, color=_GREEN, ls="--", lw=1, label=f"min_fps = {min_fps:g}")
        if max_latency_ms is not None:
            ax.axvline(1000.0 / max_latency_ms, color=_GREEN, ls=":", lw=1,
                       label=f"max_latency_ms = {max_latency_ms:g} (= {1000.0 / max_latency_ms:.3g} FPS)")
        if min_top1 is not None:
            ax.axhline(min_top1, color=_GREEN, ls="-.", lw=1, label=f"min_top1 = {min_top1:g}%")
        if min_score is not None:
            ax.axhline(min_score, color=_GREEN, ls="-.", lw=1, label=f"min_score = {min_score:g}% {t.label}")

    runtimes = sorted({s["runtime"][v] for v in np.unique(c["runtime"][rows])})
    precisions = sorted({s["precision"][v] for v in np.unique(c["precision"][rows])})
    ax.set_xscale("log")
    _plain_log_axis(ax.xaxis)
    ax.margins(x=0.08)
    ax.set_xlabel(f"throughput, FPS (images/s, log scale) on {sel.device} — {_runtime_text(sel, runtimes, precisions)}")
    ax.set_ylabel(t.axis_label)
    ax.set_title(f"{t.title} vs throughput on {_device_name(cat, sel.device)} "
                 f"({len(rows)} checkpoints, one point each at its fastest cell){title_extra}", fontsize=11)
    ax.grid(True, which="both", alpha=0.25)
    legend_ax.legend(*ax.get_legend_handles_labels(), loc="center", ncols=2, fontsize=7.5, frameon=False)
    sources = {s["source"][v] for v in np.unique(c["latency_source"][rows])} | {
        s["source"][v] for v in np.unique(c["accuracy_source"][rows])}
    if np.any(estimated):
        computed.append("hollow points' memory (estimate)")
    _footer(fig, cat, sources, ", ".join(computed))
    return fig


# ---------------------------------------------------------------------------
# accuracy vs FLOPs (Fig. 1) and accuracy density (Fig. 2)


def _model_points(cat, device, runtime, precision, batch_size, task):
    """(selection or None, rows as dicts): one per checkpoint of ``task`` on a device, else one per architecture
    of ``task`` (its most accurate checkpoint at the architecture's own input size). "top1" is the task's score."""
    if device is not None:
        from .bounds import _select

        sel, rows = _select(cat, device, runtime, precision, batch_size, task=task.id)
        c, s = cat._cols, cat._str
        pts = []
        for r in rows:
            params, gmacs = float(c["params_m"][r]), float(c["gmacs"][r])
            arch = s["architecture"][c["architecture"][r]]
            pts.append({"name": s["checkpoint"][c["checkpoint"][r]], "architecture": arch, "top1": float(c["score"][r]),
                        "params_m": None if math.isnan(params) else params, "gmacs": None if math.isnan(gmacs) else gmacs,
                        "gmacs_computed": bool(c["gmacs_computed"][r]),
                        "accuracy_source": s["source"][c["accuracy_source"][r]]})
        return sel, pts
    if any(v is not None for v in (runtime, precision)):
        raise InvalidQuery("device", None, "runtime and precision select measured cells, which need a device")
    best: dict[str, Any] = {}
    for ck in cat._m.checkpoints.values():
        arch = cat._m.architectures[ck.architecture]
        if arch.task != task.id or ck.input_size != arch.input_size:
            continue  # one task's metric per figure; params/GMACs are stated for the architecture's own input size
        if ck.architecture not in best or ck.score_pct > best[ck.architecture].score_pct:
            best[ck.architecture] = ck
    pts = []
    for arch_id, ck in best.items():
        arch = cat._m.architectures[arch_id]
        pts.append({"name": ck.id, "architecture": arch_id, "top1": ck.score_pct, "params_m": arch.params_m,
                    "gmacs": arch.gmacs, "accuracy_source": ck.source})
    return None, pts


def _arch_sources(cat, pts, *fields) -> set[str]:
    out = {p["accuracy_source"] for p in pts}
    for p in pts:
        arch = cat._m.architectures[p["architecture"]]
        out |= {arch.sources[f] for f in fields if f in arch.sources}
    return out


def accuracy_flops(device: Any = None, *, runtime: str | None = None, precision: str | None = None,
                   batch_size: int | None = 1, label_limit: int = 15, task: str = DEFAULT_TASK, catalog=None):
    """The task's accuracy vs GFLOPs per image (log x), ball area proportional to parameters (Bianco Fig. 1).

    With a device: its candidates (one per checkpoint). Without: every architecture's most accurate checkpoint.
    """
    cat = _catalog(catalog)
    t = get_task(task)
    sel, pts = _model_points(cat, device, runtime, precision, batch_size, t)
    pts = [p for p in pts if p["gmacs"] is not None and p["params_m"] is not None]
    if not pts:
        raise NoFeasibleModel("no candidate in this selection has both GMACs and a parameter count to plot",
                              {"selection": sel.to_dict() if sel else None})
    gflops = np.array([2 * p["gmacs"] for p in pts])
    top1 = np.array([p["top1"] for p in pts])
    params = np.array([p["params_m"] for p in pts])
    fig = _figure()
    ax = fig.add_subplot()
    size = lambda m: 6.0 * np.asarray(m)  # marker area (pt^2) per M params
    ax.scatter(gflops, top1, s=size(params), color=_BLUE, alpha=0.35, edgecolors=_BLUE, linewidths=0.6)
    for m in (5, 25, 100):
        ax.scatter([], [], s=size(m), color=_BLUE, alpha=0.35, label=f"{m} M parameters")
    # label each architecture's most accurate point, most accurate first, spread out
    order, seen = [], set()
    for i in np.argsort(-top1, kind="stable"):
        if pts[i]["architecture"] not in seen:
            seen.add(pts[i]["architecture"])
            order.append(i)
    _label_spread(ax, gflops[order], top1[order], [pts[i]["name"] for i in order], label_limit)
    ax.set_xscale("log")
    _plain_log_axis(ax.xaxis)
    where = (f" — models with a measured cell on {sel.device} ({_selection_text(sel)})" if sel
             else " — device-independent; one point per architecture at its own input size")
    ax.set_xlabel("GFLOPs per image (= 2 × GMACs as stated by the source, log scale)")
    ax.set_ylabel(t.axis_label)
    ax.set_title(f"{t.title} vs computational cost{where}\nball area ∝ parameters ({len(pts)} models)", fontsize=10.5)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, loc="lower right", labelspacing=1.6, borderpad=1.0)
    n_scaled = sum(1 for p in pts if p.get("gmacs_computed"))
    _footer(fig, cat, _arch_sources(cat, pts, "gmacs", "params_m"), "GFLOPs = 2 × GMACs (unit conversion only)"
            + (f"; the GMACs of {n_scaled} point(s) scaled by pixel count to their input size" if n_scaled else ""))
    return fig


def density(device: Any = None, *, runtime: str | None = None, precision: str | None = None,
            batch_size: int | None = 1, top: int = 30, task: str = DEFAULT_TASK, catalog=None):
    """Accuracy density (the task's score, % per million parameters), the ``top`` densest models (Bianco Fig. 2)."""
    cat = _catalog(catalog)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidQuery("top", top, "must be an integer >= 1")
    t = get_task(task)
    sel, pts = _model_points(cat, device, runtime, precision, batch_size, t)
    pts = [p for p in pts if p["params_m"]]
    if not pts:
        raise NoFeasibleModel("no candidate in this selection has a parameter count", {"selection": sel.to_dict() if sel else None})
    dens = np.array([p["top1"] / p["params_m"] for p in pts])
    order = np.argsort(-dens, kind="stable")[:top]
    fig = _figure(10.0, max(4.0, 0.24 * len(order) + 1.8))
    ax = fig.add_subplot()
    y = np.arange(len(order))[::-1]
    ax.barh(y, dens[order], color=_BLUE, alpha=0.8)
    ax.set_yticks(y, [f"{_short(pts[i]['name'], 40)}  ({pts[i]['top1']:.1f}%, {pts[i]['params_m']:.3g} M)" for i in order],
                  fontsize=7)
    for yy, i in zip(y, order):
        ax.text(dens[i], yy, f" {dens[i]:.2f}", va="center", fontsize=7)
    where = f" on {sel.device} ({_selection_text(sel)})" if sel else " (device-independent)"
    ax.set_xlabel(f"accuracy density: {t.label} (%) per million parameters (computed)")
    ax.set_title(f"Accuracy density, {len(order)} densest of {len(pts)} models{where}", fontsize=10.5)
    ax.grid(True, axis="x", alpha=0.25)
    _footer(fig, cat, _arch_sources(cat, pts, "params_m"), f"accuracy density = {t.label} / params_m")
    return fig


# ---------------------------------------------------------------------------
# memory vs parameters (Fig. 4)


def memory_params(device: Any, *, runtime: str | None = None, precision: str | None = None, batch_size: int = 1,
                  label_limit: int = 12, task: str = DEFAULT_TASK, catalog=None):
    """Measured memory vs parameter size with the least-squares fit; estimated cells drawn hollow.

    ``task`` picks the models drawn as the figure's points: that task's measured architectures (filled) and its
    estimated cells (hollow). The fit is the group's, over every task's measured memory (the fit memory estimates
    use); other tasks' measured points in it are drawn small and grey, so the line is seen with all its points.
    """
    from .bounds import memory_model
    from .estimate import weights_mb

    cat = _catalog(catalog)
    t = get_task(task)
    model = memory_model(device, runtime=runtime, precision=precision, batch_size=batch_size, task=t.id,
                         catalog=cat)
    sel = model.selection
    archs = cat._m.architectures
    mine = [r for r in model.residuals if archs[r["architecture"]].task == t.id]
    others = [r for r in model.residuals if archs[r["architecture"]].task != t.id]
    w = np.array([r["weights_mb"] for r in mine])
    m = np.array([r["memory_mb"] for r in mine])
    fig = _figure()
    ax = fig.add_subplot()
    ax.scatter(w, m, s=30, color=_BLUE, zorder=3,
               label=(f"measured ({len(mine)} architectures)" if not others
                      else f"measured, {t.noun}s ({len(mine)} architectures)"))
    if others:
        ow = [r["weights_mb"] for r in others]
        om = [r["memory_mb"] for r in others]
        ax.scatter(ow, om, s=12, color=_GREY, alpha=0.7, zorder=2,
                   label=f"measured, other tasks' models in the same fit ({len(others)} architectures)")
    for i in np.argsort(-np.abs([r["residual_mb"] for r in mine]))[:label_limit]:
        ax.annotate(_short(mine[i]["architecture"]), (w[i], m[i]), xytext=(4, 3),
                    textcoords="offset points", fontsize=7)
    # cells of this group (and task) whose memory the catalog estimated
    c, s = cat._cols, cat._str
    lo, hi = cat._block(sel.device)
    rows = np.arange(lo, hi)
    keep = ((c["runtime"][rows] == cat._code["runtime"][sel.runtime])
            & (c["precision"][rows] == cat._code["precision"][sel.precision])
            & (c["batch_size"][rows] == sel.batch_size) & c["memory_estimated"][rows])
    est_pts = {}
    for r in rows[keep]:
        arch = archs[s["architecture"][c["architecture"][r]]]
        if arch.task != t.id:
            continue
        wm = weights_mb(arch.params_m, sel.precision, cat._m.measurements[int(c["measurement"][r])]["settings"])
        if wm is not None:
            est_pts[arch.id] = (wm, float(c["memory_mb"][r]))
    if est_pts:
        ew, em = np.array(list(est_pts.values())).T
        ax.scatter(ew, em, s=30, facecolors="none", edgecolors=_GREY, zorder=2,
                   label=f"estimated, not measured ({len(est_pts)} architectures; computed)")
    all_w = [r["weights_mb"] for r in model.residuals] + [v[0] for v in est_pts.values()]
    xs = np.linspace(0, max(all_w) * 1.05, 50)
    over = "" if not others else f" over all {model.n_points} measured architectures, every task"
    ax.plot(xs, model.predict_mb(xs), color=_VERMILION, lw=1.8,
            label=(f"least-squares fit (computed{over}): {model.slope:.3f} × weights + {model.intercept_mb:.0f} MB, "
                   f"R² {model.r2:.2f}" + ("; used for estimates" if model.used_for_estimates else "")))
    ax.set_xlabel(f"parameter size at the stored precision (MB) — {_selection_text(sel)}")
    includes = sorted({r["memory_includes"] or "see source" for r in mine or model.residuals})
    ax.set_ylabel(f"memory (MB), measured — {t.noun}s ({t.title})")
    ax.set_title(f"Memory vs model size on {_device_name(cat, sel.device)}, {t.noun}s (task {t.id})\n"
                 f"memory as measured: {_short('; '.join(includes), 110)}", fontsize=10.5)
    ax.margins(x=0.1)
    ax.grid(True, alpha=0.25)
    ax.legend(fontsize=8, loc="upper left")
    _footer(fig, cat, set(model.sources), "least-squares fit" + (" (over every task's measured memory)" if others else "")
            + ("; hollow points (memory estimate)" if est_pts else ""))
    return fig


# ---------------------------------------------------------------------------
# rendering


_BUILDERS = {"accuracy-flops": accuracy_flops, "density": density, "accuracy-fps": accuracy_fps,
             "memory-params": memory_params}


def figure(kind: str, device: Any = None, **kwargs: Any):
    """Build the figure of ``kind`` (one of :data:`KINDS`)."""
    if kind not in _BUILDERS:
        raise InvalidQuery("kind", kind, "unknown plot kind", choices=KINDS)
    if device is None and kind in ("accuracy-fps", "memory-params"):
        raise InvalidQuery("device", device, f"the {kind} plot needs a device")
    return _BUILDERS[kind](device, **kwargs)


def to_bytes(fig, fmt: str = "png") -> bytes:
    if fmt not in FORMATS:
        raise InvalidQuery("format", fmt, "unknown image format", choices=FORMATS)
    buf = io.BytesIO()
    # fixed metadata keeps SVG/PDF output reproducible
    meta = {"Date": None} if fmt in ("svg", "pdf") else {"Software": "modelpick (matplotlib)"}
    fig.savefig(buf, format=fmt, metadata=meta)
    return buf.getvalue()


def save(fig, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``fig`` atomically; the format comes from the suffix (png, svg, pdf) unless given."""
    from ._fileio import write_atomic

    target = Path(path)
    fmt = fmt or target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidQuery("output", str(path), "the file suffix must name an image format", choices=[f".{f}" for f in FORMATS])
    write_atomic(target, to_bytes(fig, fmt))
    return target


def render(kind: str, device: Any = None, fmt: str = "png", **kwargs: Any) -> bytes:
    """Build and render a figure in one call (what the CLI and REST service use)."""
    if fmt not in FORMATS:
        raise InvalidQuery("format", fmt, "unknown image format", choices=FORMATS)
    return to_bytes(figure(kind, device, **kwargs), fmt)


__all__ = ["KINDS", "FORMATS", "INSTALL_HINT", "PlotUnavailable", "accuracy_fps", "accuracy_flops", "density",
           "memory_params", "figure", "render", "save", "to_bytes"]
