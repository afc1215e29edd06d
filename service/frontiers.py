"""``GET /bounds/<device>``, ``/pareto/<device>``, ``/grid/<device>`` and ``/plot/<kind>.svg``: the library's
frontiers (``modelpick.bounds``, ``modelpick.plot``) over HTTP. Everything they return is computed and says so
(``computed: true``, ``method``).

Parameters shared with ``/recommend`` (runtime, precision, batch_size, strict and the limits) are validated by
the same :class:`modelpick.Query` definition; the others are declared here, next to their OpenAPI schemas.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from modelpick import bounds
from modelpick.errors import InvalidQuery, UnknownDevice
from modelpick.schema import Recommendation

from .catalog_api import _not_found
from .common import conditional, make_etag, read_args, state
from .params import query_param_schemas, validate_query
from .problems import Problem, invalid, param_error

bp = Blueprint("frontiers", __name__)

SELECTION = ("runtime", "precision", "batch_size", "task")
#: The plots draw one task's candidates, their axes labelled with its metric (memory-params: the task's models,
#: against the fit over every task's measured memory in the group).
PLOT_SELECTION = ("runtime", "precision", "batch_size", "task")
LIMITS = ("max_mem_gb", "min_fps", "max_latency_ms", "min_top1", "min_score", "max_params_m")
#: comma-separated positive decimals, e.g. "0.7,1,1.4"
LEVELS_PATTERN = r"^[0-9]+(\.[0-9]+)?(,[0-9]+(\.[0-9]+)?)*$"
_LEVELS_RE = re.compile(LEVELS_PATTERN)
_POSITIVE = TypeAdapter(Annotated[float, Field(gt=0, allow_inf_nan=False)])
PLOT_KINDS = ("accuracy-flops", "density", "accuracy-fps", "memory-params")
#: Levels per axis of /grid (Bianco et al. 2018, Table 3 has 3 x 3). A cell costs a solve, so 20 x 20 bounds a
#: request to 400 solves and a body of a few MB.
MAX_GRID_LEVELS = 20
#: Parameters only the accuracy-fps plot takes (the other kinds draw no limits, bound or memory rule).
ACCURACY_FPS_ONLY = ("strict", "form", *LIMITS)


# ---------------------------------------------------------------------------
# response envelopes (OpenAPI schemas)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Selection(_Envelope):
    device: str = Field(description="canonical device id")
    runtime: str | None = Field(description="runtime, or null for all measured on the device")
    precision: str | None = Field(description="precision, or null for all")
    batch_size: int | None = Field(description="batch size, or null for each checkpoint's fastest measured batch")
    strict: bool = Field(description="estimated memory treated as unknown")
    task: str | None = Field(None, description="the task, present when not classification (e.g. detection)")
    metric: str | None = Field(None, description="the task's metric id, present with task (e.g. coco-map50-95)")


class SupportPoint(_Envelope):
    checkpoint: str
    architecture: str
    runtime: str
    precision: str
    batch_size: int
    fps: float
    top1: float


class BoundPrediction(_Envelope):
    fps: float
    top1_bound: float = Field(description="the bound's score (%) at this FPS in the task's metric, top-1 for "
                                          "classification (computed)")
    computed: Literal[True]
    extrapolated: bool = Field(description="fps lies outside the fitted FPS range")


class BoundResponse(_Envelope):
    form: Literal["linear", "log"]
    a: float = Field(description="intercept, % in the task's metric (top-1 for classification)")
    b: float = Field(ge=0, description="slope, % per FPS (linear) or per decade of FPS (log)")
    equation: str
    selection: Selection
    n_points: int = Field(description="checkpoints fitted (one point each, its fastest cell)")
    fps_min: float
    fps_max: float
    area: float = Field(description="area under the line over the FPS range (the LP objective)")
    support: list[SupportPoint] = Field(description="points on the line")
    runtimes: list[str]
    precisions: list[str]
    sources: list[str] = Field(description="source ids of the latencies and accuracies fitted")
    catalog_version: str
    computed: Literal[True]
    method: str
    prediction: BoundPrediction | None = Field(None, description="present when `fps` is given")


class ParetoResponse(_Envelope):
    selection: Selection
    points: list[Recommendation] = Field(description="non-dominated candidates, most accurate first")
    n_points: int
    n_candidates: int
    catalog_version: str
    computed: Literal[True]
    method: str


class GridCell(_Envelope):
    max_mem_gb: float
    min_fps: float
    best: Recommendation | None = Field(description="what /recommend answers for these limits; null if none fits")
    reason: str | None = Field(description="why nothing fits (empty cells)")
    diagnosis: dict[str, Any] | None = Field(description="the no-feasible-model diagnosis (empty cells)")


class GridResponse(_Envelope):
    selection: Selection
    mem_levels_gb: list[float]
    fps_levels: list[float]
    cells: list[GridCell] = Field(description="row-major: every FPS level for the first memory level, then the next")
    catalog_version: str


MODELS: list[type[BaseModel]] = [BoundResponse, ParetoResponse, GridResponse]


# ---------------------------------------------------------------------------
# parameters


def _bad(name: str, value: Any, message: str, choices=None) -> Problem:
    return invalid([param_error(InvalidQuery(name, value, message, choices=choices))])


def _selection(device: str, raw: dict[str, str], fields: tuple[str, ...]):
    """Validate the Query-defined parameters; an unknown device in the path is a 404."""
    q = validate_query({"device": device, **{k: raw[k] for k in fields if k in raw}})
    try:
        return state().catalog.query(**q.model_dump())
    except UnknownDevice as exc:
        raise _not_found(exc) from None


def _positive(name: str, text: str) -> float:
    try:
        return _POSITIVE.validate_python(text)
    except ValidationError:
        raise _bad(name, text, "must be a finite number > 0") from None


def _levels(name: str, text: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    if text is None:
        return default
    if not _LEVELS_RE.match(text):
        raise _bad(name, text, "must be comma-separated numbers > 0, e.g. 0.7,1,1.4")
    parts = text.split(",")
    if len(parts) > MAX_GRID_LEVELS:
        raise _bad(name, text, f"has {len(parts)} levels; at most {MAX_GRID_LEVELS} per axis are accepted "
                               f"(a grid of at most {MAX_GRID_LEVELS} x {MAX_GRID_LEVELS} cells)")
    values = tuple(float(v) for v in parts)
    bad = [p for p, v in zip(parts, values) if not (0 < v < math.inf)]
    if bad:
        raise _bad(name, text, f"every level must be a finite number > 0; got {bad[0][:20]}"
                               f"{'...' if len(bad[0]) > 20 else ''}")
    return values


def _choice(name: str, text: str | None, choices: tuple[str, ...], default: str) -> str:
    if text is None:
        return default
    if text not in choices:
        raise _bad(name, text, f"not a valid {name}", choices=choices)
    return text


# ---------------------------------------------------------------------------
# endpoints


@bp.get("/bounds/<path:device>")
def upper_bound(device: str):
    """The fitted upper bound of top-1 vs FPS on a device (linear program; Bianco et al. 2018, Fig. 3)."""
    raw = read_args((*SELECTION, "form", "fps"))
    q = _selection(device, raw, SELECTION)
    form = _choice("form", raw.get("form"), bounds.FORMS, "linear")
    fps = _positive("fps", raw["fps"]) if "fps" in raw else None

    def build():
        ub = bounds.upper_bound(q.device, runtime=q.runtime, precision=q.precision, batch_size=q.batch_size,
                                form=form, task=q.task, catalog=state().catalog)
        body = ub.to_dict()
        if fps is not None:
            body["prediction"] = ub.prediction(fps)
        return body

    return conditional(make_etag("bounds", q.model_dump(mode="json"), form, fps), build)


@bp.get("/pareto/<path:device>")
def pareto(device: str):
    """Non-dominated candidates on (top-1 up, FPS up, memory down); unknown memory counts as worst."""
    fields = (*SELECTION, "strict")
    raw = read_args(fields)
    q = _selection(device, raw, fields)
    return conditional(make_etag("pareto", q.model_dump(mode="json")), lambda: bounds.pareto(
        q.device, runtime=q.runtime, precision=q.precision, batch_size=q.batch_size, strict=q.strict,
        task=q.task, catalog=state().catalog).to_dict())


@bp.get("/grid/<path:device>")
def grid(device: str):
    """The best model per memory level x FPS level (Bianco et al. 2018, Table 3)."""
    fields = (*SELECTION, "strict")
    raw = read_args((*fields, "mem_levels_gb", "fps_levels"))
    q = _selection(device, raw, fields)
    mems = _levels("mem_levels_gb", raw.get("mem_levels_gb"), (0.7, 1.0, 1.4))
    fpss = _levels("fps_levels", raw.get("fps_levels"), (15.0, 30.0, 60.0))
    return conditional(make_etag("grid", q.model_dump(mode="json"), mems, fpss), lambda: bounds.grid(
        q.device, mems, fpss, q.batch_size, runtime=q.runtime, precision=q.precision, strict=q.strict,
        task=q.task, catalog=state().catalog).to_dict())


@bp.get("/plot/<kind>.svg")
def plot_svg(kind: str):
    """A figure as SVG: accuracy-fps (bound, Pareto front, recommendation), accuracy-flops, density, memory-params."""
    from modelpick import plot

    fields = (*PLOT_SELECTION, "strict", *LIMITS)
    raw = read_args(("device", *fields, "form"))
    if kind not in PLOT_KINDS:
        raise Problem("not-found", f"no plot kind {kind!r}; known: {', '.join(PLOT_KINDS)}",
                      errors=[param_error(InvalidQuery("kind", kind, "unknown plot kind", choices=PLOT_KINDS))])
    device = raw.get("device")
    if device is None and kind in ("accuracy-fps", "memory-params"):
        raise _bad("device", None, f"the {kind} plot needs a device")
    given = [k for k in ACCURACY_FPS_ONLY if k in raw]
    if given and kind != "accuracy-fps":
        raise _bad(given[0], raw[given[0]], f"{given[0]} applies to the accuracy-fps plot only, not {kind}")
    form = _choice("form", raw.get("form"), bounds.FORMS, "linear")
    if device is not None:
        q = _selection(device, raw, fields)
    else:
        q = validate_query({"device": "-", **{k: raw[k] for k in fields if k in raw}})
    kwargs: dict[str, Any] = {"runtime": q.runtime, "precision": q.precision, "batch_size": q.batch_size,
                              "catalog": state().catalog}
    kwargs["task"] = q.task  # memory-params: the task's models are the points; the fit stays the group's
    if kind == "accuracy-fps":
        kwargs.update(form=form, strict=q.strict, **{k: getattr(q, k) for k in LIMITS})
    elif kind == "memory-params" and q.batch_size is None:
        raise _bad("batch_size", raw.get("batch_size"), "memory-params is fitted at one batch size")
    elif device is None and (q.runtime or q.precision):
        raise _bad("device", None, "runtime and precision select measured cells, which need a device")
    dev = q.device if device is not None else None

    def build():
        try:
            return plot.render(kind, dev, "svg", **kwargs)
        except plot.PlotUnavailable as exc:
            raise Problem("http-error", str(exc), status=501, title="Not Implemented") from None

    return conditional(make_etag("plot", kind, dev, q.model_dump(mode="json"), form), build, mimetype="image/svg+xml",
                       cache=state().plots)


# ---------------------------------------------------------------------------
# OpenAPI

PLOT_SUMMARIES = {
    "accuracy-fps": "Top-1 vs FPS on a device: bound, Pareto front, limits and the recommendation (SVG)",
    "memory-params": "Measured memory vs parameters on a device at one batch size, with the least-squares fit (SVG)",
    "accuracy-flops": "Top-1 vs GFLOPs per image, ball area proportional to parameters (SVG; Bianco Fig. 1)",
    "density": "Accuracy density: top-1 % per million parameters, the densest models (SVG; Bianco Fig. 2)",
}


def openapi_paths(operation, json_response, problem, bad_param, not_modified) -> dict[str, Any]:
    """Path items for this blueprint, built with the document's own helpers (see ``service.openapi``)."""
    by_name = {p["name"]: p for p in query_param_schemas()}
    sel = [by_name[n] for n in SELECTION]
    plot_sel = [by_name[n] for n in PLOT_SELECTION]
    strict = [by_name["strict"]]
    limits = [by_name[n] for n in LIMITS]

    def q(name, description, schema):
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    device = {"name": "device", "in": "path", "required": True, "description": "device id, alias or family",
              "schema": {"type": "string", "minLength": 1}}
    form = q("form", "bound form: linear in FPS, or in log10 FPS", {"type": "string", "enum": list(bounds.FORMS),
                                                                   "default": "linear"})
    levels = {"type": "string", "pattern": LEVELS_PATTERN}
    not_found = problem("not-found: unknown device (with close matches)")
    infeasible = problem("no-feasible-model: too few points in the selection; `diagnosis` says what the device has")
    too_many = problem("too-many-requests: this client's rate limit for expensive endpoints is spent (`Retry-After`)")
    common = {"304": not_modified, "400": bad_param, "404": not_found, "422": infeasible, "429": too_many}
    return {
        "/bounds/{device}": {"get": operation(
            "upperBound", "Fitted upper bound of top-1 vs FPS (computed; Bianco Fig. 3)",
            [device, *sel, form, q("fps", "also return the bound's top-1 at this FPS",
                                   {"type": "number", "exclusiveMinimum": 0})],
            {"200": json_response("BoundResponse", "the bound, its support points and selection"), **common},
            "frontiers")},
        "/pareto/{device}": {"get": operation(
            "pareto", "Non-dominated candidates on top-1 / FPS / memory (computed)", [device, *sel, *strict],
            {"200": json_response("ParetoResponse", "the Pareto front"), **common}, "frontiers")},
        "/grid/{device}": {"get": operation(
            "grid", "Best model per memory x FPS level (Bianco Table 3)",
            [device, *sel, *strict, q("mem_levels_gb", f"memory levels in GB, comma-separated, at most {MAX_GRID_LEVELS} "
                                               "(default 0.7,1,1.4)", levels),
             q("fps_levels", f"minimum FPS levels, comma-separated, at most {MAX_GRID_LEVELS} (default 15,30,60)",
               levels)],
            {"200": json_response("GridResponse", "one cell per (memory, FPS) level"), "304": not_modified,
             "400": bad_param, "404": not_found, "429": too_many}, "frontiers")},
        **{f"/plot/{kind}.svg": {"get": operation(
            "plot" + "".join(w.title() for w in kind.split("-")), PLOT_SUMMARIES[kind],
            [q("device", "device id, alias or family", {"type": "string", "minLength": 1, "maxLength": 200})
             | ({"required": True} if kind in ("accuracy-fps", "memory-params") else
                {"description": "device id, alias or family; without one, every device (runtime and precision "
                                "need a device)"}),
             *plot_sel,
             *((*strict, form, *limits) if kind == "accuracy-fps" else ())],
            {"200": {"description": "SVG image", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
             "304": not_modified, "400": bad_param, "404": problem("not-found: unknown device"),
             "422": problem("no-feasible-model: nothing to draw in this selection"), "429": too_many},
            "frontiers")} for kind in PLOT_KINDS},
    }
