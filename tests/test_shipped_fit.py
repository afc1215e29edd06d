"""The fitted predictor shipped for the embedded table (data/predict_fit.npz, modelpick.predict.shipped): it matches
the code and the table, it is what a fresh fit gives, and the first estimates="include" loads it instead of fitting."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from conftest import FIXTURES

import modelpick
from modelpick import _safestate
from modelpick.catalog import embedded_table_path, load_table
from modelpick.predict import models as fitted
from modelpick.predict.estimates import PredictedCells
from modelpick.predict.models import load_shipped, shipped_key, shipped_path, table_sha256
from modelpick.predict.shipped import shipped_bytes
from modelpick.solver import Catalog

REBUILD = "rebuild it: python scripts/build_catalog.py ... (or python -m modelpick.predict.shipped)"


def test_shipped_fit_matches_the_code_and_the_table():
    packed = _safestate.load(shipped_path(), fitted._saved_classes())
    assert packed["key"] == shipped_key(table_sha256(embedded_table_path())), f"data/predict_fit.npz is stale; {REBUILD}"


def _same(a, b, path="fit") -> None:
    """Equal values (NaN where NaN; floats to 1e-6 relative or 1e-9 absolute, since OpenBLAS picks its kernels by CPU and their
    sums differ in the last bits from one machine to another); dict and set order aside (it follows the hash seed)."""
    assert type(a) is type(b), path
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        if a.dtype.kind in "fc":
            assert np.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True), path
        else:
            assert np.array_equal(a, b), path
    elif isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            _same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)) and not hasattr(a, "_fields"):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float):
        assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b)), path
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        _same(vars(a), vars(b), path)
    else:
        assert a == b, path


def test_shipped_fit_is_a_fresh_fit():
    cat = Catalog(load_table(embedded_table_path(), embedded=False, use_env=False))
    fresh = shipped_bytes(cat, table_sha256(embedded_table_path()))
    assert len(fresh) < 600_000  # small: compressed, each measured cell saved once
    classes = fitted._saved_classes()
    shipped = _safestate.load(shipped_path(), classes)
    _same(_load_bytes(fresh, classes), shipped)


def _load_bytes(data: bytes, classes):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fit.npz"
        p.write_bytes(data)
        return _safestate.load(p, classes)


def test_first_estimate_loads_the_shipped_fit(monkeypatch, tmp_path):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))  # nothing cached on disk
    monkeypatch.delenv("MODELPICK_DATA", raising=False)
    cat = Catalog(load_table(use_env=False), estimator=PredictedCells())  # a fresh object: no estimate views yet
    monkeypatch.setattr(fitted, "_MODELS", {})

    def no_fit(*a, **k):
        raise AssertionError("fitted instead of loading the shipped fit")

    monkeypatch.setattr(fitted, "fit_models", no_fit)
    rec = cat.best("jetson", max_mem_gb=1.0, min_fps=30, estimates="include")
    assert rec.checkpoint


def test_shipped_fit_only_for_the_embedded_table_alone():
    assert load_shipped(modelpick.load_catalog(FIXTURES / "mini.yaml", embedded=False, use_env=False)) is None
    assert load_shipped(Catalog(load_table(FIXTURES / "mini.yaml", use_env=False))) is None  # with a user file
    assert load_shipped(Catalog(load_table(use_env=False))) is not None
