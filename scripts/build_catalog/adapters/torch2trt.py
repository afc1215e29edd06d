"""torch2trt Jetson benchmarks (Jetson Nano / Xavier): PyTorch vs TensorRT fp16 latency and FPS at batch 1."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum


class Torch2trtAdapter(TableAdapter):
    source_id = "torch2trt-jetson"
    table = "torch2trt_jetson.csv"
    meta = {
        "title": "torch2trt Jetson benchmarks (JETSON_NANO.md, JETSON_XAVIER.md)",
        "published": {"repo": "NVIDIA-AI-IOT/torch2trt", "commit": "4e820ae31b4e35d59685935223b05b2e11d47b03", "path": "benchmarks/JETSON_NANO.md, benchmarks/JETSON_XAVIER.md"},
        "runtime": "PyTorch eager (CUDA) vs TensorRT via torch2trt",
        "precision": "float16 (fp16_mode: True) for the TensorRT engine; the PyTorch rows are listed with the same precision column",
        "batch": "input (1, 3, 224, 224), batch 1",
        "timing": "per torch2trt/test.py (commit 03131b0): 50 synchronized runs; fps = 50 / time, latency = per-call ms",
        "caveats": [
            "the README summary table's Xavier fps differ slightly from JETSON_XAVIER.md; the per-run file was used",
            "answers use latency_ms (FPS = 1000 / latency, as for every source); the published fps stays in the row "
            "but is not used: test.py times it in a separate loop of 50 calls with one synchronize at the end, so "
            "calls overlap and it is a throughput, while latency_ms synchronizes after each call, the time one image "
            "waits at batch 1. The two differ by up to 24 % (Xavier squeezenet1_1 TensorRT: 1.02 ms = 980 FPS vs "
            "1,290 FPS published); in 17 of 94 rows 1000 / latency is the larger (two separate timed runs)",
            "'Jetson Xavier' (no 'NX') is the AGX Xavier: its rows share device jetson-agx-xavier with ncnn's AGX Xavier section (jetson-xavier stays an alias)",
        ],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        return SourceRow(model=r["model"], device=r["device"],
                         runtime="tensorrt" if "TensorRT" in r["framework"] else "pytorch",
                         precision={"float16": "fp16"}[r["precision"]], batch_size=intnum(r["batch_size"]),
                         input_size=int(r["input_shape"].split("x")[-1].strip()),
                         latency_ms=fnum(r["latency_ms"]), fps=fnum(r["fps"]))
