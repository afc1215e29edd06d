"""Frontiers: fitted accuracy-vs-FPS upper bounds, Pareto fronts, efficiency, the memory model and the
constraint grid (Bianco et al. 2018, Figs. 3-4 and Table 3), for any device and runtime in the catalog.

Everything here is *computed* from sourced measurements; every result says so (``computed: True`` and a
``method`` string) and names the selection it was computed on.

How candidates become points: a *selection* is (device, runtime, precision, batch size). Within it, each
checkpoint contributes ONE point, its fastest measured cell (ties: lower memory), as Bianco plots one point
per model. With ``batch_size=None`` the fastest cell over all measured batch sizes is used.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from .catalog import natural_key
from .errors import InvalidQuery, NoFeasibleModel
from .schema import Recommendation
from .tasks import DEFAULT_TASK, get_task

FORMS = ("linear", "log")
#: Points within this many top-1 points of the fitted line count as touching it (support points).
SUPPORT_TOL_PTS = 1e-6


def _catalog(catalog):
    if catalog is not None:
        return catalog
    from .api import load_catalog

    return load_catalog()


# ---------------------------------------------------------------------------
# selections and points


@dataclass(frozen=True)
class Selection:
    """The measured cells a fit or front was computed on."""

    device: str
    runtime: str | None
    precision: str | None
    batch_size: int | None
    strict: bool = False
    #: The task whose candidates these are (modelpick.tasks); "top1" numbers of a frontier are its metric's score.
    task: str = DEFAULT_TASK

    def describe(self) -> str:
        batch = f"batch {self.batch_size}" if self.batch_size is not None else "best measured batch"
        return (f"{self.device}, {get_task(self.task).coverage_scope}runtime {self.runtime or 'any'}, precision "
                f"{self.precision or 'any'}, {batch}" + (", measured memory only" if self.strict else ""))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.task == DEFAULT_TASK:  # left out at its default, so classification frontiers read as before
            del out["task"]
        else:
            out["metric"] = get_task(self.task).metric
        return out


def _select(cat, device: Any, runtime: str | None, precision: str | None, batch_size: int | None,
            strict: bool = False, include_suspect: bool = False,
            task: str = DEFAULT_TASK) -> tuple[Selection, np.ndarray]:
    """Validate the selection and return (selection, absolute row indices: one row per checkpoint).

    Suspect measurements (implausible by the screen) stay out unless ``include_suspect``, as in answers.
    """
    q = cat.query(device, runtime=runtime, precision=precision, batch_size=batch_size, strict=strict,
                  include_suspect=include_suspect, task=task)
    lo, hi = cat._block(q.device)
    base, _ = cat._masks(q, lo, hi)
    rows = np.flatnonzero(base) + lo
    sel = Selection(q.device, q.runtime, q.precision, q.batch_size, q.strict, q.task)
    if len(rows) == 0:
        return sel, rows
    c = cat._cols
    mem = c["memory_mb"][rows].copy()
    if strict:
        mem[c["memory_estimated"][rows]] = np.nan
    mem = np.where(np.isnan(mem), np.inf, mem)
    # fastest cell per checkpoint; ties -> lower memory -> row order (deterministic)
    ordered = rows[np.lexsort((rows, mem, -c["fps"][rows], c["checkpoint"][rows]))]
    _, first = np.unique(c["checkpoint"][ordered], return_index=True)
    return sel, np.sort(ordered[first])


def candidates(device: Any, *, runtime: str | None = None, precision: str | None = None, batch_size: int | None = 1,
               strict: bool = False, include_suspect: bool = False, task: str = DEFAULT_TASK,
               catalog=None) -> tuple[Selection, list[Recommendation]]:
    """The points the bound, the Pareto front and the accuracy-FPS plot are drawn from: one per checkpoint in the
    selection, its fastest measured cell (ties: lower memory), in catalog order. May be empty."""
    cat = _catalog(catalog)
    sel, rows = _select(cat, device, runtime, precision, batch_size, strict, include_suspect, task)
    return sel, [cat._recommendation(int(r), strict=strict) for r in rows]


def _no_points(sel: Selection, cat, what: str, need: int, have: int) -> NoFeasibleModel:
    dev = sel.device
    msg = (f"{what} needs at least {need} candidate point(s) on {sel.describe()}, found {have}; "
           f"measured there: runtimes {', '.join(cat.runtimes(dev)) or 'none'}, precisions "
           f"{', '.join(cat.precisions(dev)) or 'none'}, batch sizes {', '.join(map(str, cat.batch_sizes(dev))) or 'none'}")
    return NoFeasibleModel(msg, {"device": dev, "selection": sel.to_dict(), "points": have, "needed": need,
                                 "available": {"runtimes": cat.runtimes(dev), "precisions": cat.precisions(dev),
                                               "batch_sizes": cat.batch_sizes(dev)}})


def _check_form(form: str) -> str:
    if form not in FORMS:
        raise InvalidQuery("form", form, "unknown bound form", choices=FORMS)
    return form


# ---------------------------------------------------------------------------
# the LP upper bound


def _lp_upper_bound(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, b) of the line y = a - b*x, b >= 0, on or above every point, with minimal area over [min x, max x].

    Area = (a - b*mid) * width is linear in (a, b), so this is a linear program. Among equally small areas
    (the mid point falls on a hull vertex) the smallest slope is taken so the answer is unique.
    """
    from scipy.optimize import linprog

    lo, hi = float(x.min()), float(x.max())
    mid, width = (lo + hi) / 2.0, hi - lo
    # canonical order: the LP sees the same input whatever order the points came in
    order = np.lexsort((y, x))
    x, y = x[order], y[order]
    cost = np.array([width, -mid * width])
    a_ub = np.column_stack([-np.ones_like(x), x])  # b*x_i - a <= -y_i
    b_ub = -y
    bounds = [(None, None), (0, None)]
    first = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if first.status != 0:  # pragma: no cover - bounded and feasible by construction
        raise RuntimeError(f"upper-bound LP failed: {first.message}")
    slack = 1e-9 * max(1.0, abs(first.fun))
    second = linprog(np.array([0.0, 1.0]), A_ub=np.vstack([a_ub, cost]), b_ub=np.append(b_ub, first.fun + slack),
                     bounds=bounds, method="highs")
    b = float(second.x[1]) if second.status == 0 else float(first.x[1])
    b = max(b, 0.0)
    # Polish: the optimum passes through hull points; recompute the slope exactly from the outermost
    # points the LP line touches, so hand-computable answers come out exact rather than to solver tolerance.
    gap = float(np.max(y + b * x)) - b * x - y
    touching = np.flatnonzero(gap <= 1e-7 * max(1.0, float(np.max(np.abs(y)))))
    if len(touching) >= 2 and x[touching].max() > x[touching].min():
        left, right = touching[np.argmin(x[touching])], touching[np.argmax(x[touching])]
        exact = float((y[left] - y[right]) / (x[right] - x[left]))
        if exact >= 0 and abs(exact - b) <= 1e-6 * max(1.0, abs(b)):
            b = exact
    # lift a to the exact envelope so no point lies above the line by LP tolerance
    a = float(np.max(y + b * x))
    return a, b


@dataclass(frozen=True)
class UpperBound:
    """A fitted upper bound of top-1 (%) against FPS: ``top1 <= a - b*fps`` (linear) or
    ``a - b*log10(fps)`` (log). Computed by modelpick, not measured."""

    form: str
    a: float
    b: float
    selection: Selection
    n_points: int
    fps_min: float
    fps_max: float
    area: float
    support: tuple[dict[str, Any], ...]
    runtimes: tuple[str, ...]
    precisions: tuple[str, ...]
    sources: tuple[str, ...]
    catalog_version: str
    computed: bool = True
    method: str = ("linear program (scipy.optimize.linprog, HiGHS): the line on or above every point with the "
                   "smallest area over the observed FPS range, slope >= 0 (Bianco et al. 2018, Fig. 3)")

    def _x(self, fps) -> np.ndarray:
        try:
            arr = np.asarray(fps, dtype=float)
        except (TypeError, ValueError):
            raise InvalidQuery("fps", fps, "must be a finite number > 0 (or an array of them)") from None
        if isinstance(fps, (bool, str, bytes)) or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
            raise InvalidQuery("fps", fps, "must be a finite number > 0")
        return np.log10(arr) if self.form == "log" else arr

    def predict(self, fps):
        """The best top-1 (%) to expect at ``fps`` according to the bound (computed). Accepts arrays."""
        out = self.a - self.b * self._x(fps)
        return float(out) if np.ndim(out) == 0 else out

    def extrapolated(self, fps: float) -> bool:
        """True when ``fps`` lies outside the FPS range the bound was fitted on."""
        return not (self.fps_min <= fps <= self.fps_max)

    def prediction(self, fps: float) -> dict[str, Any]:
        """``predict`` with its labels, JSON-ready."""
        return {"fps": float(fps), "top1_bound": self.predict(fps), "computed": True,
                "extrapolated": self.extrapolated(float(fps))}

    @property
    def equation(self) -> str:
        """The line in words, left side named by the task's column ("top1", "mAP50-95")."""
        x = "log10(fps)" if self.form == "log" else "fps"
        return f"{get_task(self.selection.task).header} = {self.a:.4g} - {self.b:.4g} * {x}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["selection"] = self.selection.to_dict()
        d["support"] = [dict(s) for s in self.support]
        d["runtimes"], d["precisions"], d["sources"] = list(self.runtimes), list(self.precisions), list(self.sources)
        d["equation"] = self.equation
        return d


def _point_info(cat, r: int) -> dict[str, Any]:
    c, s = cat._cols, cat._str
    return {"checkpoint": s["checkpoint"][c["checkpoint"][r]], "architecture": s["architecture"][c["architecture"][r]],
            "runtime": s["runtime"][c["runtime"][r]], "precision": s["precision"][c["precision"][r]],
            "batch_size": int(c["batch_size"][r]), "fps": float(c["fps"][r]), "top1": float(c["score"][r])}


def _fit_rows(cat, sel: Selection, rows: np.ndarray, form: str) -> UpperBound:
    c, s = cat._cols, cat._str
    fps, top1 = c["fps"][rows], c["score"][rows]  # the task's metric (= top-1 for classification)
    if len(rows) < 2:
        raise _no_points(sel, cat, "an upper bound", 2, len(rows))
    x = np.log10(fps) if form == "log" else fps
    if float(x.max() - x.min()) <= 0:
        raise NoFeasibleModel(f"an upper bound needs at least 2 distinct FPS values on {sel.describe()}; every "
                              f"point runs at {fps[0]:.4g} FPS", {"device": sel.device, "selection": sel.to_dict()})
    a, b = _lp_upper_bound(x, top1)
    gap = a - b * x - top1
    support_rows = rows[gap <= SUPPORT_TOL_PTS]
    support = sorted((_point_info(cat, int(r)) for r in support_rows), key=lambda p: (p["fps"], p["checkpoint"]))
    lo, hi = float(x.min()), float(x.max())
    srcs = {s["source"][c["latency_source"][r]] for r in rows} | {s["source"][c["accuracy_source"][r]] for r in rows}
    return UpperBound(
        form=form, a=a, b=b, selection=sel, n_points=len(rows), fps_min=float(fps.min()), fps_max=float(fps.max()),
        area=(a - b * (lo + hi) / 2.0) * (hi - lo), support=tuple(support),
        runtimes=tuple(sorted({s["runtime"][v] for v in np.unique(c["runtime"][rows])})),
        precisions=tuple(sorted({s["precision"][v] for v in np.unique(c["precision"][rows])})),
        sources=tuple(sorted(v for v in srcs if v)), catalog_version=cat.version,
    )


def upper_bound(device: Any, *, runtime: str | None = None, precision: str | None = None, batch_size: int | None = 1,
                form: str = "linear", include_suspect: bool = False, task: str = DEFAULT_TASK,
                catalog=None) -> UpperBound:
    """Fit the upper bound of top-1 against FPS on ``device`` (Bianco et al. 2018, Fig. 3).

    ``form='linear'``: top1 = a - b*fps; ``form='log'``: top1 = a - b*log10(fps); b >= 0, minimal area over
    the observed range, solved with :func:`scipy.optimize.linprog`. One point per checkpoint (its fastest
    cell in the selection). Raises :class:`NoFeasibleModel` with fewer than 2 points.
    """
    cat = _catalog(catalog)
    _check_form(form)
    sel, rows = _select(cat, device, runtime, precision, batch_size, include_suspect=include_suspect, task=task)
    return _fit_rows(cat, sel, rows, form)


# ---------------------------------------------------------------------------
# Pareto front and efficiency


def _dominated(top1: np.ndarray, fps: np.ndarray, mem: np.ndarray) -> np.ndarray:
    """Boolean mask: point i is dominated by some j (>= on top1 and fps, <= on memory, > on one of them)."""
    out = np.zeros(len(top1), dtype=bool)
    for i in range(len(top1)):
        ge = (top1 >= top1[i]) & (fps >= fps[i]) & (mem <= mem[i])
        gt = (top1 > top1[i]) | (fps > fps[i]) | (mem < mem[i])
        out[i] = bool(np.any(ge & gt))
    return out


@dataclass(frozen=True)
class ParetoFront:
    """The non-dominated candidates on (top-1 up, FPS up, memory down). Unknown memory counts as worst
    (infinite): such a candidate stays only if no candidate is at least as accurate and as fast."""

    selection: Selection
    points: tuple[Recommendation, ...]
    n_candidates: int
    catalog_version: str
    computed: bool = True
    method: str = ("non-dominated filter on (top1 max, fps max, memory_mb min); one point per checkpoint (its "
                   "fastest cell); unknown memory (or estimated memory when strict) counts as infinite")

    def to_dict(self) -> dict[str, Any]:
        return {"selection": self.selection.to_dict(), "points": [p.to_dict() for p in self.points],
                "n_points": len(self.points), "n_candidates": self.n_candidates,
                "catalog_version": self.catalog_version, "computed": self.computed, "method": self.method}


def pareto(device: Any, *, runtime: str | None = None, precision: str | None = None, batch_size: int | None = 1,
           strict: bool = False, include_suspect: bool = False, task: str = DEFAULT_TASK,
           catalog=None) -> ParetoFront:
    """Non-dominated candidates on (top-1 up, FPS up, memory down), most accurate first.

    ``strict=True`` treats estimated memory as unknown.
    """
    cat = _catalog(catalog)
    sel, rows = _select(cat, device, runtime, precision, batch_size, strict, include_suspect, task)
    if len(rows) == 0:
        raise _no_points(sel, cat, "a Pareto front", 1, 0)
    c = cat._cols
    mem = c["memory_mb"][rows].copy()
    if strict:
        mem[c["memory_estimated"][rows]] = np.nan
    mem = np.where(np.isnan(mem), np.inf, mem)
    keep = rows[~_dominated(c["score"][rows], c["fps"][rows], mem)]
    keep = keep[np.lexsort((keep, -c["fps"][keep], -c["score"][keep]))]
    points = tuple(cat._recommendation(int(r), rank=i + 1, strict=strict) for i, r in enumerate(keep))
    return ParetoFront(sel, points, len(rows), cat.version)


@dataclass(frozen=True)
class Efficiency:
    """Efficiency of one candidate (all computed): accuracy density, top-1 per GMAC and the gap below the
    device's fitted bound."""

    checkpoint: str
    architecture: str
    runtime: str
    precision: str
    batch_size: int
    top1: float
    fps: float
    params_m: float | None
    gmacs: float | None
    #: top-1 (%) per million parameters (Bianco et al.'s accuracy density).
    top1_per_m_params: float | None
    #: top-1 (%) per GMAC (10^9 multiply-adds per image).
    top1_per_gmac: float | None
    #: what the fitted bound allows at this candidate's FPS, and how far below it the candidate is (points).
    bound_top1: float | None
    gap_below_bound_pts: float | None
    #: True when ``gmacs`` (and so ``top1_per_gmac``) was scaled by pixel count to this input size, not published.
    gmacs_computed: bool = False
    computed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def efficiency(device: Any, *, runtime: str | None = None, precision: str | None = None, batch_size: int | None = 1,
               form: str = "linear", include_suspect: bool = False, task: str = DEFAULT_TASK,
               catalog=None) -> list[Efficiency]:
    """Efficiency per candidate (one per checkpoint), most accurate first. The bound gap is None where fewer
    than 2 points (or a single FPS value) make a bound impossible. "top1" fields hold the task's score."""
    cat = _catalog(catalog)
    _check_form(form)
    sel, rows = _select(cat, device, runtime, precision, batch_size, include_suspect=include_suspect, task=task)
    try:
        bound: UpperBound | None = _fit_rows(cat, sel, rows, form)
    except NoFeasibleModel:
        bound = None
    return _efficiency_rows(cat, rows, bound)


def _efficiency_rows(cat, rows: np.ndarray, bound: UpperBound | None) -> list[Efficiency]:
    c = cat._cols
    rows = rows[np.lexsort((rows, -c["fps"][rows], -c["score"][rows]))]  # score: the task's metric (= top1)
    out = []
    for r in rows:
        info = _point_info(cat, int(r))
        params, gmacs = float(c["params_m"][r]), float(c["gmacs"][r])
        params_v = None if math.isnan(params) else params
        gmacs_v = None if math.isnan(gmacs) else gmacs
        limit = bound.predict(info["fps"]) if bound is not None else None
        out.append(Efficiency(
            **info, params_m=params_v, gmacs=gmacs_v, gmacs_computed=bool(c["gmacs_computed"][r]),
            top1_per_m_params=info["top1"] / params_v if params_v else None,
            top1_per_gmac=info["top1"] / gmacs_v if gmacs_v else None,
            bound_top1=limit, gap_below_bound_pts=(limit - info["top1"]) if limit is not None else None,
        ))
    return out


# ---------------------------------------------------------------------------
# memory model (Bianco et al. 2018, Fig. 4)


@dataclass(frozen=True)
class MemoryModel:
    """Least-squares line memory_mb = slope * weights_mb + intercept_mb over measured memory (computed).

    ``weights_mb`` is the parameter size at the stored precision (params x bytes per parameter, MiB).
    ``used_for_estimates`` says whether the catalog estimates unmeasured memory of this group with this line.
    """

    selection: Selection
    slope: float
    intercept_mb: float
    r2: float
    n_points: int
    residuals: tuple[dict[str, Any], ...]
    rmse_mb: float
    max_abs_residual_mb: float
    used_for_estimates: bool
    sources: tuple[str, ...]
    catalog_version: str
    computed: bool = True
    method: str = "ordinary least squares of measured memory_mb on weights_mb, one point per architecture"

    def predict_mb(self, weights_mb: float) -> float:
        return self.slope * weights_mb + self.intercept_mb

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["selection"] = self.selection.to_dict()
        d["residuals"] = [dict(r) for r in self.residuals]
        d["sources"] = list(self.sources)
        return d


def memory_model(device: Any, *, runtime: str | None = None, precision: str | None = None, batch_size: int = 1,
                 task: str | None = None, catalog=None) -> MemoryModel:
    """Fit measured memory against parameter size on ``device`` (Bianco Fig. 4) for one (runtime, precision,
    batch size) group. With ``runtime``/``precision`` None, the device must have measured memory in only one
    such group; otherwise the error lists the choices.

    The fit is over every task's measured memory in the group (the fit memory estimates use). ``task`` (None:
    any) only chooses among groups: those where at least one architecture of that task has measured memory."""
    from .estimate import MIN_FIT_POINTS, MIN_FIT_R2, fit_memory_groups, memory_fit_points

    cat = _catalog(catalog)
    if batch_size is None:
        raise InvalidQuery("batch_size", batch_size, "a memory model is fitted at one batch size; give an integer >= 1")
    t = get_task(task) if task is not None else None
    q = cat.query(device, runtime=runtime, precision=precision, batch_size=batch_size)
    merged = cat._m
    groups = memory_fit_points(merged.measurements, merged.architectures)

    def of_task(cell) -> bool:
        return t is None or any(merged.architectures[a].task == t.id for a in cell)

    keys = sorted(k for k in groups if k[0] == q.device and k[3] == q.batch_size
                  and (q.runtime is None or k[1] == q.runtime) and (q.precision is None or k[2] == q.precision)
                  and of_task(groups[k]))
    sel = Selection(q.device, q.runtime, q.precision, q.batch_size)
    if not keys:
        have = sorted({f"{k[1]}/{k[2]}/batch {k[3]}" for k in groups if k[0] == q.device and of_task(groups[k])})
        whose = f"{t.noun}s' " if t is not None else ""
        raise NoFeasibleModel(
            f"no measured memory {f'of a {t.noun} (task {t.id}) ' if t is not None else ''}with known parameter "
            f"count on {sel.describe()}"
            + (f"; {whose}measured memory exists for (runtime/precision/batch): {', '.join(have)}" if have
               else f"; no source measured {whose}memory on {q.device}"),
            {"device": q.device, "selection": sel.to_dict(), "available": have})
    if len(keys) > 1:
        param = "runtime" if len({k[1] for k in keys}) > 1 else "precision"
        idx = 1 if param == "runtime" else 2
        raise InvalidQuery(param, getattr(q, param), f"memory on {q.device} was measured with several "
                           f"{param}s; choose one", choices=sorted({k[idx] for k in keys}))
    key = keys[0]
    cell = groups[key]
    sel = Selection(q.device, key[1], key[2], key[3])
    if len({v[0] for v in cell.values()}) < 2:
        raise _no_points(sel, cat, "a memory fit (distinct parameter sizes)", 2, len({v[0] for v in cell.values()}))
    fit = fit_memory_groups(merged.measurements, merged.architectures)[key]
    residuals = []
    for arch in sorted(cell, key=natural_key):
        w, mem, src, includes = cell[arch]
        pred = fit.predict_mb(w)
        residuals.append({"architecture": arch, "params_m": merged.architectures[arch].params_m, "weights_mb": w,
                          "memory_mb": mem, "predicted_mb": pred, "residual_mb": mem - pred,
                          "memory_source": src, "memory_includes": includes})
    res = np.array([r["residual_mb"] for r in residuals])
    return MemoryModel(
        selection=sel, slope=fit.slope, intercept_mb=fit.intercept_mb, r2=fit.r2, n_points=fit.n_points,
        residuals=tuple(residuals), rmse_mb=float(np.sqrt(np.mean(res**2))), max_abs_residual_mb=fit.max_abs_residual_mb,
        used_for_estimates=fit.usable, sources=tuple(sorted({r["memory_source"] for r in residuals})),
        catalog_version=cat.version,
        method=(f"ordinary least squares of measured memory_mb on weights_mb, one point per architecture; "
                f"estimates use it when it has >= {MIN_FIT_POINTS} points, a positive slope and R² >= {MIN_FIT_R2}"),
    )


# ---------------------------------------------------------------------------
# constraint grid (Bianco et al. 2018, Table 3)


def _levels(name: str, values: Sequence[float]) -> tuple[float, ...]:
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise InvalidQuery(name, values, "must be a list of numbers > 0") from None
    if not out:
        raise InvalidQuery(name, values, "must list at least one level")
    for v in out:
        if not math.isfinite(v) or v <= 0:
            raise InvalidQuery(name, v, "every level must be a finite number > 0")
    return out


@dataclass(frozen=True)
class GridCell:
    max_mem_gb: float
    min_fps: float
    best: Recommendation | None
    reason: str | None = None
    diagnosis: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"max_mem_gb": self.max_mem_gb, "min_fps": self.min_fps,
                "best": self.best.to_dict() if self.best else None, "reason": self.reason,
                "diagnosis": self.diagnosis}


@dataclass(frozen=True)
class Grid:
    """The best model for each memory level x speed level (Bianco et al. 2018, Table 3), or why none fits.

    Each cell is exactly ``best(device, max_mem_gb=..., min_fps=..., ...)`` of the same selection."""

    selection: Selection
    mem_levels_gb: tuple[float, ...]
    fps_levels: tuple[float, ...]
    cells: tuple[GridCell, ...] = field(default=())
    catalog_version: str = ""

    def cell(self, max_mem_gb: float, min_fps: float) -> GridCell:
        for c in self.cells:
            if c.max_mem_gb == max_mem_gb and c.min_fps == min_fps:
                return c
        raise InvalidQuery("cell", (max_mem_gb, min_fps), "no such grid cell",
                           choices=[f"{c.max_mem_gb:g} GB x {c.min_fps:g} FPS" for c in self.cells])

    def to_dict(self) -> dict[str, Any]:
        return {"selection": self.selection.to_dict(), "mem_levels_gb": list(self.mem_levels_gb),
                "fps_levels": list(self.fps_levels), "cells": [c.to_dict() for c in self.cells],
                "catalog_version": self.catalog_version}


def grid(device: Any, mem_levels_gb: Sequence[float] = (0.7, 1.0, 1.4), fps_levels: Sequence[float] = (15, 30, 60),
         batch_size: int | None = 1, *, runtime: str | None = None, precision: str | None = None,
         strict: bool = False, include_suspect: bool = False, task: str = DEFAULT_TASK, catalog=None) -> Grid:
    """Bianco Table 3 for any device: ``best()`` for each (memory level, FPS level) pair."""
    cat = _catalog(catalog)
    mems, fpss = _levels("mem_levels_gb", mem_levels_gb), _levels("fps_levels", fps_levels)
    q = cat.query(device, runtime=runtime, precision=precision, batch_size=batch_size, strict=strict,
                  include_suspect=include_suspect, task=task)
    cells = []
    for mem in mems:
        for fps in fpss:
            try:
                rec = cat.best(q.device, max_mem_gb=mem, min_fps=fps, batch_size=q.batch_size, runtime=q.runtime,
                               precision=q.precision, strict=q.strict, include_suspect=q.include_suspect, task=q.task)
                cells.append(GridCell(mem, fps, rec))
            except NoFeasibleModel as exc:
                cells.append(GridCell(mem, fps, None, str(exc), exc.diagnosis))
    return Grid(Selection(q.device, q.runtime, q.precision, q.batch_size, q.strict, q.task), mems, fpss, tuple(cells),
                cat.version)


__all__ = ["candidates", "upper_bound", "pareto", "efficiency", "memory_model", "grid", "UpperBound", "ParetoFront",
           "Efficiency", "MemoryModel", "Grid", "GridCell", "Selection", "FORMS"]
