"""nginx with service/nginx/modelpick.conf (listen port and upstream rewritten) in front of a gunicorn on a
loopback port, for bench/bench_idle.py and tests/test_service_nginx.py."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
SNIPPET = REPO / "service" / "nginx" / "modelpick.conf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_conf(listen: int, upstream: int, workdir: Path) -> Path:
    """A whole nginx.conf (no root needed: every path under ``workdir``) that includes the shipped snippet."""
    snippet = SNIPPET.read_text()
    for old, new in (("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
                     ("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{listen};")):
        if old not in snippet:
            raise RuntimeError(f"{SNIPPET} no longer has {old!r}: update {__file__}")
        snippet = snippet.replace(old, new)
    (workdir / "modelpick.conf").write_text(snippet)
    temps = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    for d in temps:
        (workdir / d).mkdir(exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text("daemon off;\nmaster_process on;\nworker_processes 1;\n"
                    f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log warn;\n"
                    "events { worker_connections 1024; }\nhttp {\n    access_log off;\n"
                    + "".join(f"    {d}_temp_path {workdir}/{d};\n" for d in temps)
                    + f"    include {workdir}/modelpick.conf;\n}}\n")
    return conf


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


@contextmanager
def nginx(upstream: int, workdir: Path, boot_timeout: float = 30.0):
    """Yields (nginx's port, its process) once /healthz answers through it."""
    if NGINX is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    port = _free_port()
    conf = nginx_conf(port, upstream, workdir)
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(workdir)], capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"nginx -t refused the config:\n{check.stderr[-2000:]}")
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + boot_timeout
        while not _answers(port):
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not answer /healthz within {boot_timeout:.0f} s")
            time.sleep(0.1)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
