"""modelpick.client.Client against a scripted HTTP server on loopback: every failure is a ModelpickError
subclass, and idempotent GETs are retried with backoff through urllib3's Retry, honouring Retry-After."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import FIXTURES

from modelpick import ModelpickError, UnknownDevice, UnknownName
from modelpick.client import BadResponse, Client, RateLimited, ServiceError, ServiceUnavailable

HEALTH = {"status": "ok", "version": "0", "catalog": {"version": "1-x", "hash": "h", "devices": 0, "architectures": 0,
                                                       "checkpoints": 0, "candidates": 0}}


class Script:
    """Responses to hand out in order (the last one repeats), and the times requests arrived."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.times: list[float] = []

    def next(self):
        self.times.append(time.monotonic())
        return self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]


@pytest.fixture()
def server():
    script_box: list[Script] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, headers, body = script_box[0].next()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def use(*responses) -> tuple[str, Script]:
        script_box[:] = [Script(*responses)]
        return f"http://127.0.0.1:{httpd.server_address[1]}", script_box[0]

    yield use
    httpd.shutdown()
    httpd.server_close()


def js(obj, status=200, **headers):
    return status, {"Content-Type": "application/json", **headers}, json.dumps(obj).encode()


def problem(status, slug, **headers):
    body = {"type": f"/problems/{slug}", "title": slug, "status": status, "detail": slug}
    return status, {"Content-Type": "application/problem+json", **headers}, json.dumps(body).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_down_is_service_unavailable_after_retries():
    port = free_port()
    api = Client(f"http://127.0.0.1:{port}", timeout=2, retries=2, backoff=0.05)
    with pytest.raises(ServiceUnavailable) as info:
        api.health()
    assert isinstance(info.value, ModelpickError) and info.value.status is None
    assert f"127.0.0.1:{port}" in str(info.value)


def test_503_is_retried_honouring_retry_after_then_answers(server):
    base, script = server(problem(503, "service-unavailable", **{"Retry-After": "1"}), js(HEALTH))
    t0 = time.monotonic()
    assert Client(base, retries=3, backoff=0.01).health() == HEALTH
    assert len(script.times) == 2
    assert script.times[1] - script.times[0] >= 0.9  # waited as told, not the 0.01 s backoff
    assert time.monotonic() - t0 < 10


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_retry_with_backoff_then_raise(server, status):
    base, script = server(problem(status, "service-unavailable"))
    with pytest.raises(ServiceUnavailable) as info:
        Client(base, retries=2, backoff=0.1).health()
    assert info.value.status == status
    assert len(script.times) == 3  # the request and two retries
    gaps = [b - a for a, b in zip(script.times, script.times[1:])]
    assert gaps[1] >= gaps[0] * 1.5 and gaps[1] >= 0.15  # exponential backoff


def test_500_is_not_retried(server):
    base, script = server(problem(500, "internal-error"))
    with pytest.raises(ServiceError) as info:
        Client(base, retries=3, backoff=0.01).health()
    assert info.value.status == 500 and not isinstance(info.value, ServiceUnavailable)
    assert len(script.times) == 1


def test_retries_off(server):
    base, script = server(problem(503, "service-unavailable"))
    with pytest.raises(ServiceUnavailable):
        Client(base, retries=0).health()
    assert len(script.times) == 1


def test_429_is_rate_limited_with_retry_after(server):
    base, script = server(problem(429, "too-many-requests", **{"Retry-After": "42"}))
    with pytest.raises(RateLimited) as info:
        Client(base, retries=3).health()
    assert info.value.retry_after == 42 and len(script.times) == 1


@pytest.mark.parametrize("response,needle", [
    ((304, {}, b""), "unexpected HTTP 304"),
    ((200, {"Content-Type": "text/html"}, b"<html>proxy login</html>"), "not JSON"),
    ((200, {"Content-Type": "application/json"}, b"[1, 2]"), "expected a JSON object"),
    (js({"status": "ok"}), "not shaped as documented"),
    (js({"catalog": {"hash": None}}), "not shaped as documented"),
])
def test_unexpected_answers_are_bad_response(server, response, needle):
    base, _ = server(response)
    api = Client(base, retries=0)
    with pytest.raises(BadResponse) as info:
        api.catalog_info()
    assert needle in str(info.value)


@pytest.mark.parametrize("call", [
    lambda api: api.devices(), lambda api: api.architectures(), lambda api: api.checkpoints(),
    lambda api: api.best("x"), lambda api: api.recommend("x"), lambda api: api.device("x"),
    lambda api: api.architecture("x"), lambda api: api.checkpoint("x"),
])
def test_wrongly_shaped_200_is_bad_response_for_every_method(server, call):
    base, _ = server(js({"best": {"checkpoint": 5}, "alternatives": 3, "devices": [{"id": 1}], "device": [],
                         "architectures": None, "checkpoints": [{}], "architecture": {}, "checkpoint": "x"}))
    with pytest.raises(BadResponse):
        call(Client(base, retries=0))


def test_bad_base_url_is_a_clear_error():
    from modelpick import InvalidQuery

    with pytest.raises(InvalidQuery, match="base_url"):
        Client("127.0.0.1:8000")


# ---------------------------------------------------------------------------
# the real app: names no route can carry get the library's exceptions


@pytest.fixture(scope="module")
def live():
    """The Flask app on a loopback port (werkzeug's threaded server), for names with '/' and odd bytes."""
    from werkzeug.serving import make_server

    from service import create_app

    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(FIXTURES / "mini.yaml")],
                      "MODELPICK_RATE_LIMIT": "off"})
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.mark.parametrize("name", ["a/b", "/", "..", "a%2Fb", " ", "board-a/../x"])
def test_device_names_like_the_library(live, mini_catalog, name):
    with pytest.raises(UnknownDevice):
        mini_catalog.device(name)
    with pytest.raises(UnknownDevice) as info:
        Client(live, retries=0).device(name)
    assert info.value.param == "device"


@pytest.mark.parametrize("name", ["a/b", "", 5])
def test_model_names_like_the_library(live, name):
    api = Client(live, retries=0)
    with pytest.raises(UnknownName):
        api.architecture(name)
    with pytest.raises(UnknownName):
        api.checkpoint(name)


def test_close_matches_survive_a_slash(live):
    with pytest.raises(UnknownDevice) as info:
        Client(live, retries=0).device("board-a/")
    assert "board-a" in info.value.close_matches
