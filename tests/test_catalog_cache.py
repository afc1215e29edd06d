"""Loading speed machinery: the JSON-lines reader, the data-only bounded cache, the file-identity memo."""

from __future__ import annotations

import os
import time

import pytest
import yaml

from conftest import FIXTURES

import modelpick
from modelpick.catalog import _cache, _load, parse_json_lines

MINI = FIXTURES / "mini.yaml"


@pytest.mark.parametrize("text", [
    'a:\n- {"x": 1e5}\n',                # YAML reads 1e5 as a string
    'a:\n- {"x": 1.5e5}\n',              # and an unsigned exponent too
    'a:\n  - {"x": 1}\n',                # an indented sequence is YAML, not the subset
    'a: 1\na: 2\n',                      # a repeated key
    'a:\n- {"x": "tab\there"}\n',        # raw tab
    'a:\n- {"x": "\\ud83d\\ude00"}\n',   # escaped surrogate pair (JSON pairs it, PyYAML does not)
    'a:\n- {"x": "\x85"}\n',             # NEL: a line break to YAML
    'a:\n- {x: 1}\n',                    # plain YAML flow mapping
    "---\na: 1\n",
])
def test_outside_the_subset_the_reader_declines(text):
    assert parse_json_lines(text) is None


@pytest.mark.parametrize("text", [
    '# comment\nschema_version: 1\ndescription: "x: y"\n',
    'a:\n- {"x": 1.5e-05, "y": [1, 2.0, null, true], "z": {"k": "é ✓"}}\n- "s"\nb:\n  "k": "v"\n  "l": 2\nc:\n',
    'a: []\nb: {}\n',
])
def test_inside_the_subset_the_reader_equals_pyyaml(text):
    assert parse_json_lines(text) == yaml.safe_load(text)


def test_user_yaml_goes_through_the_yaml_path_with_its_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("devices:\n  - {id: x, name: [unclosed\n")
    with pytest.raises(modelpick.CatalogError, match=r"bad\.yaml: line \d+, column \d+: not valid YAML"):
        modelpick.load_catalog(bad, embedded=False, use_env=False)


def test_cache_is_data_only_and_reloads_equal(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    fresh = _load._load([(MINI, MINI.read_bytes())], "d" * 64)
    files = sorted(p.name for p in (tmp_path / "entries").iterdir() if p.name != "CACHEDIR.TAG")
    assert files == [f"catalog-{'d' * 64}.core.json", f"catalog-{'d' * 64}.full.json", f"catalog-{'d' * 64}.npz"]
    cached = _cache.cache_load("d" * 64)
    assert cached is not None
    for k, v in fresh.columns.items():
        assert v.dtype == cached.columns[k].dtype and v.tolist() == pytest.approx(cached.columns[k].tolist(), nan_ok=True)
    assert cached.devices == fresh.devices and cached.strings == fresh.strings and cached.known == fresh.known
    # the entity tables load on first access, equal to the fresh ones
    assert "architectures" not in cached.__dict__
    assert cached.architectures == fresh.architectures and cached.checkpoints == fresh.checkpoints
    assert cached.sources == fresh.sources and cached.measurements == fresh.measurements


@pytest.mark.parametrize("damage", ["truncate", "garbage", "pickle"])
def test_a_damaged_cache_is_a_miss_never_code(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    _load._load([(MINI, MINI.read_bytes())], "e" * 64)
    for path in (tmp_path / "entries").glob("catalog-*"):
        data = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            path.write_bytes(b"\x00garbage")
        else:  # a pickle that would run code if it were unpickled
            import pickle

            path.write_bytes(pickle.dumps(os.system))
    assert _cache.cache_load("e" * 64) is None


def test_cache_folder_is_bounded_and_leaves_other_files_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    (tmp_path / "catalog-old.core.pickle").write_bytes(b"x")
    (tmp_path / "unrelated.txt").write_text("not ours")
    for i in range(_cache.KEEP_ENTRIES + 4):
        user = tmp_path / f"user-{i}.yaml"
        user.write_text(f"devices:\n- {{id: extra-{i}, name: Extra {i}, kind: cpu}}\n")
        modelpick.load_catalog(MINI, user, embedded=False, use_env=False)
        time.sleep(0.01)  # distinct modification times
    entries = {p.name.split(".")[0] for p in (tmp_path / "entries").iterdir() if p.name.startswith("catalog-")}
    assert len(entries) == _cache.KEEP_ENTRIES
    # the user's folder itself is never evicted from: only the tagged entries/ subfolder is
    assert (tmp_path / "catalog-old.core.pickle").exists() and (tmp_path / "unrelated.txt").exists()


def test_repeated_loads_stat_the_files_and_notice_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path / "cache"))
    user = tmp_path / "user.yaml"
    user.write_text("devices:\n- {id: extra-a, name: Extra A, kind: cpu}\n")
    first = modelpick.load_catalog(MINI, user, embedded=False, use_env=False)
    reads = []
    real = type(user).read_bytes
    monkeypatch.setattr(type(user), "read_bytes", lambda self: reads.append(self) or real(self))
    assert modelpick.load_catalog(MINI, user, embedded=False, use_env=False) is first
    assert reads == []  # same identity: nothing read or hashed
    user.write_text("devices:\n- {id: extra-b, name: Extra B, kind: cpu}\n")
    second = modelpick.load_catalog(MINI, user, embedded=False, use_env=False)
    assert second is not first and [d.id for d in second.devices("extra")] == ["extra-b"]


def test_a_large_first_load_says_so_on_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_load, "_PROGRESS_BYTES", 100)
    _load._MEMO.clear()
    _load._IDENTITY.clear()
    modelpick.load_catalog(MINI, embedded=False, use_env=False)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "modelpick: indexing" in err


def test_fitted_predictions_are_cached_as_data_and_reload_equal(tmp_path, monkeypatch, mini_catalog):
    from modelpick.predict import models as fitted

    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fitted, "_MODELS", {})
    query = dict(device="board", estimates="include", batch_size=None)
    first = fitted.models_for(mini_catalog)
    (saved,) = (tmp_path / "entries").glob("predict-*.npz")
    assert not list(tmp_path.glob("**/*.pickle"))
    monkeypatch.setattr(fitted, "_MODELS", {})
    again = fitted.models_for(mini_catalog)
    assert again is not first and type(again.transfer) is type(first.transfer)
    assert again.cells == first.cells and again.curve_band == first.curve_band
    assert again.memory.runtimes.keys() == first.memory.runtimes.keys()
    # a damaged file is a miss: the models are fitted again and saved again
    saved.write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(fitted, "_MODELS", {})
    assert fitted.models_for(mini_catalog).cells == first.cells
    assert mini_catalog.recommend(**query)


def test_the_state_codec_refuses_what_it_was_not_told_about(tmp_path):
    from modelpick import _safestate

    class Listed:
        pass

    class Unlisted:
        pass

    obj = Listed()
    obj.__dict__.update(values={("a", 1): [1.5, float("nan")]}, array=__import__("numpy").arange(3), inner=Unlisted())
    with pytest.raises(TypeError, match="Unlisted"):
        _safestate.dumps(obj, [Listed])
    del obj.inner
    path = tmp_path / "state.npz"
    path.write_bytes(_safestate.dumps(obj, [Listed]))
    back = _safestate.load(path, [Listed])
    assert type(back) is Listed and back.values[("a", 1)][0] == 1.5 and back.array.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="unknown class"):
        _safestate.load(path, [])


def test_measurement_rows_are_written_as_shared_columns(tmp_path, monkeypatch):
    """The cache writes the measurement rows as columns of codes into tables of distinct strings and dicts (the full
    entry shrank 19 -> 5 MB), and reads back equal rows that share those objects and the core's settings dicts."""
    import orjson

    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    fresh = _load._load([(MINI, MINI.read_bytes())], "f" * 64)
    cached = _cache.cache_load("f" * 64)
    rows = cached.measurements
    assert rows == fresh.measurements and orjson.dumps(rows) == orjson.dumps(fresh.measurements)
    assert [list(r) for r in rows] == [list(r) for r in fresh.measurements]  # key order too
    assert all(r["settings"] is s for r, s in zip(rows, cached.measurement_settings))
    devices = {id(r["device"]) for r in rows}
    assert len(devices) == len({r["device"] for r in rows})  # one object per distinct string
    # values equal in Python but not in JSON stay apart; rows with other keys are written as they are
    odd = [{"a": 1, "s": {"x": 1}}, {"a": 1.0, "s": {"x": True}}, {"a": True, "s": {"x": 1.0}}, {"a": None, "s": None}]
    back = _cache.rows_from_state(orjson.loads(orjson.dumps(_cache.rows_state(odd))))
    assert orjson.dumps(back) == orjson.dumps(odd)
    ragged = [{"a": 1}, {"b": 2}]
    assert _cache.rows_from_state(orjson.loads(orjson.dumps(_cache.rows_state(ragged)))) == ragged
    assert _cache.rows_from_state(_cache.rows_state([])) == []
