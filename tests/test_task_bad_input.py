"""Bad task or metric names get a close match everywhere a user can write one (issue 18: ``task="detect"``, an
unknown metric): every library call that takes ``task=``, the CLI, the REST service, the client, and catalog files
(an architecture's ``task``, a checkpoint's ``metric``). On the SYNTHETIC fixture catalog tests/fixtures/detection.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import modelpick
from modelpick import InvalidQuery, load_catalog
from modelpick.cli import main
from modelpick.errors import CatalogError

DETECTION = Path(__file__).parent / "fixtures" / "detection.yaml"
DEVICE = "synth-board"


def _says_detection(text: str) -> None:
    assert "'detect'" in text and "did you mean detection" in text, text


@pytest.fixture(scope="module")
def det_catalog():
    return load_catalog(DETECTION, embedded=False, use_env=False)


LIBRARY = {
    "best": lambda c: c.best(DEVICE, task="detect"),
    "recommend": lambda c: c.recommend(DEVICE, task="detect"),
    "coverage": lambda c: c.coverage(DEVICE, task="detect"),
    "architectures": lambda c: c.architectures(task="detect"),
    "checkpoints": lambda c: c.checkpoints(task="detect"),
    "to_records": lambda c: c.to_records(DEVICE, task="detect"),
    "pareto": lambda c: modelpick.pareto(DEVICE, task="detect", catalog=c),
    "upper_bound": lambda c: modelpick.upper_bound(DEVICE, task="detect", catalog=c),
    "grid": lambda c: modelpick.grid(DEVICE, task="detect", catalog=c),
}


@pytest.mark.parametrize("call", sorted(LIBRARY))
def test_library_calls_name_detect_and_suggest_detection(det_catalog, call):
    with pytest.raises(InvalidQuery) as info:
        LIBRARY[call](det_catalog)
    assert info.value.param == "task" and info.value.value == "detect"
    assert info.value.close_matches[0] == "detection"
    _says_detection(str(info.value))


@pytest.mark.parametrize("argv", [["best", "--device", "jetson-orin-nx"], ["recommend", "--device", "jetson-orin-nx"],
                                  ["export", "--device", "jetson-orin-nx"]])  # the CLI commands that take --task
def test_cli_task_detect_is_an_error_with_the_close_match(capsys, argv):
    assert main([*argv, "--task", "detect"]) != 0
    _says_detection(capsys.readouterr().err)


@pytest.fixture(scope="module")
def det_client():
    from service import create_app

    return create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(DETECTION)]}).test_client()


@pytest.mark.parametrize("path", [f"/recommend?device={DEVICE}&task=detect", f"/pareto/{DEVICE}?task=detect",
                                  f"/bounds/{DEVICE}?task=detect", f"/grid/{DEVICE}?task=detect",
                                  "/models?task=detect"])
def test_rest_task_detect_is_a_400_with_the_close_match(det_client, path):
    resp = det_client.get(path)
    assert resp.status_code == 400, (path, resp.status_code)
    _says_detection(resp.get_data(as_text=True))


def test_client_raises_invalid_query_with_the_close_match():
    import requests

    from test_client import BASE, WSGIAdapter

    from service import create_app

    app = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(DETECTION)]})
    session = requests.Session()
    session.mount(BASE, WSGIAdapter(app))
    with modelpick.client.Client(BASE + "/", timeout=5, session=session) as api:
        with pytest.raises(InvalidQuery) as info:
            api.best(DEVICE, task="detect")
    assert info.value.param == "task"
    _says_detection(str(info.value))


@pytest.mark.parametrize("field,bad,hint", [("task", "detect", "detection"), ("metric", "coco-map", "coco-map50-95"),
                                            ("metric", "imagenet-top-1", "imagenet-top1")])
def test_catalog_files_name_a_bad_task_or_metric_and_the_close_match(tmp_path, field, bad, hint):
    doc = {"schema_version": 1,
           "sources": [{"id": "s", "title": "SYNTHETIC", "published": {"url": "https://example.invalid"}}],
           "architectures": [{"id": "det-x", "family": "det", "task": "detection", "input_size": 640}],
           "checkpoints": [{"id": "s/det-x", "architecture": "det-x", "source": "s", "metric": "coco-map50-95",
                            "score": 30.0, "input_size": 640}]}
    (doc["architectures"] if field == "task" else doc["checkpoints"])[0][field] = bad
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path, embedded=False, use_env=False)
    text = str(info.value)
    assert f"{bad!r}" in text and f"did you mean {hint}" in text, text
