"""Paddle Lite v2.11 benchmark: MobileNet and ResNet-50 latency on ARM phones (CPU big core, GPU)."""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum


class PaddleliteAdapter(TableAdapter):
    source_id = "paddlelite"
    table = "paddlelite_benchmark.csv"
    meta = {
        "title": "Paddle Lite v2.11 benchmark (docs/performance/benchmark.md)",
        "published": {"repo": "PaddlePaddle/Paddle-Lite", "commit": "07b851a839dabc1a7f8fa63fccff4824329ed5f2", "path": "docs/performance/benchmark.md"},
        "runtime": "Paddle Lite release/v2.11 (commit 4a3bdbe); CPU 1 thread on a big core (armv7/armv8), or GPU with auto-tune",
        "precision": "fp32, fp16, int8 (*_quant), fp32 sparse models; GPU precision not stated",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms, mean over 600 repeats after 20 warm-ups, inputs set to 1.f",
        "caveats": [
            "batch size not stated by the source (single-image mobile benchmark); stored as batch 1 with batch_stated: false",
            "input size not stated in the table; 224 (standard ImageNet input of these models) is recorded with settings.input_size_stated: false",
            "only the MobileNetV1/V2/V3 and ResNet50 rows were extracted",
        ],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        p = r["precision"]
        settings: dict[str, Any] = {"batch_stated": False, "input_size_stated": False,
                                    "backend": "gpu" if r["backend"] == "GPU" else "cpu"}
        if r["backend"].startswith("CPU"):
            settings["core"] = "big"
        if p.startswith("fp32 (sparse"):
            p = "fp32"
            settings["sparse"] = True
        if r["abi"]:
            settings["abi"] = r["abi"]
        if r["threads"]:
            settings["threads"] = intnum(r["threads"])
        # no input size in the table: the alias entry states it (settings.input_size_stated: false)
        return SourceRow(model=r["model"], device=r["device"], runtime="paddle-lite", precision=p or None,
                         batch_size=1, latency_ms=fnum(r["latency_ms"]), settings=settings)
