"""Abuse corpus, client (issue 22): modelpick.client.Client against real hostile or broken servers on loopback
(threads with raw sockets). Every failure is a ModelpickError subclass, within the call's deadline, with its
memory bounded: a server dripping a byte a second, huge or gzip-bomb bodies, 100k-deep JSON, problem documents
of the wrong shape, redirects (never followed), and bytes that are not HTTP at all."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import tracemalloc
from contextlib import contextmanager

import pytest

from modelpick.client import BadResponse, Client, ServiceError, ServiceUnavailable
from modelpick.errors import ModelpickError


@contextmanager
def raw_server(handler):
    """A loopback server running ``handler(conn)`` for every connection in its own thread; yields (port, hits)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    stop = threading.Event()
    hits: list[bytes] = []

    def serve(conn):
        with conn:
            try:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    got = conn.recv(4096)
                    if not got:
                        return
                    data += got
                hits.append(data)
                handler(conn, stop)
            except OSError:
                pass

    def accept():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield srv.getsockname()[1], hits
    finally:
        stop.set()
        t.join(5)
        srv.close()


def reply(status: str, body: bytes, headers: dict[str, str] | None = None, ctype: str = "application/json"):
    head = {"Content-Type": ctype, "Content-Length": str(len(body)), "Connection": "close", **(headers or {})}

    def handler(conn, stop):
        conn.sendall(f"HTTP/1.1 {status}\r\n".encode() + b"".join(f"{k}: {v}\r\n".encode() for k, v in head.items())
                     + b"\r\n" + body)
    return handler


def drip(prefix: bytes, every_s: float = 1.0, byte: bytes = b" "):
    """Sends ``prefix`` then one byte every ``every_s`` seconds, forever (until the test ends)."""
    def handler(conn, stop):
        conn.sendall(prefix)
        while not stop.is_set():
            conn.sendall(byte)
            stop.wait(every_s)
    return handler


def _call(port: int, method: str = "health", **client_kw):
    client = Client(f"http://127.0.0.1:{port}", **{"timeout": 2.0, "retries": 0, **client_kw})
    try:
        if method == "health":
            return client.health()
        if method == "best":
            return client.best("jetson")
        if method == "devices":
            return client.devices()
        return client.device("jetson")
    finally:
        client.close()


def _fails_cleanly(port: int, expected=ModelpickError, method: str = "health", within_s: float = 10.0, **kw):
    t0 = time.monotonic()
    with pytest.raises(ModelpickError) as info:
        _call(port, method, **kw)
    elapsed = time.monotonic() - t0
    assert isinstance(info.value, expected), repr(info.value)
    assert elapsed < within_s, elapsed
    assert str(info.value) and "Traceback" not in str(info.value)
    return info.value, elapsed


METHODS = ("health", "best", "devices", "device")


# ---------------------------------------------------------------------------
# the deadline: a server dripping one byte per second

DRIPS = {
    "status-line": b"HTTP/1.1 2",
    "headers": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ",
    "body": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"a\": \"",
    "chunked": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
}


@pytest.mark.parametrize("retries", [0, 3])
@pytest.mark.parametrize("where", sorted(DRIPS))
def test_a_dripping_server_is_cut_off_at_the_deadline(where, retries):
    byte = b"1\r\nx\r\n" if where == "chunked" else b" "
    with raw_server(drip(DRIPS[where], 0.25, byte)) as (port, _):
        exc, elapsed = _fails_cleanly(port, ServiceUnavailable, timeout=1.0, retries=retries, within_s=4.0)
    assert "deadline of 1 s" in str(exc)


@pytest.mark.parametrize("method", METHODS)
def test_the_deadline_bounds_every_method(method):
    with raw_server(drip(DRIPS["body"], 0.3)) as (port, _):
        _fails_cleanly(port, ServiceUnavailable, method=method, timeout=5.0, deadline=1.0, within_s=4.0)


def test_a_retry_after_longer_than_the_deadline_is_not_waited():
    with raw_server(reply("503 Service Unavailable", b"{}", {"Retry-After": "30"})) as (port, hits):
        _fails_cleanly(port, ServiceUnavailable, timeout=5.0, deadline=1.5, retries=3, within_s=5.0)


def test_a_silent_server_is_a_timeout():
    with raw_server(lambda conn, stop: stop.wait(30)) as (port, _):
        _fails_cleanly(port, ServiceUnavailable, timeout=0.5, within_s=4.0)


# ---------------------------------------------------------------------------
# body size: declared, streamed, gzip bombs


def test_a_declared_300_mb_body_is_refused_before_reading():
    def handler(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 314572800\r\n\r\n{")
        stop.wait(10)
    with raw_server(handler) as (port, _):
        exc, _ = _fails_cleanly(port, BadResponse, within_s=4.0)
    assert "314572800" in str(exc)


@pytest.mark.parametrize("framing", ["close", "chunked"])
def test_a_streamed_body_over_the_cap_is_cut(framing):
    def handler(conn, stop):
        te = "Transfer-Encoding: chunked\r\n" if framing == "chunked" else ""
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{te}Connection: close\r\n\r\n".encode())
        piece = b"[" * 65536
        for _ in range(200):  # 13 MB, far over the 1 MB cap
            if stop.is_set():
                return
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if framing == "chunked" else piece)
    with raw_server(handler) as (port, _):
        tracemalloc.start()
        try:
            exc, _ = _fails_cleanly(port, BadResponse, max_body_bytes=2**20, within_s=8.0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert "larger than 1048576 bytes" in str(exc)
    assert peak < 16 * 2**20, peak


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_gzip_bomb_is_cut_as_it_inflates(encoding):
    raw = b"\0" * (200 * 2**20)
    body = gzip.compress(raw, 9) if encoding == "gzip" else __import__("zlib").compress(raw, 9)
    del raw
    assert len(body) < 400_000
    with raw_server(reply("200 OK", body, {"Content-Encoding": encoding})) as (port, _):
        tracemalloc.start()
        try:
            exc, _ = _fails_cleanly(port, BadResponse, within_s=20.0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert "larger than" in str(exc)
    assert peak < 200 * 2**20, peak  # the cap (64 MiB) and a chunk, not the 200 MB it inflates to


def test_an_answer_under_the_cap_is_read():
    body = json.dumps({"status": "ok", "pad": "x" * 500_000}).encode()
    with raw_server(reply("200 OK", gzip.compress(body), {"Content-Encoding": "gzip"})) as (port, _):
        assert _call(port)["status"] == "ok"


# ---------------------------------------------------------------------------
# JSON nobody should parse, problem documents of the wrong shape

DEEP = {
    "list": b"[" * 100_000 + b"]" * 100_000,
    "object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "inside": b'{"status": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


@pytest.mark.parametrize("status", ["200 OK", "400 Bad Request", "422 Unprocessable Content", "500 Internal"])
@pytest.mark.parametrize("shape", sorted(DEEP))
def test_100k_deep_json_is_a_clean_error(shape, status):
    with raw_server(reply(status, DEEP[shape])) as (port, _):
        exc, _ = _fails_cleanly(port)
    if status.startswith("200") and shape != "inside":
        assert isinstance(exc, BadResponse) and "nested too deeply" in str(exc)


NOT_JSON = [b"", b"<html>hi</html>", b"\xff\xfe\x00garbage", b'{"a": 1', b"1" * 5000, b"[1, 2]", b'"text"',
            b"null", b"\x00" * 64]


@pytest.mark.parametrize("body", NOT_JSON, ids=lambda b: repr(b[:12]))
def test_a_200_that_is_not_a_json_object_is_a_bad_response(body):
    with raw_server(reply("200 OK", body)) as (port, _):
        _fails_cleanly(port, BadResponse)


BAD_PROBLEMS = [
    {"type": "/problems/invalid-parameter", "errors": "abc"},
    {"type": "/problems/invalid-parameter", "errors": [1, 2]},
    {"type": "/problems/invalid-parameter", "errors": {"param": "x"}},
    {"type": "/problems/invalid-parameter", "errors": [None]},
    {"type": "/problems/invalid-parameter", "errors": [{"exception": "Exception", "message": 5}]},
    {"type": "/problems/not-found", "errors": "abc"},
    {"type": "/problems/not-found", "errors": [["x"]]},
    {"type": "/problems/no-feasible-model", "diagnosis": "abc"},
    {"type": "/problems/no-feasible-model", "diagnosis": [1], "detail": {"x": 1}},
    {"type": ["not", "a", "string"], "errors": 7},
    {"type": None, "title": {"x": 1}, "detail": [1]},
    {"errors": "abc"},
]


@pytest.mark.parametrize("status", ["400 Bad Request", "404 Not Found", "422 Unprocessable Content", "503 Busy"])
@pytest.mark.parametrize("problem", BAD_PROBLEMS, ids=lambda p: json.dumps(p)[:40])
def test_a_problem_document_of_the_wrong_shape_is_a_clean_error(problem, status):
    body = json.dumps(problem).encode()
    with raw_server(reply(status, body, ctype="application/problem+json")) as (port, _):
        exc, _ = _fails_cleanly(port, method="best")
    assert not isinstance(exc, (AttributeError, TypeError))


# ---------------------------------------------------------------------------
# redirects are never followed


@pytest.mark.parametrize("code", ["301 Moved Permanently", "302 Found", "303 See Other", "307 Temporary Redirect",
                                  "308 Permanent Redirect"])
def test_a_redirect_to_another_port_is_not_followed(code):
    with raw_server(reply("200 OK", b'{"status": "ok"}')) as (other, other_hits):
        location = f"http://127.0.0.1:{other}/healthz"
        with raw_server(reply(code, b"", {"Location": location})) as (port, hits):
            exc, _ = _fails_cleanly(port, BadResponse)
        time.sleep(0.2)
        assert other_hits == [] and len(hits) == 1
    assert "follows no redirects" in str(exc) and str(other) in str(exc)


# ---------------------------------------------------------------------------
# bytes that are not HTTP


GARBAGE = {
    "close-at-once": b"",
    "not-http": b"hello there\r\n\r\n",
    "bad-status": b"HTTP/1.1 abc OK\r\n\r\n",
    "bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "short-body": b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"a\"",
    "bad-gzip": b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\nnot-gzip!!",
    "huge-header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n{}",
    "many-headers": b"HTTP/1.1 200 OK\r\n" + b"X-a: b\r\n" * 500 + b"\r\n{}",
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_bytes_that_are_not_http_are_a_clean_error(kind):
    def handler(conn, stop):
        conn.sendall(GARBAGE[kind])
    with raw_server(handler) as (port, _):
        _fails_cleanly(port, ServiceError)
