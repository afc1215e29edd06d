"""Every bad input to the public API raises a ModelpickError naming the value (issue 11, section 2).

A hypothesis sweep over modelpick.__all__: each function is called with valid arguments except one,
which is drawn from wrong types and values. Any exception must be a ModelpickError whose message names
the parameter or the value, never a bare TypeError/ValueError/AttributeError from deep inside. Then the
issue's own cases, one by one, and the command line's.
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

import modelpick as mp
from modelpick import InvalidQuery, ModelpickError, UnknownName
from modelpick.cli import main

MINI = FIXTURES / "mini.yaml"
FRONTIERS = FIXTURES / "frontiers.yaml"


@pytest.fixture(scope="module")
def frontier_catalog():
    return mp.load_catalog(FRONTIERS, embedded=False, use_env=False)


class _Weird:
    def __repr__(self):
        return "<weird>"


#: Wrong types and values: what a caller can pass by mistake.
BAD = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6), st.just(10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(), st.binary(max_size=4), st.text(max_size=6), st.sampled_from(["", " ", "a\x00b", "*", "../x"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(_Weird), st.just(object()), st.just(math.nan), st.just(-0.0))


def valid_calls(frontier_catalog):
    """(function, args, kwargs) that succeed, for each public function worth sweeping."""
    cat = frontier_catalog
    probe = {"architecture": "n1", "runtime": "pytorch", "precision": "fp32", "latency_ms": 5.0}
    return {
        "best": (mp.best, ("jetson-nano",), {}),
        "recommend": (mp.recommend, ("jetson-nano",), {"limit": 3}),
        "devices": (mp.devices, (), {}),
        "architectures": (mp.architectures, (), {}),
        "checkpoints": (mp.checkpoints, (), {}),
        "load_catalog": (mp.load_catalog, (MINI,), {"embedded": False, "use_env": False}),
        "validate_files": (mp.validate_files, ([MINI],), {"with_embedded": False}),
        "upper_bound": (mp.upper_bound, ("lin-dev",), {"catalog": cat}),
        "pareto": (mp.pareto, ("mem-dev",), {"catalog": cat}),
        "efficiency": (mp.efficiency, ("lin-dev",), {"catalog": cat}),
        "memory_model": (mp.memory_model, ("mem-dev",), {"runtime": "pytorch", "catalog": cat}),
        "grid": (mp.grid, ("mem-dev",), {"catalog": cat}),
        "calibrate": (mp.calibrate, ("my-board", [probe]), {"catalog": cat}),
        "suggest_probes": (mp.suggest_probes, (2,), {}),
        "predict": (mp.predict, ("jetson-nano", "resnet18"), {"runtime": "tensorrt"}),
    }


def _params(fn, args, kwargs):
    sig = inspect.signature(fn)
    names = []
    for i, (name, p) in enumerate(sig.parameters.items()):
        if p.kind is p.VAR_POSITIONAL:
            names.append(("*", 0))
        elif p.kind is p.POSITIONAL_OR_KEYWORD and i < len(args):
            names.append((name, i))
        elif name != "catalog":
            names.append((name, None))
    return names


FUNCTIONS = ["best", "recommend", "devices", "architectures", "checkpoints", "load_catalog", "validate_files",
             "upper_bound", "pareto", "efficiency", "memory_model", "grid", "calibrate", "suggest_probes", "predict"]
TRIED: dict[str, list[int]] = {}  # function -> [calls, clean errors]


def _names_it(exc: BaseException, param: str, value) -> bool:
    text = str(exc)
    if param in text or param == "*":
        return True
    try:
        shown = repr(value)
    except Exception:
        return True
    return shown[:12] in text or str(value)[:12] in text


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_rejects_bad_values_with_a_modelpick_error(name, frontier_catalog):
    fn, args, kwargs = valid_calls(frontier_catalog)[name]
    fn(*args, **kwargs)  # the valid call works
    params = _params(fn, args, kwargs)
    counts = TRIED.setdefault(name, [0, 0])

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(which=st.sampled_from(params), bad=BAD)
    def sweep(which, bad):
        param, index = which
        call_args, call_kwargs = list(args), dict(kwargs)
        if param == "*":
            call_args = [bad]
        elif index is not None:
            call_args[index] = bad
        else:
            call_kwargs[param] = bad
        counts[0] += 1
        try:
            fn(*call_args, **call_kwargs)
        except ModelpickError as exc:
            counts[1] += 1
            assert _names_it(exc, param, bad), f"{name}({param}={bad!r}): {exc}"
        except Exception as exc:  # a bare error: the failure this test exists for
            raise AssertionError(f"{name}({param}={bad!r}) raised {type(exc).__name__}: {exc}") from exc
        else:
            counts[1] += 1  # accepted: a value that is fine for this parameter

    sweep()


# ---------------------------------------------------------------------------
# the issue's cases


@pytest.mark.parametrize("call,param", [
    (lambda: mp.devices(5), "pattern"),
    (lambda: mp.architectures(5), "pattern"),
    (lambda: mp.checkpoints(b"x"), "pattern"),
    (lambda: mp.load_catalog(5), "path"),
    (lambda: mp.load_catalog(None), "path"),
    (lambda: mp.suggest_probes(2, among=5), "among"),
    (lambda: mp.suggest_probes(among="resnet18"), "among"),
    (lambda: mp.calibrate("my-board", None), "measurements"),
    (lambda: mp.predict("jetson-nano", "resnet18", runtime=5), "runtime"),
    (lambda: mp.predict("jetson-nano", "resnet18", precision=5), "precision"),
    (lambda: mp.predict("jetson-nano", "resnet18", runtime="tensorrt", input_size=-224), "input_size"),
    (lambda: mp.predict("jetson-nano", "resnet18", runtime="tensorrt", input_size=math.nan), "input_size"),
    (lambda: mp.predict("jetson-nano", "resnet18", runtime="tensorrt", input_size=0), "input_size"),
])
def test_issue_cases_raise_invalid_query_naming_the_parameter(call, param):
    with pytest.raises(InvalidQuery) as info:
        call()
    assert info.value.param == param and f"{param}=" in str(info.value)


def test_load_catalog_nul_byte_is_a_catalog_error():
    with pytest.raises(mp.CatalogError, match="not a usable path"):
        mp.load_catalog("a\x00b")


def test_upper_bound_predict_with_a_string(frontier_catalog):
    with pytest.raises(InvalidQuery, match="fps='x'"):
        mp.upper_bound("lin-dev", catalog=frontier_catalog).predict("x")


def test_calibrate_misspelled_runtime_is_an_error_with_close_matches():
    with pytest.raises(UnknownName) as info:
        mp.calibrate("my-board", [{"architecture": "resnet18", "runtime": "ncnnn", "precision": "fp32",
                                   "latency_ms": 100}])
    assert "ncnn" in info.value.close_matches and "measurements[0].runtime='ncnnn'" in str(info.value)


def test_predict_all_with_a_number_runtime():
    predictor = mp.calibrate("my-board", [{"architecture": "resnet18", "runtime": "ncnn", "precision": "fp32",
                                           "latency_ms": 100}])
    with pytest.raises(InvalidQuery, match="runtime=5"):
        predictor.predict_all(runtime=5)
    with pytest.raises(InvalidQuery, match="input_size=0"):
        predictor.predict("resnet18", input_size=0)


# ---------------------------------------------------------------------------
# the command line


def test_export_to_a_directory_is_a_clear_error(tmp_path, capsys):
    code = main(["export", "--data", str(MINI), "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and f"{tmp_path}: is a directory; give a file name inside it" in err
    assert list(tmp_path.iterdir()) == []  # no temp file left behind


@pytest.mark.parametrize("argv,flag,suggestion", [
    (["best", "--device", "board", "--max-mem", "1"], "--max-mem", "--max-mem-gb"),
    (["best", "--device", "board", "--min-fp", "10"], "--min-fp", "--min-fps"),
    (["recommend", "--device", "board", "--lim", "2"], "--lim", "--limit"),
])
def test_abbreviated_flags_are_refused_with_the_right_one_suggested(argv, flag, suggestion):
    proc = subprocess.run([sys.executable, "-m", "modelpick", *argv, "--data", str(MINI)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert f"unrecognized arguments: {flag}" in proc.stderr and f"did you mean {suggestion}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sweep_summary(capsys):
    """Not a check: prints how many bad inputs the sweep tried (run after the sweep, with -s to see it)."""
    total = sum(c for c, _ in TRIED.values())
    clean = sum(k for _, k in TRIED.values())
    print(f"\nbad-input sweep: {total} calls, {clean} clean (accepted or ModelpickError naming the value)")
    assert clean == total
