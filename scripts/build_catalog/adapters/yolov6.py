"""YOLOv6 README (meituan/YOLOv6): COCO val2017 mAP50-95, T4 TensorRT 7.2 FP16 FPS at batch 1 and 32, and the
YOLOv6Lite models' MNN latency on three phone SoCs (repo extracts sources/yolov6/)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum
from . import _detection

MAIN = "repo:yolov6/yolov6.csv"
MOBILE = "repo:yolov6/yolov6_mobile.csv"
PHONES = (("sm8350_ms", "Qualcomm 888(sm8350)"), ("mt6853_ms", "Dimensity 720(mt6853)"), ("sdm660_ms", "Qualcomm 660(sdm660)"))


class Yolov6Adapter(SourceAdapter):
    source_id = "yolov6"
    tables = (MAIN, MOBILE)
    meta = {
        "title": "YOLOv6 README (meituan/YOLOv6): Benchmark and Mobile Benchmark tables",
        "published": {"repo": "meituan/YOLOv6", "commit": "e86a483f3f6bded25d45970b56831345a99744a4", "path": "README.md"},
        "runtime": "TensorRT 7.2 on an NVIDIA T4 (Benchmark); MNN 2.3.0 AArch64, 2 threads, arm82 (Mobile Benchmark)",
        "precision": "fp16 ('trt fp16') on the T4; the mobile table does not state it (stored as 'unspecified')",
        "batch": "T4: batch 1 and batch 32 columns (FPS); mobile: not stated, stored as batch_size 1 with "
                 "settings.batch_stated: false",
        "timing": "T4: FPS as published; mobile: ms, 10 warm-up runs then 100 timed runs (table notes)",
        "timing_includes": "not stated by the README (docs/Test_speed.md reproduces it)",
        "accuracy": "mAP val 0.5:0.95: COCO val2017 box mAP@[.50:.95] at the row's input size (640 for P5, 1280 for P6 "
                    "models, 320 for the YOLOv6Lite rows kept)",
        "caveats": [
            "FLOPs (G): 'estimated on deployed models', counting convention not stated, so no GMACs are taken",
            "mobile rows at non-square inputs (320*192, 224*128) are left out: the catalog's input_size is square",
            "the mobile table names chips only ('Qualcomm 888(sm8350)', 'Dimensity 720(mt6853)', 'Qualcomm 660(sdm660)')",
            "the legacy 0.2.0 tables and the quantized (RepOpt INT8) table are left out",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(MAIN) + self.read(MOBILE)
        kept = 0
        for r in rows:
            entry = self.mapping.model(sid, r["model"])
            if entry is None:
                continue
            w, _, h = r["size"].partition("*")
            if h and h != w:
                self.ctx.exclude(sid, f"mobile row at a non-square input ({r['size']})")
                continue
            size = int(w)
            _detection.detector(self.ctx, sid, entry.arch, family="yolov6", input_size=size,
                                params_m=fnum(r["params_m"]))
            _detection.checkpoint(self.ctx, sid, org="yolov6", name=r["weights"], arch=entry.arch, input_size=size,
                                  score=fnum(r["map50_95_val"]))
            kept += 1
            if "t4_trt_fp16_b1_fps" in r:
                device = self.mapping.device(sid, "T4")
                for batch, col in ((1, "t4_trt_fp16_b1_fps"), (32, "t4_trt_fp16_b32_fps")):
                    if device is not None:
                        self.add_row(SourceRow(model=r["model"], device="T4", runtime="tensorrt", precision="fp16",
                                               batch_size=batch, input_size=size, fps=fnum(r[col]),
                                               settings={"backend": "gpu", "tensorrt_version": "7.2"}), entry, device)
                continue
            for col, device_text in PHONES:
                device = self.mapping.device(sid, device_text)
                if device is not None:
                    self.add_row(SourceRow(model=r["model"], device=device_text, runtime="mnn", precision="unspecified",
                                           batch_size=1, input_size=size, latency_ms=fnum(r[col]),
                                           settings={"backend": "cpu", "threads": 2, "batch_stated": False}),
                                 entry, device)
        self.ctx.stat(sid, len(rows), kept)
