"""A Python client for the modelpick REST service, with the library's method names and types.

>>> from modelpick.client import Client
>>> api = Client("http://127.0.0.1:8000", timeout=5)                      # doctest: +SKIP
>>> rec = api.best("jetson", max_mem_gb=1.0, min_fps=30)                   # doctest: +SKIP
>>> rec.checkpoint, rec.fps, rec.sources                                   # doctest: +SKIP

``best``, ``recommend``, ``devices``, ``architectures`` and ``checkpoints`` take the same
arguments as :func:`modelpick.best` and friends and return the same types
(:class:`~modelpick.Recommendation`, :class:`~modelpick.Device`, ...). Problem
responses become the library's exceptions: :class:`~modelpick.NoFeasibleModel`
(with ``.diagnosis``), :class:`~modelpick.UnknownDevice`, :class:`~modelpick.UnknownName`
and :class:`~modelpick.InvalidQuery` (with ``param``, ``value``, ``choices`` and
``close_matches``). Every other failure is a :class:`ServiceError` (a :class:`~modelpick.ModelpickError`):

* :class:`ServiceUnavailable`: the service cannot be reached (connection refused, DNS, timeout) or
  answers 502/503/504, after the retries;
* :class:`RateLimited`: 429, with ``retry_after`` in seconds when the service says;
* :class:`BadResponse`: an answer that is not the document the endpoint promises (not JSON, a 304
  to a request that sent no ``If-None-Match``, a wrongly shaped body);
* :class:`ServiceError` itself for other statuses (405, 413, 414, 500, ...).

Limits against a broken or hostile server: one ``deadline`` per call (default: the timeout; a server
that drips its answer a byte a second is cut off there, retries and their waits included), a cap on the
decoded body (``max_body_bytes``, 64 MiB by default; a gzip bomb is cut as it inflates), JSON nested
deeper than Python parses, and redirects, which are never followed (a 3xx is a :class:`BadResponse`).

GET requests are idempotent, so they are retried with exponential backoff on connection errors
and on 502, 503 and 504, honouring ``Retry-After`` (urllib3's ``Retry``; ``retries=0`` turns it off).

Query fields added to :class:`modelpick.Query` after this client was written can be
passed as keyword arguments; they are sent as query parameters.
"""

from __future__ import annotations

import json
from typing import Any, Callable, TypeVar
from urllib.parse import quote

import requests
from pydantic import ValidationError
from urllib3.util.retry import Retry

from . import errors as _errors
from ._transport import Deadline, DeadlineAdapter, DeadlineRetry, read_capped
from .errors import InvalidQuery, ModelpickError, NoFeasibleModel, UnknownDevice, UnknownName
from .schema import Architecture, Checkpoint, Device, Query, Recommendation

__all__ = ["Client", "ServiceError", "ServiceUnavailable", "RateLimited", "BadResponse", "RETRY_STATUSES"]

#: Statuses a GET is retried on: the service (or its proxy) is restarting or overloaded.
RETRY_STATUSES = (502, 503, 504)

T = TypeVar("T")


#: The largest decoded body a call reads (the largest real answer, every model, is a few MB).
MAX_BODY_BYTES = 64 * 2**20


class _Retry(DeadlineRetry):
    """urllib3's Retry, waiting ``Retry-After`` only on the statuses retried (not 413/429: those are this
    client's to handle), and at most :attr:`MAX_WAIT_S` per wait, so a long ``Retry-After`` cannot hang a call."""

    RETRY_AFTER_STATUS_CODES = frozenset(RETRY_STATUSES)
    MAX_WAIT_S = 10.0

    def get_retry_after(self, response):
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.MAX_WAIT_S)


class ServiceError(ModelpickError):
    """The service answered with an error that has no library equivalent (5xx, 405, 413, ...).

    ``status`` is the HTTP status (``None`` when no answer came) and ``problem`` the RFC 9457
    document (or ``{}``).
    """

    def __init__(self, status: int | None, problem: dict[str, Any], message: str | None = None):
        self.status = status
        self.problem = problem
        super().__init__(message or f"HTTP {status}: {problem.get('title', '')}: {problem.get('detail', '')}".strip(": "))


class ServiceUnavailable(ServiceError):
    """No answer (connection refused, name not resolved, timeout) or 502/503/504, after the retries."""


class RateLimited(ServiceError):
    """429: this client's rate limit is spent. ``retry_after`` is in seconds, or ``None``."""

    def __init__(self, status: int, problem: dict[str, Any], retry_after: float | None):
        self.retry_after = retry_after
        super().__init__(status, problem)


class BadResponse(ServiceError):
    """The answer is not what the endpoint promises: not JSON, an unasked-for 304, or the wrong shape."""


def _exception_from_entry(entry: dict[str, Any]) -> InvalidQuery:
    """Rebuild the library exception an ``errors`` entry describes, keeping its exact message."""
    cls = getattr(_errors, str(entry.get("exception", "")), None)
    if not (isinstance(cls, type) and issubclass(cls, InvalidQuery)):
        cls = InvalidQuery
    exc = cls.__new__(cls)
    Exception.__init__(exc, entry.get("message", ""))
    exc.param = entry.get("param")
    exc.value = entry.get("value")
    exc.choices = entry.get("choices")
    exc.close_matches = list(entry.get("close_matches") or [])
    return exc


def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Client:
    """Talks to a running service; one ``requests.Session`` (connection pooling) per client.

    ``timeout`` (seconds) applies to every request: connect and read. ``retries`` is how many times a
    GET is retried on a connection error or a 502/503/504 (an int, or a ``urllib3.util.Retry``; 0 for
    none), with ``backoff`` seconds doubling between tries (capped at 10 s) unless the service sends
    ``Retry-After``. A ``session`` you pass in is used as it is: mount your own adapter for retries (the
    deadline then holds between reads, not within one). ``deadline`` (seconds) bounds a whole call, retries
    included (default: ``timeout``, connect plus read for a pair); ``max_body_bytes`` caps the decoded body.
    """

    def __init__(self, base_url: str, timeout: float | tuple[float, float] = 10.0,
                 session: requests.Session | None = None, *, retries: int | Retry = 3, backoff: float = 0.25,
                 deadline: float | None = None, max_body_bytes: int = MAX_BODY_BYTES):
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise InvalidQuery("base_url", base_url, "must be an http:// or https:// URL, e.g. http://127.0.0.1:8000")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.deadline = float(deadline if deadline is not None else
                              (sum(timeout) if isinstance(timeout, tuple) else timeout))
        self.max_body_bytes = int(max_body_bytes)
        if session is None:
            session = requests.Session()
            retry = retries if isinstance(retries, Retry) else _Retry(
                total=int(retries), connect=int(retries), read=0, status=int(retries), other=0,
                backoff_factor=backoff, backoff_max=10.0, status_forcelist=RETRY_STATUSES,
                allowed_methods=frozenset({"GET", "HEAD"}), respect_retry_after_header=True,
                raise_on_status=False, raise_on_redirect=False)
            adapter = DeadlineAdapter(max_retries=retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self.session = session
        self.session.headers.setdefault("Accept", "application/json, application/problem+json")

    def __repr__(self) -> str:
        return f"Client({self.base_url!r}, timeout={self.timeout!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = self.base_url + path
        with Deadline(self.deadline) as deadline:
            try:
                resp = self.session.get(url, params=params, timeout=self.timeout, stream=True, allow_redirects=False)
                try:
                    body = self._body(path, resp)
                finally:
                    resp.close()
                if deadline.expired:  # the sockets were shut under it: what was read may be cut short
                    raise requests.Timeout("deadline")
            except (requests.RequestException, OSError) as exc:
                if deadline.expired:
                    raise ServiceUnavailable(None, {}, f"GET {path}: no complete answer from {self.base_url} within "
                                                       f"the deadline of {self.deadline:g} s") from None
                if isinstance(exc, (requests.ConnectionError, requests.Timeout, OSError)):
                    raise ServiceUnavailable(None, {}, f"cannot reach the modelpick service at {self.base_url}: "
                                                       f"{type(exc).__name__}: {_short(exc)}") from exc
                raise ServiceError(None, {}, f"request to {url} failed: {type(exc).__name__}: {_short(exc)}") from exc
        return self._outcome(path, resp, body)

    def _body(self, path: str, resp: requests.Response) -> bytes:
        declared = resp.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.max_body_bytes:
            raise BadResponse(resp.status_code, {}, f"GET {path}: the answer declares {int(declared)} bytes; this client "
                                                    f"reads at most {self.max_body_bytes} (max_body_bytes)")
        body = read_capped(resp.iter_content(64 * 1024), self.max_body_bytes)
        if body is None:
            raise BadResponse(resp.status_code, {}, f"GET {path}: the answer is larger than {self.max_body_bytes} bytes "
                                                    f"(decoded); this client reads no more (max_body_bytes)")
        return body

    def _outcome(self, path: str, resp: requests.Response, raw: bytes) -> dict[str, Any]:
        status = resp.status_code
        if 200 <= status < 300:
            try:
                body = json.loads(raw)
            except (ValueError, RecursionError) as exc:
                why = "nested too deeply to parse" if isinstance(exc, RecursionError) else "not JSON"
                raise BadResponse(status, {}, f"GET {path}: HTTP {status} with a body that is {why} "
                                              f"({resp.headers.get('Content-Type', 'no Content-Type')[:80]}): "
                                              f"{raw[:80]!r}") from None
            if not isinstance(body, dict):
                raise BadResponse(status, {}, f"GET {path}: expected a JSON object, got {type(body).__name__}")
            return body
        if status < 400:
            where = f" to {resp.headers['Location'][:200]!r}" if resp.headers.get("Location") else ""
            raise BadResponse(status, {}, f"GET {path}: unexpected HTTP {status}{where} "
                                          f"(this client sends no If-None-Match and follows no redirects)")
        try:
            problem = json.loads(raw)
            if not isinstance(problem, dict):
                problem = {}
        except (ValueError, RecursionError):
            problem = {}
        if status == 429:
            raise RateLimited(429, problem, _retry_after(resp.headers.get("Retry-After")))
        if status in RETRY_STATUSES and not problem.get("errors"):
            raise ServiceUnavailable(status, problem)
        try:
            exc = self._exception(status, problem)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):
            exc = BadResponse(status, {}, f"GET {path}: HTTP {status} with a problem document not shaped as "
                                          f"documented: {_short(repr(problem), 200)}")
        raise exc

    def _read(self, path: str, build: Callable[[], T]) -> T:
        """``build()`` over a JSON body; a missing key or a value of the wrong type is a :class:`BadResponse`."""
        try:
            return build()
        except (KeyError, TypeError, IndexError, AttributeError, ValidationError) as exc:
            raise BadResponse(200, {}, f"GET {path}: the answer is not shaped as documented "
                                       f"({type(exc).__name__}: {_short(exc)})") from None

    @staticmethod
    def _exception(status: int, problem: dict[str, Any]) -> Exception:
        slug = str(problem.get("type", "")).rstrip("/").rsplit("/", 1)[-1]
        # a wrongly shaped document raises TypeError here: the caller makes it a BadResponse
        if slug == "no-feasible-model":
            diagnosis = problem.get("diagnosis") or {}
            if not isinstance(diagnosis, dict):
                raise TypeError(f"'diagnosis' is {type(diagnosis).__name__}, not an object")
            return NoFeasibleModel(str(problem.get("detail", "")), diagnosis)
        entries = problem.get("errors") or []
        if not (isinstance(entries, list) and all(isinstance(e, dict) for e in entries)):
            raise TypeError(f"'errors' is {type(entries).__name__}, not a list of objects")
        if slug in ("invalid-parameter", "not-found") and entries:
            exc = _exception_from_entry(entries[0])
            exc.problem = problem  # every offending parameter, when there are several
            return exc
        return ServiceError(status, problem)

    @staticmethod
    def _query_params(device: Any, **kwargs: Any) -> dict[str, str]:
        unknown = sorted(set(kwargs) - set(Query.model_fields))
        if unknown:
            # as a Python signature would (the library's functions raise the same TypeError)
            raise TypeError(f"unexpected keyword argument(s) {', '.join(unknown)}; valid: {', '.join(Query.model_fields)}")
        params = {"device": _encode(device)}
        for name, value in kwargs.items():
            field = Query.model_fields[name]
            if value is None:
                if field.default is not None:
                    params[name] = "best"  # None that differs from leaving it out (batch_size)
                continue
            if value == field.default and type(value) is type(field.default):
                continue
            params[name] = _encode(value)
        return params

    # -- the library's API -----------------------------------------------------------
    def best(self, device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
             max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
             max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
             objective: str = "top1", strict: bool = False, estimates: str = "exclude",
             include_suspect: bool = False, task: str = "classification", min_score: float | None = None,
             **query: Any) -> Recommendation:
        """The most accurate (or fastest, or smallest) checkpoint; see :func:`modelpick.best`."""
        return self.recommend(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                              batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                              precision=precision, objective=objective, strict=strict, estimates=estimates, limit=1,
                              include_suspect=include_suspect, task=task, min_score=min_score,
                              **{"per_architecture": False, **query})[0]  # as the library's best()

    def recommend(self, device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
                  max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
                  max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
                  objective: str = "top1", strict: bool = False, estimates: str = "exclude", limit: int = 10,
                  include_suspect: bool = False, task: str = "classification", min_score: float | None = None,
                  per_architecture: bool = True, **query: Any) -> list[Recommendation]:
        """Up to ``limit`` ranked answers, one row per architecture unless ``per_architecture=False``; see
        :func:`modelpick.recommend`."""
        body = self.answer(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                           batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                           precision=precision, objective=objective, strict=strict, estimates=estimates, limit=limit,
                           include_suspect=include_suspect, task=task, min_score=min_score,
                           per_architecture=per_architecture, **query)
        return self._read("/recommend", lambda: [Recommendation.model_validate(r)
                                                  for r in [body["best"], *body["alternatives"]]])

    def answer(self, device: Any, **query: Any) -> dict[str, Any]:
        """The whole ``/recommend`` JSON: ``best``, ``alternatives``, the normalised ``query``, ``catalog``, ``sources``."""
        return self._get("/recommend", self._query_params(device, **query))

    def devices(self, pattern: str | None = None, *, kind: str | None = None) -> list[Device]:
        """Devices matching an fnmatch pattern (substring if no wildcard); see :func:`modelpick.devices`."""
        body = self._get("/devices", {k: v for k, v in (("q", pattern), ("kind", kind)) if v is not None})
        return self._read("/devices", lambda: [Device.model_validate(d) for d in body["devices"]])

    def architectures(self, pattern: str | None = None, *, task: str = "classification") -> list[Architecture]:
        params = {"kind": "architecture", **({"q": pattern} if pattern is not None else {})}
        if task != "classification":
            params["task"] = task
        body = self._get("/models", params)
        return self._read("/models", lambda: [Architecture.model_validate(a) for a in body["architectures"]])

    def checkpoints(self, pattern: str | None = None, *, architecture: str | None = None,
                    task: str | None = None) -> list[Checkpoint]:
        params = {"kind": "checkpoint"}
        if task is not None:
            params["task"] = task
        if pattern is not None:
            params["q"] = pattern
        if architecture is not None:
            params["architecture"] = architecture
        body = self._get("/models", params)
        return self._read("/models", lambda: [Checkpoint.model_validate(c) for c in body["checkpoints"]])

    # -- single entries (as on modelpick.Catalog) ------------------------------------
    def _entry(self, param: str, name: Any, path: str, params: dict[str, str] | None, key: str, model: Any,
               unknown: type[InvalidQuery]) -> Any:
        if not isinstance(name, str) or not name.strip():
            raise unknown(param, name, "must be a non-empty string")
        try:
            body = self._get(path + _segment(name), params)
        except ServiceError as exc:
            if exc.status == 404:  # a name no route can carry: the library's exception, as for any unknown name
                raise unknown(param, name, f"unknown {param}") from None
            raise
        return self._read(path, lambda: model.model_validate(body[key]))

    def device(self, name: str) -> Device:
        """One device by id, alias or family; raises :class:`~modelpick.UnknownDevice`."""
        return self._entry("device", name, "/devices/", None, "device", Device, UnknownDevice)

    def architecture(self, name: str) -> Architecture:
        """An architecture by id or alias; raises :class:`~modelpick.UnknownName`."""
        return self._entry("architecture", name, "/models/", {"kind": "architecture"}, "architecture", Architecture,
                           UnknownName)

    def checkpoint(self, name: str) -> Checkpoint:
        """A checkpoint by exact id; raises :class:`~modelpick.UnknownName`."""
        return self._entry("checkpoint", name, "/models/", {"kind": "checkpoint"}, "checkpoint", Checkpoint,
                           UnknownName)

    def health(self) -> dict[str, Any]:
        """``/healthz``: status, version and the served catalog's version, hash and counts."""
        return self._get("/healthz")

    def catalog_info(self) -> dict[str, str]:
        """The served catalog's ``version`` and ``hash``."""
        info = self.health()
        return self._read("/healthz", lambda: {"version": str(info["catalog"]["version"]),
                                               "hash": str(info["catalog"]["hash"])})


def _segment(name: str) -> str:
    """``name`` as one path segment: '/' encoded, and '.' or '..' encoded too (URL normalisation would drop them)."""
    text = quote(name, safe="")
    return text.replace(".", "%2E") if set(name) == {"."} else text


def _short(exc: BaseException | str, limit: int = 300) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
