"""gunicorn config for the soak benchmark only: service/gunicorn.conf.py as it is, plus, in each worker, a daemon
thread that appends the sizes of the per-worker stores and glibc's own heap figures (``mallinfo2``) to
``$MODELPICK_SOAK_STORES_DIR/<pid>.jsonl`` every ``$MODELPICK_SOAK_STORES_S`` seconds (default 15). Tells caches
filling to their byte budget from allocator growth, from outside the worker. Nothing here is in the service."""

import ctypes
import ctypes.util
import json
import os
import runpy
import sys
import threading
import time

_base = runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "service", "gunicorn.conf.py"))
globals().update({k: v for k, v in _base.items() if not k.startswith("__")})
_base_post_worker_init = _base["post_worker_init"]


class _MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]


def _mallinfo_mb() -> dict:
    name = ctypes.util.find_library("c")
    try:
        fn = ctypes.CDLL(name).mallinfo2
    except (OSError, AttributeError, TypeError):
        return {}
    fn.restype = _MallInfo2
    m = fn()
    mb = 2**20
    return {"malloc_inuse_mb": round(m.uordblks / mb, 1), "malloc_free_mb": round(m.fordblks / mb, 1),
            "malloc_mmapped_mb": round(m.hblkhd / mb, 1), "malloc_arena_mb": round(m.arena / mb, 1)}


def _stores(app) -> dict:
    st = app.extensions["modelpick"]
    cat = st.catalog
    views = cat._estimate_views
    return {"views": len(views), "views_mb": round(views.nbytes / 2**20, 2),
            "answers": len(st.answers), "answers_mb": round(st.answers._bytes / 2**20, 2),
            "plots": len(st.plots), "plots_mb": round(st.plots._bytes / 2**20, 2),
            "records": len(cat._record_cache), "records_json": len(cat._record_json_cache),
            "coverages": len(cat._coverages), "coverage_json": len(st._coverage_json), "fast_rows": len(cat._fast_rows),
            "python_blocks": sys.getallocatedblocks()}


def _report(app, path: str, every_s: float) -> None:
    t0 = time.monotonic()
    while True:
        time.sleep(every_s)
        try:
            row = {"s": round(time.monotonic() - t0, 1), **_stores(app), **_mallinfo_mb()}
        except Exception as exc:  # a bench aid: never take the worker down
            row = {"error": repr(exc)[:200]}
        with open(path, "a") as f:
            f.write(json.dumps(row) + "\n")


def post_worker_init(worker):
    _base_post_worker_init(worker)
    folder = os.environ.get("MODELPICK_SOAK_STORES_DIR")
    app = getattr(worker, "wsgi", None)
    if folder and app is not None:
        every_s = float(os.environ.get("MODELPICK_SOAK_STORES_S", "15"))
        threading.Thread(target=_report, args=(app, os.path.join(folder, f"{os.getpid()}.jsonl"), every_s),
                         daemon=True, name="soak-stores").start()
