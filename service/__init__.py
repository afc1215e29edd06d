"""The modelpick REST service: a Flask application factory.

Development::

    flask --app service run

Production (gunicorn, settings in ``service/gunicorn.conf.py``)::

    gunicorn -c service/gunicorn.conf.py "service:create_app()"

Configuration comes from environment variables, overridden by the mapping passed
to :func:`create_app` (tests use that):

``MODELPICK_DATA``
    extra catalog files merged with the embedded table (``os.pathsep``-separated in the
    environment; a list or a string in the mapping). Only the operator chooses files:
    nothing in a request can name a path.
``MODELPICK_EMBEDDED``
    ``0``/``false`` to serve only the ``MODELPICK_DATA`` files, without the embedded table.
``MODELPICK_CACHE_MAX_AGE``
    ``Cache-Control: max-age`` in seconds for catalog answers (default 300).
``MODELPICK_MEMORY_MB``
    per-worker memory for every store that grows with the queries asked, in MiB (default 128): half for
    ``estimates=include`` views, a quarter each for finished answers and rendered plots
    (``modelpick._budget``). The three variables below set one store alone.
``MODELPICK_ANSWER_CACHE_MB``
    per-worker memory for finished ``/recommend`` answers, in MiB (default: a quarter of
    ``MODELPICK_MEMORY_MB``, 32; 0 turns the cache off).
    The catalog cannot change under a running worker, so a repeated query is answered from here.
``MODELPICK_MAX_QUERY_STRING``
    longest query string accepted, in bytes (default 2048; longer is a 414 problem).
``MODELPICK_MAX_CONTENT_LENGTH``
    largest request body accepted, in bytes (default 16384; the service reads no body).
``MODELPICK_PLOT_CACHE_MB``
    per-worker memory for rendered ``/plot/*.svg`` figures, by ETag, in MiB (default: a quarter of
    ``MODELPICK_MEMORY_MB``, 32; 0 turns it off).
``MODELPICK_RATE_LIMIT``
    per-client limit on the expensive requests (plots, ``/bounds``, ``/pareto``, ``/grid`` and
    ``/recommend?estimates=include``) in Flask-Limiter's notation (default ``60 per minute``; ``off``
    turns it off). Only computed answers use it up: cached answers, 304s and errors do not (once it is
    spent, only a ``/recommend`` answer already cached still passes). ``/recommend`` and ``/candidates`` are
    counted before they solve, and ``If-None-Match`` (the answer's ETag, or ``*``) is a 304 without a solve. A client is its address; behind a
    reverse proxy set ``MODELPICK_PROXY_HOPS``.
``MODELPICK_RATE_LIMIT_STORAGE``
    where the counts live (default ``memory://``: per worker, so with N workers a client gets up to N
    times the limit; ``redis://host:6379`` shares them, given the ``redis`` package).
``MODELPICK_PROXY_HOPS``
    number of trusted reverse proxies in front (default 0): the client address then comes from their
    ``X-Forwarded-For`` (werkzeug's ``ProxyFix``). Never set it without a proxy: clients could pick their address.

The catalog is loaded once, when the app is created: in the gunicorn master with ``preload_app``, so a
worker that respawns never reads a file again. :func:`reload_catalog` (gunicorn: ``kill -HUP <master>``)
loads the configured files anew, validating them first; on any error it logs why and keeps serving the
catalog it has. Debug mode is refused unless the app is run by Flask's own development server
(``flask --app service run --debug``).
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any, Mapping

from flask import Flask, Response, g, request

from modelpick import load_catalog
from modelpick.solver import Catalog

from .common import State, query_args, state
from .problems import Problem

DEFAULTS: dict[str, Any] = {
    "MODELPICK_DATA": [],
    "MODELPICK_EMBEDDED": True,
    "MODELPICK_CATALOG": None,  # a ready Catalog, for tests and embedding; overrides the two above
    "MODELPICK_CACHE_MAX_AGE": 300,
    "MODELPICK_ANSWER_CACHE_MB": None,  # None: a share of MODELPICK_MEMORY_MB (modelpick._budget)
    "MODELPICK_MAX_QUERY_STRING": 2048,
    "MODELPICK_PLOT_CACHE_MB": None,
    "MODELPICK_RATE_LIMIT": "60 per minute",
    "MODELPICK_RATE_LIMIT_STORAGE": "memory://",
    "MODELPICK_PROXY_HOPS": 0,
    "MAX_CONTENT_LENGTH": 16 * 1024,
}

log = logging.getLogger("modelpick.service")

_FALSE = {"0", "false", "no", "off"}


def config_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    if env.get("MODELPICK_DATA", "").strip():
        out["MODELPICK_DATA"] = env["MODELPICK_DATA"]
    if "MODELPICK_EMBEDDED" in env:
        out["MODELPICK_EMBEDDED"] = env["MODELPICK_EMBEDDED"].strip().lower() not in _FALSE
    for key, target in (("MODELPICK_CACHE_MAX_AGE", "MODELPICK_CACHE_MAX_AGE"),
                        ("MODELPICK_ANSWER_CACHE_MB", "MODELPICK_ANSWER_CACHE_MB"),
                        ("MODELPICK_MAX_QUERY_STRING", "MODELPICK_MAX_QUERY_STRING"),
                        ("MODELPICK_PLOT_CACHE_MB", "MODELPICK_PLOT_CACHE_MB"),
                        ("MODELPICK_PROXY_HOPS", "MODELPICK_PROXY_HOPS"),
                        ("MODELPICK_MAX_CONTENT_LENGTH", "MAX_CONTENT_LENGTH")):
        if env.get(key, "").strip():
            try:
                out[target] = int(env[key])
            except ValueError:
                raise ValueError(f"{key}={env[key]!r}: expected an integer") from None
    if env.get("MODELPICK_MEMORY_MB", "").strip():
        from modelpick._budget import memory_mb

        memory_mb(env)  # a bad budget stops the start with its name, not the first estimate
    for key in ("MODELPICK_RATE_LIMIT", "MODELPICK_RATE_LIMIT_STORAGE"):
        if env.get(key, "").strip():
            out[key] = env[key].strip()
    return out


def _data_paths(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [p for p in str(value).split(os.pathsep) if p.strip()]
    return [str(p) for p in value]


def load_service_catalog(config: Mapping[str, Any]) -> Catalog:
    ready = config.get("MODELPICK_CATALOG")
    if ready is not None:
        return ready
    return load_catalog(*_data_paths(config.get("MODELPICK_DATA")), embedded=bool(config.get("MODELPICK_EMBEDDED", True)),
                        use_env=False)


def build_state(config: Mapping[str, Any]) -> State:
    """Load the catalog the configuration names and everything derived from it (the OpenAPI document)."""
    from . import openapi

    from modelpick._budget import store_bytes

    def cache_bytes(key: str, store: str) -> int:
        mb = config.get(key)
        return store_bytes(store) if mb is None else int(float(mb) * 2**20)

    st = State.build(load_service_catalog(config),
                     answer_cache_bytes=cache_bytes("MODELPICK_ANSWER_CACHE_MB", "answers"),
                     plot_cache_bytes=cache_bytes("MODELPICK_PLOT_CACHE_MB", "plots"))
    openapi.install(st)
    return st


def reload_catalog(app: Flask, logger: Any = None) -> bool:
    """Load the configured catalog files anew and serve them from now on; validation comes first.

    On any error (a broken or missing file) the error is logged and the app keeps the catalog it
    has: a running service never stops serving because a file changed under it. Returns whether the
    new catalog was taken. Under gunicorn with ``preload_app`` the master calls this on ``SIGHUP``
    (``on_reload`` in ``service/gunicorn.conf.py``), before it forks the new workers.
    """
    out = logger or log
    old: State = app.extensions["modelpick"]
    if app.config.get("MODELPICK_CATALOG") is not None:
        out.warning("catalog reload: the app was given a ready catalog; nothing to reload")
        return False
    try:
        new = build_state(app.config)
    except Exception as exc:  # keep serving whatever went wrong
        out.error("catalog reload failed; still serving catalog %s\n%s", old.info["version"], exc)
        return False
    app.extensions["modelpick"] = new
    out.info("catalog reloaded: %s -> %s (%d candidates)", old.info["version"], new.info["version"],
             new.counts["candidates"])
    return True


def _debug_allowed() -> bool:
    # `flask run` sets this; gunicorn, uwsgi or any other server does not.
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true"


def _rate_limit(app: Flask) -> None:
    """Per-client limit on the expensive endpoints (see ``MODELPICK_RATE_LIMIT``)."""
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    from . import frontiers, recommend

    rate = str(app.config.get("MODELPICK_RATE_LIMIT") or "").strip()
    if rate.lower() in ("", *_FALSE):
        return
    limiter = Limiter(get_remote_address, app=app, storage_uri=str(app.config["MODELPICK_RATE_LIMIT_STORAGE"]),
                      headers_enabled=True, key_prefix="modelpick", strategy="moving-window")

    def computed(resp: Response) -> bool:  # only answers that cost a computation count
        return resp.status_code in (200, 422) and not g.get("modelpick_cached", False)

    shared = limiter.shared_limit(rate, scope="expensive", deduct_when=computed,
                                  exempt_when=lambda: request.method not in ("GET", "HEAD"))
    shared(frontiers.bp)
    # /recommend and /candidates are counted before they solve (no deduct_when): a burst of requests can
    # never all pass before the first is counted, and one answered without a solve (cached, a 304 to
    # If-None-Match, a 400) is exempt, so it is not counted at all.
    plain = app.view_functions["recommend.recommend"]
    limited = limiter.shared_limit(rate, scope="expensive", exempt_when=_cheap_recommend)(plain)

    # Flask-Limiter resolves and evaluates its limits before it asks exempt_when (about 0.1 ms, a fifth of an
    # uncached answer); a cheap request is exempt anyway, so it goes straight to the view.
    @functools.wraps(plain)
    def recommend_view(*args: Any, **kwargs: Any) -> Any:
        if _cheap_recommend():
            g.modelpick_unlimited = True  # the limiter's after-request step and teardown have nothing to do
            return plain(*args, **kwargs)
        return limited(*args, **kwargs)

    app.view_functions["recommend.recommend"] = recommend_view
    from . import explorer  # the page's data: the same rule as /recommend

    app.view_functions["explorer.candidates"] = limiter.shared_limit(
        rate, scope="expensive", exempt_when=explorer.cheap_candidates)(app.view_functions["explorer.candidates"])
    _scope_limiter_hooks(app, limiter, checked=(frontiers.bp.name,),
                         counted=(frontiers.bp.name, recommend.bp.name, explorer.bp.name),
                         skippable=(recommend.bp.name,))
    app.extensions["modelpick_limiter"] = limiter


def _scope_limiter_hooks(app: Flask, limiter: Any, checked: tuple[str, ...], counted: tuple[str, ...],
                         skippable: tuple[str, ...] = ()) -> None:
    """Move Flask-Limiter's app-wide request hooks to the blueprints it limits.

    It hooks every request of the app: a before-request check (about 0.1 ms: it resolves the endpoint's limits,
    /healthz's too, although nothing else is limited), an after-request deduction and header step, and a
    teardown. Only the ``checked`` blueprints are limited as a whole (checked before the request); the limited
    views of the ``counted`` ones are wrapped by the limiter, which checks them, and need only the after-request
    step and the teardown. Every other route pays nothing. In the ``skippable`` blueprints a request whose view
    never reached the limiter (it set ``g.modelpick_unlimited``: a /recommend without estimates) skips both.
    """
    def ours(fn: Any) -> bool:
        return getattr(fn, "__self__", None) is limiter or (isinstance(fn, functools.partial) and fn.args[:1] == (limiter,))

    for funcs, names in ((app.before_request_funcs, checked), (app.after_request_funcs, counted),
                         (app.teardown_request_funcs, counted)):
        hooks = [f for f in funcs.get(None, []) if ours(f)]
        if not hooks:
            raise RuntimeError("Flask-Limiter's request hooks were not found where it puts them; cannot scope them")
        funcs[None] = [f for f in funcs[None] if not ours(f)]
        for name in names:
            funcs.setdefault(name, []).extend(_unless_unlimited(h) if name in skippable else h for h in hooks)


def _unless_unlimited(hook: Any) -> Any:
    """``hook``, skipped for a request the limiter never saw (its after-request step returns the response)."""
    @functools.wraps(hook)
    def run(arg: Any = None) -> Any:
        return arg if g.get("modelpick_unlimited") else hook(arg)

    return run


def _cheap_recommend() -> bool:
    """A /recommend request that costs no estimate: without estimates=include, already in the answer cache, or
    answered without a solve (a 304 to If-None-Match, ``*`` included; a 400)."""
    if query_args().get("estimates", ("",))[0].strip().lower() != "include":
        return True
    from .preconditions import without_solving

    return state().answers.get(request.query_string) is not None or without_solving("recommend")


class _Service(Flask):
    """Flask, with its per-call coroutine check (``inspect.iscoroutinefunction`` on each hook and view of every
    request) done once per function."""

    _sync: dict[Any, Any]

    def ensure_sync(self, func: Any) -> Any:
        try:
            return self._sync[func]
        except AttributeError:
            self._sync = {}
        except (KeyError, TypeError):
            pass
        out = super().ensure_sync(func)
        try:
            if len(self._sync) < 4096:
                self._sync[func] = out
        except TypeError:  # unhashable
            pass
        return out


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, the catalog (loaded now), blueprints and problem handlers."""
    app = _Service(__name__, static_folder=None)  # no static file route: no request reads a file
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(config_from_env())
    if config:
        app.config.from_mapping(config)
    if app.debug and not _debug_allowed():
        # FLASK_DEBUG=1 under gunicorn (with or without its config file) would expose the debugger.
        raise RuntimeError("refusing to serve in debug mode (FLASK_DEBUG is set) outside Flask's development "
                           "server; unset FLASK_DEBUG, or use `flask --app service run --debug` to develop")
    app.json.sort_keys = False
    app.url_map.merge_slashes = False  # no redirects: '/models//x' is simply not found
    hops = int(app.config.get("MODELPICK_PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)

    from . import catalog_api, explorer, frontiers, health, openapi, problems, recommend

    app.extensions["modelpick"] = build_state(app.config)
    explorer.install(app)

    problems.register(app)
    for module in (recommend, catalog_api, frontiers, health, openapi, problems, explorer):
        app.register_blueprint(module.bp)
    _rate_limit(app)

    max_query = int(app.config["MODELPICK_MAX_QUERY_STRING"])
    max_body = int(app.config["MAX_CONTENT_LENGTH"])

    @app.before_request
    def _limits():
        req = request._get_current_object()  # one proxy lookup
        if len(req.query_string) > max_query:
            raise Problem("uri-too-long", f"the query string has {len(req.query_string)} bytes; at most {max_query} are accepted")
        if (req.content_length or 0) > max_body:
            raise Problem("request-too-large", f"the request body has {req.content_length} bytes; "
                                               f"the service takes no body (at most {max_body} bytes)")

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.method == "OPTIONS" and resp.status_code == 200:
            # Flask's automatic OPTIONS answer is an empty text/html 200; say "no content" and what is allowed.
            resp.status_code = 204
            resp.set_data(b"")
            resp.headers.pop("Content-Type", None)
            resp.headers["Cache-Control"] = "public, max-age=86400"
        return resp

    return app


__all__ = ["create_app", "config_from_env", "reload_catalog", "DEFAULTS"]
