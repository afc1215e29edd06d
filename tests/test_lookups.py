"""Issue 21, lookups a new user types: a suggestion where a name ends in the typed one ('s24'), none below a
similarity threshold ('hailo-9x' never suggests amlogic-s805), backend names written as a runtime point to the
runtime that runs them, long choice lists say how to list them, and `devices X` lists what `--device X` resolves to."""

from __future__ import annotations

import pytest

import modelpick
from modelpick.errors import InvalidQuery, UnknownDevice, UnknownName, close_matches


def _message(call) -> str:
    with pytest.raises(InvalidQuery) as info:
        call()
    return str(info.value)


def test_a_short_name_suggests_the_device_that_ends_in_it():
    with pytest.raises(UnknownDevice) as info:
        modelpick.best("s24")
    assert info.value.close_matches[0] == "samsung-galaxy-s24"
    assert close_matches("pixel7", ["pixel-4", "pixel-7", "pixel-7-pro"])[0] == "pixel-7"


def test_no_suggestion_below_the_similarity_threshold():
    assert close_matches("hailo-8", ["amlogic-s805", "coral"]) == []  # scored 0.53: a wrong suggestion
    assert close_matches("nnapi", ["tnn", "ncnn"]) == []
    assert close_matches("jetson-nan", ["jetson-nano", "amlogic-s805"]) == ["jetson-nano"]
    assert "did you mean" not in _message(lambda: modelpick.best("zzqq"))


def test_a_backend_written_as_a_runtime_points_to_the_runtime_that_runs_it():
    with pytest.raises(UnknownName) as info:
        modelpick.best("pixel-4", runtime="nnapi")
    text = str(info.value)
    assert "tnn" not in info.value.close_matches and info.value.close_matches == ["tflite"]
    assert "nnapi is a delegate/backend, not a runtime: it runs under --runtime tflite" in text


def test_a_long_choice_list_shows_the_closest_and_how_to_list_the_rest():
    text = _message(lambda: modelpick.best("jetson-nan"))
    assert "did you mean jetson-nano" in text
    assert "names; list them with modelpick devices (modelpick.devices())" in text
    assert "amd-epyc-92-core" not in text  # the alphabetical head of the list is not printed
    short = _message(lambda: modelpick.best("pixel-4", runtime="tensorrrt"))
    assert "Valid choices: " in short and "tflite" in short  # a short list is printed in full


def test_devices_lists_what_device_resolves_to():
    resolved = modelpick.best("xeon").device
    listed = [d.id for d in modelpick.devices("xeon")]
    assert resolved in listed and "intel-xeon-phi-3120a" in listed
