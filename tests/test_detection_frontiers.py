"""Detection through the frontiers: plots, bounds, Pareto front, grid and the weights-only memory floor, via the
library, the CLI and REST, on the SYNTHETIC detection fixture; classification plots keep every label they had."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelpick
from modelpick import InvalidQuery, bounds, cli, plot
from modelpick.cli import frontiers as cli_frontiers
from test_plot import figure_text_list  # the same figure-text walk the classification plot tests use

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DETECTION = FIXTURES / "detection.yaml"
AXIS = "COCO val2017 box mAP50-95 (%)"


@pytest.fixture(scope="module")
def det():
    return modelpick.load_catalog(DETECTION, embedded=False, use_env=False)


@pytest.fixture(scope="module")
def fx():
    return modelpick.load_catalog(FIXTURES / "frontiers.yaml", embedded=False, use_env=False)


def _texts(fig, keep_footer: bool = True) -> list[str]:
    return [t for t in figure_text_list(fig) if t and (keep_footer or "catalog 1-" not in t)]


# -- library: plots ---------------------------------------------------------------------------------------------


def test_detection_accuracy_fps_names_the_metric_and_labels_computed_lines(det):
    fig = plot.accuracy_fps("synth-board", task="detection", min_fps=60, min_score=40, catalog=det)
    text = "\n".join(_texts(fig))
    assert fig.axes[0].get_ylabel() == AXIS
    assert fig.axes[0].get_title().startswith("COCO mAP50-95 vs throughput on Synthetic Board (5 checkpoints")
    assert "fitted upper bound (computed, LP): mAP50-95 = 52.7 - 0.036 * fps" in text
    assert "Pareto front on mAP50-95 / FPS / memory (4, computed)" in text
    assert "recommendation for min_fps=60, min_score=40: synth/det-s.pt:640 (47.00%, 71.4 FPS)" in text
    assert "min_score = 40% mAP50-95" in text
    assert "top-1" not in text.lower() and "ImageNet" not in text
    assert "Numbers: synth" in text and "Computed by modelpick" in text


def test_detection_flops_and_density_plot_detectors_only(det):
    text = "\n".join(_texts(plot.accuracy_flops(None, task="detection", catalog=det)))
    assert AXIS in text and "COCO mAP50-95 vs computational cost" in text and "(3 models)" in text
    assert "synth/det-m.pt:640" in text and "cls-" not in text
    text = "\n".join(_texts(plot.density("synth-board", task="detection", catalog=det)))
    assert "accuracy density: mAP50-95 (%) per million parameters (computed)" in text
    assert "accuracy density = mAP50-95 / params_m" in text and "cls-" not in text
    # the default stays on classifiers, also where the catalog holds detectors (this used to raise TypeError)
    text = "\n".join(_texts(plot.accuracy_flops(None, catalog=det)))
    assert "ImageNet-1k top-1 accuracy (%)" in text and "(2 models)" in text and "det-" not in text
    svg = plot.render("accuracy-fps", "synth-board", "svg", task="detection", catalog=det)
    assert b"<svg" in svg[:2000] and AXIS.encode() in svg  # matplotlib writes each text as a comment too


def test_unknown_task_in_a_plot_names_the_close_match(det):
    with pytest.raises(InvalidQuery, match="did you mean detection"):
        plot.figure("accuracy-fps", "synth-board", task="detect", catalog=det)


# Every label of the default (classification) figures as main drew them before plots took task= (footer left out:
# it carries the catalog version, which moves with any catalog code).
CLASSIFICATION_LABELS = {
    "accuracy-fps": [
        "throughput, FPS (images/s, log scale) on mem-dev \u2014 batch 1, runtime onnxruntime/pytorch, precision fp32",
        "ImageNet-1k top-1 accuracy (%)",
        "Top-1 accuracy vs throughput on Memory Device (7 checkpoints, one point each at its fastest cell)",
        "n100.a", "n1.a", "candidate, memory measured", "candidate, memory unknown",
        "fitted upper bound (computed, LP): top1 = 84.21 - 0.008421 * fps",
        "Pareto front on top-1 / FPS / memory (2, computed)",
        "recommendation for max_mem_gb=1, min_fps=100, min_top1=70: n1.a (80.00%, 500.0 FPS)",
        "min_fps = 100", "min_top1 = 70%"],
    "accuracy-flops": [
        "GFLOPs per image (= 2 \u00d7 GMACs as stated by the source, log scale)", "ImageNet-1k top-1 accuracy (%)",
        "Top-1 accuracy vs computational cost \u2014 device-independent; one point per architecture at its own "
        "input size\nball area \u221d parameters (7 models)",
        "n100.a", "n1.a", "n5.a", "n30.a", "n50.a", "n10.a", "n25.a", "5 M parameters", "25 M parameters",
        "100 M parameters"],
    "density": [
        "accuracy density: top-1 (%) per million parameters (computed)",
        "Accuracy density, 7 densest of 7 models on mem-dev (batch 1, runtime any, precision any)",
        " 76.29", " 14.88", " 6.68", " 2.38", " 2.29", " 1.39", " 0.80"],
}


@pytest.mark.parametrize("kind,device,kwargs", [
    ("accuracy-fps", "mem-dev", {"min_fps": 100, "max_mem_gb": 1.0, "min_top1": 70}),
    ("accuracy-flops", None, {}),
    ("density", "mem-dev", {}),
])
def test_classification_figures_keep_their_labels(fx, kind, device, kwargs):
    assert _texts(plot.figure(kind, device, catalog=fx, **kwargs), keep_footer=False) == CLASSIFICATION_LABELS[kind]
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "modelpick-test"}):  # SVG ids are random per render without it
        explicit = plot.render(kind, device, "svg", catalog=fx, task="classification", **kwargs)
        default = plot.render(kind, device, "svg", catalog=fx, **kwargs)
    assert explicit == default


# -- library: bounds, front, grid, efficiency, memory floor ----------------------------------------------------


def test_detection_bound_front_grid_and_efficiency(det, fx):
    ub = bounds.upper_bound("synth-board", task="detection", catalog=det)
    assert ub.equation == "mAP50-95 = 52.7 - 0.036 * fps" and ub.n_points == 5 and ub.computed
    assert ub.to_dict()["selection"]["metric"] == "coco-map50-95"
    assert bounds.upper_bound("lin-dev", catalog=fx).equation == "top1 = 86 - 0.4 * fps"
    front = bounds.pareto("synth-board", task="detection", catalog=det)
    assert [p.checkpoint for p in front.points][:2] == ["synth/det-m.pt:640", "synth/det-s.pt:640"]
    assert all(p.task == "detection" and p.top1 is None for p in front.points)
    g = bounds.grid("synth-board", (0.5, 1.0), (30, 60), task="detection", catalog=det)
    assert [c.best.checkpoint if c.best else None for c in g.cells] == [None, None, "synth/det-s.pt:640",
                                                                        "synth/det-s.pt:640"]
    assert "the smallest model needs 0.59 GB (synth/det-s.pt:640)" in g.cells[0].reason  # only det-s: 600 MB measured
    eff = bounds.efficiency("synth-board", task="detection", catalog=det)
    assert [(e.checkpoint, e.top1) for e in eff][:2] == [("synth/det-m.pt:640", 51.5), ("synth/det-s.pt:640", 47.0)]
    assert eff[1].top1_per_m_params == pytest.approx(47.0 / 9.4)


def test_detector_without_activations_names_its_weights_only_lower_bound(det):
    rec = det.best("synth-board", task="detection", min_fps=300)  # det-n at 320 px, fp16, memory not measured
    assert rec.checkpoint == "synth/det-n.pt:320"
    assert rec.memory_mb is None and not rec.memory_estimated
    assert rec.memory_method == ("not estimated (no activation count for detectors); at least 5 MB: weights alone "
                                 "(2.6 M params x 2 B at fp16), a computed lower bound that leaves out activations, "
                                 "runtime and buffers")
    # a lower bound never makes a model feasible under a memory limit
    with pytest.raises(modelpick.NoFeasibleModel):
        det.best("synth-board", task="detection", min_fps=300, max_mem_gb=0.5)
    # classification answers keep their text
    assert det.best("synth-board").memory_method == "not estimated (missing activations_m)"


def test_weights_floor_sizes_unstated_widths_at_the_narrowest():
    from modelpick.catalog._memory_floor import floor_method, weights_floor_mb
    from modelpick.tasks import get_task

    assert weights_floor_mb(9.4, "fp32") == pytest.approx(9.4e6 * 4 / 2**20)
    assert weights_floor_mb(9.4, "auto") == pytest.approx(9.4e6 / 2**20)
    assert "1 B: auto states no width, sized at the narrowest" in floor_method(9.4, "auto", get_task("detection"))
    assert floor_method(9.4, "fp32", get_task("classification")) is None
    assert floor_method(None, "fp32", get_task("detection")) is None


# -- CLI ----------------------------------------------------------------------------------------------------------


@pytest.fixture()
def cli_det(monkeypatch, det):
    monkeypatch.setattr(cli_frontiers, "catalog_from_args", lambda args: det)
    return det


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_bound_pareto_grid_take_task(capsys, cli_det):
    code, out, _ = run(capsys, "bound", "--task", "detection", "-d", "synth-board", "--fps", "50")
    assert code == 0 and "upper bound of mAP50-95 vs FPS on synth-board, detection runtime any" in out
    assert "mAP50-95 = 52.7 - 0.036 * fps" in out and "the bound allows mAP50-95 <= 50.90% [computed]" in out
    code, out, _ = run(capsys, "pareto", "--task", "detection", "-d", "synth-board")
    assert code == 0 and "Pareto front on (mAP50-95 up, FPS up, memory down)" in out
    assert "mAP50-95 %" in out and "mAP50-95/Mparam" in out
    assert [line.split()[:2] for line in out.splitlines()[2:3]] == [["synth/det-m.pt:640", "51.50"]]
    code, out, _ = run(capsys, "pareto", "--task", "detection", "-d", "synth-board", "--json")
    d = json.loads(out)
    assert d["selection"]["task"] == "detection" and d["points"][0]["efficiency"]["top1_per_m_params"] == \
        pytest.approx(51.5 / 20.1)
    code, out, _ = run(capsys, "grid", "--task", "detection", "-d", "synth-board", "--mem-levels", "1",
                       "--fps-levels", "30")
    assert code == 0 and "synth/det-s.pt:640 47.00% 71FPS 600MB" in out
    code, out, err = run(capsys, "bound", "--task", "detect", "-d", "synth-board")
    assert code != 0 and "did you mean detection" in err


def test_cli_plot_detection(capsys, cli_det, tmp_path):
    out_file = tmp_path / "det.svg"
    code, out, _ = run(capsys, "plot", "accuracy-fps", "--task", "detection", "-d", "synth-board", "--min-score", "40",
                       "-o", str(out_file), "--json")
    assert code == 0 and json.loads(out)["task"] == "detection"
    svg = out_file.read_bytes()
    assert AXIS.encode() in svg and b"min_score = 40% mAP50-95" in svg
    code, _, err = run(capsys, "plot", "memory-params", "--task", "detection", "-d", "synth-board",
                       "-o", str(tmp_path / "m.svg"))
    # memory-params takes the task now; synth-board has one measured memory point, too few for a fit
    assert code != 0 and "every task together" not in err and "memory fit" in err
    code, _, err = run(capsys, "plot", "density", "--task", "detection", "-d", "synth-board", "--min-score", "40",
                       "-o", str(tmp_path / "d.svg"))
    assert code != 0 and "accuracy-fps plot only" in err


# -- REST ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    from service import create_app

    return create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(DETECTION)]}).test_client()


def test_rest_plots_take_task(client):
    r = client.get("/plot/accuracy-fps.svg?device=synth-board&task=detection&min_fps=60&min_score=40")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and AXIS.encode() in r.data
    assert b"recommendation for min_fps=60, min_score=40: synth/det-s.pt:640" in r.data
    default = client.get("/plot/accuracy-fps.svg?device=synth-board")
    assert default.status_code == 200 and b"ImageNet-1k top-1 accuracy (%)" in default.data
    assert r.headers["ETag"] != default.headers["ETag"]
    r = client.get("/plot/accuracy-flops.svg?task=detection")
    assert r.status_code == 200 and AXIS.encode() in r.data and b"cls-large" not in r.data
    r = client.get("/plot/density.svg?device=synth-board&task=detection")
    assert r.status_code == 200 and b"accuracy density: mAP50-95" in r.data
    r = client.get("/plot/accuracy-fps.svg?device=synth-board&task=detect")
    assert r.status_code == 400 and "did you mean detection" in r.get_data(as_text=True)
    r = client.get("/plot/memory-params.svg?device=synth-board&task=detection")  # takes task; 1 point: no fit
    assert r.status_code == 422 and "every task together" not in r.get_data(as_text=True)
    doc = client.get("/openapi.json").get_json()
    names = lambda path: [p["name"] for p in doc["paths"][path]["get"]["parameters"]]
    assert "task" in names("/plot/accuracy-fps.svg") and "min_score" in names("/plot/accuracy-fps.svg")
    assert "task" in names("/plot/memory-params.svg")


def test_rest_bounds_pareto_grid_detection(client):
    from service.frontiers import BoundResponse, GridResponse, ParetoResponse

    d = client.get("/bounds/synth-board?task=detection&fps=50").get_json()
    assert d["equation"] == "mAP50-95 = 52.7 - 0.036 * fps" and d["selection"]["metric"] == "coco-map50-95"
    BoundResponse.model_validate(d)  # the documented envelope (extra fields forbidden) holds task and metric
    d = client.get("/pareto/synth-board?task=detection").get_json()
    assert d["points"][0]["checkpoint"] == "synth/det-m.pt:640" and d["points"][0]["metric"] == "coco-map50-95"
    ParetoResponse.model_validate(d)
    d = client.get("/grid/synth-board?task=detection&mem_levels_gb=1&fps_levels=30").get_json()
    assert d["cells"][0]["best"]["checkpoint"] == "synth/det-s.pt:640"
    GridResponse.model_validate(d)


# -- memory vs parameters (Bianco Fig. 4) takes task= (issue 18) ------------------------------------------------

MEMORY = FIXTURES / "detection_memory.yaml"  # SYNTHETIC: classifiers and detectors measured in one group


@pytest.fixture(scope="module")
def mem():
    return modelpick.load_catalog(MEMORY, embedded=False, use_env=False)


def test_memory_params_draws_the_tasks_models_against_the_groups_fit(mem):
    fig = plot.memory_params("mem-board", task="detection", catalog=mem)  # pytorch: the one group with detectors
    text = _texts(fig)
    assert fig.axes[0].get_ylabel() == "memory (MB), measured — detectors (COCO mAP50-95)"
    assert fig.axes[0].get_title().startswith("Memory vs model size on Memory Board, detectors (task detection)")
    assert "measured, detectors (2 architectures)" in text
    assert "measured, other tasks' models in the same fit (3 architectures)" in text
    assert "estimated, not measured (1 architectures; computed)" in text  # d30, a detector; no classifier estimated
    assert ("least-squares fit (computed over all 5 measured architectures, every task): 1.100 × weights + 900 MB, "
            "R² 1.00; used for estimates") in text
    assert {"d25", "d50"} <= set(text) and not {"c1", "c5", "c10"} & set(text)
    assert any("Computed by modelpick (not measured): least-squares fit (over every task's measured memory); "
               "hollow points (memory estimate)" in t for t in text)
    cls = _texts(plot.memory_params("mem-board", runtime="pytorch", catalog=mem))  # default: classification
    assert "memory (MB), measured — classifiers (Top-1 accuracy)" in cls and "measured, classifiers (3 architectures)" in cls
    assert not any(t.startswith("estimated, not measured") for t in cls) and "d25" not in cls


def test_memory_params_task_chooses_the_group_and_names_the_missing_one(mem):
    with pytest.raises(InvalidQuery, match="several runtimes; choose one"):  # classifiers are in both groups
        plot.memory_params("mem-board", catalog=mem)
    with pytest.raises(modelpick.NoFeasibleModel, match=r"no measured memory of a detector \(task detection\).*"
                       r"detectors' measured memory exists for \(runtime/precision/batch\): pytorch/fp32/batch 1"):
        plot.memory_params("mem-board", task="detection", runtime="onnxruntime", catalog=mem)
    with pytest.raises(InvalidQuery, match="did you mean detection"):
        plot.memory_params("mem-board", task="detect", catalog=mem)
    # the memory model itself is unchanged without task (its fit is every task's)
    assert bounds.memory_model("mem-board", runtime="pytorch", catalog=mem).n_points == 5


def test_memory_params_task_in_the_cli_and_rest(capsys, monkeypatch, mem, tmp_path):
    monkeypatch.setattr(cli_frontiers, "catalog_from_args", lambda args: mem)
    out_file = tmp_path / "mem.svg"
    code, out, _ = run(capsys, "plot", "memory-params", "--task", "detection", "-d", "mem-board", "-o", str(out_file),
                       "--json")
    assert code == 0 and json.loads(out)["task"] == "detection"
    assert b"detectors (COCO mAP50-95)" in out_file.read_bytes()
    from service import create_app

    client = create_app({"MODELPICK_EMBEDDED": False, "MODELPICK_DATA": [str(MEMORY)]}).test_client()
    r = client.get("/plot/memory-params.svg?device=mem-board&task=detection")
    assert r.status_code == 200 and b"detectors (COCO mAP50-95)" in r.data and b"measured, detectors (2" in r.data
    c = client.get("/plot/memory-params.svg?device=mem-board&runtime=pytorch")
    assert c.status_code == 200 and b"classifiers (Top-1 accuracy)" in c.data and r.headers["ETag"] != c.headers["ETag"]
