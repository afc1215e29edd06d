"""Every MLPerf answer traces to its raw run: 20 seeded-random queries on the Jetson Orin and NVIDIA datacenter
devices that MLPerf's NVIDIA closed-division ResNet-50 runs cover, each answer's top-1 and speed compared with the
cells of sources/mlperf_inference_nvidia/mlperf_resnet50.csv (one run: its round, system and scenario)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from conftest import count_answered

from modelpick.errors import NoFeasibleModel

CSV = Path(__file__).resolve().parents[1] / "sources" / "mlperf_inference_nvidia" / "mlperf_resnet50.csv"
DEVICES = ["jetson-agx-orin", "jetson-orin-nx", "a100-pcie-80gb", "a100-sxm-80gb", "nvidia-l4", "a100-sxm4-40gb"]


def _runs() -> list[dict[str, str]]:
    with open(CSV, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _source_id(r: dict[str, str]) -> str:
    system = r["system"].removesuffix("_TRT").lower().replace("_", "-")
    return f"mlperf-inf-{r['round']}-nvidia-{system}-{r['scenario'].lower()}"


def mlperf_trace(answer) -> tuple[float, str, float]:
    """(top-1, 'latency_ms' or 'fps', value) of the run an answer came from, read from the raw CSV."""
    run, = [r for r in _runs() if _source_id(r) == answer.sources["latency"]]
    assert answer.sources["accuracy"] == answer.sources["latency"]  # the run's own accuracy, never another's
    assert answer.precision == "int8" and answer.runtime == "tensorrt"
    if run["scenario"] == "SingleStream":
        assert answer.batch_size == 1
        return float(run["accuracy_pct"]), "latency_ms", int(run["mean_latency_ns"]) / 1e6
    assert answer.batch_size == int(run["gpu_batch_size"])
    return float(run["accuracy_pct"]), "fps", float(run["samples_per_second"])


def queries(n: int = 20) -> list[tuple[str, dict]]:
    rnd = random.Random(1919)  # fixed seed: the same 20 queries every run
    out = []
    for i in range(n):
        device = DEVICES[i % len(DEVICES)]
        offline = {"jetson-agx-orin": 256, "jetson-orin-nx": 256, "a100-pcie-80gb": 2048,
                   "a100-sxm4-40gb": 2048, "a100-sxm-80gb": 2048, "nvidia-l4": 32}.get(device)
        q: dict = {"batch_size": (rnd.choice([1, offline]) if device != "a100-sxm4-40gb" else offline)
                   if offline else 1}
        kind = rnd.choice(["min_fps", "max_latency_ms", "objective"])
        if kind == "min_fps":
            q["min_fps"] = rnd.choice([30, 100, 1000, 2000])
        elif kind == "max_latency_ms":
            q["max_latency_ms"] = rnd.choice([1, 5, 50])
        else:
            q["objective"] = rnd.choice(["fps", "top1"])
        out.append((device, {**q, "runtime": "tensorrt"}))
    return out


@pytest.mark.parametrize("device,query", queries())
def test_mlperf_answer_traces_to_its_raw_run(full_catalog, device, query):
    try:
        r = full_catalog.best(device, **query)
    except NoFeasibleModel:
        pytest.skip("nothing feasible for this random query")  # the count below checks enough answered
    top1, field, value = mlperf_trace(r)
    assert r.top1 == top1
    assert getattr(r, field) == pytest.approx(value, rel=1e-9)


def test_most_random_mlperf_queries_answer(full_catalog):
    assert count_answered(full_catalog, queries()) >= 15


def test_every_raw_run_is_in_the_table_with_its_own_int8_accuracy(full_catalog):
    rows = _runs()
    assert len(rows) == 31 and len({_source_id(r) for r in rows}) == len(rows)
    for r in rows:
        sid = _source_id(r)
        ms = [m for m in full_catalog.measurements if m.source == sid]
        cks = [c for c in full_catalog.checkpoints(architecture="resnet50") if c.source == sid]
        assert len(ms) == 1 and len(cks) == 1, sid
        assert ms[0].precision == cks[0].precision == "int8"  # a quantized latency with its quantized accuracy
        assert cks[0].top1 == float(r["accuracy_pct"])


def test_the_orin_and_datacenter_rows_answer_on_tensorrt_by_default(full_catalog):
    # the new runs: Orin v2.0/v2.1 (SingleStream and GPU+DLA Offline), A100-PCIe-80GB v1.1/v2.0, A100-SXM v2.0,
    # A100-SXM4-40GB v0.7 Offline
    assert full_catalog.best("a100-pcie-80gb", min_fps=30).runtime == "tensorrt"
    assert full_catalog.best("a100-sxm4-40gb", batch_size=2048).fps == 37479.5
    orin = full_catalog.best("jetson-agx-orin", batch_size=256, runtime="tensorrt", objective="top1")
    assert orin.sources["latency"] in {"mlperf-inf-v2.0-nvidia-orin-offline", "mlperf-inf-v2.1-nvidia-orin-offline",
                                       "mlperf-inf-v3.0-nvidia-orin-offline"}


@pytest.mark.parametrize("device,system", [("h100-sxm-80gb", "DGX-H100_H100-SXM-80GBx1_TRT"),
                                           ("h100-pcie-80gb", "H100-PCIe-80GBx1_TRT")])
def test_the_h100_offline_runs_answer_with_their_own_int8_accuracy(full_catalog, device, system):
    # MLPerf v3.0 publishes only Offline runs of the single H100s (batch 2048 from that round's config), so a
    # batch-1 query refuses and names the measured batch; batch 'best' answers from the run, traced to its raw row
    (run,) = [r for r in _runs() if r["system"] == system]
    with pytest.raises(NoFeasibleModel, match="2048"):
        full_catalog.best(device, min_fps=30)
    r = full_catalog.best(device, min_fps=30, batch_size=None)  # CLI --batch-size best
    assert (r.top1, r.batch_size) == (float(run["accuracy_pct"]), int(run["gpu_batch_size"])) == (76.156, 2048)
    assert r.fps == pytest.approx(float(run["samples_per_second"]), rel=1e-9)
    assert r.sources["latency"] == r.sources["accuracy"] == _source_id(run)
    assert full_catalog.coverage(device).missing == []  # TensorRT is measured there: no "never measured" note


# the fourth pass: v3.0 runs on devices that already answered; each query picks the new run (highest top-1 at its
# batch, or fastest where an older run's top-1 is higher), and the answer traces to that run's raw row
@pytest.mark.parametrize("device,batch,objective,system,scenario", [
    ("jetson-agx-orin", 1, "fps", "Orin_TRT", "SingleStream"),  # 1586.27 QPS beats v3.1's 1571.40 (top-1 76.096 > 76.032)
    ("nvidia-l4", 1, "top1", "L4x1_TRT", "SingleStream"),  # 76.128 % beats v3.1's 76.064 %
    ("nvidia-l4", 32, "top1", "L4x1_TRT", "Offline"),  # GPU batch 32 (v3.0 config class L4x1)
    ("a100-pcie-80gb", 1, "top1", "A100-PCIe-80GBx1_TRT", "SingleStream"),  # 76.124 % beats v1.1/v2.0
    ("a100-sxm-80gb", 2048, "fps", "DGX-A100_A100-SXM-80GBx1_TRT", "Offline"),  # 42379.3 beats v2.1's 42120.7 img/s
    # (v3.0 A100-PCIe Offline, 39152.4 img/s at 76.000 %, is neither the fastest nor the most accurate at batch 2048:
    # test_every_raw_run_is_in_the_table_with_its_own_int8_accuracy covers it)
])
def test_the_v3_0_runs_answer_with_their_own_int8_accuracy(full_catalog, device, batch, objective, system, scenario):
    _check_new_run(full_catalog, "v3.0", device, batch, objective, system, scenario)


# the fifth pass: v1.1/v2.0/v2.1 runs whose accuracy.txt those rounds' git snapshots hold; those that win a query
@pytest.mark.parametrize("device,batch,objective,system,scenario", [
    ("a100-pcie-80gb", 2048, "top1", "A100-PCIe-80GBx1_TRT", "Offline"),  # 76.072 % beats v1.1/v2.0/v3.0
    ("a100-pcie-80gb", 2048, "fps", "A100-PCIe-80GBx1_TRT", "Offline"),  # 39814.4 beats v3.0's 39152.4 img/s
    ("a100-sxm-80gb", 2048, "top1", "DGX-A100_A100-SXM-80GBx1_TRT", "Offline"),  # 76.072 % beats v1.1/v2.0/v3.0
])
def test_the_v2_1_offline_runs_answer_with_their_own_int8_accuracy(full_catalog, device, batch, objective, system,
                                                                    scenario):
    _check_new_run(full_catalog, "v2.1", device, batch, objective, system, scenario)


def _check_new_run(full_catalog, rnd, device, batch, objective, system, scenario):
    (run,) = [r for r in _runs() if (r["round"], r["system"], r["scenario"]) == (rnd, system, scenario)]
    r = full_catalog.best(device, batch_size=batch, runtime="tensorrt", objective=objective)
    assert r.sources["latency"] == r.sources["accuracy"] == _source_id(run)
    top1, field, value = mlperf_trace(r)
    assert r.top1 == top1 == float(run["accuracy_pct"]) and r.batch_size == int(run["gpu_batch_size"]) == batch
    assert getattr(r, field) == pytest.approx(value, rel=1e-9)
