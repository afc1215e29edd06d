"""Ultralytics' YOLOv10 page: COCO val2017 AP, FLOPs and T4 TensorRT FP16 latency (THU-MIG's numbers), params
from the same page's comparison table (repo extract sources/ultralytics/models.csv)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum, intnum
from . import _detection

TABLE = "repo:ultralytics/models.csv"
PAGE = "docs/en/models/yolov10.md"


class UltralyticsYolov10Adapter(SourceAdapter):
    source_id = "ultralytics-yolov10"
    tables = (TABLE,)  # the same table as UltralyticsDocsAdapter: this source reads the rows of one page
    meta = {
        "title": "Ultralytics docs YOLOv10 page: Performance table (AP val, FLOPs, T4 TensorRT FP16 latency)",
        "published": {"repo": "ultralytics/ultralytics", "commit": "a6ba6c6ea0624c8317a03b482c25ba1ae69037a3",
                      "path": PAGE},
        "runtime": "TensorRT (version not stated) on an NVIDIA T4 ('Latency measured with TensorRT FP16 on T4 GPU')",
        "precision": "fp16 (TensorRT FP16)",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "Latency (ms) as published",
        "timing_includes": "end-to-end latency as the page's comparison table defines it: 'Latency' next to a separate "
                           "'Latency-forward' (model forward only), i.e. forward plus post-processing; YOLOv10 needs no "
                           "NMS (one-to-one head)",
        "accuracy": "AP val: COCO val2017 box AP@[.50:.95] (the comparison table heads the same numbers 'mAP val 50-95')",
        "caveats": [
            "the comparison table on the same page lists different mAP for the same weights links (N 39.5, S 46.8, "
            "M 51.3, L 53.4, X 54.4); the Performance table's values are kept",
            "params come from the comparison table (no B row there, so YOLOv10-B has no parameter count)",
            "FLOPs (G) counted as 2 x multiply-adds (Ultralytics/thop convention), so gmacs = FLOPs / 2 is computed",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = [r for r in self.read(TABLE) if r["page"] == PAGE]
        kept = 0
        for r in rows:
            entry = self.mapping.model(sid, r["model"])
            if entry is None:
                continue
            size = intnum(r["input_size"])
            _detection.detector(self.ctx, sid, entry.arch, family="yolov10", input_size=size,
                                params_m=fnum(r["params_m"]), gflops_2x=fnum(r["flops_b"]))
            _detection.checkpoint(self.ctx, sid, org="ultralytics", name=r["weights"], arch=entry.arch,
                                  input_size=size, score=fnum(r["map50_95"]))
            device = self.mapping.device(sid, r["gpu"])
            if device is None:
                continue
            self.add_row(SourceRow(model=r["model"], device=r["gpu"], runtime="tensorrt", precision="fp16",
                                   batch_size=1, input_size=size, latency_ms=fnum(r["gpu_ms"]),
                                   settings={"backend": "gpu", "batch_stated": False}), entry, device)
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
