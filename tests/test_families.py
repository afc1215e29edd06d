"""Issue 19: each family's fast runtime is declared once (data/fast_runtimes.yaml); where it is measured it is the
default answer (runtime= still picks the CPU), and `modelpick devices --coverage` prints the family table the
README shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from modelpick import load_catalog
from modelpick._coverage import fast_runtime, family_rows
from modelpick._families import family_table, format_family_table
from modelpick.cli import main as cli_main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
SRC = "fixture"


def _m(arch, device, runtime, precision, latency_ms, **settings):
    return {"architecture": arch, "input_size": 224, "device": device, "runtime": runtime, "precision": precision,
            "batch_size": 1, "latency_ms": latency_ms, "source": SRC, **({"settings": settings} if settings else {})}


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    path = tmp_path_factory.mktemp("families") / "families.yaml"
    path.write_text(yaml.safe_dump({
        "schema_version": 1,
        "sources": [{"id": SRC, "title": "family fixture", "published": {"url": "https://example.invalid/f"}}],
        "devices": [{"id": "jetson-x", "name": "Jetson X", "kind": "soc", "family": "jetson"},
                    {"id": "card-x", "name": "Desktop card", "kind": "gpu"}],
        "architectures": [{"id": a, "family": "toy", "input_size": 224} for a in ("small", "large")],
        "checkpoints": [{"id": "small.a", "architecture": "small", "source": SRC, "top1": 70.0, "input_size": 224},
                        {"id": "large.a", "architecture": "large", "source": SRC, "top1": 83.0, "input_size": 224}],
        "measurements": [_m("small", "jetson-x", "tensorrt", "fp16", 2.0),
                         _m("large", "jetson-x", "ncnn", "auto", 20.0, backend="cpu"),
                         _m("large", "card-x", "ncnn", "auto", 5.0, backend="vulkan"),
                         _m("small", "card-x", "pytorch", "fp32", 1.0)]}))
    return load_catalog(path, embedded=False, use_env=False)


def test_the_fast_runtime_is_the_default_answer_and_runtime_still_picks_the_cpu(cat):
    rec = cat.best("jetson-x")
    assert (rec.checkpoint, rec.runtime) == ("small.a", "tensorrt")  # not the more accurate ncnn CPU row
    line = rec.why[-2]  # after the ranking lines, before the coverage line
    assert line.startswith("answered on TensorRT, the fast runtime of jetson-x") and line.endswith("ncnn")
    cpu = cat.best("jetson-x", runtime="ncnn")
    assert (cpu.checkpoint, cpu.runtime) == ("large.a", "ncnn") and not any("answered on" in w for w in cpu.why)


def test_where_the_fast_runtime_has_no_feasible_candidate_the_other_runtimes_answer(cat):
    rec = cat.best("jetson-x", min_top1=80)
    assert rec.runtime == "ncnn" and not any("answered on" in w for w in rec.why)


def test_a_note_only_fast_runtime_does_not_change_the_answer(cat):
    # desktop CUDA is declared for its coverage note only (default: false): the answer stays the most accurate
    assert fast_runtime(cat.device("card-x")).id == "cuda"
    assert cat.best("card-x").checkpoint == "large.a"


def test_each_family_row_names_a_declared_fast_runtime_that_fits_its_device(full_catalog):
    for row in family_rows():
        dev = full_catalog.device(full_catalog.resolve_device(row.device))
        assert fast_runtime(dev) is row.fast_runtime or row.fast_runtime is None, row


def test_family_table_measured_column_agrees_with_the_coverage_notes(full_catalog):
    for row in family_table(full_catalog):
        cov = full_catalog.coverage(row["device"])
        if row["fast_runtime_measured"] is not None and row["runs"]:
            # the "never measured" note is there exactly where the fast runtime is not measured
            assert (cov.missing == []) == row["fast_runtime_measured"], row
        if row["fast_runtime_measured"] and row["answer"]:
            fr = fast_runtime(full_catalog.device(row["device"]))
            fast_runs = {r.runtime for r in cov.measured if fr.counts(r.runtime, r.backend)}
            assert row["answer"]["runtime"] in fast_runs, row


def test_readme_shows_the_family_table_the_cli_prints(full_catalog, capsys):
    assert cli_main(["devices", "--coverage"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == format_family_table(family_table(full_catalog))
    shown = re.search(r"<!-- family-table:.*?-->\n(.*?)\n<!-- /family-table -->", README, flags=re.S).group(1)
    # every column but the run counts, which move with each data landing (the README says they are a snapshot)
    def cells(table):
        return [[c for i, c in enumerate(line.split(" | ")) if i != 4] for line in table.splitlines()]

    assert cells(shown) == cells(printed), \
        "README family table is stale: paste the output of `modelpick devices --coverage`"
    assert cli_main(["devices", "--coverage", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["family"] for r in rows] == [r.family for r in family_rows()]
    orin = next(r for r in rows if r["family"] == "Jetson Orin")
    assert orin["fast_runtime_measured"] and orin["answer"]["runtime"] == "tensorrt"


def test_fast_runtime_line_sits_before_the_coverage_lines_for_every_task(full_catalog):
    # the line was placed by counting the classification coverage's lines, so a detection answer got it
    # between its ranking lines
    for task, device in (("classification", "jetson-agx-orin"), ("detection", "a100")):
        rec = full_catalog.best(device, task=task)
        at = next(i for i, line in enumerate(rec.why) if line.startswith("answered on TensorRT"))
        cov = full_catalog.coverage(device, task=task)
        assert rec.why[at + 1:] == [cov.text, *cov.missing], (task, rec.why)


def test_raspberry_pi_5_names_its_ai_kit_as_an_accelerator_option(full_catalog):
    # the Pi 5 keeps its CPU answers; the Hailo-8L of the AI Kit is named, and answers only when asked for
    rec = full_catalog.best("raspberry-pi-5", min_fps=30)
    assert rec.runtime != "hailort" and rec.device == "raspberry-pi-5"
    cov = full_catalog.coverage("raspberry-pi-5")
    assert cov.accelerator_options == ["hailo-8l"]
    assert "accelerator option: the Raspberry Pi AI Kit" in cov.text and cov.text in rec.why
    assert "ask device=hailo-8l" in cov.text
    assert full_catalog.best("hailo-8l", min_fps=30).runtime == "hailort"
    row = next(r for r in family_table(full_catalog) if r["family"] == "Raspberry Pi 5")
    (option,) = row["accelerator_options"]
    assert option["device"] == "hailo-8l" and option["answer"]["runtime"] == "hailort"
    # a device without options carries none, and its JSON leaves the field out
    other = full_catalog.coverage("jetson-agx-orin")
    assert other.accelerator_options == [] and "accelerator_options" not in other.model_dump(exclude_defaults=True)
