"""Coral Edge TPU benchmarks: int8 TFLite latency on the Dev Board, USB Accelerator and other Edge TPU hosts."""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum


class CoralAdapter(TableAdapter):
    source_id = "coral-edgetpu"
    table = "coral_edgetpu_benchmarks.csv"
    meta = {
        "title": "Coral Edge TPU benchmarks (archived copy of coral.ai/docs/edgetpu/benchmarks)",
        "published": {"url": "https://coral.ai/docs/edgetpu/benchmarks"},
        "runtime": "TensorFlow Lite models; Edge TPU rows via the Edge TPU runtime/delegate",
        "precision": "int8: the table does not state it, but the Edge TPU executes only fully 8-bit quantized TFLite models (coral.ai/docs/edgetpu/models-intro, 'Model requirements'), so every kept (Edge TPU) row is an 8-bit model",
        "batch": "one inference, batch 1",
        "timing": "time per inference, model execution only (excludes input pre-processing), C++ benchmark",
        "caveats": [
            "archived copy is incomplete: it ends before the EfficientNet-EdgeTpu-L row and the footnotes that name the desktop and embedded CPUs",
            "the Desktop CPU and Embedded CPU rows are excluded (CPU model unknown); the USB Accelerator's host CPU is also unknown",
        ],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        settings: dict[str, Any] = {"backend": "edgetpu"}
        size = int(r["input_size"].split("x")[0]) if r["input_size"] else None
        if size is None:
            settings["input_size_stated"] = False  # the alias entry states it
        # Edge TPU runs only 8-bit quantized models (see the source entry), so these latencies are int8 ones
        # and pair only with the same quantized weights, never with float checkpoints.
        return SourceRow(model=r["model"], device=r["device"], runtime="edgetpu", precision="int8",
                         batch_size=intnum(r["batch_size"]), input_size=size, latency_ms=fnum(r["latency_ms"]),
                         settings=settings)
