"""YOLOX README: COCO val2017 mAP50-95, params, FLOPs and V100 speed of the standard and light models (repo extract
sources/yolox/)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum, intnum
from . import _detection

TABLE = "repo:yolox/yolox.csv"


class YoloxAdapter(SourceAdapter):
    source_id = "yolox"
    tables = (TABLE,)
    meta = {
        "title": "YOLOX README (Megvii-BaseDetection/YOLOX): Benchmark, Standard Models and Light Models",
        "published": {"repo": "Megvii-BaseDetection/YOLOX", "commit": "6ddff4824372906469a7fae2dc3206c7aa4bbaee", "path": "README.md"},
        "runtime": "not stated ('Speed V100 (ms)')",
        "precision": "not stated (stored as 'unspecified')",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "Speed V100 (ms) as published",
        "timing_includes": "not stated by the README",
        "accuracy": "mAP val 0.5:0.95: COCO val2017 box mAP@[.50:.95] at the row's size (the test-dev column is not used)",
        "caveats": [
            "FLOPs (G) are thop multiply-adds x 2 (yolox/utils/model_utils.py get_model_info: 'flops *= ... * 2  # "
            "Gflops'), so gmacs = FLOPs / 2 is computed",
            "the V100 variant is not stated; the legacy-weights tables are left out",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            entry = self.mapping.model(sid, r["model"])
            if entry is None:
                continue
            size = intnum(r["size"])
            _detection.detector(self.ctx, sid, entry.arch, family="yolox", input_size=size,
                                params_m=fnum(r["params_m"]), gflops_2x=fnum(r["flops_g"]))
            _detection.checkpoint(self.ctx, sid, org="yolox", name=r["weights"], arch=entry.arch, input_size=size,
                                  score=fnum(r["map50_95_val"]))
            kept += 1
            device = self.mapping.device(sid, "V100") if r["speed_v100_ms"] else None
            if device is None:
                continue
            self.add_row(SourceRow(model=r["model"], device="V100", runtime="unspecified", precision="unspecified",
                                   batch_size=1, input_size=size, latency_ms=fnum(r["speed_v100_ms"]),
                                   settings={"backend": "gpu", "batch_stated": False}), entry, device)
        self.ctx.stat(sid, len(rows), kept)
