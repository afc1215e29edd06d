"""``GET /openapi.json`` (OpenAPI 3.1) and ``GET /docs`` (the same document as a plain HTML page).

Every schema in the document is generated from pydantic models with
``model_json_schema``: the library's ``Recommendation``, ``Device``, ``Architecture``,
``Checkpoint``, ``Source`` and ``Query``, and the response envelopes below. The
``/recommend`` query parameters are generated from ``Query``'s fields. So the
document cannot drift from what the service validates and returns; the tests
check every response against it.
"""

from __future__ import annotations

import hashlib
import html
from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

import modelpick
from modelpick.schema import (Architecture, Checkpoint, Device, DeviceCoverage, Measurement, Query, Recommendation,
                             Source)
from modelpick.solver import Catalog

from . import explorer, frontiers
from .catalog_api import DEVICE_KINDS, MODEL_KINDS, MAX_PATTERN
from .common import conditional, read_args, state
from .json_body import dumps
from .params import query_param_schemas
from .problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES, ProblemDetails

bp = Blueprint("openapi", __name__)


# ---------------------------------------------------------------------------
# Response envelopes


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CatalogInfo(_Envelope):
    version: str = Field(description="catalog version (changes with its content)")
    hash: str = Field(description="sha256 over the content of every catalog file")


class RecommendResponse(_Envelope):
    best: Recommendation = Field(description="the top answer; `why` says what it beat and what more accuracy would cost")
    alternatives: list[Recommendation] = Field(description="the next ranked answers, one per checkpoint (limit - 1 at most)")
    query: Query = Field(description="the normalised query: canonical device id, lower-case runtime/precision")
    coverage: DeviceCoverage = Field(description="what was measured on the device, and a usual fast runtime it lacks")
    catalog: CatalogInfo
    sources: dict[str, Source] = Field(description="the source entries named in the answers' `sources`, by id")


class DeviceList(_Envelope):
    devices: list[Device]
    count: int
    device_families: dict[str, str] = Field(description="family name -> its default device id")
    catalog: CatalogInfo


class DeviceDetail(_Envelope):
    device: Device
    runtimes: list[str] = Field(description="runtimes measured on the device")
    precisions: list[str] = Field(description="precisions measured on the device")
    batch_sizes: list[int] = Field(description="batch sizes measured on the device")
    suspects: list[Measurement] = Field(
        description="measurements on the device that the suspect screen judged implausible, each with its `suspect` "
                    "reason; /recommend leaves them out unless include_suspect=true")
    catalog: CatalogInfo


class ModelList(_Envelope):
    architectures: list[Architecture] | None = Field(None, description="left out when kind=checkpoint")
    checkpoints: list[Checkpoint] | None = Field(None, description="left out when kind=architecture")
    catalog: CatalogInfo


class ModelDetail(_Envelope):
    kind: Literal["architecture", "checkpoint"]
    architecture: Architecture = Field(description="the architecture, or the checkpoint's architecture")
    checkpoint: Checkpoint | None = Field(None, description="kind=checkpoint only")
    checkpoints: list[Checkpoint] | None = Field(None, description="kind=architecture only: its checkpoints")
    catalog: CatalogInfo


class HealthCatalog(CatalogInfo):
    devices: int
    architectures: int
    checkpoints: int
    candidates: int = Field(description="joined (checkpoint, measurement) rows")


class Health(_Envelope):
    status: Literal["ok"]
    version: str = Field(description="modelpick version")
    catalog: HealthCatalog


class ProblemType(_Envelope):
    type: str
    title: str
    status: int
    description: str


MODELS: list[type[BaseModel]] = [RecommendResponse, DeviceList, DeviceDetail, ModelList, ModelDetail, Health,
                                 ProblemDetails, ProblemType]


# ---------------------------------------------------------------------------
# The document


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str, *, cached: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": _ref(name)}}}
    if cached:
        out["headers"] = {
            "ETag": {"description": "from the catalog hash and the normalised request", "schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}},
        }
    return out


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": _ref("ProblemDetails")}}}


_NOT_MODIFIED = {"description": "Not modified: the `If-None-Match` ETag is current"}
_BAD_PARAM = _problem("invalid-parameter: unknown, repeated or invalid query parameters (each named, with valid choices)")
_DEFAULT = _problem("any other error (405, 413, 414, 500), as a problem document")


def _operation(op_id: str, summary: str, params: list[dict[str, Any]], responses: dict[str, Any],
               tag: str) -> dict[str, Any]:
    return {"operationId": op_id, "summary": summary, "tags": [tag], "parameters": params,
            "responses": {**responses, "default": _DEFAULT}}


def _q(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def build_document(catalog: Catalog) -> dict[str, Any]:
    """The OpenAPI 3.1 document for this app (examples come from the loaded catalog)."""
    _, top = models_json_schema([(m, "serialization") for m in [*MODELS, *frontiers.MODELS, *explorer.MODELS]],
                                ref_template="#/components/schemas/{model}")
    schemas = top["$defs"]

    rec_params = query_param_schemas()
    examples = {
        "device": [d.id for d in catalog.devices()[:3]] + sorted(catalog.device_families)[:2],
        "runtime": catalog.runtimes()[:5],
        "precision": catalog.precisions()[:5],
    }
    for p in rec_params:
        if examples.get(p["name"]):
            p["schema"]["examples"] = examples[p["name"]]

    pattern = _q("q", "fnmatch pattern (case-insensitive); without wildcards, a substring",
                 {"type": "string", "maxLength": MAX_PATTERN})
    tags = [{"name": "recommend"}, {"name": "catalog"}, {"name": "frontiers"}, {"name": "explorer"}, {"name": "service"}]
    paths = {
        "/recommend": {"get": _operation(
            "recommend", "Most accurate (or fastest/smallest) checkpoints within the limits, with sources",
            rec_params,
            {"200": _json("RecommendResponse", "the best answer and ranked alternatives"), "304": _NOT_MODIFIED,
             "400": _BAD_PARAM,
             "422": _problem("no-feasible-model: nothing meets every constraint; `diagnosis` says what to relax"),
             "429": _problem("too-many-requests (estimates=include only): this client's rate limit for expensive "
                             "requests is spent (`Retry-After`)")},
            "recommend")},
        "/devices": {"get": _operation(
            "listDevices", "Devices matching a pattern", [pattern, _q("kind", "device kind", {"type": "string", "enum": DEVICE_KINDS})],
            {"200": _json("DeviceList", "matching devices, naturally sorted"), "304": _NOT_MODIFIED, "400": _BAD_PARAM},
            "catalog")},
        "/devices/{device_id}": {"get": _operation(
            "getDevice", "One device by id, alias or family name",
            [{"name": "device_id", "in": "path", "required": True, "description": "device id, alias or family",
              "schema": {"type": "string", "minLength": 1, "examples": examples["device"]}}],
            {"200": _json("DeviceDetail", "the device and what was measured on it"), "304": _NOT_MODIFIED,
             "400": _BAD_PARAM, "404": _problem("not-found: unknown device (with close matches)")},
            "catalog")},
        "/models": {"get": _operation(
            "listModels", "Architectures and checkpoints matching a pattern",
            [pattern, _q("kind", "only this kind", {"type": "string", "enum": MODEL_KINDS}),
             _q("architecture", "only checkpoints of this architecture (id or alias)", {"type": "string", "maxLength": 200})],
            {"200": _json("ModelList", "matching architectures and checkpoints, naturally sorted"),
             "304": _NOT_MODIFIED, "400": _BAD_PARAM},
            "catalog")},
        "/models/{model_id}": {"get": _operation(
            "getModel", "A checkpoint (exact id) or an architecture (id or alias); a checkpoint first unless kind says",
            [{"name": "model_id", "in": "path", "required": True, "description": "checkpoint id or architecture id/alias",
              "schema": {"type": "string", "minLength": 1}},
             _q("kind", "look up only this kind (a name can be both)", {"type": "string", "enum": MODEL_KINDS})],
            {"200": _json("ModelDetail", "the model"), "304": _NOT_MODIFIED, "400": _BAD_PARAM,
             "404": _problem("not-found: neither an architecture nor a checkpoint (with close matches)")},
            "catalog")},
        "/healthz": {"get": _operation(
            "healthz", "Liveness, with the catalog this worker serves", [],
            {"200": _json("Health", "the worker is up and its catalog loaded", cached=False), "400": _BAD_PARAM},
            "service")},
        "/openapi.json": {"get": _operation(
            "openapi", "This document", [],
            {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}},
             "304": _NOT_MODIFIED, "400": _BAD_PARAM},
            "service")},
        "/docs": {"get": _operation(
            "docs", "This document as an HTML page", [],
            {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}},
             "304": _NOT_MODIFIED, "400": _BAD_PARAM},
            "service")},
        "/problems/{slug}": {"get": _operation(
            "problemType", "What a problem type means",
            [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "enum": sorted(PROBLEM_TYPES)}}],
            {"200": _json("ProblemType", "the problem type", cached=False), "400": _BAD_PARAM,
             "404": _problem("not-found")},
            "service")},
    }
    paths.update(frontiers.openapi_paths(_operation, _json, _problem, _BAD_PARAM, _NOT_MODIFIED))
    paths.update(explorer.openapi_paths(_operation, _json, _problem, _BAD_PARAM, _NOT_MODIFIED))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "modelpick",
            "version": modelpick.__version__,
            "summary": "The most accurate pretrained image classifier within a device's memory and speed limits",
            "description": (
                "Every error is `application/problem+json` (RFC 9457). Responses carry an `ETag` (catalog hash + "
                "normalised request) and `Cache-Control`; `If-None-Match` gets 304. "
                f"Catalog {catalog.version}."),
        },
        "tags": tags,
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _docs_html(doc: dict[str, Any]) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(doc['info']['title'])} API</title>",
             "<style>body{font:15px system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "code{background:#f3f3f3;padding:0 .2em}td,th{border-bottom:1px solid #ddd;padding:.2em .5em;"
             "text-align:left;vertical-align:top}table{border-collapse:collapse}</style></head><body>",
             f"<h1>{e(doc['info']['title'])} {e(doc['info']['version'])}</h1><p>{e(doc['info']['summary'])}.</p>",
             f"<p>{e(doc['info']['description'])} Machine-readable: <a href=openapi.json>openapi.json</a>.</p>"]
    for path, item in doc["paths"].items():
        op = item["get"]
        parts.append(f"<h2><code>GET {e(path)}</code></h2><p>{e(op['summary'])}</p>")
        if op["parameters"]:
            parts.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>")
            for p in op["parameters"]:
                s = p["schema"]
                typ = s.get("type") or " | ".join(str(b.get("type")) for b in s.get("anyOf", []))
                if "enum" in s:
                    typ += ": " + ", ".join(map(str, s["enum"]))
                if "default" in s:
                    typ += f" (default {s['default']})"
                req = " (required)" if p.get("required") else ""
                parts.append(f"<tr><td><code>{e(p['name'])}</code>{req}</td><td>{e(p['in'])}</td><td>{e(typ)}</td>"
                             f"<td>{e(p.get('description', ''))}</td></tr>")
            parts.append("</table>")
        codes = ", ".join(f"{code}" for code in op["responses"])
        parts.append(f"<p>Responses: {e(codes)}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def install(st: Any) -> None:
    """Build the document and its HTML page once, when the worker starts."""
    doc = build_document(st.catalog)
    st.openapi_bytes = dumps(doc)
    st.docs_bytes = _docs_html(doc).encode()


@bp.get("/openapi.json")
def openapi_json():
    read_args(())
    body = state().openapi_bytes
    return conditional(hashlib.sha256(body).hexdigest()[:32], lambda: body)


@bp.get("/docs")
def docs():
    read_args(())
    body = state().docs_bytes
    resp = conditional(hashlib.sha256(body).hexdigest()[:32], lambda: body, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return resp
