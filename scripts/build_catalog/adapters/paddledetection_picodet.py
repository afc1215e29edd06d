"""PaddleDetection PicoDet benchmark (configs/picodet/README_en.md): COCO val2017 mAP, params, and latency on an Intel
i7-10750H (Paddle Inference, MKLDNN, 12 threads) and a Snapdragon 865 (Paddle Lite, 4 threads, FP16)
(repo extract sources/paddledetection/picodet.csv)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum
from . import _detection

TABLE = "repo:paddledetection/picodet.csv"
SPEEDS = (("cpu_latency_ms", "Intel core i7 10750H", "paddle-inference", "unspecified", 12),
          ("lite_latency_ms", "Qualcomm Snapdragon 865(4xA77+4xA55)", "paddle-lite", "fp16", 4))


class PaddledetectionPicodetAdapter(SourceAdapter):
    source_id = "paddledetection-picodet"
    tables = (TABLE,)
    meta = {
        "title": "PaddleDetection PicoDet README (English): Benchmark table",
        "published": {"repo": "PaddlePaddle/PaddleDetection", "commit": "666f597fd00d3157e84dd9fb2dd3f40bf9918ebc",
                      "path": "configs/picodet/README_en.md"},
        "runtime": "Paddle Inference with MKLDNN, 12 threads, on an Intel Core i7-10750H; Paddle Lite (armv8, FP16, "
                   "4 threads) on a Snapdragon 865 (4xA77+4xA55) (table notes)",
        "precision": "CPU column: not stated (stored as 'unspecified'); Lite column: fp16 ('with FP16')",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "Latency (ms) as published",
        "timing_includes": "model only: 'the post-processing is not included in the exported model' for the speed "
                           "benchmark (no box decoding, no NMS)",
        "accuracy": "mAP val 0.5:0.95: COCO val2017 box mAP@[.50:.95] at the row's input size",
        "caveats": [
            "FLOPS (G): the counting convention is not stated, so no GMACs are taken",
            "the Snapdragon 865 device holding it is not named: filed as the SoC (snapdragon-865)",
            "the 'Benchmark of Other Models' table (other repositories' models, NCNN latency) is left out",
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
            size = int(r["input_size"].split("*")[0])
            _detection.detector(self.ctx, sid, entry.arch, family="picodet", input_size=size,
                                params_m=fnum(r["params_m"]))
            _detection.checkpoint(self.ctx, sid, org="paddledetection", name=r["weights"].removesuffix(".pdparams"),
                                  arch=entry.arch, input_size=size, score=fnum(r["map50_95_val"]))
            kept += 1
            for col, device_text, runtime, precision, threads in SPEEDS:
                device = self.mapping.device(sid, device_text)
                if device is None:
                    continue
                self.add_row(SourceRow(model=r["model"], device=device_text, runtime=runtime, precision=precision,
                                       batch_size=1, input_size=size, latency_ms=fnum(r[col]),
                                       settings={"backend": "cpu", "threads": threads, "batch_stated": False}),
                             entry, device)
        self.ctx.stat(sid, len(rows), kept)
