"""Real gunicorn (README command) under abuse: a catalog file broken while it runs, an explicit reload,
and slow clients (issue 11, section 1)."""

from __future__ import annotations

import os
import signal
import socket
import time

import requests

from conftest import FIXTURES
from test_service_gunicorn import gunicorn

MINI = FIXTURES / "mini.yaml"
BROKEN = "schema_version: 1\ndevices:\n  - {id: Not Kebab, name: x, kind: cpu}\n"


def _worker_pids(master: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                out.add(int(entry))
    return out


def _wait(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _hash(base: str) -> str:
    return requests.get(base + "/healthz", timeout=10).json()["catalog"]["hash"]


def test_broken_file_under_a_running_service_kill_9_and_sighup(tmp_path):
    data = tmp_path / "cat.yaml"
    data.write_bytes(MINI.read_bytes())
    log = tmp_path / "gunicorn.log"
    with gunicorn({"MODELPICK_EMBEDDED": "0", "MODELPICK_DATA": str(data)}, log, workers=2) as (base, proc):
        before = _hash(base)
        data.write_text(BROKEN)
        # a worker killed with SIGKILL is respawned from the master's loaded app: no file is read
        workers = _wait(lambda: _worker_pids(proc.pid), what="workers")
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        _wait(lambda: victim not in _worker_pids(proc.pid) and len(_worker_pids(proc.pid)) == 2, what="respawn")
        for _ in range(6):
            assert _hash(base) == before
        assert requests.get(base + "/recommend?device=board-a", timeout=10).status_code == 200

        # an explicit reload validates first: a broken file leaves the old catalog in service
        new_workers_before = _worker_pids(proc.pid)
        os.kill(proc.pid, signal.SIGHUP)
        _wait(lambda: "catalog reload failed" in log.read_text(), what="the failed reload in the log")
        _wait(lambda: not (_worker_pids(proc.pid) & new_workers_before), what="new workers")
        assert proc.poll() is None
        for _ in range(6):
            assert _hash(base) == before

        # a fixed file is taken on the next reload
        data.write_bytes(MINI.read_bytes() + b"\n# changed\n")
        os.kill(proc.pid, signal.SIGHUP)
        _wait(lambda: "catalog reloaded" in log.read_text(), what="the reload in the log")
        _wait(lambda: all(_hash(base) != before for _ in range(4)), what="new catalog served")
    text = log.read_text()
    assert "devices[0].id" in text  # the reload said why it refused the file
    assert "Worker failed to boot" not in text


def _slow_client(port: int) -> socket.socket:
    """A slowloris connection: a request line and one header, then nothing."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    return s


def test_slow_clients_do_not_hold_the_workers(tmp_path):
    log = tmp_path / "gunicorn.log"
    env = {"MODELPICK_EMBEDDED": "0", "MODELPICK_DATA": str(MINI), "MODELPICK_THREADS": "4"}
    with gunicorn(env, log, workers=1) as (base, proc):
        port = int(base.rsplit(":", 1)[1])
        # one worker, 4 threads: 3 slow clients trickling headers hold 3 threads, never the worker
        # (a sync worker is held by one). More slow clients than threads need the buffering proxy the
        # README describes.
        slow = [_slow_client(port) for _ in range(3)]
        try:
            worst = 0.0
            for i in range(10):
                for s in slow:
                    try:
                        s.sendall(b"X-a: b\r\n")
                    except OSError:
                        pass
                t0 = time.monotonic()
                r = requests.get(base + "/healthz", timeout=10)
                worst = max(worst, time.monotonic() - t0)
                assert r.status_code == 200
                time.sleep(0.3)
            assert worst < 5.0, worst
        finally:
            for s in slow:
                s.close()


def test_if_none_match_star_and_bursts_under_gunicorn(tmp_path):
    """issue 22: `If-None-Match: *` answered without a solve and never counted; a concurrent burst of requests
    that solve passes the limit no more often than the limit says (counted before the solve)."""
    from concurrent.futures import ThreadPoolExecutor

    env = {"MODELPICK_EMBEDDED": "0", "MODELPICK_DATA": str(MINI), "MODELPICK_RATE_LIMIT": "3 per minute",
           "MODELPICK_THREADS": "8"}
    with gunicorn(env, tmp_path / "gunicorn.log", workers=1) as (base, proc):
        for path in ("/recommend", "/candidates"):
            for fps in range(1, 11):
                r = requests.get(f"{base}{path}?device=board-a&estimates=include&min_fps={fps}",
                                 headers={"If-None-Match": "*"}, timeout=10)
                assert r.status_code == 304 and not r.content, (path, r.status_code)
        urls = [f"{base}/recommend?device=board-a&estimates=include&batch_size={b}&min_fps={f}"
                for b in (1, 8) for f in (0.5, 1.5, 2.5, 3.5, 4.5, 5.5)]
        with ThreadPoolExecutor(len(urls)) as pool:
            statuses = list(pool.map(lambda u: requests.get(u, timeout=30).status_code, urls))
        assert sum(s != 429 for s in statuses) == 3, statuses
        assert set(statuses) <= {200, 422, 429}
