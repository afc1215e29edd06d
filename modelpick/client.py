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
``close_matches``). Any other error status is a :class:`ServiceError`; network failures
are the ``requests`` exceptions (``requests.ConnectionError``, ``requests.Timeout``).

Query fields added to :class:`modelpick.Query` after this client was written can be
passed as keyword arguments; they are sent as query parameters.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from . import errors as _errors
from .errors import InvalidQuery, ModelpickError, NoFeasibleModel
from .schema import Architecture, Checkpoint, Device, Query, Recommendation

__all__ = ["Client", "ServiceError"]


class ServiceError(ModelpickError):
    """The service answered with an error that has no library equivalent (5xx, 405, 413, ...).

    ``status`` is the HTTP status and ``problem`` the RFC 9457 document (or ``{}``).
    """

    def __init__(self, status: int, problem: dict[str, Any], message: str | None = None):
        self.status = status
        self.problem = problem
        super().__init__(message or f"HTTP {status}: {problem.get('title', '')}: {problem.get('detail', '')}".strip(": "))


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

    ``timeout`` (seconds) applies to every request: connect and read.
    """

    def __init__(self, base_url: str, timeout: float | tuple[float, float] = 10.0,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
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
        resp = self.session.get(self.base_url + path, params=params, timeout=self.timeout)
        if resp.status_code < 400:
            return resp.json()
        try:
            problem = resp.json()
            if not isinstance(problem, dict):
                problem = {}
        except ValueError:
            problem = {}
        raise self._exception(resp.status_code, problem)

    @staticmethod
    def _exception(status: int, problem: dict[str, Any]) -> Exception:
        slug = str(problem.get("type", "")).rstrip("/").rsplit("/", 1)[-1]
        if slug == "no-feasible-model":
            return NoFeasibleModel(problem.get("detail", ""), problem.get("diagnosis") or {})
        entries = problem.get("errors") or []
        if slug in ("invalid-parameter", "not-found") and entries:
            exc = _exception_from_entry(entries[0])
            exc.problem = problem  # every offending parameter, when there are several
            return exc
        return ServiceError(status, problem)

    @staticmethod
    def _query_params(device: Any, **kwargs: Any) -> dict[str, str]:
        unknown = sorted(set(kwargs) - set(Query.model_fields))
        if unknown:
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
             **query: Any) -> Recommendation:
        """The most accurate (or fastest, or smallest) checkpoint; see :func:`modelpick.best`."""
        return self.recommend(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                              batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                              precision=precision, objective=objective, strict=strict, estimates=estimates, limit=1,
                              **query)[0]

    def recommend(self, device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
                  max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
                  max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
                  objective: str = "top1", strict: bool = False, estimates: str = "exclude", limit: int = 10,
                  **query: Any) -> list[Recommendation]:
        """Up to ``limit`` ranked answers, one per checkpoint; see :func:`modelpick.recommend`."""
        body = self.answer(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                           batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                           precision=precision, objective=objective, strict=strict, estimates=estimates, limit=limit,
                           **query)
        return [Recommendation.model_validate(r) for r in [body["best"], *body["alternatives"]]]

    def answer(self, device: Any, **query: Any) -> dict[str, Any]:
        """The whole ``/recommend`` JSON: ``best``, ``alternatives``, the normalised ``query``, ``catalog``, ``sources``."""
        return self._get("/recommend", self._query_params(device, **query))

    def devices(self, pattern: str | None = None, *, kind: str | None = None) -> list[Device]:
        """Devices matching an fnmatch pattern (substring if no wildcard); see :func:`modelpick.devices`."""
        body = self._get("/devices", {k: v for k, v in (("q", pattern), ("kind", kind)) if v is not None})
        return [Device.model_validate(d) for d in body["devices"]]

    def architectures(self, pattern: str | None = None) -> list[Architecture]:
        body = self._get("/models", {"kind": "architecture", **({"q": pattern} if pattern is not None else {})})
        return [Architecture.model_validate(a) for a in body["architectures"]]

    def checkpoints(self, pattern: str | None = None, *, architecture: str | None = None) -> list[Checkpoint]:
        params = {"kind": "checkpoint"}
        if pattern is not None:
            params["q"] = pattern
        if architecture is not None:
            params["architecture"] = architecture
        return [Checkpoint.model_validate(c) for c in self._get("/models", params)["checkpoints"]]

    # -- single entries (as on modelpick.Catalog) ------------------------------------
    def device(self, name: str) -> Device:
        """One device by id, alias or family; raises :class:`~modelpick.UnknownDevice`."""
        return Device.model_validate(self._get(f"/devices/{quote(name, safe='')}")["device"])

    def architecture(self, name: str) -> Architecture:
        """An architecture by id or alias; raises :class:`~modelpick.UnknownName`."""
        body = self._get(f"/models/{quote(name, safe='')}", {"kind": "architecture"})
        return Architecture.model_validate(body["architecture"])

    def checkpoint(self, name: str) -> Checkpoint:
        """A checkpoint by exact id; raises :class:`~modelpick.UnknownName`."""
        body = self._get(f"/models/{quote(name, safe='')}", {"kind": "checkpoint"})
        return Checkpoint.model_validate(body["checkpoint"])

    def health(self) -> dict[str, Any]:
        """``/healthz``: status, version and the served catalog's version, hash and counts."""
        return self._get("/healthz")

    def catalog_info(self) -> dict[str, str]:
        """The served catalog's ``version`` and ``hash``."""
        info = self.health()["catalog"]
        return {"version": info["version"], "hash": info["hash"]}
