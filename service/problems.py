"""RFC 9457 problem details: every 4xx/5xx the service sends is ``application/problem+json``.

A problem has ``type`` (a URI reference, ``/problems/<slug>``, that ``GET`` answers
with the type's description), ``title``, ``status``, ``detail`` and, where it
helps, extension members:

* ``errors``: for ``invalid-parameter`` and ``not-found``, one entry per offending
  parameter, in the shape of :meth:`modelpick.InvalidQuery.to_dict` plus the
  library exception's class name (``exception``), so a client can raise the same
  exception the library would;
* ``diagnosis``: for ``no-feasible-model``, :attr:`modelpick.NoFeasibleModel.diagnosis`
  (binding constraint, nearest models, what to relax).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from flask import Blueprint, Flask, Response, json
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import HTTPException

from modelpick.errors import InvalidQuery, ModelpickError, NoFeasibleModel

from .json_body import json_response

log = logging.getLogger("modelpick.service")

PROBLEM_MEDIA_TYPE = "application/problem+json"

#: slug -> (status, title, what it means)
PROBLEM_TYPES: dict[str, tuple[int, str, str]] = {
    "invalid-parameter": (
        400, "Invalid request parameter",
        "A query parameter is unknown, repeated, not a number, out of range (negative, NaN, infinite or too large), or "
        "not one of the valid values (device, runtime, precision, objective). `errors` has one entry per parameter "
        "with its value, the reason, close matches and the valid choices."),
    "no-feasible-model": (
        422, "No model meets the constraints",
        "The query is valid but no checkpoint on the device meets every constraint. `diagnosis` says which "
        "constraint binds, what the nearest models reach and what to relax; `detail` says it in words."),
    "not-found": (
        404, "Not found",
        "No such endpoint, device, architecture or checkpoint. For an unknown name, `errors` lists close matches."),
    "method-not-allowed": (405, "Method not allowed", "The endpoint exists but only answers GET (and HEAD)."),
    "request-too-large": (413, "Request too large", "The service takes no request body; send parameters in the query string."),
    "uri-too-long": (414, "Query string too long", "The query string is longer than the service accepts."),
    "too-many-requests": (
        429, "Too many requests",
        "This client spent its rate limit for the expensive endpoints (plots, frontiers, estimates); "
        "`Retry-After` says when to try again. Cached answers and 304 revalidations are not counted."),
    "service-unavailable": (503, "Service unavailable", "The service is starting or reloading; retry shortly."),
    "internal-error": (500, "Internal server error", "An unexpected error; it has been logged. Nothing about it is disclosed."),
    "http-error": (400, "HTTP error", "Another HTTP-level error; `status` and `title` say which."),
}

_BY_STATUS = {status: slug for slug, (status, _, _) in PROBLEM_TYPES.items() if slug != "http-error"}


def type_uri(slug: str) -> str:
    return f"/problems/{slug}"


# ---------------------------------------------------------------------------
# Schema (used by the OpenAPI document)


class ParamError(BaseModel):
    """One offending parameter, as :meth:`modelpick.InvalidQuery.to_dict` describes it."""

    model_config = ConfigDict(extra="forbid")

    param: str = Field(description="the parameter's name")
    value: Any = Field(description="the value received (strings are echoed, shortened to 200 characters)")
    message: str = Field(description="what is wrong, with close matches and valid choices")
    choices: list[str] | None = Field(None, description="the valid values, where there is a closed set")
    close_matches: list[str] = Field(default_factory=list, description="valid values close to the one given")
    exception: str = Field(description="the modelpick exception the library raises for this error, e.g. UnknownDevice")


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="URI reference naming the problem type; GET it for a description")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="what went wrong in this request, in words")
    instance: str | None = Field(None, description="the request path")
    errors: list[ParamError] | None = Field(None, description="offending parameters (invalid-parameter, not-found)")
    diagnosis: dict[str, Any] | None = Field(None, description="why nothing fits and what to relax (no-feasible-model)")


# ---------------------------------------------------------------------------
# Raising and rendering


class Problem(Exception):
    """Raise from a view to answer with a problem document."""

    def __init__(self, slug: str, detail: str, *, status: int | None = None, title: str | None = None,
                 headers: dict[str, str] | None = None, **extensions: Any):
        default_status, default_title, _ = PROBLEM_TYPES[slug]
        self.slug = slug
        self.status = status or default_status
        self.title = title or default_title
        self.detail = detail
        self.headers = headers or {}
        self.extensions = {k: v for k, v in extensions.items() if v is not None}
        super().__init__(detail)


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        return value[:197] + "..."
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (int, float, bool, type(None), str)):
        return value
    return jsonable(value)


def param_error(exc: InvalidQuery) -> dict[str, Any]:
    """The ``errors`` entry for a library validation exception."""
    entry = exc.to_dict()
    entry["value"] = _clip(entry["value"])
    entry["exception"] = type(exc).__name__
    return entry


def invalid(errors: list[dict[str, Any]]) -> Problem:
    detail = "; ".join(e["message"] for e in errors)
    return Problem("invalid-parameter", detail, errors=errors)


def no_feasible(exc: NoFeasibleModel) -> Problem:
    return Problem("no-feasible-model", str(exc), diagnosis=exc.diagnosis)


def jsonable(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON that cannot fail to encode: non-finite floats become strings ("inf", "nan"),
    long strings and deep or long containers are cut, anything else becomes its (cut) ``str``."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else _clip(str(value))
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _clip(value)
    if depth >= 8:
        return "..."
    if isinstance(value, dict):
        return {_clip(str(k)): jsonable(v, depth + 1) for k, v in list(value.items())[:200]}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, depth + 1) for v in value[:200]]
    try:
        text = str(value)
    except Exception:  # a __str__ that raises still gets a problem document
        text = f"<{type(value).__name__}>"
    return _clip(text)


def render(problem: Problem, instance: str | None = None) -> Response:
    """The problem document; never fails, whatever values the problem carries."""
    body: dict[str, Any] = {
        "type": type_uri(problem.slug),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    body.update(problem.extensions)
    try:
        text = json.dumps(body, sort_keys=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(jsonable(body), sort_keys=False, allow_nan=False, separators=(",", ":"))
    resp = Response(text, status=problem.status, mimetype=PROBLEM_MEDIA_TYPE)
    resp.headers["Cache-Control"] = "no-store"
    for k, v in problem.headers.items():
        resp.headers[k] = v
    return resp


def register(app: Flask) -> None:
    """Install handlers so that no error leaves the app as HTML or a traceback."""
    from flask import request

    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return render(exc, request.path)

    @app.errorhandler(NoFeasibleModel)
    def _infeasible(exc: NoFeasibleModel):
        return render(no_feasible(exc), request.path)

    @app.errorhandler(InvalidQuery)
    def _invalid(exc: InvalidQuery):
        return render(invalid([param_error(exc)]), request.path)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        slug = _BY_STATUS.get(status, "http-error")
        headers = {}
        if status == 405:
            allow = dict(exc.get_headers()).get("Allow")
            if allow:
                headers["Allow"] = allow
        detail = {
            404: f"no endpoint at {request.path}; see /openapi.json",
            405: f"{request.method} is not allowed here; use GET",
            429: f"this client's rate limit for expensive requests ({exc.description}) is spent: plots, /bounds, "
                 f"/pareto, /grid and /recommend with estimates=include; retry after Retry-After seconds",
        }.get(status, exc.description or exc.name)
        return render(Problem(slug, detail, status=status, title=None if slug != "http-error" else exc.name,
                              headers=headers), request.path)

    @app.errorhandler(ModelpickError)
    def _library(exc: ModelpickError):
        # e.g. CatalogError: never a client's fault here, and its text may name server paths.
        log.exception("modelpick error while serving %s", request.path)
        return render(Problem("internal-error", "the service failed to answer; the error has been logged"), request.path)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error while serving %s", request.path)
        return render(Problem("internal-error", "the service failed to answer; the error has been logged"), request.path)


bp = Blueprint("problems", __name__)


@bp.get("/problems/<slug>")
def problem_type(slug: str):
    """What a problem type means (the target of each problem's ``type``)."""
    if slug not in PROBLEM_TYPES:
        raise Problem("not-found", f"no problem type {slug!r}; known: {', '.join(sorted(PROBLEM_TYPES))}")
    status, title, description = PROBLEM_TYPES[slug]
    return json_response({"type": type_uri(slug), "title": title, "status": status, "description": description},
                         headers={"Cache-Control": "public, max-age=86400"})
