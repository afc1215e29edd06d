"""modelpick._nnls.nnls gives scipy.optimize.nnls's answer to the bit, without importing scipy.optimize."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from modelpick import _nnls


def test_the_compiled_routine_is_used_here():
    assert _nnls._routine() is not None, "the installed scipy's nnls wrapper changed: check modelpick/_nnls.py"


@pytest.mark.parametrize("seed", range(40))
def test_same_answer_as_scipy(seed):
    from scipy.optimize import nnls as scipy_nnls

    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 40)), int(rng.integers(1, 12))
    A = rng.normal(size=(m, n)) * rng.choice([1e-3, 1.0, 1e3], size=(1, n))
    b = rng.normal(size=m) if seed % 3 else np.ones(m)
    if seed % 4 == 0:  # the batch curve's shape: two columns, relative least squares
        bs = np.sort(rng.choice([1, 2, 4, 8, 16, 32, 64, 128], size=m))
        t = rng.uniform(0.5, 50, size=m)
        A, b = np.column_stack([1.0 / bs, np.ones_like(bs, dtype=float)]) / t[:, None], np.ones(m)
    x1, r1 = _nnls.nnls(A.copy(), b.copy())
    x2, r2 = scipy_nnls(A.copy(), b.copy())
    assert x1.dtype == x2.dtype and x1.tobytes() == x2.tobytes() and repr(r1) == repr(r2)


def test_same_errors_as_scipy():
    from scipy.optimize import nnls as scipy_nnls

    for A, b in ((np.ones(3), np.ones(3)), (np.ones((3, 2)), np.ones((3, 2))), (np.ones((3, 2)), np.ones(4)),
                 (np.array([[np.nan, 1.0]]), np.ones(1))):
        with pytest.raises(ValueError) as mine:
            _nnls.nnls(A, b)
        with pytest.raises(ValueError) as theirs:
            scipy_nnls(A, b)
        assert str(mine.value) == str(theirs.value)


def test_scipy_optimize_is_not_imported():
    code = ("import sys; import numpy as np; from modelpick._nnls import nnls; "
            "print(nnls(np.eye(2), np.ones(2))[0].tolist(), 'scipy.optimize' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[1.0,", "1.0]", "False"]
