"""Real gunicorn on a free loopback port, started with the README's command, queried over TCP.

Every server is started in its own session and always stopped: SIGTERM, then SIGKILL of its
process group if it has not exited within 15 s.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from conftest import FIXTURES, REPO

import modelpick
from modelpick import NoFeasibleModel, UnknownDevice
from modelpick.client import Client

MINI = str(FIXTURES / "mini.yaml")
#: The production command from the README, with the bind address added.
COMMAND = ["-m", "gunicorn", "-c", "service/gunicorn.conf.py", "service:create_app()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], log: Path, *, workers: int = 2, boot_timeout: float = 120.0):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, **env, "WEB_CONCURRENCY": str(workers), "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, *COMMAND[:-1], "-b", f"127.0.0.1:{port}", COMMAND[-1]], cwd=REPO,
                                env=full_env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + boot_timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz within {boot_timeout:.0f} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


def test_gunicorn_serves_the_client_and_plain_requests(tmp_path, mini_catalog):
    log = tmp_path / "gunicorn.log"
    with gunicorn({"MODELPICK_EMBEDDED": "0", "MODELPICK_DATA": MINI}, log) as (base, proc):
        # plain requests
        r = requests.get(base + "/recommend", params={"device": "board", "min_fps": "20"}, timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
        assert r.headers["Server"] == "gunicorn"
        body = r.json()
        assert body["best"] == mini_catalog.recommend("board", min_fps=20, limit=1)[0].to_dict()
        again = requests.get(r.url, headers={"If-None-Match": r.headers["ETag"]}, timeout=10)
        assert again.status_code == 304 and again.content == b""
        bad = requests.get(base + "/recommend?device=board&max_mem=1", timeout=10)
        assert bad.status_code == 400 and bad.headers["Content-Type"] == "application/problem+json"
        assert "max_mem_gb" in bad.json()["errors"][0]["close_matches"]
        assert requests.post(base + "/recommend", timeout=10).status_code == 405
        # a request line longer than gunicorn's limit is refused before it reaches the app
        assert requests.get(base + "/recommend?device=" + "x" * 5000, timeout=10).status_code in (400, 414)
        assert requests.get(base + "/openapi.json", timeout=10).json()["openapi"].startswith("3.1")

        # the client, through both workers
        with Client(base, timeout=10) as api:
            for _ in range(4):
                assert api.best("board", min_fps=20) == mini_catalog.best("board", min_fps=20)
            assert api.recommend("gpu-b", limit=3) == mini_catalog.recommend("gpu-b", limit=3)
            assert api.devices() == mini_catalog.devices()
            assert api.catalog_info()["hash"] == mini_catalog.hash
            with pytest.raises(NoFeasibleModel) as exc:
                api.best("board", min_fps=1000)
            assert exc.value.diagnosis["binding"] == ["min_fps"]
            with pytest.raises(UnknownDevice):
                api.device("nope")
        assert proc.poll() is None
    assert proc.returncode == 0, log.read_text()[-3000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/healthz", timeout=2)
    text = log.read_text()
    assert "Booting worker" in text and "Traceback" not in text


def test_gunicorn_refuses_a_bad_catalog(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 1\ndevices:\n  - {id: Not Kebab, name: x, kind: cpu}\n")
    port = free_port()
    env = {**os.environ, "MODELPICK_EMBEDDED": "0", "MODELPICK_DATA": str(broken), "WEB_CONCURRENCY": "1"}
    proc = subprocess.run([sys.executable, *COMMAND[:-1], "-b", f"127.0.0.1:{port}", COMMAND[-1]], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode != 0
    assert "devices[0].id" in proc.stdout + proc.stderr


def _readme_curl_examples() -> list[tuple[str, int]]:
    text = (REPO / "README.md").read_text()
    section = text.split("<!-- section:service -->", 1)[1].split("<!-- section:", 1)[0]
    examples = []
    for line in section.splitlines():
        m = re.match(r"\s*curl\b.*?'(http://127\.0\.0\.1:8000[^']*)'(?:.*#\s*(\d{3}))?", line)
        if m:
            examples.append((m.group(1), int(m.group(2) or 200)))
    return examples


def test_readme_has_curl_examples():
    examples = _readme_curl_examples()
    assert len(examples) >= 4
    assert any(url.startswith("http://127.0.0.1:8000/recommend?") and status == 200 for url, status in examples)


def test_readme_curl_examples_against_the_documented_command(tmp_path):
    """The README's curl lines, against `gunicorn -c service/gunicorn.conf.py "service:create_app()"`
    on the embedded table (each line's trailing '# NNN' is its expected status, else 200)."""
    try:
        modelpick.embedded_table_path()
    except modelpick.CatalogError:
        pytest.skip("data/benchmarks.yaml is not built yet")
    modelpick.load_catalog(use_env=False)  # fills this session's cache, so the worker boots from it
    with gunicorn({}, tmp_path / "gunicorn.log", workers=1) as (base, _):
        for url, status in _readme_curl_examples():
            r = requests.get(url.replace("http://127.0.0.1:8000", base), timeout=30)
            assert r.status_code == status, (url, r.text[:500])
            if status < 300:
                assert r.headers["Content-Type"] == "application/json"
            else:
                assert r.headers["Content-Type"] == "application/problem+json"


def test_gunicorn_config_is_production_safe(monkeypatch):
    import runpy
    from types import SimpleNamespace

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("MODELPICK_BIND", raising=False)
    conf = runpy.run_path(str(REPO / "service" / "gunicorn.conf.py"))
    assert conf["bind"] == "127.0.0.1:8000" and conf["workers"] == os.cpu_count()
    assert conf["worker_class"] == "gthread" and 1 <= conf["threads"] <= 16 and conf["timeout"] <= 60
    assert conf["preload_app"] is True  # the master holds the catalog; a respawned worker reads no file
    assert conf["limit_request_line"] <= 8190 and conf["accesslog"] is None
    conf["post_worker_init"](SimpleNamespace(wsgi=SimpleNamespace(debug=False)))
    with pytest.raises(RuntimeError, match="debug"):
        conf["post_worker_init"](SimpleNamespace(wsgi=SimpleNamespace(debug=True)))
