"""EfficientNet-Lite README: Pixel 4 latency (CPU / GPU / Edge TPU) and FP32 / INT8 accuracy."""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import AliasEntry, SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum
from ._tflite import tflite_backend


class EfficientnetLiteAdapter(TableAdapter):
    source_id = "efficientnet-lite-pixel4"
    table = "efficientnet_lite_pixel4.csv"
    meta = {
        "title": "EfficientNet-Lite README (Pixel 4 latency and accuracy)",
        "published": {"repo": "tensorflow/tpu", "commit": "07e173cc1597883918f5d1229b771b96f1c4c211", "path": "models/official/efficientnet/lite/README.md"},
        "runtime": "TFLite on Pixel 4: CPU 4 threads, GPU (fp32 without precision loss / default fp16), Edge TPU (Pixel 4)",
        "precision": "FP32, FP16, INT8 per row",
        "batch": "batch 1 (stated)",
        "timing": "ms as published",
        "accuracy": "top-1 % for FP32 or INT8 matching each row's precision",
        "caveats": ["the lite4 INT8 Edge TPU cell is '-' and was dropped",
                    "input sizes are the EfficientNet-Lite default resolutions (settings.input_size_stated: false)"],
    }

    def measurement(self, raw: dict[str, str], entry: AliasEntry, device: str) -> dict[str, Any] | None:
        m = super().measurement(raw, entry, device)
        if m is not None and raw["madds"]:
            # the README's own multiply-add count at the model's resolution ("407M", "2.64B"), in 10^9
            scale = {"M": 1e-3, "B": 1.0}[raw["madds"][-1]]
            gmacs = float(f"{fnum(raw['madds'][:-1]) * scale:.6g}")
            self.ctx.facts.sized_complexity.setdefault((m["architecture"], m["input_size"]), {})["gmacs"] = (
                gmacs, self.source_id)
        return m

    def source_row(self, r: dict[str, str]) -> SourceRow:
        settings = {"input_size_stated": False, **tflite_backend(r["backend"])}
        # the input size is the alias entry's (the EfficientNet-Lite default resolution)
        return SourceRow(model=r["model"], device=r["device"], runtime="tflite", precision=r["precision"].lower(),
                         batch_size=intnum(r["batch_size"]), latency_ms=fnum(r["latency_ms"]), settings=settings)

    def checkpoint(self, r: dict[str, str], e: AliasEntry, m: dict[str, Any]) -> dict[str, Any] | None:
        prec = m["precision"]
        if not (r["top1_pct"] and prec in ("fp32", "int8")):
            return None
        return {"id": f"efficientnet-lite/{r['model']}-{prec}", "architecture": e.arch,
                "top1": fnum(r["top1_pct"]), "input_size": e.input_size, "precision": prec,
                "name": f"{r['model']} ({r['precision']})"}
