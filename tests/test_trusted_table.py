"""The certified embedded table (data/benchmarks.sha256, modelpick.catalog._trusted): the certificate matches the
table, its rows read without pydantic equal pydantic's field by field and type by type, the loaded table equals a
load with every check, and anything else (a user file, an edited table) is still validated with the same errors."""

from __future__ import annotations

import hashlib

import pytest

from modelpick.catalog import _files, _trusted, embedded_table_path, load_table
from modelpick.catalog._merge import merge_files
from modelpick.errors import CatalogError
from modelpick.schema import CatalogFile

REBUILD = "rebuild it: python scripts/build_catalog.py ... (it writes data/benchmarks.sha256 after its checks)"


def _typed(value):
    """A value with the type of every part (1 == 1.0 == True in Python; an answer's JSON tells them apart)."""
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def test_certificate_matches_the_embedded_table():
    raw = embedded_table_path().read_bytes()
    assert _trusted.certified_sha256() == hashlib.sha256(raw).hexdigest(), f"data/benchmarks.sha256 is stale; {REBUILD}"
    assert _trusted.is_certified(embedded_table_path(), hashlib.sha256(raw).digest())


def test_trusted_rows_equal_pydantic_rows():
    path = embedded_table_path()
    text = path.read_text(encoding="utf-8")
    doc = _files.parse_json_lines(text)
    assert doc is not None and _files.parse_json_lines(text, recheck=False) == doc
    checked = CatalogFile.model_validate(doc)
    trusted = _trusted.trusted_file(_files.parse_json_lines(text, recheck=False))
    assert _trusted.is_trusted(trusted) and not _trusted.is_trusted(checked)
    assert len(trusted.measurements) == len(checked.measurements) > 30_000
    for i, (t, c) in enumerate(zip(trusted.measurements, checked.measurements)):
        assert _typed(t.__dict__) == _typed(c.__dict__), f"measurements[{i}]"
        assert _typed(t.per_image_latency_ms) == _typed(c.per_image_latency_ms), f"measurements[{i}]"
    for name in CatalogFile.model_fields:
        if name != "measurements":
            assert _typed(getattr(trusted, name)) == _typed(getattr(checked, name)), name
            assert getattr(trusted, name) == getattr(checked, name), name


def test_trusted_load_equals_checked_load(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPICK_CACHE", "0")
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    path = embedded_table_path()
    trusted = merge_files([(path, _trusted.trusted_file(_files.parse_json_lines(path.read_text("utf-8"))))], "d")
    checked = merge_files([(path, CatalogFile.model_validate(_files.parse_json_lines(path.read_text("utf-8"))))], "d")
    assert _typed(trusted.measurements) == _typed(checked.measurements)
    assert trusted.warnings == checked.warnings
    for name in ("sources", "devices", "architectures", "checkpoints", "device_families"):
        assert getattr(trusted, name) == getattr(checked, name), name


def test_an_edited_table_is_validated_again(tmp_path, monkeypatch):
    """A table that is not the certified one (here: the embedded path with one row broken) gets every check."""
    text = embedded_table_path().read_text(encoding="utf-8")
    broken = text.replace('"latency_ms": ', '"latency_ms": -', 1)
    assert broken != text
    table = tmp_path / "benchmarks.yaml"
    table.write_text(broken, encoding="utf-8")
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(_files, "embedded_table_path", lambda: table)
    assert not _trusted.is_certified(table, hashlib.sha256(table.read_bytes()).digest())
    with pytest.raises(CatalogError, match=r"measurements\[\d+\]\.latency_ms: must be > 0"):
        load_table(table, embedded=False, use_env=False)


def test_check_all_rows_switch(monkeypatch):
    raw = embedded_table_path().read_bytes()
    monkeypatch.setenv("MODELPICK_CHECK_ALL_ROWS", "1")
    assert not _trusted.is_certified(embedded_table_path(), hashlib.sha256(raw).digest())


def test_a_user_file_named_like_the_table_is_not_certified(tmp_path):
    raw = embedded_table_path().read_bytes()
    copy = tmp_path / "benchmarks.yaml"
    copy.write_bytes(raw)
    assert not _trusted.is_certified(copy, hashlib.sha256(raw).digest())
