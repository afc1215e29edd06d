"""Twenty seeded-random detection answers, each traced to its source rows (issue 18 goal).

For each answer: the checkpoint's mAP50-95 is a cell of its source's raw extract (sources/<name>/*.csv, committed
in the repository, so nothing here needs the shared tables), and the answer's time is a cell of the latency
source's extract, found through the catalog measurement the answer was joined from (same device, runtime,
precision, batch, input size and settings).
"""

from __future__ import annotations

import math
import random

import pytest

from modelpick.errors import NoFeasibleModel
from test_detection_sources import CHECKPOINT_ROWS, TIMING_ROWS, _nanodet_name, _num, catalog, extract


def _paired_devices() -> list[str]:
    """Devices with a detection time whose architecture and input size have a COCO checkpoint."""
    doc = catalog()
    det = {a["id"] for a in doc["architectures"] if a.get("task") == "detection"}
    cells = {(c["architecture"], c["input_size"]) for c in doc["checkpoints"] if c.get("metric") == "coco-map50-95"}
    return sorted({m["device"] for m in doc["measurements"]
                   if m["architecture"] in det and (m["architecture"], m["input_size"]) in cells})


def queries():
    """Seeded-random detection queries (the same stream every run): a device with paired detection rows and one
    limit or objective."""
    rnd = random.Random(18)
    devices = _paired_devices()
    while True:
        q: dict = {"task": "detection"}
        kind = rnd.choice(["min_fps", "max_latency_ms", "objective", "min_score"])
        if kind == "min_fps":
            q["min_fps"] = rnd.choice([1, 5, 10, 30, 60, 100])
        elif kind == "max_latency_ms":
            q["max_latency_ms"] = rnd.choice([5, 20, 50, 200])
        elif kind == "objective":
            q["objective"] = rnd.choice(["fps", "top1"])
        else:
            q["min_score"] = rnd.choice([25, 35, 45])
        yield rnd.choice(devices), q


def checkpoint_trace(answer) -> float:
    """The mAP50-95 cell of the raw extract row the answer's checkpoint came from."""
    ck, = [c for c in catalog()["checkpoints"] if c["id"] == answer.checkpoint]
    assert ck["source"] == answer.sources["accuracy"] and ck["metric"] == answer.metric == "coco-map50-95"
    table, name_col, score_cols = CHECKPOINT_ROWS[ck["source"]]
    scores = {_num(r[col]) for r in extract(table)
              if (_nanodet_name(r) if name_col is None else r[name_col].removesuffix(".pdparams")) == ck["name"]
              for col in score_cols if _num(r[col]) is not None}
    hit = [s for s in scores if math.isclose(s, answer.score)]
    assert hit, f"{answer.checkpoint}: {answer.score} is not among sources/{table}'s cells {sorted(scores)}"
    return hit[0]


def latency_trace(answer) -> dict:
    """The catalog measurement the answer was joined from, after checking its time is a raw extract cell."""
    ms = [m for m in catalog()["measurements"]
          if m["source"] == answer.sources["latency"] and m["architecture"] == answer.architecture
          and m["device"] == answer.device and m["runtime"] == answer.runtime and m["precision"] == answer.precision
          and m["batch_size"] == answer.batch_size and m["input_size"] == answer.input_size
          and (m.get("settings") or {}) == answer.settings]
    assert len(ms) == 1, f"{answer.checkpoint} on {answer.device}: {len(ms)} catalog rows match the answer"
    m = ms[0]
    per_image = (m["latency_ms"] if "latency_ms" in m else
                 m["batch_latency_ms"] / m["batch_size"] if "batch_latency_ms" in m else 1000 / m["fps"])
    assert answer.latency_ms == pytest.approx(per_image, rel=1e-9)
    table, name_col, ms_cols, fps_cols = TIMING_ROWS[m["source"]]
    rows = [r for r in extract(table) if r[name_col] == m["name"]]
    value, cols = (m["latency_ms"], ms_cols) if "latency_ms" in m else (m["fps"], fps_cols)
    assert any(_num(r[c]) is not None and math.isclose(_num(r[c]), value) for r in rows for c in cols), (
        f"{m['source']} {m['name']} on {m['device']}: {value} is not a cell of sources/{table}")
    return m


def test_twenty_random_detection_answers_trace_to_their_source_rows(full_catalog):
    traced, asked, seen = [], 0, set()
    for device, query in queries():
        asked += 1
        assert asked <= 200, f"only {len(traced)} of 200 random detection queries answered"
        try:
            r = full_catalog.best(device, **query)
        except NoFeasibleModel:
            continue  # an infeasible random limit is no answer to trace
        assert r.task == "detection" and r.top1 is None, (device, query)
        assert r.score == checkpoint_trace(r), (device, query)
        m = latency_trace(r)
        traced.append((device, r.checkpoint, m["source"]))
        seen.add(m["source"])
        if len(traced) == 20:
            break
    assert len({d for d, _, _ in traced}) >= 15  # the 20 answers spread over devices and latency sources
    assert len(seen) >= 5, seen
