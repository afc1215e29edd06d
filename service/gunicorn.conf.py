"""gunicorn settings for the modelpick service.

    gunicorn -c service/gunicorn.conf.py "service:create_app()"

Command-line flags override these (e.g. ``-b 0.0.0.0:8080 -w 4``), as do the
environment variables read below. A request is CPU-bound (numpy over one device's
candidates, then JSON), so the default is one synchronous worker per core; each worker
loads the catalog once when it starts. Put a buffering reverse proxy (nginx) in front
for slow clients and TLS, as gunicorn's deployment guide advises for sync workers.
"""

import multiprocessing
import os

# Where to listen. Loopback by default; set MODELPICK_BIND=0.0.0.0:8000 (or -b) to expose it.
bind = os.environ.get("MODELPICK_BIND", "127.0.0.1:8000")

# One sync worker per core (WEB_CONCURRENCY overrides, as on most PaaS).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
# Each worker imports the app and loads the catalog itself (no fork after numpy's thread pools start).
preload_app = False

# Time limits: a query takes milliseconds; anything near these is a bug or an attack.
timeout = 30
graceful_timeout = 10
keepalive = 2

# Request limits (the app adds its own on the query string and body).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# Recycle a worker now and then, so that a slow leak could not grow without bound. Rarely: a new worker
# reloads the catalog (about 1 s on the embedded table) and starts with an empty answer cache. At
# 1,000 req/s per worker this is once every ~17 minutes.
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


def post_worker_init(worker):
    """Never serve with Flask's debug mode (interactive debugger, tracebacks) in production."""
    app = getattr(worker, "wsgi", None)
    if getattr(app, "debug", False):
        raise RuntimeError("refusing to serve a Flask app in debug mode under gunicorn")
