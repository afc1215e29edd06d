"""``scipy.optimize.nnls`` without importing ``scipy.optimize`` (about 45 MB of a service worker's memory).

``scipy.optimize.nnls`` is a thin Python check around one compiled routine, ``scipy.optimize._slsqplib.nnls``; importing
it imports all of ``scipy.optimize`` (sparse matrices, linear programming, ...), which grows a process by about 45 MB
RSS, where the extension alone takes about 4 MB. :func:`nnls` loads that extension from its file, without its package,
and makes the same checks and the same call as scipy's wrapper, so the answer is the same to the bit. It does so only
where the installed scipy's wrapper (``scipy/optimize/_nnls.py``) makes exactly that call; anywhere else (another scipy
version, a layout it does not recognise, a load that fails) it imports ``scipy.optimize.nnls`` as before.
``tests/test_nnls.py`` checks both against each other.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

#: What the wrapper must contain for :func:`nnls` to stand in for it (scipy 1.15 and later).
_WRAPPER_LINES = ("from ._slsqplib import nnls as _nnls", "maxiter = 3*n", "x, rnorm, info = _nnls(A, b, maxiter)",
                  "if info == 3:")


@functools.cache
def _routine() -> Callable[..., Any] | None:
    """scipy's compiled NNLS routine, loaded without ``scipy.optimize``; None where that is not known to be safe."""
    try:
        import importlib.machinery
        import importlib.util
        from pathlib import Path

        import scipy

        folder = Path(scipy.__file__).parent / "optimize"
        wrapper = (folder / "_nnls.py").read_text(encoding="utf-8")
        if not all(line in wrapper for line in _WRAPPER_LINES):
            return None
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = folder / f"_slsqplib{suffix}"
            if path.is_file():
                spec = importlib.util.spec_from_file_location("scipy.optimize._slsqplib", path)
                if spec is None or spec.loader is None:
                    return None
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module.nnls
    except Exception:  # any surprise: the plain import below
        return None
    return None


def nnls(A: Any, b: Any) -> tuple[np.ndarray, float]:
    """``scipy.optimize.nnls(A, b)``: x >= 0 minimising ||Ax - b||, and that residual norm."""
    routine = _routine()
    if routine is None:
        from scipy.optimize import nnls as scipy_nnls

        return scipy_nnls(A, b)
    # scipy's wrapper, step by step (scipy/optimize/_nnls.py)
    A = np.asarray_chkfinite(A, dtype=np.float64, order="C")
    b = np.asarray_chkfinite(b, dtype=np.float64)
    if len(A.shape) != 2:
        raise ValueError(f"Expected a 2D array, but the shape of A is {A.shape}")
    if (b.ndim > 2) or ((b.ndim == 2) and (b.shape[1] != 1)):
        raise ValueError("Expected a 1D array,(or 2D with one column), but the,"
                         f" shape of b is {b.shape}")
    elif (b.ndim == 2) and (b.shape[1] == 1):
        b = b.ravel()
    m, n = A.shape
    if m != b.shape[0]:
        raise ValueError("Incompatible dimensions. The first dimension of " +
                         f"A is {m}, while the shape of b is {(b.shape[0], )}")
    x, rnorm, info = routine(A, b, 3 * n)
    if info == 3:
        raise RuntimeError("Maximum number of iterations reached.")
    return x, rnorm
