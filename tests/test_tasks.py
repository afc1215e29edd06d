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


# -- the task dimension in answers ------------------------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from modelpick import NoFeasibleModel  # noqa: E402


def test_detection_answers_carry_task_metric_and_score(det_catalog):
    rec = det_catalog.best("synth-board", task="detection", min_fps=60)
    assert (rec.task, rec.metric, rec.checkpoint, rec.score, rec.top1) == (
        "detection", "coco-map50-95", "synth/det-s.pt:640", 47.0, None)
    assert rec.why[0].startswith("highest mAP50-95 of 4 feasible checkpoint(s)")
    assert "5 measured detection candidates" in rec.why[-1]
    cls = det_catalog.best("synth-board")
    assert (cls.task, cls.metric, cls.score, cls.top1) == ("classification", "imagenet-top1", 80.0, 80.0)


def test_min_top1_with_detection_names_min_score(det_catalog):
    with pytest.raises(InvalidQuery, match="use min_score") as info:
        det_catalog.best("synth-board", task="detection", min_top1=40)
    assert info.value.param == "min_top1"
    with pytest.raises(InvalidQuery, match="did you mean detection"):
        det_catalog.best("synth-board", task="detect")


def test_detection_diagnosis_names_the_metric(det_catalog):
    with pytest.raises(NoFeasibleModel) as info:
        det_catalog.best("synth-board", task="detection", min_score=60)
    assert "51.50% mAP50-95" in str(info.value) and "lower min_score to 51.5" in str(info.value)
    assert info.value.diagnosis["query"]["task"] == "detection"
    assert info.value.diagnosis["suggestions"][0]["score"] == 51.5


def test_lists_and_coverage_are_per_task(det_catalog):
    assert [a.id for a in det_catalog.architectures()] == ["cls-large", "cls-small"]
    assert [a.id for a in det_catalog.architectures(task="detection")] == ["det-m", "det-n", "det-s"]
    assert {c.architecture for c in det_catalog.checkpoints(architecture="det-n")} == {"det-n"}
    assert len(det_catalog.checkpoints(task="detection")) == 5
    assert det_catalog.coverage("synth-gpu").candidates == 1
    assert det_catalog.coverage("synth-gpu", task="detection").candidates == 3
    assert {r["task"] for r in det_catalog.to_records(task=None)} == {"classification", "detection"}


@settings(max_examples=150, deadline=None)
@given(device=st.sampled_from(["synth-board", "synth-gpu"]),
       min_fps=st.none() | st.floats(1, 400), max_latency_ms=st.none() | st.floats(1, 40),
       min_score=st.none() | st.floats(0, 60), max_mem_gb=st.none() | st.floats(0.1, 4),
       batch_size=st.sampled_from([1, 8, None]))
def test_detection_best_matches_brute_force_over_records(det_catalog, device, min_fps, max_latency_ms, min_score,
                                                         max_mem_gb, batch_size):
    def ok(r):
        return ((batch_size is None or r["batch_size"] == batch_size)
                and (min_fps is None or r["fps"] >= min_fps)
                and (max_latency_ms is None or r["latency_ms"] <= max_latency_ms)
                and (min_score is None or r["score"] >= min_score)
                and (max_mem_gb is None or (r["memory_mb"] is not None and r["memory_mb"] <= max_mem_gb * 1024)))

    feasible = [r for r in det_catalog.to_records(device, task="detection") if ok(r)]
    kwargs = dict(task="detection", min_fps=min_fps, max_latency_ms=max_latency_ms, min_score=min_score,
                  max_mem_gb=max_mem_gb, batch_size=batch_size)
    if not feasible:
        with pytest.raises(NoFeasibleModel):
            det_catalog.best(device, **kwargs)
        return
    rec = det_catalog.best(device, **kwargs)
    assert rec.task == "detection" and rec.score == max(r["score"] for r in feasible)
    ranked = det_catalog.recommend(device, limit=50, per_architecture=False, **kwargs)
    assert {r.checkpoint for r in ranked} == {r["checkpoint"] for r in feasible}


@pytest.fixture(scope="module")
def det_client():
    from service import create_app

    return create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(DETECTION)]}).test_client()


def test_rest_task_and_min_score(det_client):
    resp = det_client.get("/recommend?device=synth-board&task=detection&min_score=40&limit=5")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    rows = [body["best"], *body["alternatives"]]
    assert body["query"]["task"] == "detection" and body["coverage"]["task"] == "detection"
    assert rows and all(r["task"] == "detection" and r["metric"] == "coco-map50-95" and r["score"] >= 40
                        for r in rows)
    bad = det_client.get("/recommend?device=synth-board&task=detect")
    assert bad.status_code == 400 and "did you mean detection" in bad.get_data(as_text=True)
    wrong = det_client.get("/recommend?device=synth-board&task=detection&min_top1=40")
    assert wrong.status_code == 400 and "min_score" in wrong.get_data(as_text=True)
    params = {p["name"] for op in det_client.get("/openapi.json").get_json()["paths"]["/recommend"].values()
              for p in op.get("parameters", [])}
    assert {"task", "min_score"} <= params
