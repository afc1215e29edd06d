"""The row contract (modelpick.importers.rows) shared by the catalog build's adapters and the importers."""

from __future__ import annotations

import pytest

from modelpick.importers.rows import AliasEntry, AliasTable, MappingReport, SourceRow, map_rows, measurements, to_measurement
from modelpick.schema import Measurement


@pytest.fixture(scope="module")
def aliases() -> AliasTable:
    return AliasTable.load()


def test_ncnn_names_map_through_the_reviewed_section(aliases):
    rows = [
        SourceRow(model="mobilenet", runtime="ncnn", batch_size=1, precision="auto", input_size=224, latency_ms=31.6,
                  settings={"threads": 4, "backend": "cpu"}, stats={"min": 31.1, "max": 33.0}, origin="log.txt:12"),
        SourceRow(model="mobilenet_int8", runtime="ncnn", batch_size=1, precision="auto", input_size=224, latency_ms=20.0),
        SourceRow(model="shufflenet", runtime="ncnn", batch_size=1, input_size=224, latency_ms=10.0),  # left out
        SourceRow(model="no-such-net", runtime="ncnn", batch_size=1, input_size=224, latency_ms=10.0, origin="log.txt:40"),
    ]
    report = MappingReport()
    out = measurements(rows, "ncnn-benchncnn", aliases, "my-board", report)
    assert [m["architecture"] for m in out] == ["mobilenet_v1", "mobilenet_v1"]
    assert out[0] == {"architecture": "mobilenet_v1", "input_size": 224, "device": "my-board", "runtime": "ncnn",
                      "precision": "auto", "batch_size": 1, "latency_ms": 31.6, "source": "ncnn-benchncnn",
                      "settings": {"backend": "cpu", "threads": 4}, "stats": {"max": 33.0, "min": 31.1},
                      "name": "mobilenet"}
    assert out[1]["precision"] == "int8"  # the alias entry's precision wins over the row's
    for m in out:
        Measurement.model_validate(m)
    text = "\n".join(report.lines())
    assert "'no-such-net' is not in the alias table: 1 row(s) kept out (first at log.txt:40)" in text
    assert "'shufflenet' left out" in text


def test_input_size_from_the_entry_only_when_the_row_has_none():
    entry = AliasEntry(arch="inception_v3", input_size=299)
    row = SourceRow(model="Inception_V3", runtime="tflite", batch_size=1, latency_ms=5.0)
    assert to_measurement(row, entry, "pixel-3", "s")["input_size"] == 299
    stated = SourceRow(model="Inception_V3", runtime="tflite", batch_size=1, input_size=342, latency_ms=5.0)
    assert to_measurement(stated, entry, "pixel-3", "s")["input_size"] == 342
    with pytest.raises(ValueError, match="no input size"):
        to_measurement(row, AliasEntry(arch="inception_v3"), "pixel-3", "s")


def test_stated_architecture_bypasses_the_table_and_device_resolver_reports(aliases):
    rows = [SourceRow(model="model.tflite", architecture="mobilenet_v2", runtime="tflite", batch_size=1,
                      input_size=224, latency_ms=7.5, device="Pixel 9"),
            SourceRow(model="model.tflite", architecture="mobilenet_v2", runtime="tflite", batch_size=1,
                      input_size=224, latency_ms=7.5, device="Unknown phone")]
    report = MappingReport()
    kept = list(map_rows(rows, "any", aliases, lambda r: "pixel-9" if r.device == "Pixel 9" else None, report))
    assert len(kept) == 1 and kept[0][1].arch == "mobilenet_v2" and kept[0][2] == "pixel-9"
    assert report.lines() == ["[any] device 'Unknown phone' is not mapped: 1 row(s) kept out"]


def test_timm_names_are_catalog_ids_unless_merged(aliases):
    assert aliases.canonical_timm("mobilenetv2_100") == "mobilenet_v2"
    assert aliases.canonical_timm("convnext_nano") == "convnext_nano"
