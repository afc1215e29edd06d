"""The task registry (modelpick.tasks) and the schema side of the task dimension, on a SYNTHETIC fixture catalog."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from modelpick import InvalidQuery, load_catalog
from modelpick.catalog import accuracy_applies
from modelpick.schema import Architecture, Checkpoint, Source
from modelpick.tasks import Task, get_task, metric_task, register_task, task_ids, tasks

FIXTURES = Path(__file__).parent / "fixtures"
DETECTION = FIXTURES / "detection.yaml"


def test_registry_names_each_task_its_metric_label_and_dataset():
    cls, det = get_task("classification"), get_task("detection")
    assert (cls.metric, cls.label, cls.dataset, cls.score_field) == ("imagenet-top1", "top-1", "ImageNet-1k val", "top1")
    assert (det.metric, det.label, det.dataset, det.score_field) == ("coco-map50-95", "mAP50-95",
                                                                      "COCO val2017 (box)", "score")
    assert get_task() is cls and get_task(" Detection ") is det and get_task(det) is det
    assert [t.id for t in tasks()][:2] == ["classification", "detection"] and task_ids()[:2] == [t.id for t in tasks()[:2]]
    assert metric_task("coco-map50-95") is det


@pytest.mark.parametrize("name, hint", [("detect", "detection"), ("clasification", "classification")])
def test_unknown_task_names_the_value_a_close_match_and_the_choices(name, hint):
    with pytest.raises(InvalidQuery) as info:
        get_task(name)
    err = info.value
    assert err.param == "task" and err.value == name and err.close_matches[0] == hint
    assert {"classification", "detection"} <= set(err.choices)
    assert repr(name) in str(err) and f"did you mean {hint}" in str(err)


def test_unknown_metric_and_non_string_task():
    with pytest.raises(InvalidQuery) as info:
        metric_task("coco-map")
    assert info.value.param == "metric" and info.value.close_matches == ["coco-map50-95"]
    with pytest.raises(InvalidQuery, match="must be a task id"):
        get_task(3)  # type: ignore[arg-type]


def test_a_new_task_is_one_registry_entry(monkeypatch):
    import modelpick.tasks as reg

    monkeypatch.setattr(reg, "_TASKS", dict(reg._TASKS))
    seg = register_task(Task(id="segmentation", metric="ade20k-miou", label="mIoU", dataset="ADE20K val"))
    assert get_task("segmentation") is seg
    arch = Architecture(id="seg-x", family="seg", task="segmentation", input_size=512)
    ck = Checkpoint(id="s/seg-x", architecture="seg-x", source="s", metric="ade20k-miou", score=41.0, input_size=512)
    assert arch.task == "segmentation" and (ck.metric_id, ck.score_pct) == ("ade20k-miou", 41.0)
    with pytest.raises(ValueError, match="already registered"):
        register_task(seg)


def test_new_fields_are_left_out_of_dumps_at_their_default():
    src = Source(id="s", title="t", published={"url": "https://example.invalid"})
    assert "toolchain" not in src.model_dump() and "timing_includes" not in src.model_dump_json()
    assert src.toolchain_id == "s"
    assert Source(id="s", title="t", published={"url": "u"}, toolchain="vendor-npu").toolchain_id == "vendor-npu"
    arch = Architecture(id="a", family="a", input_size=224)
    assert "task" not in arch.model_dump() and "computed" not in arch.model_dump()
    ck = Checkpoint(id="c", architecture="a", source="s", top1=70.0, input_size=224)
    assert list(ck.model_dump()) == ["id", "architecture", "source", "top1", "top5", "input_size", "precision", "name"]
    assert (ck.metric_id, ck.score_pct) == ("imagenet-top1", 70.0)


def test_detection_checkpoint_gives_metric_and_score():
    ck = Checkpoint(id="u/yolo11n.pt:640", architecture="yolo11n", source="u", metric="coco-map50-95", score=39.5,
                    input_size=640)
    assert ck.top1 is None and (ck.metric_id, ck.score_pct) == ("coco-map50-95", 39.5)
    with pytest.raises(ValueError, match="top5 is given"):
        Checkpoint(id="c", architecture="a", source="s", metric="coco-map50-95", score=30, top5=40, input_size=640)
    with pytest.raises(ValueError, match=r"top5 \(60\) is below top1 \(70\)"):
        Checkpoint(id="c", architecture="a", source="s", top1=70, top5=60, input_size=224)
    with pytest.raises(ValueError, match="less than or equal to 100"):
        Checkpoint(id="c", architecture="a", source="s", metric="coco-map50-95", score=130, input_size=640)


def test_quantized_accuracy_pairs_by_toolchain_and_scheme():
    assert accuracy_applies("w8a8", "vendor-npu", "w8a8", "vendor-npu")
    assert accuracy_applies("int8", "vendor-npu", "w8a8", "vendor-npu")  # same 8-bit scheme
    assert not accuracy_applies("w8a8", "vendor-npu", "w8a8", "other")
    assert not accuracy_applies("w8a8", "vendor-npu", "w8a16", "vendor-npu")
    assert not accuracy_applies("w8a8", "vendor-npu", "w8a8", None)  # a predicted cell has no toolchain
    assert accuracy_applies("fp32", "a", "fp16", "b")


@pytest.fixture(scope="module")
def det_catalog():
    return load_catalog(DETECTION, embedded=False, use_env=False)


def test_synthetic_detection_fixture_is_labelled_and_loads(det_catalog):
    assert "SYNTHETIC" in DETECTION.read_text().splitlines()[0]
    cols, strings = det_catalog.columns, det_catalog._m.strings
    task = [strings["task"][t] for t in cols["task"]]
    assert task.count("classification") == 3 and task.count("detection") == 8
    for t, top1, score in zip(task, cols["top1"], cols["score"]):
        assert (score == top1) if t == "classification" else (math.isnan(top1) and 0 < score <= 100)
    assert det_catalog.architecture("det-n").computed == {"gmacs": "published GFLOPs / 2"}


def test_quantized_detector_pairs_with_its_toolchain_only(det_catalog):
    cols, s = det_catalog.columns, det_catalog._m.strings
    quant = [(s["source"][a], s["source"][lat]) for a, lat, p in
             zip(cols["accuracy_source"], cols["latency_source"], cols["precision"]) if s["precision"][p] == "w8a8"]
    # the vendor's accuracy page pairs with its own benchmark page (one toolchain), not with another source
    assert quant == [("synth-zoo", "synth-bench")]


def test_answers_stay_on_classifiers_until_queries_take_a_task(det_catalog):
    rec = det_catalog.best("synth-board")
    assert rec.architecture == "cls-large" and rec.top1 == 80.0
    assert {r.architecture for r in det_catalog.recommend("synth-board")} == {"cls-small", "cls-large"}
