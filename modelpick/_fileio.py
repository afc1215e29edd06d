"""Whole-file writes: a temp file in the target's folder, then an atomic rename, so readers never see half a file."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` completely or not at all (Ctrl-C or a kill leaves the old file)."""
    target = Path(path)
    if target.is_dir():  # else the rename fails after the work, with a message naming the temp file
        raise IsADirectoryError(errno.EISDIR, "is a directory; give a file name inside it", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        # mkstemp makes 0600 files; give the result the mode a plain open() would (0666 minus umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
