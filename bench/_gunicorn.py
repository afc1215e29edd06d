"""The README's production command (gunicorn -c service/gunicorn.conf.py "service:create_app()") on a free loopback
port, for the service benchmarks, and the /proc readings they take of its processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], log: Path, workers: int = 1, extra_args: str = "",
             config: str = "service/gunicorn.conf.py"):
    """Yields (base_url, port, master process) once /healthz answers; extra_args go in GUNICORN_CMD_ARGS; config
    is the gunicorn config file, relative to the repository (the README's by default).
    Exits the benchmark (SystemExit with the log's tail) if gunicorn dies or does not answer within 180 s."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-c", config, "-b", f"127.0.0.1:{port}", "-w",
           str(workers), "service:create_app()"]
    full_env = {**os.environ, **env}
    if extra_args:
        full_env["GUNICORN_CMD_ARGS"] = extra_args
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base, port, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


def workers_of(master: int) -> list[int]:
    """Process ids whose parent is `master` (gunicorn's workers), ascending."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        out.append(int(entry))
            except OSError:
                pass
    return sorted(out)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_parts_mb(pid: int) -> dict[str, float]:
    """A process's RSS by kind of mapping, from /proc/<pid>/smaps, in MB: ``heap`` (the brk heap: glibc's main
    arena), ``anon`` (anonymous mappings: other malloc arenas, large mmapped blocks, numpy's big arrays) and
    ``file`` (code and mapped files). Tells Python-object growth from allocator growth in the soak."""
    parts = {"heap": 0, "anon": 0, "file": 0}
    kind = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                head = line.split(None, 1)[0]
                if "-" in head and not head.endswith(":"):  # a mapping's header line: address range, perms, ..., path
                    fields = line.split()
                    path = fields[5] if len(fields) > 5 else ""
                    kind = "heap" if path == "[heap]" else "anon" if not path or path.startswith("[") else "file"
                elif head == "Rss:" and kind is not None:
                    parts[kind] += int(line.split()[1])
    except OSError:
        return {k: float("nan") for k in parts}
    return {k: round(v / 1024, 1) for k, v in parts.items()}
