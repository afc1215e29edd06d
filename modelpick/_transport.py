"""The client's transport limits: one deadline per call, and a cap on the (decoded) body size.

``requests`` applies its timeout to each socket operation, so a server that drips a byte a second holds a
call for as long as it likes. Here every socket a call uses is registered with that call's :class:`Deadline`,
and a timer shuts them down when it passes: whatever the call is blocked in (headers, body, a retry) returns
at once. Waits between retries are cut to what is left, and no retry starts after it.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Iterator

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

_LOCAL = threading.local()


class Deadline:
    """The end of one call; ``with Deadline(s):`` makes it the current call's deadline in this thread."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, self.seconds), self.expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def register(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._socks.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            socks, self._socks = self._socks, []
        for sock in socks:
            _shut(sock)

    def __enter__(self) -> "Deadline":
        self._outer = getattr(_LOCAL, "deadline", None)
        _LOCAL.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._timer.cancel()
        _LOCAL.deadline = self._outer
        with self._lock:
            self._socks = []


def current() -> Deadline | None:
    return getattr(_LOCAL, "deadline", None)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv on it (close alone does not)
    except OSError:
        pass


class _Registering:
    def getresponse(self, *args: Any, **kwargs: Any):
        deadline = current()
        if deadline is not None:
            deadline.register(getattr(self, "sock", None))
        return super().getresponse(*args, **kwargs)


class _HTTPConnection(_Registering, HTTPConnection):
    pass


class _HTTPSConnection(_Registering, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections register their sockets with the current :class:`Deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineRetry(Retry):
    """A Retry that waits at most what is left of the current call's deadline, and is spent once it has passed."""

    def get_backoff_time(self) -> float:
        return _cut(super().get_backoff_time())

    def get_retry_after(self, response):
        value = super().get_retry_after(response)
        return None if value is None else _cut(value)

    def is_exhausted(self) -> bool:
        deadline = current()
        return super().is_exhausted() or (deadline is not None and deadline.remaining() <= 0)


def _cut(wait: float) -> float:
    deadline = current()
    return wait if deadline is None else min(wait, deadline.remaining())


def read_capped(chunks: Iterator[bytes], cap: int) -> bytes | None:
    """The decoded body, or None as soon as it passes ``cap`` bytes (a gzip bomb is cut as it inflates)."""
    out = bytearray()
    for chunk in chunks:
        out += chunk
        if len(out) > cap:
            return None
    return bytes(out)
