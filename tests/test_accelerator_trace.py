"""Every answer from the accelerator sources traces to its raw row: 20 seeded-random queries, each answer's
accuracy and speed compared with the cells of the committed extract under sources/ that they came from."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from conftest import count_answered

from modelpick.errors import NoFeasibleModel

SOURCES = Path(__file__).resolve().parents[1] / "sources"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def hailo_trace(answer) -> tuple[float, float]:
    """(top-1, fps) of the raw Hailo row an answer came from: chip from the device, network from the checkpoint."""
    network, chip = answer.checkpoint.removeprefix("hailo/").rsplit(":", 1)
    row, = [r for r in _rows(SOURCES / "hailo_model_zoo" / "classification.csv")
            if r["chip"].lower() == chip and r["network"] == network]
    assert answer.device.replace("-", "") == chip
    return float(row["hardware_accuracy"]), float(row[f"fps_batch{answer.batch_size}"])


def qualcomm_trace(answer) -> tuple[float, float | None]:
    """(top-1, None) of the AI Hub numerics rows an answer's accuracy came from: the lowest of the model's runtimes
    at that precision (the latency is the existing qualcomm-aihub table's, traced by its own tests)."""
    mid, precision = answer.checkpoint.removeprefix("qualcomm-aihub/").rsplit(":", 1)
    figures = [float(r["partial_metric"]) for r in _rows(SOURCES / "qualcomm_aihub_numerics" / "numerics.csv")
               if r["model_id"] == mid and r["precision"].replace("_", "-") == precision]
    assert figures and answer.precision == precision
    return min(figures), None


def coral_trace(answer) -> tuple[float, float]:
    """(top-1, fps) of the Coral rows: the models page's top-1 (coral_models/models.csv) and the benchmark table's
    Edge TPU time of the same device (the shared coral_edgetpu_benchmarks.csv, through the reviewed device map)."""
    name, size = answer.checkpoint.removeprefix("coral/").rsplit(":", 1)
    row, = [r for r in _rows(SOURCES / "coral_models" / "models.csv")
            if r["model"].replace(" ", "_").replace("(", "").replace(")", "").rstrip("*") == name
            and r["input_size"].startswith(size + "x")]
    return float(row["top1_pct"]), None  # the latency is the existing coral-edgetpu rows' (traced by its tests)


TRACERS = {"hailo-model-zoo-": hailo_trace, "qualcomm-aihub": qualcomm_trace, "coral-": coral_trace}
DEVICES = ["hailo-8", "hailo-8l", "hailo-10h", "hailo-15h", "hailo-15l", "samsung-galaxy-s24", "coral-dev-board",
           "coral-usb-accelerator"]


def queries(n: int = 20) -> list[tuple[str, dict]]:
    rnd = random.Random(19)  # fixed seed: the same 20 queries every run
    out = []
    for i in range(n):
        q: dict = {"batch_size": rnd.choice([1, 8])}
        kind = rnd.choice(["min_fps", "max_latency_ms", "objective"])
        if kind == "min_fps":
            q["min_fps"] = rnd.choice([10, 30, 60, 100, 300, 1000])
        elif kind == "max_latency_ms":
            q["max_latency_ms"] = rnd.choice([1, 5, 20, 50])
        else:
            q["objective"] = rnd.choice(["fps", "top1"])
        device = DEVICES[i % len(DEVICES)]  # every source answers some of the 20
        if device.startswith("coral"):
            q.pop("batch_size")  # Coral's rows are batch 1
        if device == "samsung-galaxy-s24":  # its quantized runs: the new accuracy
            q = {"precision": rnd.choice(["w8a8", "w8a16"]), **{k: v for k, v in q.items() if k != "batch_size"}}
        out.append((device, q))
    return out


@pytest.mark.parametrize("device,query", queries())
def test_answer_traces_to_its_raw_row(full_catalog, device, query):
    try:
        r = full_catalog.best(device, **query)
    except NoFeasibleModel:
        pytest.skip("nothing feasible for this random query")  # the count below checks enough answered
    prefix = next(p for p in TRACERS if r.sources["latency"].startswith(p))
    assert r.sources["accuracy"].startswith(prefix)  # accuracy and speed from the same vendor's tables
    top1, fps = TRACERS[prefix](r)
    assert r.top1 == top1
    if fps is not None:
        assert r.fps == pytest.approx(fps, rel=1e-9)


def test_most_random_queries_answer(full_catalog):
    answered = count_answered(full_catalog, queries())
    assert answered >= 15
