"""ncnn benchncnn results: CPU and Vulkan latency on ~90 phones, boards and PCs (random weights, speed only)."""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum


#: Sections whose run block prints gpu_device = 0 but ran on the CPU (reviewed against the README at the commit read):
#: benchncnn prints the Vulkan device it opened ("[0 <GPU name>]  queueC=...") before loop_count, as 45 of the
#: README's 47 blocks with gpu_device >= 0 do; these two print none, and the boards have no Vulkan GPU.
CPU_DESPITE_GPU_DEVICE = {
    "Ingenic T40XP Xburst2 Core X2 1.4Ghz (without MSA)":
        "added by 'Add support to Ingenic X2000 & T40 CPU (#3343)' (a MIPS32r2 CPU toolchain); no Vulkan device line",
    "AXERA AX620A (Cortex-A7 1.0GHz * 4)":
        "its command line is './benchncnn 4 1 0 -1 0' (gpu device -1 = CPU); no Vulkan device line",
}


class NcnnAdapter(TableAdapter):
    source_id = "ncnn-benchncnn"
    table = "ncnn_benchncnn.csv"
    meta = {
        "title": "ncnn benchncnn results (benchmark/README.md)",
        "published": {"repo": "Tencent/ncnn", "commit": "a4d2ea1d4422c9e849f166fd7a4aefb52f942f6a", "path": "benchmark/README.md"},
        "runtime": "ncnn benchncnn; CPU (gpu_device -1) or Vulkan GPU (gpu_device >= 0)",
        "precision": "ncnn defaults (fp16 storage/arithmetic where supported, else fp32) -> 'auto'; *_int8 models -> int8",
        "batch": "single image (ncnn::Mat(w,h,3)), batch 1",
        "timing": "avg ms over loop_count runs (min/max in stats); num_threads and powersave recorded per run",
        "caveats": [
            "weights are random (speed test only); input sizes per benchncnn.cpp: 227 for squeezenet/alexnet, 384 for vision_transformer, 224 otherwise",
            "sections come from different ncnn versions whose defaults may differ",
            "names are ncnn's ('mobilenet' = v1, 'shufflenet' = v1); resnet50 is the Caffe ResNet-50 v1 graph",
            "a few device sections are held out of the shared copy for latency-prediction evaluation",
            "readme_line in settings identifies the exact README row (some devices have several sections with the same settings)",
            "backend cpu although gpu_device = 0 for the Ingenic T40XP and AXERA AX620A sections: their run blocks print "
            "no Vulkan device (every other block with gpu_device >= 0 names the GPU it opened), the T40XP section came "
            "with 'Add support to Ingenic X2000 & T40 CPU (#3343)' and the AX620A command line passes gpu device -1; "
            "gpu_device stays as printed",
        ],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow | None:
        if r["gpu_device"] == "":
            self.ctx.exclude(self.source_id, f"{r['device']}: row without backend/gpu_device (CPU vs GPU unknown)")
            return None
        gpu = int(r["gpu_device"])
        cpu = gpu < 0 or r["device"] in CPU_DESPITE_GPU_DEVICE
        settings: dict[str, Any] = {"backend": "cpu" if cpu else "vulkan", "threads": intnum(r["num_threads"]),
                                    "powersave": intnum(r["powersave"]), "gpu_device": gpu,
                                    "readme_line": intnum(r["readme_line"])}
        if r["loop_count"]:
            settings["loop_count"] = intnum(r["loop_count"])
        if r["cooling_down"]:
            settings["cooling_down"] = intnum(r["cooling_down"])
        stats = {}
        if r["min_ms"]:
            stats["min"] = fnum(r["min_ms"])
        if r["max_ms"]:
            stats["max"] = fnum(r["max_ms"])
        return SourceRow(model=r["model"], device=r["device"], runtime="ncnn",
                         precision="int8" if r["precision"] == "int8" else "auto", batch_size=intnum(r["batch_size"]),
                         input_size=int(r["input_whc"].split("x")[0]), latency_ms=fnum(r["latency_ms"]),
                         settings=settings, stats=stats)
