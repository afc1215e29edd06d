"""Shared by the blueprints: the per-worker state, cached answers, ETags and query-string checks."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterable

from flask import Response, current_app, g, request
from werkzeug.datastructures import Headers
from werkzeug.utils import get_content_type

import modelpick
from modelpick.errors import Names, close_matches
from modelpick.solver import Catalog

from .json_body import dumps
from .problems import invalid

#: Bump when a response's shape changes, so ETags from an older service never match.
API_REVISION = "1"


@dataclass(frozen=True)
class Answer:
    """A finished response, cacheable because it depends only on the catalog and the request."""

    status: int
    body: bytes
    mimetype: str
    headers: tuple[tuple[str, str], ...]
    etag: str | None = None

    def response(self) -> Response:
        if self.etag is not None and not_modified(self.etag):
            resp = Response(status=304)
            resp.headers.extend(self.headers)
            return resp
        # the headers in the order Response(body, mimetype=...) and then headers.extend gave them, written in one
        # list (werkzeug's Headers.extend and the mimetype lookup cost more than the rest of a cached answer)
        return Response(self.body, status=self.status, headers=Headers(
            [("Content-Type", _content_type(self.mimetype)), ("Content-Length", str(len(self.body))), *self.headers]))

    @classmethod
    def of(cls, resp: Response, etag: str | None = None) -> "Answer":
        return cls(resp.status_code, resp.get_data(), resp.mimetype,
                   tuple((k, v) for k, v in resp.headers.items() if k not in ("Content-Type", "Content-Length")), etag)


class AnswerCache:
    """A byte-bounded LRU of finished answers, per worker.

    The catalog never changes while a worker runs, so an answer is a pure function of the
    request; a repeated query costs a dict lookup instead of validation, a solve and JSON
    encoding. Bounded in bytes (``max_bytes``; 0 disables it), so a stream of distinct
    queries cannot grow it; thread-safe for threaded servers.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Any, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> Answer | None:
        if not self.max_bytes:
            return None
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def put(self, key: Any, answer: Answer) -> None:
        size = len(answer.body) + 256
        if size > self.max_bytes // 16:  # one huge answer never evicts everything
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body) + 256
            self._entries[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body) + 256

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class State:
    """What a worker loads once: the catalog and everything derived from it."""

    catalog: Catalog
    info: dict[str, str]
    counts: dict[str, int]
    source_dumps: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(0))
    plots: AnswerCache = field(default_factory=lambda: AnswerCache(0))  # rendered figures, by ETag
    openapi_bytes: bytes = b""
    docs_bytes: bytes = b""
    #: Name lookups for /models/<id>, built once so that an unknown name costs no more than an answer.
    checkpoint_ids: frozenset[str] = frozenset()
    architecture_ids: dict[str, str] = field(default_factory=dict)  # lowercase id or alias -> id
    model_names: Names = field(default_factory=lambda: Names(()))
    checkpoint_names: Names = field(default_factory=lambda: Names(()))
    architecture_names: Names = field(default_factory=lambda: Names(()))
    _coverage_json: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _info_json: bytes | None = None

    @property
    def info_json(self) -> bytes:
        """``dumps(self.info)``, written once."""
        if self._info_json is None:
            self._info_json = dumps(self.info)
        return self._info_json
    _source_json: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def build(cls, catalog: Catalog, answer_cache_bytes: int = 0, plot_cache_bytes: int = 0) -> "State":
        architectures, checkpoints = catalog.architectures(), catalog.checkpoints()
        counts = {
            "devices": len(catalog.devices()),
            "architectures": len(architectures),
            "checkpoints": len(checkpoints),
            "candidates": len(catalog),
        }
        # the same lookup as Catalog.resolve_architecture: ids first, then aliases, case-insensitive
        arch_ids = {a.id.lower(): a.id for a in architectures}
        for a in architectures:
            for alias in a.aliases:
                arch_ids.setdefault(alias.lower(), a.id)
        return cls(catalog=catalog, info={"version": catalog.version, "hash": catalog.hash}, counts=counts,
                   answers=AnswerCache(answer_cache_bytes), plots=AnswerCache(plot_cache_bytes),
                   checkpoint_ids=frozenset(c.id for c in checkpoints),
                   architecture_ids=arch_ids,
                   model_names=Names([*(a.id for a in architectures), *(c.id for c in checkpoints)]),
                   checkpoint_names=Names(c.id for c in checkpoints), architecture_names=Names(a.id for a in architectures))

    def coverage_json(self, device: str, task: str) -> bytes:
        """A device's coverage for a task as JSON (memoised: every answer for the device embeds the same bytes)."""
        key = (device, task)
        hit = self._coverage_json.get(key)
        if hit is None:
            hit = self._coverage_json[key] = dumps(self.catalog.coverage(device, task=task).to_dict())
        return hit

    def sources_json(self, ids: Iterable[str | None]) -> bytes:
        """:meth:`sources_for` as JSON, written from each source's memoised bytes (the same bytes as ``dumps``)."""
        parts: list[bytes] = []
        seen: set[str] = set()
        for sid in ids:
            if sid is None or sid in seen:
                continue
            seen.add(sid)
            hit = self._source_json.get(sid)
            if hit is None:
                dump = self.sources_for([sid]).get(sid)
                if dump is None:
                    continue
                hit = self._source_json[sid] = dumps(sid) + b":" + dumps(dump)
            parts.append(hit)
        return b"{" + b",".join(parts) + b"}"

    def sources_for(self, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
        """The source entries behind a set of numbers, by id (JSON-ready, memoised)."""
        out: dict[str, dict[str, Any]] = {}
        for sid in ids:
            if sid is None or sid in out:
                continue
            dump = self.source_dumps.get(sid)
            if dump is None:
                src = self.catalog.sources.get(sid)
                if src is None:
                    continue
                dump = self.source_dumps[sid] = src.model_dump(mode="json")
            out[sid] = dump
        return out


def state() -> State:
    return current_app.extensions["modelpick"]


@functools.lru_cache(maxsize=16)
def _content_type(mimetype: str) -> str:
    return get_content_type(mimetype, "utf-8")  # what Response(mimetype=...) writes


#: What ``json.dumps(part, sort_keys=True, default=str)`` calls, made once: json.dumps builds a new encoder per call
#: when given options (the same bytes, so every ETag is unchanged).
_ETAG_JSON = json.JSONEncoder(sort_keys=True, default=str).encode


def make_etag(*parts: Any) -> str:
    """A strong entity tag for a response determined by the catalog content and the normalised request."""
    h = _etag_prefix(state().catalog.hash).copy()
    for part in parts:
        h.update(b"\0" + (part if isinstance(part, bytes) else _ETAG_JSON(part).encode()))
    return h.hexdigest()[:32]


@functools.lru_cache(maxsize=8)
def _etag_prefix(catalog_hash: str) -> Any:
    """The hash state after the version and catalog part every ETag starts with (copied per ETag)."""
    return hashlib.sha256(f"{modelpick.__version__}|{API_REVISION}|{catalog_hash}".encode())


def cache_headers(etag: str) -> dict[str, str]:
    max_age = int(current_app.config["MODELPICK_CACHE_MAX_AGE"])
    return {"ETag": f'"{etag}"', "Cache-Control": f"public, max-age={max_age}"}


def not_modified(etag: str) -> bool:
    """Whether the request's ``If-None-Match`` already names this ETag (weak comparison, ``*`` included)."""
    if "HTTP_IF_NONE_MATCH" not in request.environ:  # most requests: no header to parse into an ETags object
        return False
    return bool(request.if_none_match) and request.if_none_match.contains_weak(etag)


def conditional(etag: str, build: Callable[[], Any], mimetype: str = "application/json",
                cache: AnswerCache | None = None) -> Response:
    """200 with the body ``build()`` returns (bytes as they are, anything else as JSON), or 304 when the
    client's ``If-None-Match`` already has this ETag.

    ``build`` is not called for a 304, so a revalidation costs no solve; with ``cache``, a body
    built once is kept by its ETag and ``build`` is not called again.
    """
    headers = cache_headers(etag)
    if not_modified(etag):
        resp = Response(status=304)
        resp.headers.update(headers)
        return resp
    hit = cache.get(etag) if cache is not None else None
    if hit is not None:
        g.modelpick_cached = True  # not counted by the rate limit
        body = hit.body
    else:
        body = build()
        if cache is not None:
            body = body if isinstance(body, bytes) else dumps(body)
            cache.put(etag, Answer(200, body, mimetype, (), etag))
    resp = Response(body if isinstance(body, bytes) else dumps(body), mimetype=mimetype)
    resp.headers.update(headers)
    return resp


def unknown_param_error(name: str, value: str, allowed: Collection[str]) -> dict[str, Any]:
    choices = sorted(allowed)
    close = close_matches(name, choices, n=3, cutoff=0.6)
    message = f"{name}={value!r}: unknown query parameter"
    if close:
        message += f"; did you mean {', '.join(close)}?"
    message += f" Valid parameters: {', '.join(choices) or '(none)'}"
    return {"param": name[:200], "value": value[:200], "message": message, "choices": choices,
            "close_matches": close, "exception": "InvalidQuery"}


#: A query string with nothing to decode (no ``%``, ``+`` or other escapes): ``&`` and ``=`` split it as werkzeug would.
_PLAIN_QUERY = re.compile(rb"[A-Za-z0-9_.=&-]*").fullmatch


def query_args() -> dict[str, list[str]]:
    """The request's parameters as {name: [values]}, names in first-seen order: what ``request.args`` and its
    ``getlist`` give (parsed once per request). A plain query string, what clients send, is split directly;
    anything with an escape goes through werkzeug's parser."""
    req = request._get_current_object()
    held = req.__dict__.get("_modelpick_args")
    if held is None:
        qs = req.query_string
        if _PLAIN_QUERY(qs) is not None:
            held = {}
            for part in qs.decode("ascii").split("&"):
                if part:  # parse_qsl skips empty pairs; a name without '=' has the value '' (keep_blank_values)
                    name, _, value = part.partition("=")
                    held.setdefault(name, []).append(value)
        else:
            args = req.args
            held = {name: args.getlist(name) for name in args}
        req.__dict__["_modelpick_args"] = held
    return held


def read_args(allowed: Collection[str]) -> dict[str, str]:
    """The query string as {name: value}; unknown or repeated parameters are a 400 naming them.

    A typo such as ``max_mem=1`` is never silently ignored.
    """
    errors = []
    out: dict[str, str] = {}
    for name, values in query_args().items():
        if name not in allowed:
            errors.append(unknown_param_error(name, values[0], allowed))
        elif len(values) > 1:
            errors.append({"param": name, "value": values[0][:200],
                           "message": f"{name} is given {len(values)} times ({', '.join(repr(v[:50]) for v in values[:5])}); give it once",
                           "choices": None, "close_matches": [], "exception": "InvalidQuery"})
        else:
            out[name] = values[0]
    if errors:
        raise invalid(errors)
    return out
