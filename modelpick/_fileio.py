"""Files: whole-file atomic writes, a lock for read-merge-write, and one bounded reader for every input file.

* :func:`write_atomic`: a temp file in the target's folder, then an atomic rename, so readers never see half
  a file. A symlink is written through to its target (the link stays), and an existing file keeps its mode.
* :func:`locked`: an exclusive ``flock`` on ``<file>.lock`` next to a file, held across read-merge-write, so
  concurrent appenders each see the others' rows (the rename alone would let the last writer win).
* :func:`read_bounded`: regular files only, at most a size cap, read in chunks (a FIFO, ``/dev/zero``, a
  folder or a symlink loop is a :class:`FileReadError` naming the file, never a hang or a MemoryError).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import ModelpickError


class FileReadError(ModelpickError, ValueError):
    """An input file that is not a readable regular file within the size cap."""


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))

#: Nesting depth allowed in an input document (JSON or YAML); real files stay below 10.
MAX_NESTING = 100


#: Largest input file read (a catalog, a benchmark log, probes); the embedded table is ~13 MB.
#: ``MODELPICK_MAX_FILE_MB`` overrides.
MAX_FILE_BYTES = 256 * 2**20


def max_file_bytes() -> int:
    raw = os.environ.get("MODELPICK_MAX_FILE_MB", "").strip()
    try:
        return int(float(raw) * 2**20) if raw else MAX_FILE_BYTES
    except ValueError:
        return MAX_FILE_BYTES


def read_input(path: str | os.PathLike[str], what: str = "file") -> bytes:
    """An input file's bytes under :func:`max_file_bytes` (see :func:`read_bounded`)."""
    return read_bounded(path, max_file_bytes(), what=what, hint="MODELPICK_MAX_FILE_MB raises it")


def file_kind(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def read_bounded(path: str | os.PathLike[str], limit: int, *, what: str = "file", hint: str = "") -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``limit`` bytes, else :class:`FileReadError`.

    The type is checked on the opened descriptor (``O_NONBLOCK``, so opening a FIFO never waits for a writer),
    and the read stops one byte past the cap, so a file that grows while read, or lies about its size, still
    costs at most ``limit`` bytes.
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileReadError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:  # a NUL byte in the path
        raise FileReadError(f"{str(p)[:60]!r}: not a usable path: {exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileReadError(f"{p}: is {file_kind(st.st_mode)}, expected a {what}")
        if st.st_size > limit:
            raise FileReadError(f"{p}: {st.st_size:,} bytes is larger than the {limit:,} bytes a {what} may have"
                                + (f" ({hint})" if hint else ""))
        chunks, total = [], 0
        while total <= limit:  # read(n) would allocate n bytes up front
            chunk = os.read(fd, min(1 << 22, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise FileReadError(f"{p}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > limit:
        raise FileReadError(f"{p}: grew past the {limit:,} bytes a {what} may have while it was read")
    return b"".join(chunks)


def nesting_depth_exceeds(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether brackets or indentation in ``text`` nest deeper than ``limit`` (a cheap upper bound, checked
    before a recursive parser could overflow the stack). Brackets inside strings count too: a bound, not a parse."""
    depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth = max(depth - 1, 0)
    # YAML block nesting: each level indents by at least one column, list items ("- - - x") by two
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        dashes = 0
        while stripped.startswith("- "):
            dashes += 1
            stripped = stripped[2:]
        if indent + dashes > 4 * limit:
            return True
    return False


def _resolve_target(path: Path) -> Path:
    """Where a write to ``path`` lands: a symlink's final target (a loop or a dangling chain is an error)."""
    seen = 0
    target = path
    while target.is_symlink():
        seen += 1
        if seen > 40:
            raise OSError(errno.ELOOP, "too many levels of symbolic links", str(path))
        link = Path(os.readlink(target))
        target = link if link.is_absolute() else target.parent / link
    return target


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` completely or not at all (Ctrl-C or a kill leaves the old file).

    A symlink is written through: its target gets the data, the link stays. An existing file keeps its
    permission bits; a new one gets those a plain ``open()`` would give (0666 minus the umask). Only a
    regular file is replaced: a FIFO, a device or a folder is an ``OSError`` naming it.
    """
    target = _resolve_target(Path(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):  # else the rename fails after the work, naming the temp file
        raise IsADirectoryError(errno.EISDIR, "is a directory; give a file name inside it", str(target))
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, f"is {file_kind(st.st_mode)}, not a regular file; refusing to replace it",
                      str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        if st is not None:
            mode = stat.S_IMODE(st.st_mode)
        else:  # mkstemp makes 0600 files; give a new file the mode a plain open() would
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock for a read-merge-write of ``path``: ``flock`` on ``<target>.lock`` in the same
    folder (the target's, through symlinks, so two links to one file share a lock). The lock file stays:
    removing it would let a waiter lock a file that a newcomer no longer sees."""
    import fcntl

    target = _resolve_target(Path(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.parent / f".{target.name}.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
