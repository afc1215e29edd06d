"""The suspect screen (modelpick.screen) on synthetic tables whose truth is known, and its reviewed decisions."""

from __future__ import annotations

import math
import random

import pytest

from modelpick.screen import (
    RATE_FACTOR,
    RUN_FACTOR,
    ArchInfo,
    apply_reviewed,
    parse_reviewed,
    per_image_latency_ms,
    screen_rows,
)

# Networks with GMACs and a per-network "efficiency" (depthwise nets run slowly per GMAC everywhere).
NETS = {
    "tiny": (0.06, 1.5), "small": (0.3, 2.0), "dw": (0.3, 4.0), "mid": (0.6, 1.2), "res18": (1.8, 1.0),
    "res34": (3.6, 1.0), "res50": (4.1, 1.1), "big": (8.0, 0.9), "vgg": (15.5, 0.7), "huge": (20.0, 0.8),
}
ARCHS = {name: ArchInfo(gmacs=g, input_size=224) for name, (g, _) in NETS.items()}


def synthetic_table(seed: int = 0, devices: int = 12, npu_devices: int = 4) -> tuple[list[dict], dict[str, str]]:
    """Runs on many devices: latency = device speed x (gmacs x efficiency)^slope x small noise."""
    rng = random.Random(seed)
    rows: list[dict] = []
    kinds: dict[str, str] = {}
    for d in range(devices + npu_devices):
        npu = d >= devices
        device = f"npu-{d}" if npu else f"cpu-{d}"
        kinds[device] = "npu" if npu else "cpu"
        speed = rng.uniform(1.0, 40.0)
        for threads in (1, 4):
            slope = rng.uniform(0.7, 1.0)
            for name, (gmacs, eff) in NETS.items():
                # a real NPU effect: the depthwise net is 8x slower on every NPU run
                npu_penalty = 8.0 if (npu and name == "dw") else 1.0
                latency = speed / threads ** 0.8 * (gmacs * eff) ** slope * npu_penalty * math.exp(rng.gauss(0, 0.05))
                rows.append({"architecture": name, "input_size": 224, "device": device,
                             "runtime": "npu-rt" if npu else "cpu-rt", "precision": "fp32", "batch_size": 1,
                             "latency_ms": round(latency, 4), "source": "synthetic",
                             "settings": {"threads": threads}})
    return rows, kinds


def find(rows, **match):
    hits = [i for i, r in enumerate(rows) if all((r.get(k) if k != "threads" else r["settings"]["threads"]) == v
                                                   for k, v in match.items())]
    assert len(hits) == 1, match
    return hits[0]


def test_clean_table_has_no_suspects_and_npu_effects_are_not_errors():
    rows, kinds = synthetic_table()
    assert screen_rows(rows, ARCHS, kinds) == {}


def test_slow_outlier_in_its_run_is_a_suspect():
    rows, kinds = synthetic_table()
    i = find(rows, device="cpu-3", architecture="mid", threads=4)
    rows[i]["latency_ms"] *= 30
    suspects = screen_rows(rows, ARCHS, kinds)
    assert list(suspects) == [i]
    assert "slower than the rest of its run predicts" in suspects[i]


def test_outlier_below_the_factor_is_kept():
    rows, kinds = synthetic_table()
    i = find(rows, device="cpu-3", architecture="mid", threads=4)
    rows[i]["latency_ms"] *= RUN_FACTOR * 0.6
    assert screen_rows(rows, ARCHS, kinds) == {}


def test_heavy_net_faster_than_light_ones_is_a_suspect_even_when_most_of_its_run_is_broken():
    """A run that broke halfway: the heavy nets all report ~0.5 ms; only the device-rate test can tell."""
    rows, kinds = synthetic_table()
    broken = ["res18", "res34", "res50", "big", "vgg", "huge"]
    for k, name in enumerate(broken):
        rows[find(rows, device="cpu-5", architecture=name, threads=4)]["latency_ms"] = 0.5 + 0.1 * k
    suspects = screen_rows(rows, ARCHS, kinds)
    flagged = {rows[i]["architecture"] for i in suspects if rows[i]["device"] == "cpu-5"}
    assert {"vgg", "huge", "big"} <= flagged <= set(broken)
    vgg = find(rows, device="cpu-5", architecture="vgg", threads=4)
    assert "implausibly fast" in suspects[vgg] and "lighter" in suspects[vgg]
    # no genuine row anywhere is named
    assert all(rows[i]["architecture"] in broken and rows[i]["device"] == "cpu-5" for i in suspects)


def test_moderately_fast_row_is_kept():
    rows, kinds = synthetic_table()
    i = find(rows, device="cpu-2", architecture="res50", threads=1)
    rows[i]["latency_ms"] /= RATE_FACTOR * 0.1
    assert screen_rows(rows, ARCHS, kinds) == {}


def test_judge_limits_the_verdicts_but_all_rows_are_reference():
    rows, kinds = synthetic_table()
    bad = find(rows, device="cpu-3", architecture="mid", threads=4)
    rows[bad]["latency_ms"] *= 30
    other = find(rows, device="cpu-4", architecture="mid", threads=4)
    assert screen_rows(rows, ARCHS, kinds, judge=[other]) == {}
    assert list(screen_rows(rows, ARCHS, kinds, judge=[bad])) == [bad]


def test_deterministic_and_independent_of_row_order():
    rows, kinds = synthetic_table(seed=3)
    rows[find(rows, device="cpu-1", architecture="big", threads=1)]["latency_ms"] *= 40
    first = screen_rows(rows, ARCHS, kinds)
    assert first and screen_rows(rows, ARCHS, kinds) == first
    order = list(range(len(rows)))
    random.Random(1).shuffle(order)
    shuffled = screen_rows([rows[i] for i in order], ARCHS, kinds)
    assert {order[i]: r for i, r in shuffled.items()} == first


def test_rows_without_latency_or_gmacs_are_handled():
    rows, kinds = synthetic_table()
    rows.append({"architecture": "mid", "input_size": 224, "device": "cpu-1", "runtime": "cpu-rt",
                 "precision": "fp32", "batch_size": 1, "memory_mb": 10.0, "source": "synthetic"})
    archs = dict(ARCHS, mid=ArchInfo(gmacs=None, input_size=224))
    assert screen_rows(rows, archs, kinds) == {}


def test_per_image_latency_from_each_form():
    assert per_image_latency_ms({"latency_ms": 2.0}) == 2.0
    assert per_image_latency_ms({"batch_latency_ms": 8.0, "batch_size": 4}) == 2.0
    assert per_image_latency_ms({"fps": 500.0}) == 2.0
    assert per_image_latency_ms({"memory_mb": 3.0}) is None


def test_sections_of_one_document_are_separate_runs():
    """Two README sections with the same settings: a broken row in one is judged against its own section."""
    rows, kinds = synthetic_table()
    for row in rows:
        if row["device"] == "cpu-3" and row["settings"]["threads"] == 4:
            row["settings"]["readme_line"] = 100 + list(NETS).index(row["architecture"])
    copy = [dict(r, settings=dict(r["settings"], readme_line=r["settings"]["readme_line"] + 500),
                 latency_ms=r["latency_ms"] * 3)
            for r in rows if r["device"] == "cpu-3" and r["settings"]["threads"] == 4]
    rows.extend(copy)  # the same board three times slower, in a later section (e.g. an older version)
    assert screen_rows(rows, ARCHS, kinds) == {}


# ---------------------------------------------------------------------------
# reviewed decisions


def test_reviewed_confirm_and_clear():
    rows, kinds = synthetic_table()
    bad = find(rows, device="cpu-3", architecture="mid", threads=4)
    rows[bad]["latency_ms"] *= 30
    quiet = find(rows, device="cpu-6", architecture="tiny", threads=1)
    screened = screen_rows(rows, ARCHS, kinds)
    decisions = parse_reviewed({
        "confirm": [{"match": {"device": "cpu-6", "architecture": "tiny", "settings": {"threads": 1}},
                     "reason": "broken section"}],
        "clear": [{"match": {"device": "cpu-3", "architecture": "mid", "settings": {"threads": 4}},
                   "reason": "real"}],
    })
    final = apply_reviewed(rows, screened, decisions)
    assert final == {quiet: "reviewed: broken section"}


@pytest.mark.parametrize("doc, message", [
    ([], "expected a mapping"),
    ({"confirm": [], "ignore": []}, "unknown key 'ignore'; valid keys: clear, confirm"),
    ({"confirm": [{"match": {"device": "x"}}]}, "exactly 'match' and 'reason'"),
    ({"clear": [{"match": {"device": "x"}, "reason": " "}]}, "reason must be a non-empty string"),
    ({"clear": [{"match": {"colour": "x"}, "reason": "r"}]}, "cannot match on 'colour'; valid fields:"),
    ({"clear": [{"match": {}, "reason": "r"}]}, "match must be a non-empty mapping"),
])
def test_reviewed_file_errors_name_the_problem(doc, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_reviewed(doc)


def test_stale_reviewed_decisions_fail():
    rows, kinds = synthetic_table()
    decisions = parse_reviewed({"confirm": [{"match": {"device": "gone"}, "reason": "r"}]})
    with pytest.raises(ValueError, match="matches no measurement"):
        apply_reviewed(rows, {}, decisions)
    decisions = parse_reviewed({"clear": [{"match": {"device": "cpu-1", "architecture": "mid"}, "reason": "r"}]})
    with pytest.raises(ValueError, match="does not flag"):
        apply_reviewed(rows, {}, decisions)


def test_shipped_reviewed_file_parses():
    from pathlib import Path

    from modelpick.screen import load_reviewed

    decisions = load_reviewed(Path(__file__).resolve().parent.parent / "data" / "suspects_reviewed.yaml")
    assert {d.decision for d in decisions} == {"confirm", "clear"}
    assert all(d.reason for d in decisions)


def test_gmacs_at_a_size_prefer_the_sources_figure_over_pixel_scaling():
    # tf_efficientnetv2_b0: timm states 0.73 GMACs at 224 px; scaling its 192 px figure would say 0.735
    info = ArchInfo(0.54, 192, {224: 0.73})
    assert info.gmacs_at(224) == 0.73
    assert info.gmacs_at(384) == pytest.approx(0.54 * 4)
    assert math.isnan(ArchInfo(None, None).gmacs_at(224))
