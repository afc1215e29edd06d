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
``MODELPICK_ANSWER_CACHE_MB``
    per-worker memory for finished ``/recommend`` answers, in MiB (default 32; 0 turns the cache off).
    The catalog cannot change under a running worker, so a repeated query is answered from here.
``MODELPICK_MAX_QUERY_STRING``
    longest query string accepted, in bytes (default 2048; longer is a 414 problem).
``MODELPICK_MAX_CONTENT_LENGTH``
    largest request body accepted, in bytes (default 16384; the service reads no body).

The catalog is loaded once, when the app is created (once per gunicorn worker), and
the OpenAPI document is generated from it then.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask, request

from modelpick.catalog import load_catalog
from modelpick.solver import Catalog

from .common import State
from .problems import Problem

DEFAULTS: dict[str, Any] = {
    "MODELPICK_DATA": [],
    "MODELPICK_EMBEDDED": True,
    "MODELPICK_CATALOG": None,  # a ready Catalog, for tests and embedding; overrides the two above
    "MODELPICK_CACHE_MAX_AGE": 300,
    "MODELPICK_ANSWER_CACHE_MB": 32,
    "MODELPICK_MAX_QUERY_STRING": 2048,
    "MAX_CONTENT_LENGTH": 16 * 1024,
}

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
                        ("MODELPICK_MAX_CONTENT_LENGTH", "MAX_CONTENT_LENGTH")):
        if env.get(key, "").strip():
            try:
                out[target] = int(env[key])
            except ValueError:
                raise ValueError(f"{key}={env[key]!r}: expected an integer") from None
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


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, the catalog (loaded now), blueprints and problem handlers."""
    app = Flask(__name__, static_folder=None)  # no static file route: no request reads a file
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(config_from_env())
    if config:
        app.config.from_mapping(config)
    app.json.sort_keys = False
    app.url_map.merge_slashes = False  # no redirects: '/models//x' is simply not found

    from . import catalog_api, frontiers, health, openapi, problems, recommend

    st = State.build(load_service_catalog(app.config),
                     answer_cache_bytes=int(float(app.config["MODELPICK_ANSWER_CACHE_MB"]) * 2**20))
    openapi.install(st)
    app.extensions["modelpick"] = st

    problems.register(app)
    for module in (recommend, catalog_api, frontiers, health, openapi, problems):
        app.register_blueprint(module.bp)

    max_query = int(app.config["MODELPICK_MAX_QUERY_STRING"])
    max_body = int(app.config["MAX_CONTENT_LENGTH"])

    @app.before_request
    def _limits():
        if len(request.query_string) > max_query:
            raise Problem("uri-too-long", f"the query string has {len(request.query_string)} bytes; at most {max_query} are accepted")
        if (request.content_length or 0) > max_body:
            raise Problem("request-too-large", f"the request body has {request.content_length} bytes; "
                                               f"the service takes no body (at most {max_body} bytes)")

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        return resp

    return app


__all__ = ["create_app", "config_from_env", "DEFAULTS"]
