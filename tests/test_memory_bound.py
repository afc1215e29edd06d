"""Issue 21, "Memory an engineer would reject": a memory limit checks an estimated memory at the bound the user
picks (memory_bound: 'high', the default chosen in bench/eval_memory.py, or 'point'), every estimated memory in an
answer carries its interval, and a run whose estimate exceeds the card it was measured on says that it fits there
instead of printing the card's memory as the model's."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import modelpick
from modelpick import InvalidQuery
from modelpick.cli import main
from modelpick.estimate import MB_PER_GB
from modelpick.schema import Query

CHOICES = ["high", "point"]


def _vgg16_ncnn(recs):
    return [r for r in recs if r.architecture == "vgg16" and r.runtime == "ncnn"]


def test_the_default_bound_is_the_high_end(full_catalog):
    # Issue repro: 0.6 GB on a Snapdragon 675 admitted VGG-16 at 580 MB (estimated) though its high end is ~2.9 GB.
    assert Query.model_fields["memory_bound"].default == "high"
    est = full_catalog.estimate_memory("vgg16", "snapdragon-675", runtime="ncnn", precision="auto")
    assert est.memory_mb <= 0.6 * MB_PER_GB < est.memory_high_mb
    high = full_catalog.recommend("snapdragon-675", max_mem_gb=0.6, limit=50, per_architecture=False)
    point = full_catalog.recommend("snapdragon-675", max_mem_gb=0.6, limit=50, per_architecture=False,
                                   memory_bound="point")
    assert not _vgg16_ncnn(high) and _vgg16_ncnn(point)
    for r in high:
        assert (r.memory_high_mb if r.memory_estimated else r.memory_mb) <= 0.6 * MB_PER_GB
    # the why states the bound the limit used
    assert "within 0.6 GB (estimated memory by its interval's high end)" in high[0].why[0]
    assert "memory_bound='point'" in point[0].why[0]


def test_a_bad_bound_names_the_valid_choices(full_catalog):
    with pytest.raises(InvalidQuery) as info:
        modelpick.best("jetson-nano", max_mem_gb=1, memory_bound="max")
    assert info.value.param == "memory_bound" and info.value.value == "max"
    assert list(info.value.choices) == CHOICES


def test_every_estimated_memory_in_an_answer_carries_its_interval(full_catalog):
    for device in ("snapdragon-675", "jetson-nano", "raspberry-pi-4", "rtx-4090", "titan-xp"):
        for r in full_catalog.to_records(device, task=None):
            if r["memory_estimated"]:
                assert r["memory_low_mb"] <= r["memory_mb"] <= r["memory_high_mb"], r
            elif r["memory_mb"] is not None:  # measured: no interval
                assert r["memory_low_mb"] is None and r["memory_high_mb"] is None, r


def test_a_card_cap_is_never_printed_as_the_models_memory(full_catalog, capsys):
    recs = [r for r in full_catalog.to_records("rtx-4090") if r["memory_mb"] is None and r["memory_high_mb"]]
    assert recs, "the 4090's throughput runs whose estimate exceeds the card"
    for r in recs:
        assert r["memory_high_mb"] == 24 * MB_PER_GB and r["memory_low_mb"] is None and not r["memory_estimated"]
        assert r["memory_method"].startswith("fits in the 24 GB card (the measured run did); its need is unknown")
    big = max(recs, key=lambda r: r["batch_size"])
    code = main(["best", "--device", "rtx-4090", "--batch-size", str(big["batch_size"]), "--runtime", big["runtime"],
                 "--min-top1", str(big["top1"] - 1e-9), "--max-params-m", str(big["params_m"] + 1e-9),
                 "--objective", "memory", "--max-mem-gb", "24"])
    out = capsys.readouterr().out
    assert code == 0
    assert "24,576 MB" not in out
    # the limit of 24 GB admits it (the run fit), and memory_bound=point too: there is no point left to check
    assert full_catalog.best("rtx-4090", batch_size=big["batch_size"], max_mem_gb=24, objective="memory",
                             runtime=big["runtime"], memory_bound="point")


def test_a_trade_off_never_states_the_card_as_a_runs_need(full_catalog):
    # the why's "you would have to accept ..." names the bound the limit checked: for a run that only fit in the
    # card that is "memory up to" the card, never "24.00 GB of memory"; for an estimate, its high end and its point
    why = " ".join(full_catalog.best("rtx-4090", max_mem_gb=16, batch_size=256).why)
    assert "accept memory up to 24.00 GB (the measured run fit in the device; its need is unknown)" in why
    why = " ".join(full_catalog.best("rtx-4090", max_mem_gb=8, batch_size=256).why)
    assert "of memory (the high end of its estimate; point estimate " in why

def test_cli_memory_bound(capsys):
    code = main(["recommend", "--device", "snapdragon-675", "--max-mem-gb", "0.6", "--json"])
    high = json.loads(capsys.readouterr().out)
    code_p = main(["recommend", "--device", "snapdragon-675", "--max-mem-gb", "0.6", "--memory-bound", "point",
                   "--json"])
    point = json.loads(capsys.readouterr().out)
    assert code == code_p == 0
    assert "memory_bound" not in high["query"] and point["query"]["memory_bound"] == "point"
    names = lambda doc: [r["architecture"] for r in [doc["best"], *doc["alternatives"]]]  # noqa: E731
    assert "vgg16" in names(point) and "vgg16" not in names(high)
    est = [r for r in [high["best"], *high["alternatives"]] if r["memory_estimated"]]
    assert est and all(r["memory_low_mb"] <= r["memory_mb"] <= r["memory_high_mb"] for r in est)
    code = main(["best", "--device", "snapdragon-675", "--max-mem-gb", "0.6"])
    text = capsys.readouterr().out
    assert code == 0 and "MB (estimated, " in text  # the interval in the human output
    with pytest.raises(SystemExit) as info:
        main(["best", "--device", "snapdragon-675", "--memory-bound", "max"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "'max'" in err and "'high'" in err and "'point'" in err


@pytest.fixture(scope="module")
def full_client(full_catalog):
    from service import create_app

    return create_app({"MODELPICK_CATALOG": full_catalog, "MODELPICK_ANSWER_CACHE_MB": 0}).test_client()


def test_rest_memory_bound(full_client):
    base = "/recommend?device=snapdragon-675&max_mem_gb=0.6&limit=50&per_architecture=false"
    high = full_client.get(base).get_json()
    point = full_client.get(base + "&memory_bound=point").get_json()
    arch = lambda doc: {r["architecture"] for r in [doc["best"], *doc["alternatives"]]}  # noqa: E731
    assert "vgg16" in arch(point) and "vgg16" not in arch(high)
    assert "interval's high end" in high["best"]["why"][0]
    for r in [high["best"], *high["alternatives"]]:
        if r["memory_estimated"]:
            assert r["memory_low_mb"] <= r["memory_mb"] <= r["memory_high_mb"]
    bad = full_client.get(base + "&memory_bound=max")
    assert bad.status_code == 400  # as any invalid parameter value (estimates=max too)
    err = bad.get_json()["errors"][0]
    assert err["param"] == "memory_bound" and err["value"] == "max" and err["choices"] == CHOICES


NODE = shutil.which("node")
STATIC = Path(__file__).resolve().parent.parent / "service" / "static"


@pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")
def test_explorer_says_a_capped_run_fits_and_never_shows_the_cap_as_memory(full_catalog, tmp_path):
    capped = next(r for r in full_catalog.to_records("rtx-4090") if r["memory_mb"] is None and r["memory_high_mb"])
    estimated = next(r for r in full_catalog.to_records("snapdragon-675") if r["memory_estimated"])
    (tmp_path / "dom.mjs").write_text((STATIC / "dom.js").read_text())  # dom.js imports nothing
    (tmp_path / "t.mjs").write_text(
        "import { fmtRecMem } from './dom.mjs';\n"
        f"process.stdout.write(JSON.stringify({json.dumps([capped, estimated])}.map(fmtRecMem)));\n")
    out = subprocess.run([NODE, str(tmp_path / "t.mjs")], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == ["fits in 24.00 GB, need unknown", f"{round(estimated['memory_mb'])} MB"]
    # the page's table, card and tooltip go through it (or the table's own <= form), not the bare memory_mb
    assert "fmtRecMem(b)" in (STATIC / "card.js").read_text()
    assert "fmtRecMem(p)" in (STATIC / "chart.js").read_text()
    assert '"≤" + Math.round(p.memory_high_mb)' in (STATIC / "table.js").read_text()


def test_runtime_overheads_are_the_fit_of_the_measured_points(full_catalog):
    from modelpick.estimate import RUNTIME_OVERHEAD_MB, fit_runtime_overheads

    fit = fit_runtime_overheads(full_catalog._m.measurements, full_catalog._m.architectures)
    assert {rt: round(v) for rt, (v, _) in fit.items()} == RUNTIME_OVERHEAD_MB
    assert all(n >= 100 for _, n in fit.values())


def test_the_overhead_is_added_where_measured_and_said_to_be_left_out_elsewhere(full_catalog):
    from modelpick.estimate import RUNTIME_OVERHEAD_MB

    # Issue repro: a Raspberry Pi answer said 45 MB for EfficientNetV2-B0 (ncnn) with no word on the runtime's memory.
    pi = full_catalog.best("raspberry-pi-4", max_mem_gb=1)
    assert pi.runtime == "ncnn" and pi.memory_estimated
    assert "no measured overhead for ncnn: left out" in pi.memory_method
    tfl = full_catalog.estimate_memory("mobilenet_v2", "raspberry-pi-4", runtime="tflite", precision="fp32")
    bare = full_catalog.estimate_memory("mobilenet_v2", "raspberry-pi-4", runtime="ncnn", precision="fp32")
    assert tfl.memory_mb == pytest.approx(bare.memory_mb + RUNTIME_OVERHEAD_MB["tflite"])
    assert "29 MB tflite runtime overhead (computed" in tfl.method and tfl.interval == "formula"
    assert bare.interval == "formula-no-overhead"


def test_ai_hub_float_is_sized_as_ai_hub_runs_it(full_catalog):
    from modelpick.estimate import bytes_per_param, weights_mb

    assert bytes_per_param("float", {"compute_unit": "npu"}) == 2.0  # fp16 on the NPU
    assert bytes_per_param("float", {"compute_unit": "gpu"}) == bytes_per_param("float", {"compute_unit": "cpu"}) == 4.0
    assert bytes_per_param("float") == 4.0  # a float that names no unit: the widest it can be
    # the adapter kept an AI Hub peak memory only where it can hold the weights at that same width
    archs = full_catalog._m.architectures
    hub = [m for m in full_catalog._m.measurements
           if m["source"].startswith("qualcomm-aihub") and m["memory_mb"] is not None and m["precision"] == "float"]
    assert {m["settings"]["compute_unit"] for m in hub} == {"npu", "gpu"}
    for m in hub:
        assert m["memory_mb"] >= weights_mb(archs[m["architecture"]].params_m, m["precision"], m["settings"]) * 2**20 / 1e6
    # and the formula sizes an NPU float cell's weights and activations at fp16 too
    from modelpick.estimate import estimate_cell_memory

    arch, dev = archs["mobilenet_v2"], full_catalog._m.devices["samsung-galaxy-s24"]
    on = {rt: estimate_cell_memory(architecture=arch, device=dev, runtime="tflite", precision="float", batch_size=1,
                                   settings={"compute_unit": rt}) for rt in ("npu", "gpu")}
    weights_acts = (arch.params_m + arch.activations_m) * 1e6 / 2**20
    assert on["npu"].memory_mb == pytest.approx(weights_acts * 2 + 29)
    assert on["gpu"].memory_mb == pytest.approx(weights_acts * 4 + 29)
    # the public estimate takes the run's compute unit from the device's measured rows (AI Hub: the NPU)
    public = full_catalog.estimate_memory("mobilenet_v2", "samsung-galaxy-s24", runtime="tflite", precision="float")
    fit = full_catalog._memory_fits.get(("samsung-galaxy-s24", "tflite", "float", 1))
    for unit, same in (("npu", True), ("gpu", False)):
        direct = estimate_cell_memory(architecture=arch, device=dev, runtime="tflite", precision="float",
                                      batch_size=1, settings={"compute_unit": unit}, fit=fit)
        assert (direct.memory_mb == pytest.approx(public.memory_mb)) is same
