"""service/gunicorn.conf.py's allocator tuning (issue 22 soak: glibc arena fragmentation across gthread threads).

The behaviour is checked in fresh subprocesses through glibc itself, not through mocks: how many malloc arenas
eight live threads get (``malloc_info``'s ``<heap>`` count) and whether a 300 KiB block is its own mapping after
one such block was freed (``mallinfo2().hblks``; glibc's default raises its mmap threshold after that free, the
fixed 256 KiB threshold does not). Off glibc only the clean degradation is checked."""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import platform
import runpy
import subprocess
import sys

import pytest

from conftest import REPO

CONF = REPO / "service" / "gunicorn.conf.py"
glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt/mallinfo2 are glibc's")

# Run in a fresh interpreter: load the config the way gunicorn's master does (before any worker forks), fork a
# child like a worker, and report from the child what glibc does there.
PROBE = r"""
import ctypes, ctypes.util, json, os, sys, tempfile, threading
LOAD = sys.argv[1]
conf = {}
if LOAD == "gunicorn":  # gunicorn's own config loader, as the master runs it
    from gunicorn.app.wsgiapp import WSGIApplication
    app = WSGIApplication.__new__(WSGIApplication)
    conf = app.get_config_from_filename(sys.argv[2])
elif LOAD == "runpy":
    import runpy
    conf = runpy.run_path(sys.argv[2])
tuned = conf.get("_malloc_tuned")
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
class MI(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc.mallinfo2.restype = MI
r, w = os.pipe()
pid = os.fork()
if pid == 0:  # the "worker"
    os.close(r)
    # 1. mmap threshold: free one 300 KiB block, then allocate another: its own mapping or the heap?
    a = libc.malloc(300 * 1024); libc.free(a)
    before = libc.mallinfo2().hblks
    b = libc.malloc(300 * 1024); mmapped = libc.mallinfo2().hblks - before; libc.free(b)
    # 2. arenas: eight threads alive at once, each allocating
    barrier = threading.Barrier(8)
    def work():
        p = libc.malloc(4096); barrier.wait(); libc.free(p)
    ts = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in ts]; [t.join() for t in ts]
    with tempfile.TemporaryFile() as f:
        libc.fdopen.restype = ctypes.c_void_p
        fp = libc.fdopen(os.dup(f.fileno()), b"w")
        libc.malloc_info(0, ctypes.c_void_p(fp)); libc.fclose(ctypes.c_void_p(fp))
        f.seek(0); heaps = f.read().decode().count("<heap nr=")
    os.write(w, json.dumps({"mmapped_blocks": mmapped, "heaps": heaps}).encode()); os._exit(0)
os.close(w)
child = json.loads(os.read(r, 4096)); os.waitpid(pid, 0)
print(json.dumps({"tuned": tuned, **child}))
"""


def probe(load: str, **env: str) -> dict:
    full = {k: v for k, v in os.environ.items()
            if k not in ("MODELPICK_MALLOC_TUNE", "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", PROBE, load, str(CONF)], env=full, cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@glibc_only
def test_untuned_baseline_is_what_the_tuning_changes():
    # the probe can see the difference at all: glibc's defaults give each of 8 threads an arena (2 cores x 8
    # allowed), and move a re-allocated 300 KiB block into the heap
    plain = probe("none")
    assert plain["heaps"] >= 5 and plain["mmapped_blocks"] == 0, plain


@glibc_only
def test_the_master_loading_the_config_tunes_every_forked_worker():
    got = probe("gunicorn")
    assert got["tuned"] == {"arena_max": True, "mmap_threshold": True}
    assert got["heaps"] <= 2  # malloc_arena_max
    assert got["mmapped_blocks"] == 1  # the fixed threshold: a 300 KiB block stays its own mapping


@glibc_only
@pytest.mark.parametrize("off", ["0", "false", "OFF", " no "])
def test_modelpick_malloc_tune_0_leaves_glibcs_defaults(off):
    got = probe("runpy", MODELPICK_MALLOC_TUNE=off)
    assert got["tuned"] == {"arena_max": False, "mmap_threshold": False}
    assert got["heaps"] >= 5 and got["mmapped_blocks"] == 0, got


@glibc_only
def test_the_environments_malloc_arena_max_wins():
    got = probe("runpy", MALLOC_ARENA_MAX="1")
    assert got["tuned"] == {"arena_max": False, "mmap_threshold": True}
    assert got["heaps"] == 1  # the environment's 1, not the config's 2
    assert got["mmapped_blocks"] == 1


@glibc_only
def test_the_environments_mmap_threshold_wins():
    # 1 MiB from the environment: a 300 KiB block comes from the heap (with the config's 256 KiB it would be mmapped)
    got = probe("runpy", MALLOC_MMAP_THRESHOLD_=str(1 << 20))
    assert got["tuned"] == {"arena_max": True, "mmap_threshold": False}
    assert got["mmapped_blocks"] == 0 and got["heaps"] <= 2


def _tune():
    return runpy.run_path(str(CONF), run_name="gunicorn_conf")["_tune_malloc"]


def test_no_c_library_found_degrades_to_nothing_tuned(monkeypatch):
    tune = _tune()
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert tune({}) == {"arena_max": False, "mmap_threshold": False}


class _NoMallopt:
    """A C library without glibc's mallopt (musl's): the attribute look-up fails."""


def _unloadable(name):
    raise OSError(f"{name}: cannot open shared object file")


@pytest.mark.parametrize("cdll", [lambda name: _NoMallopt(), _unloadable], ids=["no-mallopt", "unloadable"])
def test_a_libc_without_mallopt_degrades_to_nothing_tuned(monkeypatch, cdll):
    tune = _tune()
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "libc.so.6")
    monkeypatch.setattr(ctypes, "CDLL", cdll)
    assert tune({}) == {"arena_max": False, "mmap_threshold": False}
