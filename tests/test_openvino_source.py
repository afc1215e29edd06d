"""Intel's OpenVINO benchmark table (sources/openvino_benchmarks): the adapter keeps every published cell as one
measurement on the processor's device with its backend, the int8 cells pair with no accuracy (the source publishes
only accuracy differences), the Intel family row answers from OpenVINO, and 20 seeded-random answers on the
OpenVINO devices trace to their raw cells."""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import pytest
import yaml
from conftest import count_answered

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from modelpick.catalog import QUANTIZED_PRECISIONS, load_table  # noqa: E402
from modelpick.errors import NoFeasibleModel  # noqa: E402
from scripts.build_catalog.adapters.openvino_benchmarks import BACKENDS, COLUMNS, SOURCE_ID, split_platform  # noqa: E402

RAW = ROOT / "sources" / "openvino_benchmarks" / "OV-2024.3-benchmark-data.csv"
ARCH = {"mobilenet-v2": "mobilenet_v2", "resnet-50": "resnet50"}


def raw_rows() -> list[dict[str, str]]:
    with open(RAW, newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["Network model"] not in ("begin_rec", "end_rec")]


def device_of_chip() -> dict[str, str]:
    devmap = yaml.safe_load((ROOT / "data" / "devices_map.yaml").read_text(encoding="utf-8"))
    return {a: d["id"] for d in devmap["devices"] for a in d.get("aliases", [])}


def raw_cell(architecture: str, device: str, backend: str, precision: str, hint: str) -> float:
    """The one published cell a catalog row of this source came from."""
    chips = device_of_chip()
    column = next(c for c, p, kind in COLUMNS if p == precision and kind == hint)
    cells = [float(r[column]) for r in raw_rows()
             if ARCH[r["Network model"]] == architecture and split_platform(r["Platform name"]) is not None
             and chips.get(split_platform(r["Platform name"])[0]) == device
             and split_platform(r["Platform name"])[1] == backend and r[column]]
    assert len(cells) == 1, (architecture, device, backend, precision, hint, cells)
    return cells[0]


@pytest.fixture(scope="module")
def table():
    return load_table(use_env=False)


@pytest.fixture(scope="module")
def rows(table):
    return [m for m in table.measurements if m["source"] == SOURCE_ID]


def test_every_published_cell_is_one_measurement_on_its_device_and_backend(rows):
    published = sum(1 for r in raw_rows() for c, _, _ in COLUMNS if r[c])
    assert len(rows) == published == 238
    for m in rows:
        hint = m["settings"]["hint"]
        value = m["fps"] if hint == "throughput" else m["latency_ms"]
        assert value == raw_cell(m["architecture"], m["device"], m["settings"]["backend"], m["precision"], hint)
        assert m["runtime"] == "openvino" and m["batch_size"] == 1 and m["input_size"] == 224
    # the Core Ultra's iGPU and NPU are backends of the processor's device, not devices of their own
    ultra = {m["settings"]["backend"] for m in rows if m["device"] == "intel-core-ultra-7-165h"}
    assert ultra == {"cpu", "gpu", "npu", "cpu+gpu"}


def test_platform_suffix_names_the_backend():
    assert split_platform("Intel® Core™ Ultra 7 processor 165H NPU-only") == ("Intel® Core™ Ultra 7 processor 165H", "npu")
    assert split_platform("Intel® Arc™ A770M dGPU") == ("Intel® Arc™ A770M", "gpu")
    assert split_platform("Intel® Core™ i7-1360P CPU+iGPU") == ("Intel® Core™ i7-1360P", "cpu+gpu")
    assert split_platform("Intel® Core™ i7-1360P") is None  # an unknown suffix stops the build, never guessed
    assert {b for _, b in BACKENDS} == {"cpu", "gpu", "npu", "cpu+gpu"}


def test_int8_cells_pair_with_no_accuracy(table):
    # the source publishes no checkpoint: its accuracy page gives only differences to the framework model
    assert not [c for c in table.checkpoints.values() if c.source == SOURCE_ID]
    cols = table.columns
    for i in range(len(cols["checkpoint"])):
        m = table.measurements[int(cols["measurement"][i])]
        if m["source"] == SOURCE_ID:
            assert m["precision"] not in QUANTIZED_PRECISIONS, m


def test_the_intel_family_row_answers_from_openvino_and_the_cpu_runtimes_stay_reachable(full_catalog, table):
    r = full_catalog.best("intel-core-ultra-7-165h", min_fps=30)
    assert r.runtime == "openvino" and r.sources["latency"] == SOURCE_ID
    assert full_catalog.coverage("intel-core-ultra-7-165h").missing == []
    # a device with OpenVINO and other runtimes: OpenVINO answers by default, runtime= still picks the other one
    assert full_catalog.best("intel-i7-12700h", min_fps=30).runtime == "openvino"
    others = {m["runtime"] for m in table.measurements
              if m["device"] == "intel-i7-12700h" and m["runtime"] != "openvino"}
    for runtime in others:
        try:
            assert full_catalog.best("intel-i7-12700h", min_fps=30, runtime=runtime).runtime == runtime
        except NoFeasibleModel:
            pass
    # where OpenVINO was never measured the note stays
    assert full_catalog.coverage("intel-i9-10940x").missing


OV_DEVICES = ["intel-core-ultra-7-165h", "intel-i7-12700h", "intel-i7-1185g7", "intel-i9-13900k",
              "intel-xeon-platinum-8480plus-2s", "intel-atom-x6425e", "intel-flex-170", "intel-arc-a770m"]


def queries(n: int = 20) -> list[tuple[str, dict]]:
    rnd = random.Random(1903)  # fixed seed: the same 20 queries every run
    out = []
    for i in range(n):
        q: dict = {}
        kind = rnd.choice(["min_fps", "max_latency_ms", "objective"])
        if kind == "min_fps":
            q["min_fps"] = rnd.choice([10, 30, 100, 300, 1000])
        elif kind == "max_latency_ms":
            q["max_latency_ms"] = rnd.choice([1, 5, 20, 50])
        else:
            q["objective"] = rnd.choice(["fps", "top1"])
        out.append((OV_DEVICES[i % len(OV_DEVICES)], q))
    return out


@pytest.mark.parametrize("device,query", queries())
def test_answer_traces_to_its_raw_cell(full_catalog, table, device, query):
    try:
        r = full_catalog.best(device, **query)
    except NoFeasibleModel:
        pytest.skip("nothing feasible for this random query")  # the count below checks enough answered
    assert r.runtime == "openvino" and r.sources["latency"] == SOURCE_ID
    hint = r.settings["hint"]
    cell = raw_cell(r.architecture, r.device, r.settings["backend"], r.precision, hint)
    if hint == "throughput":
        assert r.fps == pytest.approx(cell, rel=1e-9)
    else:
        assert r.latency_ms == pytest.approx(cell, rel=1e-9)
    # the accuracy is a float checkpoint of the same architecture from another source (the OpenVINO table has none)
    c = table.checkpoints[r.checkpoint]
    assert c.architecture == r.architecture and c.precision not in QUANTIZED_PRECISIONS and c.top1 == r.top1
    assert r.precision not in QUANTIZED_PRECISIONS


def test_most_random_queries_answer(full_catalog):
    answered = count_answered(full_catalog, queries())
    assert answered >= 15
