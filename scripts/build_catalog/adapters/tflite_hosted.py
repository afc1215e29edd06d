"""TensorFlow Lite hosted models: Pixel 3 latency (CPU / GPU / NNAPI) and the accuracy published with each model."""

from __future__ import annotations

import re
from typing import Any

from modelpick.importers.rows import AliasEntry, SourceRow

from ..base import TableAdapter
from ..cells import fnum, safe_id
from ._tflite import tflite_backend


class TfliteHostedAdapter(TableAdapter):
    source_id = "tflite-hosted-pixel3"
    table = "tflite_hosted_models_pixel3.csv"
    meta = {
        "title": "TensorFlow Lite hosted models (guide/hosted_models.md)",
        "published": {"repo": "tensorflow/tensorflow", "commit": "0406598a59a78fd428b74fdd5e1ee704d17ce05a", "path": "tensorflow/lite/g3doc/guide/hosted_models.md"},
        "runtime": "TensorFlow Lite on Pixel 3 (Android 10): CPU 4 threads, GPU delegate, or NNAPI",
        "precision": "float models -> fp32, quantized models -> int8 (as stated per section)",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "accuracy": "top-1/top-5 % as published with each hosted model",
        "caveats": [
            "batch size not stated by the source; stored as batch 1 with batch_stated: false",
            "'---' (no GPU) cells dropped",
            "the GPU delegate may compute float models in fp16; the table states only the model precision",
            "input size from the model name, else the hosted model's published input shape (settings.input_size_stated: false)",
        ],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        settings = {"batch_stated": False, **tflite_backend(r["backend"])}
        if not re.search(r"_\d+(_quant)?$", r["model"]):
            settings["input_size_stated"] = False
        # the input size is the alias entry's (from the model name or the hosted model's input shape)
        return SourceRow(model=r["model"], device=r["device"], runtime="tflite",
                         precision={"float": "fp32", "quantized": "int8"}[r["precision"]], batch_size=1,
                         latency_ms=fnum(r["latency_ms"]), settings=settings)

    def checkpoint(self, r: dict[str, str], e: AliasEntry, m: dict[str, Any]) -> dict[str, Any] | None:
        if not r["top1_pct"]:
            return None
        return {"id": f"tflite-hosted/{safe_id(r['model'])}", "architecture": e.arch,
                "top1": fnum(r["top1_pct"]), "top5": fnum(r["top5_pct"]), "input_size": e.input_size,
                "precision": m["precision"], "name": r["model"]}
