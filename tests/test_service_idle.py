"""Idle and slow connections against the real servers (issue 22): under the README's gunicorn command, sockets
that connect and send nothing do not hold the worker's threads (gunicorn 27's gthread worker waited up to 5 s
per new connection for its first byte in a pool thread: 10 idle sockets delayed /healthz by 3.6 s, 40 by 20 s),
and nginx with service/nginx/modelpick.conf in front absorbs idle and trickling clients (more than the worker
has threads). Timings are in bench/bench_idle.py; the bounds here are far from the mechanism's 5 s."""

from __future__ import annotations

import os
import runpy
import socket
import sys
import time

import pytest

from conftest import FIXTURES, REPO
from test_service_gunicorn import gunicorn

sys.path.insert(0, str(REPO / "bench"))
from _idle import healthz_s, open_idle  # noqa: E402
from _nginx import NGINX, nginx  # noqa: E402

MINI = FIXTURES / "mini.yaml"
ENV = {"MODELPICK_EMBEDDED": "0", "MODELPICK_DATA": str(MINI), "MODELPICK_THREADS": "4"}
#: gunicorn 27's own wait for a new connection's first byte (gthread.DEFAULT_WORKER_DATA_TIMEOUT)
GUNICORN_WAIT_S = 5.0


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _idle(port: int, n: int) -> list[socket.socket]:
    return open_idle(port, n, settle_s=0.3)  # accepted by now


def _trickle(port: int, n: int) -> list[socket.socket]:
    """Clients that send half a request line and stop."""
    socks = _idle(port, n)
    for s in socks:
        s.sendall(b"GET /healthz HT")
    time.sleep(0.3)
    return socks


def test_config_cuts_gthreads_first_byte_wait(monkeypatch):
    from gunicorn.workers import gthread

    monkeypatch.setattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT", GUNICORN_WAIT_S)
    monkeypatch.delenv("MODELPICK_FIRST_BYTE_WAIT_S", raising=False)
    conf = runpy.run_path(str(REPO / "service" / "gunicorn.conf.py"))
    # the constant this gunicorn reads is the one the config sets (a gunicorn without it would leave it alone)
    assert conf["_first_byte_wait_set"] is True
    assert gthread.DEFAULT_WORKER_DATA_TIMEOUT == conf["first_byte_wait_s"] <= 0.05
    assert conf["worker_class"] == "gthread" and conf["keepalive"] <= 5


@pytest.mark.parametrize("n_idle", [10, 40])
def test_idle_sockets_do_not_delay_healthz_under_gunicorn(tmp_path, n_idle):
    with gunicorn(ENV, tmp_path / "g.log", workers=1) as (base, _proc):
        port = _port(base)
        socks = _idle(port, n_idle)  # 10 or 40 idle sockets on a worker of 4 threads
        try:
            took = max(healthz_s(port, timeout=30) for _ in range(3))
        finally:
            for s in socks:
                s.close()
    assert took < GUNICORN_WAIT_S / 2, f"/healthz took {took:.2f} s with {n_idle} idle sockets"


def test_idle_sockets_are_closed_after_the_keepalive_time(tmp_path):
    with gunicorn(ENV, tmp_path / "g.log", workers=1) as (base, _proc):
        (s,) = _idle(_port(base), 1)
        s.settimeout(20)
        t0 = time.monotonic()
        assert s.recv(1) == b""  # closed by the server: a silent socket costs a poller slot for a while only
        assert time.monotonic() - t0 < 15
        s.close()


# ---------------------------------------------------------------------------
# nginx in front (service/nginx/modelpick.conf)

if NGINX is None and os.environ.get("CI"):
    raise RuntimeError("nginx is missing: .ci/run installs Debian's nginx (apt-get install -y nginx)")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install -y nginx)")


@needs_nginx
def test_nginx_absorbs_idle_and_trickling_clients(tmp_path):
    # a gunicorn of one worker with 4 threads, and 8 clients trickling a request: direct, they hold every
    # thread; through nginx, gunicorn never sees them
    with gunicorn({**ENV, "MODELPICK_PROXY_HOPS": "1"}, tmp_path / "g.log", workers=1) as (base, _proc):
        work = tmp_path / "nginx"
        work.mkdir()
        with nginx(_port(base), work) as (port, _):
            socks = _idle(port, 40) + _trickle(port, 8)
            try:
                took = max(healthz_s(port, timeout=30) for _ in range(3))
            finally:
                for s in socks:
                    s.close()
            assert took < GUNICORN_WAIT_S / 2, f"/healthz through nginx took {took:.2f} s"


@needs_nginx
def test_nginx_passes_answers_and_problems_through(tmp_path):
    import requests

    with gunicorn({**ENV, "MODELPICK_PROXY_HOPS": "1"}, tmp_path / "g.log", workers=1) as (base, _proc):
        work = tmp_path / "nginx"
        work.mkdir()
        with nginx(_port(base), work) as (port, _):
            front = f"http://127.0.0.1:{port}"
            ok = requests.get(front + "/recommend", params={"device": "board-a"}, timeout=30)
            direct = requests.get(base + "/recommend", params={"device": "board-a"}, timeout=30)
            assert ok.status_code == 200 and ok.json() == direct.json()
            bad = requests.get(front + "/recommend", params={"device": "bord-a"}, timeout=30)
            assert 400 <= bad.status_code < 500
            assert bad.headers["Content-Type"] == "application/problem+json"
            big = requests.post(front + "/recommend", data=b"x" * (2 << 20), timeout=30)
            assert big.status_code == 413  # nginx's client_max_body_size, before gunicorn sees it
