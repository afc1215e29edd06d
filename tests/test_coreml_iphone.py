"""Issue 19, iPhone row: Core ML latencies from the MobileOne, FastViT, EfficientFormer and RepViT READMEs
(sources/coreml_iphone/, adapters/coreml_iphone.py), the adapter's rows checked cell by cell against the committed
extract, and 20 seeded-random answers on the iPhones traced to their raw rows."""

from __future__ import annotations

import csv
import os
import random
import re
import sys
from pathlib import Path

import pytest
import yaml

from modelpick._coverage import fast_runtime
from modelpick._families import family_table
from modelpick.catalog import QUANTIZED_PRECISIONS as QUANTIZED
from modelpick.errors import NoFeasibleModel

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.build_catalog.adapters import coreml_iphone  # noqa: E402
from scripts.build_catalog.adapters.coreml_iphone import SAME_WEIGHTS, SOURCES, CoremlIphoneAdapter  # noqa: E402
from scripts.build_catalog.context import BuildContext  # noqa: E402

EXTRACT = REPO / "sources" / "coreml_iphone" / "coreml_iphone.csv"
RAW = list(csv.DictReader(open(EXTRACT, newline="", encoding="utf-8")))
REPO_OF = {spec["id"]: repo for repo, spec in SOURCES.items()}
ALIASES = {sid: yaml.safe_load((REPO / "data" / "aliases.yaml").read_text(encoding="utf-8"))["sources"][sid]
           for sid in REPO_OF}
IPHONES = ("iphone-12", "iphone-12-pro")


def _figures(cell: str) -> list[float]:
    return [float(x) for x in re.findall(r"[0-9]+(?:\.[0-9]+)?", cell)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The adapter alone on the real extract, alias table and device map, after stand-ins for the timm checkpoints
    it links to (the timm adapter runs first in a real build)."""
    ctx = BuildContext(tmp_path_factory.mktemp("shared"), tmp_path_factory.mktemp("seeds"), REPO / "data")
    for target in sorted(set(SAME_WEIGHTS.values())):
        arch = target.removeprefix("timm/").split(".")[0]
        size = 256 if arch.startswith("fastvit") else 224
        ctx.add_checkpoint({"id": target, "architecture": arch, "source": "timm-results-imagenet", "top1": 1.0,
                            "input_size": size, "precision": "fp32", "name": target.removeprefix("timm/")})
    CoremlIphoneAdapter(ctx).build()
    return ctx


def test_every_table_row_gives_its_latency_once_per_architecture(built):
    ms = built.measurements
    assert len(RAW) == 31 and len(ms) == 24  # FastViT's distilled table repeats its 7 latencies
    assert {(m["runtime"], m["precision"], m["batch_size"]) for m in ms} == {("coreml", "float", 1)}
    by_source = {sid: sorted(m["device"] for m in ms if m["source"] == sid) for sid in REPO_OF}
    assert by_source == {"apple-ml-mobileone": ["iphone-12-pro"] * 5, "apple-ml-fastvit": ["iphone-12-pro"] * 7,
                         "snap-efficientformer": ["iphone-12"] * 7, "thu-mig-repvit": ["iphone-12"] * 5}
    for m in ms:  # the latency is the README's cell, the input size the source's
        cells = {r["latency"] for r in RAW if r["repo"] == REPO_OF[m["source"]] and r["model"] == m["name"]}
        assert len(cells) == 1 and m["latency_ms"] == _figures(cells.pop())[0]
        assert m["input_size"] == (256 if m["source"] == "apple-ml-fastvit" else 224)
    # the compute units where the source shows them; EfficientFormer's README does not
    assert {m["source"]: m["settings"].get("backend") for m in ms} == {
        "apple-ml-mobileone": "cpu+gpu+ane", "apple-ml-fastvit": "cpu+gpu+ane", "thu-mig-repvit": "cpu+gpu+ane",
        "snap-efficientformer": None}


def test_every_top1_figure_is_a_checkpoint_but_the_unreleased_runs(built):
    ours = {cid: c for cid, c in built.checkpoints.items() if c["source"] in REPO_OF}
    figures = sum(len(_figures(r["top1"])) for r in RAW)
    assert len(ours) == figures - 4 == 37  # EfficientFormerV2's four 300-epoch figures have no released weights
    assert built.exclusions["snap-efficientformer"] == {coreml_iphone.NO_WEIGHTS_300E_V2: 4}
    for c in ours.values():
        assert c["precision"] == "fp32"
        model = c["id"].split("/", 1)[1].split(":")[0]
        cells = [r for r in RAW if r["repo"] == REPO_OF[c["source"]] and r["model"] == model]
        assert any(c["top1"] in _figures(r["top1"]) for r in cells), c
    # two runs in one cell: the header (300/450) or the checkpoint column (L1-300 / L1-1000) says which is which
    assert ours["repvit/M0.9:300e"]["top1"] == 78.7 and ours["repvit/M0.9:450e"]["top1"] == 79.1
    assert ours["efficientformer/EfficientFormer-L1:300e"]["top1"] == 79.2
    assert ours["efficientformer/EfficientFormer-L1:1000e"]["top1"] == 80.2
    assert ours["ml-fastvit/FastViT-T8:distilled"]["top1"] == 77.2 and ours["ml-fastvit/FastViT-T8"]["top1"] == 76.2
    # same weights as timm's copy where timm names the repository as its origin; L1-300 has no timm copy
    assert ours["ml-mobileone/MobileOne-S0"]["same_weights_as"] == "timm/mobileone_s0.apple_in1k"
    assert ours["efficientformer/EfficientFormer-L1:1000e"]["same_weights_as"] == "timm/efficientformer_l1.snap_dist_in1k"
    assert "same_weights_as" not in ours["efficientformer/EfficientFormer-L1:300e"]


def test_a_link_to_a_timm_checkpoint_missing_from_the_build_stops_it(tmp_path):
    ctx = BuildContext(tmp_path, tmp_path, REPO / "data")
    with pytest.raises(SystemExit, match="timm/mobileone_s0.apple_in1k"):
        CoremlIphoneAdapter(ctx).build()


@pytest.mark.parametrize("cell,ms", [("1.6ms", 1.6), ("0.79", 0.79), ("7.0ms", 7.0)])
def test_latency_cells_parse_as_published(cell, ms):
    assert coreml_iphone.latency_ms(cell) == ms


def test_a_latency_cell_that_is_not_a_number_of_ms_stops_the_build():
    with pytest.raises(SystemExit, match="~0.6ms"):
        coreml_iphone.latency_ms("~0.6ms")


# ---- the shipped catalog


def test_the_iphone_family_row_answers_from_core_ml(full_catalog):
    row, = [r for r in family_table(full_catalog) if r["family"] == "iPhone"]
    assert row["device"] == "iphone-12" and row["fast_runtime_measured"] is True
    assert row["answer"]["runtime"] == "coreml"
    rec = full_catalog.best("iphone", min_fps=30)
    assert (rec.device, rec.runtime) == ("iphone-12", "coreml")
    assert full_catalog.coverage("iphone-12").missing == []
    assert full_catalog.coverage("iphone-12-pro").missing == []


def test_the_iphone_xs_still_says_core_ml_was_never_measured_there(full_catalog):
    cov = full_catalog.coverage("iphone-xs")
    assert fast_runtime(full_catalog.device("iphone-xs")).id == "coreml-iphone"
    assert len(cov.missing) == 1 and cov.missing[0].startswith("Core ML, the usual fast runtime on iPhones")
    assert full_catalog.best("iphone-xs", min_fps=30).runtime == "tflite"


def _shared_timm_results() -> dict[tuple[str, int], float]:
    """timm's own top-1 per (model, image size), from the shared results-imagenet.csv ({} where it is absent)."""
    env = os.environ.get("MODELPICK_SOURCES")
    path = (Path(env) if env else REPO.parent / "shared" / "sources") / "timm" / "results-imagenet.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {(r["model"], int(r["img_size"])): float(r["top1"]) for r in csv.DictReader(fh)}


def queries(n: int = 20):
    """(device, query, pick): a seeded-random limit or objective on one of the iPhones, and which of its ranked
    answers (every checkpoint, not one per architecture) to trace, so lower ranks are sampled too."""
    rnd = random.Random(1912)  # fixed seed: the same 20 queries every run
    out = []
    for i in range(n):
        kind = rnd.choice(["min_fps", "max_latency_ms", "objective", "min_top1"])
        q: dict = {}
        if kind == "min_fps":
            q["min_fps"] = rnd.choice([30, 100, 300, 600, 1000])
        elif kind == "max_latency_ms":
            q["max_latency_ms"] = rnd.choice([1, 1.5, 2, 3, 5])
        elif kind == "objective":
            q["objective"] = rnd.choice(["fps", "top1"])
        else:
            q["min_top1"] = rnd.choice([72, 76, 80, 82, 84])
        out.append((IPHONES[i % 2], q, rnd.random()))
    return out


def answer(catalog, device, query, pick):
    ranked = catalog.recommend(device, **query, limit=50, per_architecture=False)
    if not ranked:
        raise NoFeasibleModel(f"nothing on {device} for {query}")
    return ranked[int(pick * len(ranked))]


@pytest.mark.parametrize("device,query,pick", queries())
def test_answer_traces_to_its_raw_row(full_catalog, device, query, pick):
    try:
        r = answer(full_catalog, device, query, pick)
    except NoFeasibleModel:
        pytest.skip("nothing feasible for this random query")  # the count below checks enough answered
    assert r.runtime == "coreml" and r.sources["latency"] in REPO_OF
    repo = REPO_OF[r.sources["latency"]]
    # the latency: the README's cell of the answer's architecture
    names = {name for name, arch in ALIASES[r.sources["latency"]].items() if arch == r.architecture}
    cells = {r2["latency"] for r2 in RAW if r2["repo"] == repo and r2["model"] in names}
    assert len(cells) == 1 and r.latency_ms == _figures(cells.pop())[0]
    # the accuracy: a float checkpoint of the same architecture and input size (the catalog's join), traced to
    # its own raw row: this README's figure; timm's evaluation of the same weights, whose README checkpoint (named
    # in also_named) is a figure of the same row; or another source's float checkpoint (Hailo's pretrained model)
    ck = full_catalog.checkpoint(r.checkpoint)
    assert ck.precision not in QUANTIZED and (ck.architecture, ck.input_size) == (r.architecture, r.input_size)
    ours = [n for n in [r.checkpoint, *r.also_named] if n.split("/", 1)[0] == SOURCES[repo]["org"]]
    row_figures = [f for name in ours for r2 in RAW if r2["repo"] == repo
                   and r2["model"] == name.split("/", 1)[1].split(":")[0] for f in _figures(r2["top1"])]
    if r.sources["accuracy"] in REPO_OF:
        assert r.top1 in row_figures
    elif r.sources["accuracy"] == "timm-results-imagenet":
        readme = full_catalog.checkpoint(ours[0]).top1
        assert readme in row_figures and abs(readme - r.top1) <= 0.25
        timm = _shared_timm_results()
        if timm:
            assert r.top1 == timm[(r.checkpoint.removeprefix("timm/"), r.input_size)]
    else:
        assert r.sources["accuracy"].startswith("hailo-model-zoo-") and r.checkpoint.startswith("hailo/"), r
        hailo = [float(h["float_accuracy"]) for h in csv.DictReader(open(
            REPO / "sources" / "hailo_model_zoo" / "classification.csv", newline="", encoding="utf-8"))
            if h["network"] == r.checkpoint.removeprefix("hailo/") and h["float_accuracy"]]
        assert hailo and r.top1 == hailo[0]


def test_most_random_queries_answer(full_catalog):
    answered = 0
    for device, query, pick in queries():
        try:
            answer(full_catalog, device, query, pick)
            answered += 1
        except NoFeasibleModel:
            pass
    assert answered >= 15


# ---- CoreML Model Zoo: the three compute-unit settings on iPhone 11 Pro, two on iPhone 7

from scripts.build_catalog.adapters import coreml_model_zoo  # noqa: E402
from scripts.build_catalog.adapters.coreml_model_zoo import CoremlModelZooAdapter  # noqa: E402

ZOO = list(csv.DictReader(open(REPO / "sources" / "coreml_model_zoo" / "coreml_model_zoo.csv", newline="",
                               encoding="utf-8")))
ZOO_ALIASES = yaml.safe_load((REPO / "data" / "aliases.yaml").read_text(encoding="utf-8"))["sources"]["coreml-model-zoo"]
ZOO_DEVICES = {"iPhone 11 Pro": "iphone-11-pro", "iPhone 7": "iphone-7"}


@pytest.fixture(scope="module")
def zoo_built(tmp_path_factory):
    ctx = BuildContext(tmp_path_factory.mktemp("shared"), tmp_path_factory.mktemp("seeds"), REPO / "data")
    for target in sorted(set(coreml_model_zoo.SAME_WEIGHTS.values())):
        ctx.add_checkpoint({"id": target, "architecture": "stand-in", "source": "stand-in", "top1": 1.0,
                            "input_size": 224, "precision": "fp32"})
    CoremlModelZooAdapter(ctx).build()
    return ctx


def test_zoo_every_numeric_latency_cell_of_a_mapped_model_is_one_row_with_its_compute_units(zoo_built):
    by_key = {(m["name"], m["device"], m["settings"]["backend"]): m for m in zoo_built.measurements}
    expected = 0
    for r in ZOO:
        arch = ZOO_ALIASES[r["mlmodel"]]
        arch = arch if isinstance(arch, str) else arch["arch"]
        for column, device_text, units, backend in coreml_model_zoo.COLUMNS:
            key = (r["mlmodel"], ZOO_DEVICES[device_text], backend)
            if arch is None or r[column] in ("", "-"):
                assert key not in by_key
                continue
            expected += 1
            m = by_key[key]
            assert (m["architecture"], m["input_size"], m["latency_ms"]) == (arch, int(r["input_px"]), float(r[column]))
            assert (m["runtime"], m["precision"], m["batch_size"], m["settings"]["compute_units"]) == (
                "coreml", "float", 1, units)
    assert expected == len(zoo_built.measurements) == 175
    # the iPhone 7 column set has no ANE
    assert {m["settings"]["backend"] for m in zoo_built.measurements if m["device"] == "iphone-7"} == {"cpu", "cpu+gpu"}


def test_zoo_converted_file_top1_is_a_checkpoint_of_its_original_weights(zoo_built):
    ours = {cid: c for cid, c in zoo_built.checkpoints.items() if c["source"] == "coreml-model-zoo"}
    assert sorted(ours) == sorted(f"coreml-model-zoo/{r['mlmodel']}" for r in ZOO
                                  if r["coreml_top1"] and ZOO_ALIASES[r["mlmodel"]] not in (None,)
                                  and not (isinstance(ZOO_ALIASES[r["mlmodel"]], dict)
                                           and ZOO_ALIASES[r["mlmodel"]]["arch"] is None))
    assert len(ours) == 8
    r34 = ours["coreml-model-zoo/resnet34_v1_torchvision"]
    assert (r34["top1"], r34["top5"], r34["same_weights_as"]) == (73.32, 91.42, "torchvision/ResNet34_Weights.IMAGENET1K_V1")
    assert ours["coreml-model-zoo/resnet50_v1_keras_applications"]["same_weights_as"] == "keras/ResNet50"


@pytest.mark.parametrize("seed", range(20))
def test_zoo_answer_traces_to_its_raw_row(full_catalog, seed):
    rnd = random.Random(1100 + seed)  # fixed seeds: the same 20 answers every run
    device = rnd.choice(sorted(ZOO_DEVICES.values()))
    query = rnd.choice([{"min_fps": 10}, {"min_fps": 30}, {"max_latency_ms": 20}, {"objective": "fps"}, {}])
    ranked = full_catalog.recommend(device, **query, limit=200, per_architecture=False)
    if not ranked:
        pytest.skip("nothing feasible for this random query")
    r = ranked[rnd.randrange(len(ranked))]
    assert r.runtime == "coreml" and r.sources["latency"] == "coreml-model-zoo"
    column = {("iphone-11-pro", "cpu"): "iphone11pro_cpu_ms", ("iphone-11-pro", "cpu+gpu"): "iphone11pro_gpu_ms",
              ("iphone-11-pro", "cpu+gpu+ane"): "iphone11pro_ane_ms", ("iphone-7", "cpu"): "iphone7_cpu_ms",
              ("iphone-7", "cpu+gpu"): "iphone7_gpu_ms"}[(device, r.settings["backend"])]
    files = {f for f, a in ZOO_ALIASES.items() if (a if isinstance(a, str) else a["arch"]) == r.architecture}
    cells = [float(z[column]) for z in ZOO if z["mlmodel"] in files and int(z["input_px"]) == r.input_size
             and z[column] not in ("", "-")]
    assert r.latency_ms in cells  # torchvision and Keras files of one architecture are two rows of the cell
    ck = full_catalog.checkpoint(r.checkpoint)
    assert ck.precision not in QUANTIZED and (ck.architecture, ck.input_size) == (r.architecture, r.input_size)
    if r.sources["accuracy"] == "coreml-model-zoo":
        row, = [z for z in ZOO if f"coreml-model-zoo/{z['mlmodel']}" == r.checkpoint]
        assert r.top1 == float(row["coreml_top1"])
    elif r.sources["accuracy"] == "timm-results-imagenet":
        timm = _shared_timm_results()
        if timm:
            assert r.top1 == timm[(r.checkpoint.removeprefix("timm/").rsplit(":", 1)[0], r.input_size)]
