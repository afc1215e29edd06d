"""Abuse corpus, files (issue 22): nothing lost under concurrent appends, the cache never touches a user's
files, atomic writes keep what the user set up, and damaged cache entries are misses."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import FIXTURES, REPO

import modelpick
from modelpick._fileio import FileReadError, locked, read_bounded, write_atomic
from modelpick.catalog import _cache, _load
from modelpick.importers.api import import_results

NCNN = FIXTURES / "import" / "benchncnn" / "threadripper_3970x_and_quadro_rtx8000.txt"
MINI = FIXTURES / "mini.yaml"

# ---------------------------------------------------------------------------
# concurrent appenders: every source and every row present

_APPEND = """
import sys
from modelpick.importers.api import import_results
r = import_results("benchncnn", sys.argv[1], device_id="my-threadripper", output=sys.argv[2], append=True)
print(r.source_id, r.added)
"""


@pytest.mark.parametrize("n", [4])
def test_concurrent_appenders_lose_nothing(tmp_path, n):
    out = tmp_path / "mine.yaml"
    base = import_results("benchncnn", NCNN, device_id="my-threadripper", output=out)
    inputs = []
    for i in range(n):  # the same rows with different bytes: each file is its own source
        p = tmp_path / f"run{i}.txt"
        p.write_bytes(NCNN.read_bytes() + b"\n" * (i + 1))
        inputs.append(p)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _APPEND, str(p), str(out)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for p in inputs]
    results = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in results]
    claimed = {line.split()[0]: int(line.split()[1]) for line, _ in results}
    data = yaml.safe_load(out.read_text())
    sources = {s["id"] for s in data["sources"]}
    assert sources == {base.source_id, *claimed}
    for sid, added in claimed.items():
        assert added == base.added
        assert sum(m["source"] == sid for m in data["measurements"]) == added
    assert len(data["measurements"]) == base.added * (n + 1)


def test_lock_is_shared_through_a_symlink(tmp_path):
    import fcntl

    target = tmp_path / "t.yaml"
    target.write_text("x\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    with locked(link):
        fd = os.open(tmp_path / ".t.yaml.lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------
# the cache folder holds the user's files: eviction never touches them

USER_NAMES = ([f"catalog-{y}.yaml" for y in range(2014, 2026)]
              + ["file-1.json", "predict-notes.npz", "catalog-" + "a" * 64 + ".npz", ".catalog-x.tmp", "notes.txt"])


def test_cache_eviction_never_deletes_user_files(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    for name in USER_NAMES:
        (tmp_path / name).write_text(f"{name}\n")
    old = 1_000_000_000
    for name in USER_NAMES:
        os.utime(tmp_path / name, (old, old))
    for i in range(_cache.KEEP_ENTRIES + 3):
        user = tmp_path / f"extra-{i}.yaml"
        user.write_text(f"devices:\n- {{id: extra-{i}, name: Extra {i}, kind: cpu}}\n")
        modelpick.load_catalog(MINI, user, embedded=False, use_env=False)
    for name in USER_NAMES:
        assert (tmp_path / name).read_text() == f"{name}\n"
    assert (tmp_path / "entries" / "CACHEDIR.TAG").read_bytes() == _cache.TAG_TEXT


@pytest.mark.parametrize("name", USER_NAMES)
def test_an_untagged_entries_folder_is_left_alone(tmp_path, monkeypatch, name):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / name).write_text("mine\n")
    assert _cache.entries_dir() is None
    _cache.evict(tmp_path / "entries", keep=0, max_bytes=0)
    _cache.evict(tmp_path, keep=0, max_bytes=0)
    assert (tmp_path / "entries" / name).read_text() == "mine\n"


@pytest.mark.parametrize("name", USER_NAMES)
def test_eviction_in_the_tagged_folder_keeps_foreign_names(tmp_path, monkeypatch, name):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    d = _cache.entries_dir()
    (d / name).write_text("mine\n")
    os.utime(d / name, (1, 1))
    _cache.evict(d, keep=0, max_bytes=0)
    if _cache._entry(name) is None:
        assert (d / name).read_text() == "mine\n"


# ---------------------------------------------------------------------------
# atomic writes keep the mode, write through symlinks, refuse what is not a regular file


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o660, 0o400 | 0o200, 0o755])
def test_write_atomic_keeps_the_mode(tmp_path, mode):
    p = tmp_path / "f.yaml"
    p.write_text("old\n")
    os.chmod(p, mode)
    write_atomic(p, "new\n")
    assert stat.S_IMODE(os.stat(p).st_mode) == mode and p.read_text() == "new\n"


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_write_atomic_writes_through_symlinks(tmp_path, depth):
    target = tmp_path / "real" / "t.yaml"
    target.parent.mkdir()
    target.write_text("old\n")
    os.chmod(target, 0o600)
    prev = target
    for i in range(depth):
        link = tmp_path / f"link{i}.yaml"
        link.symlink_to(os.path.relpath(prev, tmp_path) if i % 2 else prev)
        prev = link
    write_atomic(prev, "new\n")
    assert prev.is_symlink() and target.read_text() == "new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_write_atomic_refuses_a_symlink_loop(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(OSError, match="symbolic links"):
        write_atomic(a, "x")
    assert a.is_symlink() and b.is_symlink()


@pytest.mark.parametrize("kind", ["fifo", "dir", "devnull"])
def test_write_atomic_refuses_what_is_not_a_regular_file(tmp_path, kind):
    p = tmp_path / "out"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "dir":
        p.mkdir()
    else:
        p.symlink_to("/dev/null")
    with pytest.raises(OSError, match="directory|FIFO|character device"):
        write_atomic(p, "x")
    assert not [q for q in tmp_path.iterdir() if q.name.endswith(".tmp")]


def test_import_append_through_a_symlink_reaches_the_target(tmp_path):
    from modelpick.importers.api import import_results

    target = tmp_path / "real.yaml"
    import_results("benchncnn", NCNN, device_id="my-threadripper", output=target)
    os.chmod(target, 0o600)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    other = tmp_path / "other.txt"
    other.write_bytes(NCNN.read_bytes() + b"\n")
    r = import_results("benchncnn", other, device_id="my-threadripper", output=link, append=True)
    assert link.is_symlink() and stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert r.source_id in {s["id"] for s in yaml.safe_load(target.read_text())["sources"]}


def test_cli_append_to_a_fifo_is_a_clear_error(tmp_path):
    fifo = tmp_path / "out.yaml"
    os.mkfifo(fifo)
    r = subprocess.run([sys.executable, "-m", "modelpick", "import", "benchncnn", str(NCNN), "--device-id", "x-dev",
                        "-o", str(fifo), "--append"], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode != 0 and "Traceback" not in r.stderr and "FIFO" in r.stderr


# ---------------------------------------------------------------------------
# the shared bounded reader


def _special(tmp_path: Path, kind: str) -> Path:
    p = tmp_path / "in"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "dir":
        p.mkdir()
    elif kind == "zero":
        p.symlink_to("/dev/zero")
    elif kind == "loop":
        p.symlink_to(p)
    elif kind == "missing":
        pass
    elif kind == "big":
        with open(p, "wb") as fh:
            fh.truncate(2**30)  # a sparse 1 GB file: no disk, no memory
    return p


SPECIAL = ["fifo", "dir", "zero", "loop", "missing", "big"]


@pytest.mark.parametrize("kind", SPECIAL)
def test_read_bounded_refuses_clearly(tmp_path, kind):
    p = _special(tmp_path, kind)
    with pytest.raises(FileReadError) as exc:
        read_bounded(p, 2**20)
    assert str(p) in str(exc.value) and len(str(exc.value)) < 300


# ---------------------------------------------------------------------------
# damaged cache entries are misses, and the next store repairs them


def _npz_claiming(shape) -> bytes:
    import io

    from numpy.lib import format as npformat

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        with zf.open("a0.npy", "w") as member:
            npformat.write_array_header_1_0(member, {"descr": "<f8", "fortran_order": False, "shape": shape})
            member.write(b"\0" * 64)
    return buf.getvalue()


DAMAGE = ["empty-list", "empty", "number", "null", "deep", "zero-link", "fifo", "dir", "huge-shape", "dangling",
          "not-zip", "loop"]


def _damage(path: Path, how: str) -> None:
    if path.is_dir():
        path.rmdir()
    elif path.exists() or path.is_symlink():
        path.unlink()
    if how == "empty-list":
        path.write_bytes(b"[]")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "number":
        path.write_bytes(b"7")
    elif how == "null":
        path.write_bytes(b"null")
    elif how == "deep":
        path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    elif how == "zero-link":
        path.symlink_to("/dev/zero")
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "dir":
        path.mkdir()
    elif how == "huge-shape":
        path.write_bytes(_npz_claiming((2**40,)))
    elif how == "dangling":
        path.symlink_to(path.parent / "nowhere")
    elif how == "not-zip":
        path.write_bytes(b"PK\x03\x04 not a zip")
    elif how == "loop":
        path.symlink_to(path)


@pytest.mark.parametrize("part", ["core.json", "full.json", "npz"])
@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_catalog_entry_is_a_miss(tmp_path, monkeypatch, part, how):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    digest = "f" * 64
    fresh = _load._load([(MINI, MINI.read_bytes())], digest)
    npz, core, full = _cache._paths(tmp_path / "entries", digest)
    _damage({"core.json": core, "full.json": full, "npz": npz}[part], how)
    got = _cache.cache_load(digest)
    if got is not None:  # the damaged part is read lazily: reading it must fail cleanly or rebuild
        try:
            assert got.architectures == fresh.architectures
        except (modelpick.ModelpickError, OSError, ValueError):
            pass
    table = _load._load([(MINI, MINI.read_bytes())], digest)  # rebuild and store again
    assert table.devices == fresh.devices


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_fitted_predictions_are_a_miss(tmp_path, monkeypatch, mini_catalog, how):
    from modelpick.predict import models as fitted

    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fitted, "_MODELS", {})
    first = fitted.models_for(mini_catalog)
    (saved,) = (tmp_path / "entries").glob("predict-*.npz")
    _damage(saved, how)
    monkeypatch.setattr(fitted, "_MODELS", {})
    assert fitted.models_for(mini_catalog).cells == first.cells
    if how != "dir":
        assert saved.is_file() and not saved.is_symlink()  # repaired


def test_npz_with_a_huge_claimed_shape_is_refused_quickly():
    import io

    from modelpick._safestate import npz_arrays

    with pytest.raises(ValueError, match="claims more data"):
        npz_arrays(io.BytesIO(_npz_claiming((2**40,))))
    assert np.zeros(1).size == 1
