"""gunicorn settings for the modelpick service.

    gunicorn -c service/gunicorn.conf.py "service:create_app()"

Command-line flags override these (e.g. ``-b 0.0.0.0:8080 -w 4``), as do the
environment variables read below. A request is CPU-bound (numpy over one device's
candidates, then JSON), so the default is one worker process per core.

The master loads the app and its catalog once (``preload_app``); workers are forked from it and share
the catalog's memory copy-on-write (the master freezes the garbage collector's view of it first, so a
collection in a worker does not copy it page by page). A worker that respawns is ready in milliseconds
and never reads a catalog file again, and a file broken under a running service
cannot stop it. ``kill -HUP <master pid>`` reloads: the master validates the files first
(``service.reload_catalog``) and keeps the old catalog if they are broken, then replaces the workers.

Slow clients: each worker is a ``gthread`` worker with a small, bounded thread pool; a client that trickles
a request holds one thread of ``threads``, never the whole worker (with sync workers, two slow clients held
both workers and /healthz waited 31 s). Idle connections: gunicorn 27's gthread worker hands every *new*
connection to a pool thread at once, and that thread waits for the first request byte for up to
``gunicorn.workers.gthread.DEFAULT_WORKER_DATA_TIMEOUT`` (5 s, no setting) before handing the socket back
to the poller. So each connection that sends nothing held a thread for 5 s: 10 idle sockets delayed
/healthz by 4.9 s (bench/bench_idle.py, one worker: bench/results/idle_issue22_w1.json). ``first_byte_wait_s`` below cuts that wait to 10 ms (then the poller holds the socket,
no thread, and closes it after ``keepalive`` seconds of silence). ``keepalive`` does not help: it only times
connections already on the poller. A client that sends part of a request still holds a thread while it
trickles: ``workers x threads - 1`` of those are absorbed; more need the buffering reverse proxy
(service/nginx/modelpick.conf, which answers idle and slow clients itself and passes only whole requests),
which is also where TLS belongs.
"""

import multiprocessing
import os

# Where to listen. Loopback by default; set MODELPICK_BIND=0.0.0.0:8000 (or -b) to expose it.
bind = os.environ.get("MODELPICK_BIND", "127.0.0.1:8000")

# One worker per core (WEB_CONCURRENCY overrides, as on most PaaS), each with a bounded thread pool
# (MODELPICK_THREADS) so that a slow client holds one thread, not the worker.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("MODELPICK_THREADS", "8"))
worker_connections = 256  # open connections per worker, kept-alive ones included
# The master loads the catalog once; workers fork from it (and a respawn reads no file).
preload_app = True

# Time limits: a query takes milliseconds; anything near these is a bug or an attack.
timeout = 30
graceful_timeout = 10
keepalive = 2

# How long a pool thread waits for a new connection's first request byte before the poller takes the
# socket back (see the docstring). gunicorn has no setting for it, so the config sets the gthread module's
# constant, in the master before any worker forks. The same constant bounds the drain of a request body
# the app did not read before a keep-alive (a body not there within it closes the connection instead).
# MODELPICK_FIRST_BYTE_WAIT_S=5 restores gunicorn's own wait (bench/bench_idle.py compares both).
first_byte_wait_s = float(os.environ.get("MODELPICK_FIRST_BYTE_WAIT_S", "0.01"))


def _set_first_byte_wait(seconds: float) -> bool:
    """Set gthread's first-byte wait; False where this gunicorn has no such constant (then nothing changes)."""
    from gunicorn.workers import gthread

    if not isinstance(getattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT", None), (int, float)):
        return False
    gthread.DEFAULT_WORKER_DATA_TIMEOUT = seconds
    return True


_first_byte_wait_set = _set_first_byte_wait(first_byte_wait_s)

# The allocator (glibc only). A gthread worker's threads each get their own malloc arena, and an
# estimate view is a few MB of numpy arrays: views built and evicted by 8 threads left freed holes in 8
# arenas that were never reused or returned. With never-repeating estimates=include queries and
# MODELPICK_MEMORY_MB=16, 8 threads in one process held 44 -> 84 MB free inside the arenas over 1,400
# requests (RSS 270 -> 336 MB) while the live heap stayed 58-70 MB (mallinfo2); the stores were full and
# bounded, the growth was the allocator's. Two arenas and a fixed mmap threshold (a block of 256 KiB or
# more is its own mapping, given back to the OS when freed, instead of glibc raising the threshold to
# 32 MB after the first such free) kept the free part at 16-18 MB in that process; under gunicorn, a
# 10-minute soak with full stores grew 0.5-0.9 MB/min after warm-up (bench/bench_soak.py; bench/README.md). Set in the master before any worker forks, so every worker
# inherits it. An environment's own MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ wins; MODELPICK_MALLOC_TUNE=0
# leaves glibc's defaults.
malloc_arena_max = 2
malloc_mmap_threshold_bytes = 256 * 1024
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8  # glibc's mallopt parameter numbers (malloc.h)


def _tune_malloc(environ=os.environ) -> dict[str, bool]:
    """Apply the two settings above with glibc's ``mallopt``; which were set (none off glibc or when asked not)."""
    import ctypes
    import ctypes.util

    done = {"arena_max": False, "mmap_threshold": False}
    if environ.get("MODELPICK_MALLOC_TUNE", "1").strip().lower() in ("0", "false", "no", "off"):
        return done
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None  # not glibc (musl has no mallopt): nothing to tune
    if mallopt is None:
        return done
    if "MALLOC_ARENA_MAX" not in environ:
        done["arena_max"] = mallopt(_M_ARENA_MAX, malloc_arena_max) == 1
    if "MALLOC_MMAP_THRESHOLD_" not in environ:
        done["mmap_threshold"] = mallopt(_M_MMAP_THRESHOLD, malloc_mmap_threshold_bytes) == 1
    return done


_malloc_tuned = _tune_malloc()

# Request limits (the app adds its own on the query string and body).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# Recycle a worker now and then, so that a slow leak could not grow without bound. Rarely: a new worker
# is a fork of the master (milliseconds) but starts with an empty answer cache. At 1,000 req/s per
# worker this is once every ~17 minutes.
max_requests = 1_000_000
max_requests_jitter = 100_000

# Logs to stderr; access logs only when asked for (they cost throughput).
errorlog = "-"
loglevel = os.environ.get("MODELPICK_LOG_LEVEL", "info")
accesslog = "-" if os.environ.get("MODELPICK_ACCESS_LOG", "0").lower() in ("1", "true", "yes", "on") else None
proc_name = "modelpick"

# gunicorn >= 25 opens a control socket in $HOME by default; two servers on one host would share
# its path, and nothing here uses it. (Older gunicorn ignores this unknown name.)
control_socket_disable = True


def _freeze_shared_objects() -> None:
    """Before forking: collect garbage, hand freed heap back to the OS (glibc ``malloc_trim``: a first load
    that indexed the YAML leaves ~50 MB of freed parse buffers that every worker would otherwise map), and
    move every object left into the garbage collector's permanent generation, so that collections in a
    worker never write to (and so never copy) the pages of the shared catalog."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc:
        try:
            ctypes.CDLL(libc).malloc_trim(0)
        except (OSError, AttributeError):
            pass  # not glibc: nothing to trim
    gc.freeze()


def when_ready(server):
    """After the master has loaded the app, before the first fork."""
    _freeze_shared_objects()


def on_reload(arbiter):
    """``SIGHUP``: load the catalog files anew in the master, before new workers fork; keep the old one on error."""
    app = getattr(arbiter.app, "callable", None)
    if app is None:  # not preloaded: each new worker loads the files itself
        return
    import gc
    import sys

    reload_catalog = sys.modules[app.import_name].reload_catalog  # service, or modelpick_service once installed

    gc.unfreeze()  # the old catalog may be freed once the new one is in place
    reload_catalog(app, arbiter.log)
    _freeze_shared_objects()


def post_worker_init(worker):
    """Never serve with Flask's debug mode (interactive debugger, tracebacks) in production."""
    app = getattr(worker, "wsgi", None)
    if getattr(app, "debug", False):
        raise RuntimeError("refusing to serve a Flask app in debug mode under gunicorn")
