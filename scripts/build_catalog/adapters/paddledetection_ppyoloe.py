"""PaddleDetection PP-YOLOE+ model zoo (configs/ppyoloe/README.md): COCO val2017 box AP, params, V100 FP32 /
TensorRT FP16 and (tiny models) T4 TensorRT FP16 FPS at batch 1 (repo extract sources/paddledetection/ppyoloe.csv)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum, intnum
from . import _detection

TABLE = "repo:paddledetection/ppyoloe.csv"
# column -> (device string, runtime, precision)
SPEEDS = (("v100_fp32_fps", "V100", "paddle-inference", "fp32"), ("v100_trt_fp16_fps", "V100", "tensorrt", "fp16"),
          ("t4_trt_fp16_fps", "T4", "tensorrt", "fp16"))


class PaddledetectionPpyoloeAdapter(SourceAdapter):
    source_id = "paddledetection-ppyoloe"
    tables = (TABLE,)
    meta = {
        "title": "PaddleDetection PP-YOLOE+ README: Model Zoo on COCO and Tiny model tables",
        "published": {"repo": "PaddlePaddle/PaddleDetection", "commit": "666f597fd00d3157e84dd9fb2dd3f40bf9918ebc",
                      "path": "configs/ppyoloe/README.md"},
        "runtime": "Paddle Inference (V100 FP32 column) and TensorRT 6.0.1.8 in Paddle's TensorRT mode (TensorRT "
                   "FP16 columns); CUDA 10.2, cuDNN 7.6.5 (README notes)",
        "precision": "fp32 or fp16 as the column says",
        "batch": "batch size 1 (README notes)",
        "timing": "FPS as published (no latency column)",
        "timing_includes": "network inference: the zoo columns are not stated to include pre-/post-processing; the "
                           "README's separate 'End-to-end Speed' table is the one that includes pre-processing, "
                           "post-processing and NMS (not used)",
        "accuracy": "Box AP val 0.5:0.95: COCO val2017 box mAP@[.50:.95] (the test-dev column is not used)",
        "caveats": [
            "the notes give the V100 software (CUDA 10.2, cuDNN 7.6.5, TensorRT 6.0.1.8); the tiny models' T4 column "
            "has no note of its own",
            "FLOPs (G): the counting convention is not stated, so no GMACs are taken",
            "the (distill) rows are other weights of the same M/L architectures",
            "the tiny models' 'Box AP test' column (56.6 for t-aux(640)) reads like AP50 and is not used",
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
            size = intnum(r["input_shape"])
            _detection.detector(self.ctx, sid, entry.arch, family="pp-yoloe", input_size=size,
                                params_m=fnum(r["params_m"]))
            _detection.checkpoint(self.ctx, sid, org="paddledetection", name=r["weights"].removesuffix(".pdparams"),
                                  arch=entry.arch, input_size=size, score=fnum(r["box_ap_val"]))
            kept += 1
            if "distill" in r["model"]:
                continue  # the same architecture's speed is on its non-distilled row
            for col, device_text, runtime, precision in SPEEDS:
                device = self.mapping.device(sid, device_text) if r[col] else None
                if device is None:
                    continue
                self.add_row(SourceRow(model=r["model"], device=device_text, runtime=runtime, precision=precision,
                                       batch_size=1, input_size=size, fps=fnum(r[col]),
                                       settings={"backend": "gpu"}), entry, device)
        self.ctx.stat(sid, len(rows), kept)
