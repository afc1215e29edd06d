"""Writing the fitted bundle shipped with the package for the embedded table (``data/predict_fit.npz``), so that the first
``estimates="include"`` of a fresh install loads it (about 0.2 s) instead of fitting (about 4 s of CPU).

The catalog build writes it next to the table (``scripts/build_catalog.py``; ``python -m modelpick.predict.shipped``
writes it alone, after a change to this package). It carries its key: the hash of this package's code and the
sha256 of the table it was fitted on. It is used only for a catalog made of the embedded table alone, and only when
both still match; otherwise the fit runs as before (slow, never wrong). ``tests/test_shipped_fit.py`` checks that
the shipped file matches the code and the table, and that it holds what a fresh fit gives. Reading it is
:func:`modelpick.predict.models.load_shipped`.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .models import SHIPPED_NAME, _pack, _saved_classes, fit_models, shipped_key, table_sha256


def shipped_bytes(catalog, table_sha: str) -> bytes:
    """The shipped file's bytes for ``catalog`` (fitted now), fitted on the table whose sha256 is ``table_sha``."""
    from .. import _safestate

    packed = _pack(fit_models(catalog))
    packed["key"] = shipped_key(table_sha)
    return _safestate.dumps(packed, _saved_classes(), compress=True)


def write_shipped(table: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Fit on ``table`` alone and write the shipped file (default: next to it); returns its path."""
    from .._fileio import write_atomic
    from ..catalog import load_table
    from ..errors import CatalogWarning
    from ..solver import Catalog

    target = Path(out) if out is not None else Path(table).parent / SHIPPED_NAME
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)  # the build's log has said them already
        catalog = Catalog(load_table(table, embedded=False, use_env=False))
    write_atomic(target, shipped_bytes(catalog, table_sha256(table)))
    return target


if __name__ == "__main__":
    import sys

    from ..catalog import embedded_table_path

    print(write_shipped(sys.argv[1] if len(sys.argv) > 1 else embedded_table_path()))
