"""Idle-socket helpers shared by bench/bench_idle.py and tests/test_service_idle.py (issue 22): a /healthz
timed on a new connection, and sockets that connect and send nothing."""

from __future__ import annotations

import socket
import time


def healthz_s(port: int, timeout: float = 60.0) -> float:
    """Seconds from connect to the end of one /healthz answer on a new connection to 127.0.0.1:port.
    Raises RuntimeError unless the answer is a 200."""
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    if not data.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"/healthz answered {data[:200]!r}")
    return time.perf_counter() - t0


def open_idle(port: int, n: int, settle_s: float = 0.3) -> list[socket.socket]:
    """``n`` connections to 127.0.0.1:port that send nothing; waits ``settle_s`` so that the server has accepted
    them. The caller closes them."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
    time.sleep(settle_s)
    return socks
