"""The service's answer path: dicts straight from the columns equal the library's models, and the
partial sort that picks the first checkpoints equals a full sort."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpick import NoFeasibleModel

QUERIES = st.fixed_dictionaries({
    "device": st.sampled_from(["board-a", "gpu-b", "board"]),
    "max_mem_gb": st.none() | st.floats(0.3, 3.0),
    "min_fps": st.none() | st.floats(1, 300),
    "batch_size": st.sampled_from([1, 8, None]),
    "min_top1": st.none() | st.floats(60, 85),
    "objective": st.sampled_from(["top1", "fps", "memory"]),
    "strict": st.booleans(),
    "limit": st.integers(1, 12),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_records_equal_the_models(mini_catalog, query):
    q = mini_catalog.query(**query)
    try:
        recs = mini_catalog.solve(q)
    except NoFeasibleModel:
        return
    assert mini_catalog.solve_records(q) == [r.to_dict() for r in recs]
    _assert_json_equals_records(mini_catalog, q)
    assert recs[0].why and all(not r.why for r in recs[1:])
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))


def _full_sort_top(cat, rows, objective, strict, limit):
    """The definition: sort every feasible row, keep each checkpoint's first row, take ``limit``."""
    ordered = cat._order(rows, objective, strict)
    _, first = np.unique(cat._cols["checkpoint"][ordered], return_index=True)
    return ordered[np.sort(first)[:limit]]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_partial_sort_equals_full_sort(full_catalog, data):
    cat = full_catalog
    devices = sorted(cat._blocks, key=lambda code: cat._blocks[code][0])
    code = data.draw(st.sampled_from(devices), label="device")
    lo, hi = cat._blocks[code]
    rows = np.arange(lo, hi)
    keep = data.draw(st.floats(0.05, 1.0), label="share of rows")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    rows = rows[rng.random(len(rows)) < keep]
    if len(rows) == 0:
        return
    objective = data.draw(st.sampled_from(["top1", "fps", "memory"]), label="objective")
    strict = data.draw(st.booleans(), label="strict")
    limit = data.draw(st.integers(1, 60), label="limit")
    assert cat._top(rows, objective, strict, limit).tolist() == _full_sort_top(cat, rows, objective, strict, limit).tolist()


def test_records_equal_the_models_on_the_full_table(full_catalog):
    for device in ("jetson-nano", "rtx-4090", "raspberry-pi-4"):
        for kwargs in ({}, {"batch_size": None, "limit": 25}, {"objective": "memory", "strict": True},
                       {"objective": "fps", "min_top1": 75}):
            q = full_catalog.query(device, **kwargs)
            try:
                recs = full_catalog.solve(q)
            except NoFeasibleModel:
                continue
            assert full_catalog.solve_records(q) == [r.to_dict() for r in recs]
            _assert_json_equals_records(full_catalog, q)
            _assert_json_equals_records(full_catalog, q)  # the second time from the kept bytes


def _assert_json_equals_records(cat, q):
    """solve_json's bytes are orjson's of solve_records' dicts, byte for byte, and its ids their sources in order."""
    import orjson

    recs = cat.solve_records(q)
    data, ids = cat.solve_json(q)
    assert data == [orjson.dumps(r) for r in recs]
    assert ids == [sid for r in recs for sid in r["sources"].values()]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_kept_records_equal_fresh_ones(mini_catalog, query):
    """Records are kept per row between answers: each equals one built afresh, and whatever a caller does to
    an answer's dicts leaves the next answer alone."""
    q = mini_catalog.query(**query)
    try:
        first = mini_catalog.solve_records(q)
    except NoFeasibleModel:
        return
    _, rows, why = mini_catalog._solve_rows(q, q.limit)
    fresh = [mini_catalog._record(int(r), i + 1, q.strict, why if i == 0 else None) for i, r in enumerate(rows)]
    assert first == fresh
    for rec in first:
        rec["settings"]["tampered"] = 1
        rec["sources"]["accuracy"] = "tampered"
        rec["why"].append("tampered")
        rec["top1"] = -1.0
    assert mini_catalog.solve_records(q) == fresh
