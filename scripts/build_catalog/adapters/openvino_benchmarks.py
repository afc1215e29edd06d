"""Intel's OpenVINO benchmark table (docs.openvino.ai "Performance Benchmarks", release 2024.3): benchmark_app
throughput and latency per network and Intel platform, on the CPU, the iGPU, the NPU, CPU+iGPU or a discrete GPU.

Each published cell becomes one measurement: the throughput columns (FPS at batch 1, throughput mode) and the
latency columns (ms, latency mode, one request at a time) of each precision. The platform name carries the
backend as a suffix ("... CPU-only", "... iGPU-only", "... NPU-only", "... CPU+iGPU", "... dGPU"); the rest of the
name is the device, so an iGPU or NPU is a backend of its processor's device.

No checkpoint comes from this source. Its accuracy page (model-accuracy-int8-fp32.rst) publishes only the
accuracy *difference* of each OpenVINO precision to the original framework model, never an accuracy, so the int8
rows pair with nothing (adding the difference to a float top-1 would be an inferred accuracy). The float rows
(fp32, fp16, bf16) pair with the float checkpoints of the architecture, as every float latency in the catalog does.
"""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum

SOURCE_ID = "openvino-benchmarks-2024.3"
TABLE = REPO_PREFIX + "openvino_benchmarks/OV-2024.3-benchmark-data.csv"
ALIAS_SECTION = "openvino-benchmarks"
REPO = "openvinotoolkit/openvino"
COMMIT = "d45251740fe442dcf79203430189760035851f14"
PATH = "docs/sphinx_setup/_static/benchmarks_files/OV-2024.3-benchmark-data.csv"

# platform-name suffix -> OpenVINO device the row ran on (settings.backend)
BACKENDS = (("CPU-only", "cpu"), ("iGPU-only", "gpu"), ("NPU-only", "npu"), ("CPU+iGPU", "cpu+gpu"),
            ("dGPU", "gpu"))
# (column, precision, what the cell is): throughput cells are FPS, latency cells ms
COLUMNS = (
    ("Throughput-INT8", "int8", "throughput"), ("Throughput-FP16", "fp16", "throughput"),
    ("Throughput-FP32", "fp32", "throughput"), ("Throughput_BF16", "bf16", "throughput"),
    ("Latency_int8", "int8", "latency"), ("Latency_FP16", "fp16", "latency"), ("Latency_FP32", "fp32", "latency"),
    ("Latency_BF16", "bf16", "latency"),
)
# INT4 columns are weight-only compression for LLMs; empty for every extracted network
IGNORED_EMPTY = ("Throughput_INT4", "Latency_int4")

META: dict[str, Any] = {
    "title": "OpenVINO Performance Benchmarks, release 2024.3 (benchmark_app, Intel CPUs, iGPUs, NPU, dGPUs)",
    "published": {"repo": REPO, "commit": COMMIT, "path": PATH},
    "runtime": ("OpenVINO 2024.3 benchmark_app on the platform's CPU, integrated GPU, NPU, CPU+iGPU together, or a "
                "discrete GPU (settings.backend, from the platform name's suffix)"),
    "precision": ("int8, fp16, fp32 and bf16 columns as published: int8 models are OpenVINO's quantized (NNCF) IRs; "
                  "fp16 is the GPU/NPU float precision; bf16 only on the Xeons with AMX"),
    "batch": "batch size 1 for every model (performance-benchmarks.rst: 'All models are executed using a batch size of 1')",
    "timing": ("fps = the Throughput-<precision> cell (settings.hint throughput: benchmark_app runs parallel infer "
               "requests, so the per-image time the catalog derives, 1000 / fps, is the time per frame at that rate, "
               "not a single image's latency); latency_ms = the Latency_<precision> cell (settings.hint latency: "
               "synchronous requests, one image at a time). Inference only: 'excluding any pre or post processing'"),
    "accuracy": ("none: the OpenVINO accuracy page gives only each precision's accuracy difference to the framework "
                 "model, so the int8 rows pair with no accuracy; float rows pair with the architecture's float "
                 "checkpoints"),
    "caveats": [
        "the table's author-side bookkeeping columns (Value FPS/$, Efficiency FPS/TDP, Price, TDP) are not catalog "
        "numbers; Value and Efficiency were used only to check the extract's int8 throughput cells",
        "in this release's file the Latency_int8 column of ssd-resnet34-1200 repeats resnet-50's cell for cell; "
        "ssd-resnet34-1200 is not extracted, and resnet-50's own column matches its block",
        "Sockets 2 rows (Xeon Gold/Platinum/Silver) ran on two-socket servers; the device is the two-socket system",
        "host configuration (memory, OS, power mode) per platform is in OV-2024.3-system-info-detailed.xlsx, not read",
    ],
    "timing_includes": "inference only (benchmark_app; no pre- or post-processing)",
}


def split_platform(name: str) -> tuple[str, str] | None:
    """('Intel® Core™ i7-1185G7', 'gpu') for 'Intel® Core™ i7-1185G7 iGPU-only'; None for an unknown suffix."""
    for suffix, backend in BACKENDS:
        if name.endswith(" " + suffix):
            return name[: -len(suffix) - 1].strip(), backend
    return None


class OpenvinoBenchmarksAdapter(SourceAdapter):
    source_id = SOURCE_ID
    tables = (TABLE,)
    meta = META

    def build(self) -> None:
        sid = self.register()
        rows = [r for r in self.read(TABLE) if r["Network model"] not in ("begin_rec", "end_rec")]
        read = kept = 0
        for r in rows:
            for column in IGNORED_EMPTY:
                if r.get(column):
                    raise SystemExit(f"openvino: {r['Network model']} {r['Platform name']}: {column} is not empty")
            cells = [(c, p, kind, fnum(r[c])) for c, p, kind in COLUMNS if r.get(c)]
            read += len(cells)
            split = split_platform(r["Platform name"])
            if split is None:
                raise SystemExit(f"openvino: platform {r['Platform name']!r} has none of the suffixes "
                                 f"{[s for s, _ in BACKENDS]}")
            chip, backend = split
            entry = self.mapping.model(ALIAS_SECTION, r["Network model"]) if cells else None
            device = self.mapping.device(sid, chip) if cells else None
            if entry is None or device is None:
                continue
            for _column, precision, kind, value in cells:
                settings = {"backend": backend, "hint": kind, "openvino": r["Release"]}
                row = SourceRow(model=r["Network model"], device=chip, runtime="openvino", precision=precision,
                                batch_size=1, input_size=entry.input_size,
                                fps=value if kind == "throughput" else None,
                                latency_ms=value if kind == "latency" else None, settings=settings)
                self.add_row(row, entry, device, sid)
                kept += 1
        self.ctx.stat(sid, read, kept)
