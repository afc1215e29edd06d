"""TensorFlow Lite performance benchmarks: Android and iOS latency per backend (batch and precision partly unstated)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import TableAdapter
from ..cells import fnum
from ._tflite import tflite_backend


class TflitePerfAdapter(TableAdapter):
    source_id = "tflite-perf"
    table = "tflite_perf_benchmarks.csv"
    meta = {
        "title": "TensorFlow Lite performance benchmarks (performance/benchmarks.md)",
        "published": {"repo": "tensorflow/tensorflow", "commit": "00f0938ae85c7dd68b44b4d80a873f42b1dca16a", "path": "tensorflow/lite/g3doc/performance/benchmarks.md"},
        "runtime": "TFLite benchmark_model: Android CPU 4 threads / GPU / NNAPI; iOS CPU 2 threads / GPU",
        "precision": "float / quant for MobileNet v1; not stated for the other models (unspecified)",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "caveats": ["batch size not stated by the source; stored as batch 1 with batch_stated: false",
                    "input size from the model name or the model's published input shape (settings.input_size_stated: false)"],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        settings = {"batch_stated": False, "os": r["os"], **tflite_backend(r["backend"])}
        if "_224" not in r["model"]:
            settings["input_size_stated"] = False
        # the input size is the alias entry's (from the model name or the model's published input shape)
        return SourceRow(model=r["model"], device=r["device"], runtime="tflite",
                         precision={"float": "fp32", "quant": "int8", "": "unspecified"}[r["precision"]],
                         batch_size=1, latency_ms=fnum(r["latency_ms"]), settings=settings)
