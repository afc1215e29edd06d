"""The explorer: a web page at ``GET /`` (its assets under ``/explorer/``) and the two endpoints it needs
beyond the rest of the API.

``GET /coverage``
    every device with its kind and what was measured there (runtimes, precisions, batch sizes, and how many
    checkpoints are candidates at batch 1 and at any batch): the page's device suggestions.
``GET /candidates``
    the same query string as ``/recommend``; answers every candidate point of the selection (one per
    checkpoint, as ``modelpick.bounds.candidates`` defines them), ranked by the solver where it meets the
    limits, with the fitted upper bound and the Pareto front (both computed): the page's chart and
    alternatives list.

The page's files are read once, when the worker starts (no request reads a file), and are served with
an ``ETag`` and, where the client accepts it, gzip. Everything the page loads comes from this origin; its
``Content-Security-Policy`` forbids anything else.
"""

from __future__ import annotations

import gzip
import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from flask import Blueprint, Response, current_app, g, request
from pydantic import BaseModel, ConfigDict, Field

from modelpick import bounds
from modelpick.errors import NoFeasibleModel
from modelpick.schema import Query, Recommendation, Source
from modelpick.tasks import DEFAULT_TASK, get_task, tasks

from .common import Answer, cache_headers, make_etag, read_args, state
from .json_body import dumps
from .params import query_param_schemas
from .preconditions import parsed_query, revalidation, without_solving
from .problems import Problem, ProblemDetails, no_feasible, type_uri

bp = Blueprint("explorer", __name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The page's script: ES modules with one job each (explorer.js, the entry, lists them); no bundler.
MODULES = ("explorer.js", "dom.js", "state.js", "api.js", "devices.js", "form.js", "panel.js", "card.js",
           "diagnosis.js", "chart.js", "table.js", "sources.js")
#: name -> media type of every file the page is made of (nothing else under static/ is served). A module script
#: needs a JavaScript media type: browsers refuse to run one served as anything else.
ASSETS = {
    **{name: "text/javascript" for name in MODULES},
    "explorer.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
#: Stands for the content version in the page and in the modules' imports (``./dom.js?v={{version}}``), so every
#: file is fetched once per release under one URL (a module imported under two URLs would run twice).
VERSION_MARK = "{{version}}"
#: Stands for the task switch's options in the page, written from the task registry (modelpick.tasks).
TASKS_MARK = "{{task_options}}"
PAGE = "index.html"
#: Only this origin: scripts, styles, fetches, images. Inline SVG needs no source; blob: is the CSV download.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
#: Bodies shorter than this are sent as they are.
GZIP_MIN_BYTES = 1024
#: More than any device's candidates: the ranking covers every feasible checkpoint.
RANK_ALL = 1_000_000


# ---------------------------------------------------------------------------
# response envelopes (OpenAPI schemas)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceCoverage(_Envelope):
    id: str
    name: str
    kind: str
    family: str | None
    aliases: list[str]
    memory_gb: float | None = Field(description="stated memory capacity, where the catalog has one")
    runtimes: list[str] = Field(description="runtimes with at least one candidate on the device")
    precisions: list[str]
    batch_sizes: list[int]
    checkpoints_batch1: int = Field(description="classifier checkpoints with a batch-1 candidate (the page's default "
                                    "mode and task)")
    checkpoints_any_batch: int = Field(description="classifier checkpoints with a candidate at any batch size")
    tasks: dict[str, list[int]] = Field(description="task id -> [checkpoints at batch 1, at any batch], for each task "
                                                    "with candidates on the device")


class CoverageResponse(_Envelope):
    devices: list[DeviceCoverage] = Field(description="every device, naturally sorted by id")
    device_families: dict[str, str] = Field(description="family name -> its default device id")
    catalog: dict[str, str]


class CandidateSources(_Envelope):
    accuracy: str | None
    latency: str | None
    memory: str | None


class CandidatePoint(_Envelope):
    checkpoint: str
    architecture: str
    runtime: str
    precision: str
    batch_size: int
    input_size: int
    top1: float | None = Field(description="ImageNet top-1 (classification; null for another task)")
    score: float = Field(description="the task's metric in percent (see `metric`; = top1 for classification)")
    fps: float
    latency_ms: float
    memory_mb: float | None
    memory_estimated: bool = Field(description="memory_mb is an estimate (computed), not a measurement")
    latency_estimated: bool = Field(description="latency_ms is a prediction (computed), not a measurement")
    params_m: float | None
    sources: CandidateSources
    rank: int | None = Field(description="the solver's rank when the checkpoint meets every limit, else null")


class FrontPoint(_Envelope):
    checkpoint: str
    fps: float
    score: float = Field(description="the task's metric in percent")


class MetricInfo(_Envelope):
    id: str = Field(description="the metric id answers carry, e.g. imagenet-top1, coco-map50-95")
    label: str = Field(description="its short label for axes and columns, e.g. top-1, mAP50-95")
    description: str = Field(description="the metric in words, e.g. 'COCO val2017 (box) mAP50-95 (%)'")


class CandidateBound(_Envelope):
    form: Literal["linear", "log"]
    a: float = Field(description="intercept, top-1 %")
    b: float = Field(ge=0, description="top1 = a - b * fps (linear) or a - b * log10(fps) (log)")
    equation: str
    fps_min: float
    fps_max: float
    computed: Literal[True]
    method: str


class CandidatesResponse(_Envelope):
    query: Query = Field(description="the normalised query")
    metric: MetricInfo = Field(description="the query's task's metric (modelpick.tasks): what `score` measures")
    best: Recommendation | None = Field(description="what /recommend answers for this query (with `why`); null when "
                                                    "nothing fits")
    problem: ProblemDetails | None = Field(description="when nothing fits: the no-feasible-model problem /recommend "
                                                       "answers with (422 there), with its diagnosis")
    n_candidates: int = Field(description="points in the selection: one per checkpoint")
    n_feasible: int = Field(description="points meeting every limit (they have a rank)")
    points: list[CandidatePoint] = Field(description="each checkpoint at the cell the solver ranks when it meets the "
                                                     "limits, else at its fastest cell")
    pareto: list[FrontPoint] = Field(description="the Pareto front (computed; see GET /pareto)")
    bound: CandidateBound | None = Field(description="the fitted upper bound (computed; see GET /bounds); null when "
                                                     "the selection has too few points")
    bound_reason: str | None = Field(description="why there is no bound")
    sources: dict[str, Source] = Field(description="the source entries the points name, by id")
    catalog: dict[str, str]


MODELS: list[type[BaseModel]] = [CoverageResponse, CandidatesResponse]


# ---------------------------------------------------------------------------
# the page's files, read once per worker


@dataclass(frozen=True)
class _File:
    body: bytes
    gzipped: bytes
    mimetype: str
    etag: str


def _load_file(name: str, mimetype: str, replace: dict[str, str] | None = None) -> _File:
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    for key, value in (replace or {}).items():
        text = text.replace(key, value)
    body = text.encode("utf-8")
    return _File(body, gzip.compress(body, 9, mtime=0), mimetype, hashlib.sha256(body).hexdigest()[:32])


def _files() -> dict[str, _File]:
    cache = current_app.extensions.setdefault("modelpick-explorer", {})
    files = cache.get("files")
    if files is None:
        sources = b"".join((STATIC_DIR / name).read_bytes() for name in ASSETS)
        # assets are named by content in the page and in the imports, so a new release never runs an old module
        mark = {VERSION_MARK: hashlib.sha256(sources).hexdigest()[:12]}
        files = {name: _load_file(name, mime, mark) for name, mime in ASSETS.items()}
        files[PAGE] = _load_file(PAGE, "text/html", {**mark, TASKS_MARK: _task_options()})
        cache["files"] = files
    return files


def _task_options() -> str:
    """The task switch's options, one per registered task; each names its metric and its accuracy limit's
    parameter (min_top1 where the task's files write top1, else min_score) and what the page's header calls one
    of its models ("pretrained ImageNet classifier"), so the page needs no list of its own."""
    esc = html.escape
    return "".join(
        f'<option value="{esc(t.id)}" data-label="{esc(t.label)}" '
        f'data-limit="{"min_top1" if t.score_field == "top1" else "min_score"}" '
        f'data-what="pretrained {esc(t.dataset.split()[0].split("-")[0])} {esc(t.noun)}">{esc(t.noun)}s ({esc(t.label)})</option>'
        for t in tasks())


def install(app) -> None:
    """Read the page's files now, when the worker starts (a missing file stops the worker, not a request)."""
    with app.app_context():
        _files()


def _serve_file(f: _File, cache_control: str) -> Response:
    if request.if_none_match and request.if_none_match.contains_weak(f.etag):
        resp = Response(status=304)
    elif "gzip" in request.accept_encodings:
        resp = Response(f.gzipped, mimetype=f.mimetype)
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp = Response(f.body, mimetype=f.mimetype)
    # one validator for both encodings, so it is weak (as nginx makes it when it compresses)
    resp.headers["ETag"] = f'W/"{f.etag}"'
    resp.headers["Cache-Control"] = cache_control
    return resp


@bp.get("/")
def page():
    """The explorer page. Its query string is the page's state (the /recommend parameters and a few of its own);
    the page validates it through the API, so nothing here reads it."""
    resp = _serve_file(_files()[PAGE], "no-cache")
    resp.headers["Content-Security-Policy"] = PAGE_CSP
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@bp.get("/explorer/<name>")
def asset(name: str):
    """One of the page's files (``v`` is the content version the page asks for; any value is served)."""
    read_args(("v",))
    f = _files().get(name)
    if f is None or name == PAGE:
        raise Problem("not-found", f"no explorer file {name!r}; known: {', '.join(ASSETS)}")
    return _serve_file(f, "public, max-age=86400" if request.args.get("v") else "no-cache")


@bp.after_request
def _compress(resp: Response) -> Response:
    """gzip for the page's data (a cold load must stay small), where the client accepts it."""
    resp.vary.add("Accept-Encoding")
    if (resp.status_code != 200 or resp.direct_passthrough or "Content-Encoding" in resp.headers
            or "gzip" not in request.accept_encodings):
        return resp
    body = resp.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return resp
    resp.set_data(gzip.compress(body, 6, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"
    etag = resp.headers.get("ETag")
    if etag and not etag.startswith("W/"):  # the same entity in another encoding: a weak validator
        resp.headers["ETag"] = "W/" + etag
    return resp


# ---------------------------------------------------------------------------
# data endpoints


def _coverage_body() -> bytes:
    cache = current_app.extensions.setdefault("modelpick-explorer", {})
    st = state()
    held = cache.get("coverage")
    body = held[1] if held is not None and held[0] is st else None  # a catalog reload brings a new State
    if body is None:
        cat = st.catalog
        cols = cat.columns
        dev, ck, bs, task = cols["device"], cols["checkpoint"], cols["batch_size"], cols["task"]

        def counts(rows: np.ndarray) -> dict[tuple[str, str], int]:
            """(device, task) -> checkpoints with a candidate among rows."""
            if not rows.any():
                return {}
            triples = np.unique(np.stack([dev[rows], task[rows], ck[rows]]), axis=1)
            keys, n = np.unique(triples[:2], axis=1, return_counts=True)
            return {(cat.decode("device", int(d)), cat.decode("task", int(k))): int(c) for (d, k), c in zip(keys.T, n)}

        any_batch, batch1 = counts(np.ones(len(dev), dtype=bool)), counts(bs == 1)
        per_device: dict[str, dict[str, list[int]]] = {}
        for (d_id, t_id), n in any_batch.items():
            per_device.setdefault(d_id, {})[t_id] = [batch1.get((d_id, t_id), 0), n]
        devices = []
        for d in cat.devices():
            measured = d.id in per_device
            own = per_device.get(d.id, {})
            devices.append({
                "id": d.id, "name": d.name, "kind": d.kind, "family": d.family, "aliases": list(d.aliases),
                "memory_gb": d.memory_gb,
                "runtimes": cat.runtimes(d.id) if measured else [],
                "precisions": cat.precisions(d.id) if measured else [],
                "batch_sizes": cat.batch_sizes(d.id) if measured else [],
                "checkpoints_batch1": own.get(DEFAULT_TASK, [0, 0])[0], "checkpoints_any_batch": own.get(DEFAULT_TASK, [0, 0])[1],
                "tasks": own,
            })
        body = dumps({"devices": devices, "device_families": cat.device_families, "catalog": st.info})
        cache["coverage"] = (st, body)
    return body


@bp.get("/coverage")
def coverage():
    """Every device with its kind and what was measured on it: the page's device suggestions."""
    read_args(())
    body = _coverage_body()
    etag = make_etag("coverage")
    return Answer(200, body, "application/json", tuple(cache_headers(etag).items()), etag).response()


def _point(rec, rank: int | None) -> dict[str, Any]:
    return {"checkpoint": rec.checkpoint, "architecture": rec.architecture, "runtime": rec.runtime,
            "precision": rec.precision, "batch_size": rec.batch_size, "input_size": rec.input_size,
            "top1": rec.top1, "score": rec.score, "fps": rec.fps, "latency_ms": rec.latency_ms, "memory_mb": rec.memory_mb,
            "memory_estimated": rec.memory_estimated, "latency_estimated": rec.latency_estimated,
            "params_m": rec.params_m, "sources": dict(rec.sources), "rank": rank}


def _no_feasible_problem(cat, q: Query) -> dict[str, Any]:
    """The problem document /recommend answers with. Its diagnosis echoes the query, so solve the query as sent
    (not the one with the widened limit)."""
    try:
        cat.solve(q)
    except NoFeasibleModel as exc:
        pb = no_feasible(exc)
        return {"type": type_uri(pb.slug), "title": pb.title, "status": pb.status, "detail": pb.detail,
                "instance": "/recommend", **pb.extensions}
    raise AssertionError(f"feasibility changed with the answer limit: {q}")


def _best(cat, q: Query, ranked: list) -> dict[str, Any] | None:
    """/recommend's best: the same checkpoint as the per-checkpoint ranking's first, but its why counts what
    /recommend counts (architectures, by default), so it is solved as /recommend asks."""
    if not ranked:
        return None
    if not q.per_architecture:
        return ranked[0].to_dict()
    return cat.solve(q.model_copy(update={"limit": 1}))[0].to_dict()


def _candidates_answer() -> Answer:
    st = state()
    cat = st.catalog
    q = parsed_query()
    sel = dict(runtime=q.runtime, precision=q.precision, batch_size=q.batch_size, task=q.task, catalog=cat)
    _, fastest = bounds.candidates(q.device, strict=q.strict, **sel)
    problem = None
    try:  # the ranking, and its first answer, are /recommend's (the rank-1 answer does not depend on limit)
        # every checkpoint is a point of the chart, so every one is ranked (not only each architecture's best)
        ranked = cat.solve(q.model_copy(update={"limit": RANK_ALL, "per_architecture": False}))
    except NoFeasibleModel:
        ranked = []
        problem = _no_feasible_problem(cat, q)
    points: dict[str, dict[str, Any]] = {rec.checkpoint: _point(rec, None) for rec in fastest}
    for rec in ranked:  # a feasible checkpoint is drawn at the cell the solver ranks
        points[rec.checkpoint] = _point(rec, rec.rank)
    bound, reason = None, None
    try:
        ub = bounds.upper_bound(q.device, **sel).to_dict()
        bound = {k: ub[k] for k in ("form", "a", "b", "equation", "fps_min", "fps_max", "computed", "method")}
    except NoFeasibleModel as exc:
        reason = str(exc)
    try:
        front = [{"checkpoint": p.checkpoint, "fps": p.fps, "score": p.score}
                 for p in bounds.pareto(q.device, strict=q.strict, **sel).points]
    except NoFeasibleModel:
        front = []
    values = list(points.values())
    t = get_task(q.task)
    body = {
        "query": q.model_dump(mode="json"), "metric": {"id": t.metric, "label": t.label, "description": t.description},
        "best": _best(cat, q, ranked), "problem": problem,
        "n_candidates": len(values), "n_feasible": len(ranked), "points": values,
        "pareto": front, "bound": bound, "bound_reason": reason,
        "sources": st.sources_for(sid for p in values for sid in p["sources"].values()), "catalog": st.info,
    }
    etag = make_etag("candidates", body["query"])
    return Answer(200, dumps(body), "application/json", tuple(cache_headers(etag).items()), etag)


def _candidates_key() -> tuple[str, bytes]:
    return ("candidates", request.query_string)


def cheap_candidates() -> bool:
    """A /candidates request the rate limit exempts, as it does /recommend's: no estimates, or already answered."""
    if request.args.get("estimates", "").strip().lower() != "include":
        return True
    return state().answers.get(_candidates_key()) is not None or without_solving("candidates")


@bp.get("/candidates")
def candidates():
    """Every candidate point of the query's selection, ranked where it meets the limits, with the bound and front."""
    st = state()
    key = _candidates_key()
    answer = st.answers.get(key)
    if answer is None:
        early = revalidation("candidates")  # as /recommend: a revalidation costs no solve
        if early is not None:
            return early
        answer = _candidates_answer()
        st.answers.put(key, answer)
    else:
        g.modelpick_cached = True  # as /recommend marks its cache hits
    return answer.response()


# ---------------------------------------------------------------------------
# OpenAPI


def openapi_paths(operation, json_response, problem, bad_param, not_modified) -> dict[str, Any]:
    """Path items for this blueprint, built with the document's own helpers (see ``service.openapi``)."""
    html = {"description": "the explorer page", "content": {"text/html": {"schema": {"type": "string"}}}}
    return {
        "/": {"get": operation(
            "explorer", "The explorer page (its query string holds the page's state, read by the page itself)", [],
            {"200": html, "304": not_modified}, "explorer")},
        "/explorer/{name}": {"get": operation(
            "explorerAsset", "A file of the explorer page",
            [{"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": list(ASSETS)}},
             {"name": "v", "in": "query", "required": False,
              "description": "content version the page asks for (a cache key; any value gets the current file)",
              "schema": {"type": "string"}}],
            {"200": {"description": "the file", "content": {m: {"schema": {"type": "string"}} for m in
                                                             sorted(set(ASSETS.values()))}},
             "304": not_modified, "400": bad_param, "404": problem("not-found: no such file")}, "explorer")},
        "/coverage": {"get": operation(
            "coverage", "Every device with its kind and what was measured on it (runtimes, candidate counts)", [],
            {"200": json_response("CoverageResponse", "every device's coverage"), "304": not_modified,
             "400": bad_param}, "explorer")},
        "/candidates": {"get": operation(
            "candidates", "Every candidate point of a /recommend query's selection, ranked where it meets the limits, "
                          "with the upper bound and Pareto front (computed); `limit` does not apply",
            query_param_schemas(),
            {"200": json_response("CandidatesResponse", "the selection's points"), "304": not_modified,
             "400": bad_param}, "explorer")},
    }
