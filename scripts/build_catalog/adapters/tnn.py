"""TNN benchmark data: v0.3 / v0.1 CPU and GPU latency on phones (batch and input size not stated)."""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import TableAdapter
from ..cells import fnum


class TnnAdapter(TableAdapter):
    source_id = "tnn"
    table = "tnn_benchmark.csv"
    meta = {
        "title": "TNN benchmark data (doc/benchmark_data.md)",
        "published": {"repo": "Tencent/TNN", "commit": "540b13d2ef3caf0eb4fdb442ede82ec1a93b7bf3", "path": "doc/benchmark_data.md"},
        "runtime": "TNN v0.3 (CPU 1 thread fp16, GPU) and v0.1 (CPU single thread)",
        "precision": "v0.3 CPU fp16; GPU precision not stated (unspecified); v0.1 _int8 rows int8, other v0.1 rows not stated",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "caveats": ["batch size not stated by the source; stored as batch 1 with batch_stated: false",
                    "input size not stated; 224 (299 for Inception) recorded with settings.input_size_stated: false; SqueezeNet rows left out (224 vs 227 unknown)",
                    "the Xeon and TITAN Xp rows (ResNet50/YOLO/BERT) were not extracted"],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        settings: dict[str, Any] = {"batch_stated": False, "input_size_stated": False,
                                    "backend": "gpu" if r["backend"] == "GPU" else "cpu",
                                    "tnn_version": r["tnn_version_section"]}
        if r["backend"].startswith("CPU"):
            settings["threads"] = 1
        # no input size in the table: the alias entry states it
        return SourceRow(model=r["model"], device=r["device"], runtime="tnn", precision=r["precision"] or None,
                         batch_size=1, latency_ms=fnum(r["latency_ms"]), settings=settings)
