"""PaddleClas model-zoo speed tables: Paddle Inference / TensorRT per-batch latency on V100, T4 and Xeon."""

from __future__ import annotations

import re
from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum


class PaddleclasAdapter(TableAdapter):
    source_id = "paddleclas"
    table = "paddleclas_latency.csv"
    meta = {
        "title": "PaddleClas model-zoo inference speed tables (docs/zh_CN/models/ImageNet1k/*.md)",
        "published": {"repo": "PaddlePaddle/PaddleClas", "commit": "d178931fca432204e6b7422bac4f92e09ff22fa4", "path": "docs/zh_CN/models/ImageNet1k/*.md"},
        "runtime": "Paddle Inference; V100/T4 with TensorRT (8.0.3.4 per most table notes), Xeon with MKLDNN",
        "precision": "per table note: FP32 (V100, T4) and FP16 (T4)",
        "batch": "bs 1/4/8; the Latency(ms) columns are ms per batch",
        "timing": "overview doc: GPU speed = FP32+TensorRT, 2100 runs with the first 100 as warm-up",
        "caveats": [
            "rows whose table gives no input size are excluded (exact input size is required for joins)",
            "three CSPDarkNet53 V100 rows have no runtime/precision note and are excluded",
            "the ConvNeXt and SwinTransformerV2 V100 sections hold no table",
            "the V100 variant is not stated",
        ],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow | None:
        if r["input_size"] == "":
            self.ctx.exclude(self.source_id, f"{r['device']}: row without input size (table gives none)")
            return None
        if r["framework"] == "" or r["precision"] == "":
            self.ctx.exclude(self.source_id, f"{r['device']}: row without runtime/precision note")
            return None
        fw = r["framework"]
        settings: dict[str, Any] = {"doc": r["source"].rsplit("/", 1)[-1]}
        if "TensorRT" in fw:
            runtime = "tensorrt"
            settings["host"] = "paddle-inference"
            mv = re.search(r"TensorRT-([\d.]+)", fw)
            if mv:
                settings["tensorrt"] = mv.group(1)
        elif "MKLDNN" in fw:
            runtime = "paddle-inference"
            settings["backend"] = "mkldnn"
        else:
            runtime = "paddle-inference"
        if r["threads"]:
            settings["threads"] = intnum(r["threads"])
        return SourceRow(model=r["model"], device=r["device"], runtime=runtime, precision=r["precision"].lower(),
                         batch_size=intnum(r["batch_size"]), input_size=intnum(r["input_size"]),
                         batch_latency_ms=fnum(r["latency_ms"]), settings=settings)
