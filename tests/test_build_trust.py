"""Issue 9, build side: device memory capacities, GMACs at each row's input size, one id per device, family
defaults, the PaddleClas DPN precision decision, timm caveats and the build log's join count.

Checks on the committed data/benchmarks.yaml always run; checks against the raw tables need the public sources
(as in test_build_catalog.py); adapter checks build tiny tables in a temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

import modelpick

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.build_catalog.adapters.device_specs import DeviceSpecsAdapter  # noqa: E402
from scripts.build_catalog.context import BuildContext  # noqa: E402
from scripts.build_catalog.devices import devices  # noqa: E402
from tests.test_build_catalog import _csv, catalog, needs_sources  # noqa: E402


def _devices() -> dict[str, dict]:
    return {d["id"]: d for d in catalog()["devices"]}


def _sources() -> dict[str, dict]:
    return {s["id"]: s for s in catalog()["sources"]}


# ---------------------------------------------------------------------------
# section 2: device memory capacities


SPEC_DEVICES = {"rtx-3090": 24, "rtx-4090": 24, "rtx-5090": 32, "rtx-pro-6000-max-q": 96, "tesla-t4": 16,
                "titan-xp": 12, "jetson-tx1": 4}


def test_device_capacities_are_on_the_devices_with_their_page():
    devs, srcs = _devices(), _sources()
    for dev, gb in SPEC_DEVICES.items():
        d = devs[dev]
        assert d["memory_gb"] == gb, dev
        assert d["source"] in srcs, dev
    assert srcs[devs["rtx-4090"]["source"]]["published"]["url"].startswith("https://www.nvidia.com/")
    assert devs["jetson-tx1"]["source"] == "bianco2018-paper-text"


@needs_sources
def test_every_device_specs_row_lands_on_a_device():
    devs, srcs = _devices(), _sources()
    by_url = {s["published"].get("url"): s["id"] for s in srcs.values()}
    rows = _csv("device_specs.csv")
    assert len(rows) == len(SPEC_DEVICES)
    for r in rows:
        dev = next(d for d in devs.values() if r["device"] in d["aliases"])
        assert dev["memory_gb"] == float(r["memory_gb"])
        if r["source_url"].startswith("http"):
            assert by_url[r["source_url"]] == dev["source"]


SPECS_CSV = """device,memory_gb,memory_type,source_url,note
Big Card,24,GDDR6X,https://example.com/big,vendor page
Small Board,4,LPDDR4,seed 003 (Bianco et al. 2018) section II,stated in the text
"""


@pytest.fixture
def spec_ctx(tmp_path):
    data, sources, seeds = tmp_path / "data", tmp_path / "sources", tmp_path / "seeds"
    for p in (data, sources, seeds):
        p.mkdir()
    (data / "aliases.yaml").write_text(yaml.safe_dump({"timm_to_canonical": {}, "sources": {}}), encoding="utf-8")
    devmap = {"devices": [
        {"id": "big-card", "name": "Big Card", "kind": "gpu", "aliases": ["Big Card"]},
        {"id": "small-board", "name": "Small Board", "kind": "soc", "aliases": ["Small Board"]}]}
    (data / "devices_map.yaml").write_text(yaml.safe_dump(devmap), encoding="utf-8")
    (sources / "device_specs.csv").write_text(SPECS_CSV, encoding="utf-8")
    (seeds / "003_x.txt").write_text("an ARM A57 with 4GB\nLPDDR4 1600MHz memory", encoding="utf-8")
    return BuildContext(sources, seeds, data)


def test_device_specs_adapter_gives_each_page_a_source(spec_ctx):
    DeviceSpecsAdapter(spec_ctx).build()
    assert spec_ctx.device_memory == {"big-card": (24, "spec-big-card"),
                                      "small-board": (4, "bianco2018-paper-text")}
    assert spec_ctx.sources["spec-big-card"]["published"] == {"url": "https://example.com/big"}
    ms = [{"device": "big-card"}, {"device": "small-board"}]
    entries, omitted = devices(spec_ctx.mapping.devmap, ms, spec_ctx.device_memory)
    assert [(d["id"], d["memory_gb"], d["source"]) for d in entries] == [
        ("big-card", 24, "spec-big-card"), ("small-board", 4, "bianco2018-paper-text")]
    assert omitted == []


def test_device_specs_conflicting_with_devices_map_stop_the_build(spec_ctx):
    DeviceSpecsAdapter(spec_ctx).build()
    devmap = {"devices": [{"id": "big-card", "name": "Big Card", "kind": "gpu", "memory_gb": 16,
                           "memory_source": "other"}]}
    with pytest.raises(SystemExit, match="big-card"):
        devices(devmap, [{"device": "big-card"}], spec_ctx.device_memory)


def test_device_specs_row_citing_text_that_lacks_it_stops_the_build(spec_ctx):
    (spec_ctx.seeds_dir / "003_x.txt").write_text("no memory stated", encoding="utf-8")
    with pytest.raises(SystemExit, match="4GB LPDDR4"):
        DeviceSpecsAdapter(spec_ctx).build()


# ---------------------------------------------------------------------------
# section 5: one device, one id; names, tags and defaults a user types


def test_same_board_is_one_device_with_old_id_as_alias():
    devs = _devices()
    assert "jetson-xavier" not in devs
    xavier = devs["jetson-agx-xavier"]
    assert {"jetson-xavier", "Jetson Xavier"} <= set(xavier["aliases"])
    sources = {m["source"] for m in catalog()["measurements"] if m["device"] == "jetson-agx-xavier"}
    assert {"torch2trt-jetson", "ncnn-benchncnn"} <= sources


def test_family_defaults_are_what_a_user_means():
    fam = catalog()["device_families"]
    devs = _devices()
    assert fam["xeon"] == "aws-c5-4xlarge" and devs["aws-c5-4xlarge"]["kind"] == "cpu"
    assert fam["xeon-phi"] == "intel-xeon-phi-3120a"
    assert devs["intel-xeon-phi-3120a"]["family"] == "xeon-phi"
    assert fam["android"] == fam["phone"] == "samsung-galaxy-s24"
    assert "android" in devs["samsung-galaxy-s24"]["tags"]
    for vendor in ("amd", "nvidia", "intel", "qualcomm"):
        assert vendor not in fam  # a vendor is a group, not a device


def test_tags_cover_the_devices_users_mean():
    devs = _devices()
    amd = {d for d, x in devs.items() if "amd" in x.get("tags", [])}
    assert {"amd-epyc-92-core", "amd-radeon-rx-6900-xt", "amd-ryzen-9-5950x", "amd-threadripper-3970x"} <= amd
    phones = {d for d, x in devs.items() if "phone" in x.get("tags", [])}
    assert {"pixel-4", "iphone-xs", "samsung-galaxy-s24", "xiaomi-mi9"} <= phones
    assert all(devs[d]["kind"] == "soc" for d in phones)
    assert "coral-usb-accelerator" not in phones and "rtx-4090" not in phones


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    import os

    os.environ.setdefault("MODELPICK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    from modelpick import load_catalog

    return load_catalog(REPO / "data" / "benchmarks.yaml", embedded=False, use_env=False)


@pytest.mark.parametrize("typed, device", [
    ("pixel4", "pixel-4"), ("rpi4", "raspberry-pi-4"), ("android", "samsung-galaxy-s24"),
    ("phone", "samsung-galaxy-s24"), ("xeon", "aws-c5-4xlarge"), ("jetson-xavier", "jetson-agx-xavier"),
    ("Jetson Xavier", "jetson-agx-xavier"), ("xeon-phi", "intel-xeon-phi-3120a"),
])
def test_names_users_type_resolve(shipped, typed, device):
    assert shipped.resolve_device(typed) == device


def test_vendor_name_lists_its_devices(shipped):
    from modelpick.errors import UnknownDevice

    with pytest.raises(UnknownDevice, match="group of 5 devices") as exc:
        shipped.resolve_device("amd")
    assert "amd-ryzen-9-5950x" in exc.value.choices and "quadro-rtx-8000" not in exc.value.choices


def test_devices_by_kind_or_tag_lists_exactly_that_group(shipped):
    cpus = shipped.devices("cpu")
    assert cpus and all(d.kind == "cpu" for d in cpus)
    assert len(cpus) == len(shipped.devices(kind="cpu"))
    phones = [d.id for d in shipped.devices("phone")]
    assert "pixel-4" in phones and "samsung-galaxy-s24" in phones and "coral-usb-accelerator" not in phones
    assert {d.id for d in shipped.devices("amd")} >= {"amd-radeon-rx-6900-xt", "amd-epyc-92-core"}
    # other words still match names as substrings
    assert [d.id for d in shipped.devices("xavier")] == ["jetson-agx-xavier"]


# ---------------------------------------------------------------------------
# section 4: PaddleClas DPN precision, timm caveats, the build log's join count and the no-candidate diagnosis


def _paddleclas_dpn(device: str) -> list[dict]:
    return [m for m in catalog()["measurements"]
            if m["source"] == "paddleclas" and m["device"] == device and m["architecture"].startswith("dpn")]


def test_dpn_t4_figures_are_filed_under_fp16_once():
    rows = _paddleclas_dpn("tesla-t4")
    fp16 = {(m["architecture"], m["batch_size"]): m for m in rows if m["precision"] == "fp16"}
    fp32 = {(m["architecture"], m["batch_size"]): m for m in rows if m["precision"] == "fp32"}
    assert len(fp16) == len(fp32) == 15 and len(rows) == 30  # one row per cell, no duplicate from DPN.md
    # DenseNet.md's FP16 column (also DPN.md's unlabelled table) and DenseNet.md's own FP32 column
    assert fp16[("dpn68", 1)]["batch_latency_ms"] == 11.7827 and "DPN.md" in fp16[("dpn68", 1)]["note"]
    assert fp32[("dpn68", 1)]["batch_latency_ms"] == 11.64915
    assert fp32[("dpn98", 8)]["batch_latency_ms"] == 62.77751
    assert not {m["batch_latency_ms"] for m in fp32.values()} & {m["batch_latency_ms"] for m in fp16.values()}


def test_dpn_v100_conflict_is_not_two_truths():
    assert _paddleclas_dpn("tesla-v100") == []
    log = (REPO / "data" / "build_log.txt").read_text(encoding="utf-8")
    assert "CONFLICT: DPN68 tesla-v100 fp32 batch 1: DPN.md 2.82 ms, DenseNet.md 8.18 ms -> neither stored" in log


def test_timm_gmacs_caveat_only_where_the_columns_are_missing():
    said = sorted(s["id"] for s in catalog()["sources"] if "this file has no gmacs/macts columns" in s.get("caveats", []))
    assert said == ["timm-benchmark-infer-fp32-nchw-pt221-cpu-i9_10940x-dynamo"]


def test_build_log_join_count_is_what_the_library_builds(shipped):
    log = (REPO / "data" / "build_log.txt").read_text(encoding="utf-8")
    line = next(x for x in log.splitlines() if x.strip().startswith("joined candidates"))
    assert int(line.rsplit(":", 1)[1]) == len(shipped)
    # Coral was the example of a device whose runs pair with nothing; its int8 top-1 (coral-models) pairs now. The
    # RKNN Model Zoo's SoCs are that case today: int8 timings only, and the zoo publishes no int8 accuracy
    _, _, rest = log.partition("devices with no joined candidate: ")
    count = int(rest.split(":", 1)[0].split()[0])
    listed = [x.strip() for x in rest.splitlines()[1:count + 1]]
    assert [x.split(":", 1)[0] for x in listed] == ["rockchip-rk3562", "rockchip-rk3566-rk3568", "rockchip-rk3576"]
    assert all("precision pairing" in x for x in listed)


def test_no_candidate_diagnosis_blames_precision_pairing(tmp_path):
    # a board with only int8 runs and no int8 accuracy of the same toolchain (Coral was this case until its
    # models page paired its runs)
    from modelpick.errors import NoFeasibleModel

    board = tmp_path / "int8-board.yaml"
    board.write_text(
        'sources:\n- {"id": "int8-board-bench", "title": "an int8-only board benchmark (test)", '
        '"published": {"url": "https://example.org/int8-board"}}\n'
        'devices:\n- {"id": "int8-only-board", "name": "Int8-only board", "kind": "soc"}\n'
        'measurements:\n- {"architecture": "resnet50", "input_size": 224, "device": "int8-only-board", '
        '"runtime": "tflite", "precision": "int8", "batch_size": 1, "latency_ms": 10.0, "source": "int8-board-bench"}\n',
        encoding="utf-8")
    cat = modelpick.load_catalog(board)
    with pytest.raises(NoFeasibleModel, match=r"no joined candidates on int8-only-board \(precision pairing: .* int8 runs"):
        cat.best("int8-only-board")


PADDLE_CSV = """model,device,framework,precision,batch_size,latency_ms,source,threads,input_size,table_note_zh,section
M1,Card,PaddleClas inference w/ TensorRT-8.0.3.4,FP32,1,5.5,x/A.md,,224,,
M1,Card,PaddleClas inference w/ TensorRT-8.0.3.4,FP16,1,3.0,x/B.md,,224,,
M1,Card,PaddleClas inference w/ TensorRT-8.0.3.4,FP32,1,4.0,x/B.md,,224,,
M1,Card2,PaddleClas inference w/ TensorRT-8.0.3.4,FP32,1,7.0,x/A.md,,224,,
M1,Card2,PaddleClas inference w/ TensorRT-8.0.3.4,FP32,1,9.0,x/B.md,,224,,
"""


@pytest.fixture
def paddle_ctx(tmp_path):
    data, sources = tmp_path / "data", tmp_path / "sources"
    data.mkdir()
    sources.mkdir()
    (data / "aliases.yaml").write_text(yaml.safe_dump({"timm_to_canonical": {}, "sources": {"paddleclas": {"M1": "m1"}}}),
                                       encoding="utf-8")
    devmap = {"devices": [{"id": "card", "name": "Card", "kind": "gpu", "aliases": ["Card"]},
                          {"id": "card2", "name": "Card2", "kind": "gpu", "aliases": ["Card2"]}]}
    (data / "devices_map.yaml").write_text(yaml.safe_dump(devmap), encoding="utf-8")
    (sources / "paddleclas_latency.csv").write_text(PADDLE_CSV, encoding="utf-8")
    reviewed = {"relabel": [{"doc": "A.md", "device": "Card", "from": "FP32", "to": "FP16",
                             "same_as": {"doc": "B.md", "precision": "FP16"}, "reason": "r"}],
                "conflicts": [{"docs": ["A.md", "B.md"], "device": "Card2", "precision": "FP32", "reason": "c"}]}
    (data / "paddleclas_reviewed.yaml").write_text(yaml.safe_dump(reviewed), encoding="utf-8")
    return BuildContext(sources, tmp_path / "seeds", data)


def test_paddleclas_relabel_must_hold_and_conflicts_must_be_reviewed(paddle_ctx):
    from scripts.build_catalog.adapters.paddleclas import PaddleclasAdapter

    # A.md's "FP32" 5.5 ms is relabelled FP16 but B.md's FP16 figure is 3.0 ms: the stated evidence fails
    with pytest.raises(SystemExit, match="does not equal B.md"):
        PaddleclasAdapter(paddle_ctx).build()


def test_paddleclas_same_figure_kept_once_and_conflict_dropped(paddle_ctx):
    from scripts.build_catalog.adapters.paddleclas import PaddleclasAdapter

    csv_path = paddle_ctx.sources_dir / "paddleclas_latency.csv"
    csv_path.write_text(PADDLE_CSV.replace(",1,5.5,", ",1,3.0,"), encoding="utf-8")
    PaddleclasAdapter(paddle_ctx).build()
    got = sorted((m["device"], m["precision"], m["batch_latency_ms"], m["settings"]["doc"], m.get("note", ""))
                 for m in paddle_ctx.measurements)
    assert got == [("card", "fp16", 3.0, "B.md", "the same figure is also published in A.md, whose table names no "
                    "precision (data/paddleclas_reviewed.yaml)"),
                   ("card", "fp32", 4.0, "B.md", "")]
    assert paddle_ctx.stats["paddleclas"] == {"read": 5, "kept": 2}


def test_paddleclas_unreviewed_conflict_stops_the_build(paddle_ctx):
    from scripts.build_catalog.adapters.paddleclas import PaddleclasAdapter

    csv_path = paddle_ctx.sources_dir / "paddleclas_latency.csv"
    csv_path.write_text(PADDLE_CSV.replace(",1,5.5,", ",1,3.0,"), encoding="utf-8")
    (paddle_ctx.data_dir / "paddleclas_reviewed.yaml").write_text(yaml.safe_dump({"relabel": [
        {"doc": "A.md", "device": "Card", "from": "FP32", "to": "FP16", "same_as": {"doc": "B.md", "precision": "FP16"},
         "reason": "r"}]}), encoding="utf-8")
    with pytest.raises(SystemExit, match="different figures in two docs"):
        PaddleclasAdapter(paddle_ctx).build()


# ---------------------------------------------------------------------------
# section 3: GMACs and activations at each row's own input size


def _arch(arch_id: str) -> dict:
    return next(a for a in catalog()["architectures"] if a["id"] == arch_id)


def _size(arch_id: str, size: int) -> dict:
    return next(s for s in _arch(arch_id)["sizes"] if s["input_size"] == size)


def test_a_sources_own_figure_for_the_size_comes_first():
    lite4 = _size("tf_efficientnet_lite4", 300)  # timm's figure is at 380 px; the Lite README's madds at 300
    assert lite4["gmacs"] == 2.64 and lite4["sources"]["gmacs"] == "efficientnet-lite-pixel4"
    assert "gmacs" not in lite4.get("computed", {})
    mb2 = _size("mobilenet_v2", 96)  # TF-slim's MAC count at 96 px, not the 224 px value
    assert mb2["gmacs"] == 0.056 and mb2["sources"]["gmacs"] == "tf-slim-mobilenet"
    b0 = _size("tf_efficientnetv2_b0", 224)  # timm's own benchmark row at 224 px (the default is 192)
    assert b0["gmacs"] > _arch("tf_efficientnetv2_b0")["gmacs"] and b0["sources"]["gmacs"].startswith("timm-benchmark")
    assert "computed" not in b0


def test_otherwise_scaled_by_pixel_count_and_marked_computed():
    sq = _arch("squeezenet1_1")
    s = _size("squeezenet1_1", 227)
    assert s["gmacs"] == pytest.approx(sq["gmacs"] * (227 / 224) ** 2, rel=1e-3)
    assert s["computed"]["gmacs"] == "scaled from 224 px by pixel count (227/224)^2"
    assert s["sources"]["gmacs"] == sq["sources"]["gmacs"]  # the figure it was scaled from
    # activations feed the memory estimate, so they follow the same rule
    lite4 = _size("tf_efficientnet_lite4", 300)
    assert lite4["computed"]["activations_m"].startswith("scaled from 380 px")


def test_every_size_an_architecture_is_used_at_is_listed():
    cat = catalog()
    listed = {(a["id"], a["input_size"]) for a in cat["architectures"]}
    listed |= {(a["id"], s["input_size"]) for a in cat["architectures"] for s in a.get("sizes", [])}
    with_gmacs = {a["id"] for a in cat["architectures"] if a.get("gmacs")}
    used = {(m["architecture"], m["input_size"]) for m in cat["measurements"] if m["architecture"] in with_gmacs}
    assert used <= listed


def test_at_size_default_listed_and_scaled():
    from modelpick.schema import Architecture

    a = Architecture.model_validate({
        "id": "net", "family": "net", "input_size": 224, "gmacs": 4.0, "activations_m": 10.0,
        "sources": {"gmacs": "s", "activations_m": "s"},
        "sizes": [{"input_size": 160, "gmacs": 2.1, "activations_m": 5.0, "sources": {"gmacs": "t", "activations_m": "s"},
                   "computed": {"activations_m": "scaled"}}]})
    assert a.at_size(224) == (4.0, 10.0, frozenset())
    assert a.at_size(160) == (2.1, 5.0, frozenset({"activations_m"}))
    g, acts, computed = a.at_size(448)
    assert (g, acts, computed) == (pytest.approx(16.0), pytest.approx(40.0), frozenset({"gmacs", "activations_m"}))
    with pytest.raises(ValueError, match="sizes must list"):
        Architecture.model_validate({"id": "n", "family": "n", "input_size": 224, "sizes": [{"input_size": 224}]})
    with pytest.raises(ValueError, match="computed.gmacs labels a number"):
        Architecture.model_validate({"id": "n", "family": "n", "input_size": 224,
                                     "sizes": [{"input_size": 160, "computed": {"gmacs": "x"}}]})


def test_candidates_carry_gmacs_at_their_own_size(shipped):
    best = shipped.best("pixel4")
    if best.architecture == "tf_efficientnet_lite4" and best.input_size == 300:
        assert best.gmacs == 2.64 and not best.gmacs_computed
    recs = {(r.architecture, r.input_size): r for r in shipped.recommend("pixel-1", limit=200, per_architecture=False)}
    assert recs[("mobilenet_v2", 96)].gmacs == 0.056 and not recs[("mobilenet_v2", 96)].gmacs_computed
    cols = shipped.columns
    # no source gives MobileNet v1's MACs at 128 px: scaled from 224 px and labelled
    v1 = [r for r in shipped.iter_records() if r["architecture"] == "mobilenet_v1" and r["input_size"] == 128]
    assert v1 and all(r["gmacs_computed"] and r["gmacs"] == _size("mobilenet_v1", 128)["gmacs"] for r in v1)
    assert int(cols["gmacs_computed"].sum()) == sum(1 for r in shipped.iter_records(task=None) if r["gmacs_computed"])


def test_cli_labels_computed_gmacs(shipped, capsys):
    from modelpick.cli.toolkit import format_recommendation

    rec = next(r for r in (shipped._recommendation(i) for i in range(len(shipped))) if r.gmacs_computed)
    assert "GMACs (computed" in format_recommendation(rec)


def test_efficiency_and_plot_label_computed_gmacs(shipped):
    from modelpick import bounds

    rows = bounds.efficiency("jetson-tx1", catalog=shipped)
    assert rows and all(hasattr(r, "gmacs_computed") for r in rows)
    v1 = [r for r in bounds.efficiency("pixel-3", catalog=shipped) if r.architecture == "mobilenet_v1"]
    assert any(r.gmacs_computed for r in v1) and not all(r.gmacs_computed for r in v1)
