"""Issue 9 section 2 (library side): estimates for measured cells never exceed the device's memory, and
modelpick.estimate_memory returns an estimate with its interval and method."""

from __future__ import annotations

import pytest
import yaml

import modelpick
from modelpick import InvalidQuery, MemoryEstimate, load_catalog
from modelpick.errors import UnknownDevice, UnknownName
from modelpick.estimate import MEMORY_INTERVAL, MIB

SRC = "fixture"


@pytest.fixture(scope="module")
def mem_catalog(tmp_path_factory):
    path = tmp_path_factory.mktemp("memory") / "memory.yaml"
    path.write_text(yaml.safe_dump({
        "schema_version": 1,
        "sources": [{"id": SRC, "title": "memory fixture", "published": {"url": "https://example.invalid/m"}}],
        "devices": [
            {"id": "card-24", "name": "24 GB card", "kind": "gpu", "memory_gb": 24, "source": SRC},
            {"id": "card-unknown", "name": "card of unstated memory", "kind": "gpu"},
        ],
        "architectures": [
            {"id": "big", "family": "toy", "input_size": 224, "params_m": 300.0, "activations_m": 200.0,
             "sources": {"params_m": SRC, "activations_m": SRC}},
            {"id": "noacts", "family": "toy", "input_size": 224, "params_m": 5.0, "sources": {"params_m": SRC}},
        ],
        "checkpoints": [{"id": "big.a", "architecture": "big", "source": SRC, "top1": 88.0, "input_size": 224}],
        "measurements": [
            {"architecture": "big", "input_size": 224, "device": dev, "runtime": "pytorch", "precision": "amp-fp16",
             "batch_size": bs, "batch_latency_ms": (10.0 if bs == 1 else 2.0) * bs, "source": SRC}
            for dev in ("card-24", "card-unknown") for bs in (1, 512)
        ]}))
    return load_catalog(path, embedded=False, use_env=False)


def _formula_mb(batch_size):
    return 300e6 * 4 / MIB + 200e6 * 2 * batch_size / MIB + 600


def test_measured_cells_are_never_estimated_above_the_device_memory(mem_catalog):
    recs = {r["batch_size"]: r for r in mem_catalog.to_records("card-24")}
    assert recs[1]["memory_mb"] == pytest.approx(_formula_mb(1)) and "capped" not in recs[1]["memory_method"]
    assert _formula_mb(512) > 24 * 1024  # the formula alone says ~196 GB
    low_f, high_f = MEMORY_INTERVAL["formula-cuda"]
    # the factors scale the model's part; Bianco's 600 MB CUDA overhead is a measured constant
    assert recs[1]["memory_low_mb"] == pytest.approx(600 + (_formula_mb(1) - 600) * low_f)
    assert recs[1]["memory_high_mb"] == pytest.approx(600 + (_formula_mb(1) - 600) * high_f)
    # issue 21: the card's capacity is never printed as the model's memory; the run fit, its need is unknown
    assert recs[512]["memory_mb"] is None and recs[512]["memory_low_mb"] is None
    assert recs[512]["memory_high_mb"] == 24 * 1024 and not recs[512]["memory_estimated"]
    assert recs[512]["memory_method"].startswith(
        "fits in the 24 GB card (the measured run did); its need is unknown")
    assert recs[512]["sources"]["memory"] == SRC  # the device table's source of the 24 GB
    # Without a stated capacity there is nothing to cap at: the formula stands, labelled an estimate.
    loose = {r["batch_size"]: r for r in mem_catalog.to_records("card-unknown")}
    assert loose[512]["memory_mb"] == pytest.approx(_formula_mb(512))
    # Throughput mode within 24 GB now finds the run the card really made.
    assert mem_catalog.best("card-24", batch_size=None, max_mem_gb=24).batch_size == 512


def test_estimate_memory_returns_value_interval_and_method(mem_catalog):
    est = mem_catalog.estimate_memory("big", "card-unknown", runtime="pytorch", precision="amp-fp16")
    assert isinstance(est, MemoryEstimate) and est.kind == "formula" and not est.capped
    low_f, high_f = MEMORY_INTERVAL["formula-cuda"]
    assert est.memory_mb == pytest.approx(_formula_mb(1))
    assert est.memory_low_mb == pytest.approx(600 + (est.memory_mb - 600) * low_f)
    assert est.memory_high_mb == pytest.approx(600 + (est.memory_mb - 600) * high_f)
    assert est.method.startswith("estimate: weights + activations x batch + 600 MB CUDA overhead")
    assert "bench/eval_memory.py" in est.method and est.to_dict()["estimated"] is True
    # A measured cell: value and interval capped at the card's memory, and the method says so.
    capped = mem_catalog.estimate_memory("big", "card-24", runtime="pytorch", precision="amp-fp16", batch_size=512)
    assert capped.capped and capped.memory_high_mb == 24 * 1024 and capped.memory_mb is None
    assert capped.memory_low_mb is None
    assert capped.method.startswith("fits in the 24 GB card (the measured run did); its need is unknown")
    # A cell nobody measured is not capped (it may well not fit).
    free = mem_catalog.estimate_memory("big", "card-24", runtime="pytorch", precision="amp-fp16", batch_size=256)
    assert not free.capped and free.memory_mb > 24 * 1024
    # input_size scales the activations by pixel count, and says so.
    bigger = mem_catalog.estimate_memory("big", "card-unknown", runtime="pytorch", precision="amp-fp16", input_size=448)
    assert bigger.input_size == 448 and bigger.memory_mb == pytest.approx(300e6 * 4 / MIB + 4 * 200e6 * 2 / MIB + 600)
    assert "activations scaled by pixel count to 448 px (computed)" in bigger.method


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(architecture="bgi"), UnknownName, "architecture='bgi'.*did you mean big"),
    (dict(device="card-2"), UnknownDevice, "card-2"),
    (dict(runtime="pytorchh"), UnknownName, "runtime='pytorchh'.*Valid choices: pytorch"),
    (dict(precision="fp8"), InvalidQuery, "precision='fp8'.*Valid choices: .*fp16"),
    (dict(batch_size=0), InvalidQuery, "batch_size=0"),
    (dict(batch_size=True), InvalidQuery, "batch_size=True"),
    (dict(input_size=5000), InvalidQuery, "input_size=5000"),
    (dict(architecture="noacts"), InvalidQuery, "no activations_m for noacts"),
])
def test_estimate_memory_errors_name_the_bad_value(mem_catalog, kwargs, error, match):
    args = dict(architecture="big", device="card-24", runtime="pytorch", precision="amp-fp16") | kwargs
    with pytest.raises(error, match=match):
        mem_catalog.estimate_memory(args.pop("architecture"), args.pop("device"), **args)


def test_estimate_memory_is_public():
    assert {"estimate_memory", "MemoryEstimate", "coverage", "DeviceCoverage"} <= set(modelpick.__all__)
    assert callable(modelpick.estimate_memory)


# -- issue 21: the compute unit of AI Hub's "float" comes from the run the query or the cell uses, not row order --

def _hub_catalog(tmp_path, order):
    """SYNTHETIC: one phone, tflite "float" runs on the NPU (two) and the GPU (one), rows in ``order``."""
    archs = [{"id": a, "family": "toy", "input_size": 224, "params_m": p, "activations_m": 10.0,
              "sources": {"params_m": SRC, "activations_m": SRC}} for a, p in (("a", 5.0), ("b", 10.0), ("c", 20.0),
                                                                             ("d", 40.0))]
    rows = {a: {"architecture": a, "input_size": 224, "device": "phone", "runtime": "tflite", "precision": "float",
                "batch_size": 1, "latency_ms": 1.0 + i, "source": SRC, "settings": {"compute_unit": unit}}
            for i, (a, unit) in enumerate((("a", "gpu"), ("b", "npu"), ("c", "npu")))}
    path = tmp_path / f"hub-{''.join(order)}.yaml"
    path.write_text(yaml.safe_dump({
        "schema_version": 1,
        "sources": [{"id": SRC, "title": "memory fixture", "published": {"url": "https://example.invalid/m"}}],
        "devices": [{"id": "phone", "name": "a phone", "kind": "soc"}],
        "architectures": archs,
        "checkpoints": [{"id": f"{a['id']}.x", "architecture": a["id"], "source": SRC, "top1": 70.0,
                         "input_size": 224} for a in archs],
        "measurements": [rows[a] for a in order]}))
    return load_catalog(path, embedded=False, use_env=False)


def _width_mb(params_m, acts_m, width):
    return (params_m + acts_m) * 1e6 * width / MIB + 29.0  # + the fitted tflite overhead


def test_estimate_memory_compute_unit_does_not_depend_on_row_order(tmp_path):
    first_gpu, first_npu = _hub_catalog(tmp_path, "abc"), _hub_catalog(tmp_path, "bca")
    for cat in (first_gpu, first_npu):
        # d was not measured: the unit most runs used (npu 2, gpu 1), fp16 "float"; the method says so
        d = cat.estimate_memory("d", "phone", runtime="tflite", precision="float")
        assert d.memory_mb == pytest.approx(_width_mb(40.0, 10.0, 2))
        assert "compute unit npu (the unit most of the 3 measured runs used (gpu 1, npu 2)" in d.method
        assert "give compute_unit= for another" in d.method
        # a was measured on the GPU: its own run's unit, fp32
        a = cat.estimate_memory("a", "phone", runtime="tflite", precision="float")
        assert a.memory_mb == pytest.approx(_width_mb(5.0, 10.0, 4)) and "compute unit gpu (this cell's measured run" in a.method
        # the query's unit wins
        asked = cat.estimate_memory("d", "phone", runtime="tflite", precision="float", compute_unit="GPU")
        assert asked.memory_mb == pytest.approx(_width_mb(40.0, 10.0, 4)) and "compute unit gpu (as asked" in asked.method
    with pytest.raises(InvalidQuery, match=r"compute_unit='dsp'.*Valid choices: gpu, npu"):
        first_gpu.estimate_memory("d", "phone", runtime="tflite", precision="float", compute_unit="dsp")
    # the library's public function takes it too
    import inspect
    assert "compute_unit" in inspect.signature(modelpick.estimate_memory).parameters


def test_estimate_memory_reads_the_same_runs_as_a_scan_of_every_measurement(full_catalog):
    """The per-run index an estimate reads (built once) holds exactly what a scan of every measurement finds, in
    table order, so indexing changed no estimate."""
    measurements = full_catalog._m.measurements
    keys = sorted({(m["device"], m["runtime"], m["precision"]) for m in measurements})
    for device, runtime, precision in keys[:: max(1, len(keys) // 200)] + [("no-such-device", "ncnn", "fp32")]:
        scanned = [m for m in measurements
                   if m["device"] == device and m["runtime"] == runtime and m["precision"] == precision]
        assert full_catalog._runs_of(device, runtime, precision) == scanned, (device, runtime, precision)
