"""Qualcomm AI Hub perf.yaml: on-device latency of ImageNet classifiers per runtime and precision, with peak memory."""

from __future__ import annotations

import re
from typing import Any

from modelpick.estimate import bytes_per_param
from modelpick.importers.rows import AliasEntry, SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum
from ..context import measurement_row

RUNTIMES = {"tflite": "tflite", "qnn_dlc": "qnn-dlc", "onnx": "onnxruntime",
            "qnn_context_binary": "qnn-context-binary", "precompiled_qnn_onnx": "precompiled-qnn-onnx"}


class QualcommAdapter(TableAdapter):
    source_id = "qualcomm-aihub"
    table = "qualcomm_aihub_latency.csv"
    memory_section = "Qualcomm AI Hub peak memory"
    model_column = "model_id"
    meta = {
        "title": "Qualcomm AI Hub Models perf.yaml (ImageNet classifiers)",
        "published": {"repo": "quic/ai-hub-models", "commit": "52c080d245d2d20c634459208ff2548ce10b3c9f", "path": "qai_hub_models/models/<id>/perf.yaml"},
        "runtime": "tflite, qnn_dlc, onnx (onnxruntime), qnn_context_binary, precompiled_qnn_onnx; primary compute unit per row",
        "precision": "float (unquantized), w8a8, w8a16, w8a16_mixed_int16, w8a8_mixed_int16",
        "batch": "batch 1 (default of get_input_spec(batch_size=1); perf.yaml does not state it)",
        "timing": "inference_time_milliseconds as published",
        "memory": "memory_mb = the upper end of AI Hub's on-device peak-memory range (MB) of the profiling job, i.e. process memory as AI Hub's profiler reports it; the full range is in each row's note. Kept as memory_mb only where that upper end is at least the model's weight size at the row's precision (params x 1 byte for w8*; float runs in fp16 on the NPU, x 2 bytes, and in fp32 on the CPU and GPU, x 4 bytes: modelpick.estimate.bytes_per_param, the width every estimate uses); below that the profiler cannot be counting the weights (often 0-4 MB on the NPU, where weights live in NPU/shared memory), so the value stays in the note only",
        "caveats": ["tool versions differ between rows (see note)", "every job_status was Passed"],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        # mapped by model_id (the perf.yaml folder); the measurement's name is the model's display name
        return SourceRow(model=r["model"], device=r["device"], runtime=RUNTIMES[r["framework"]],
                         precision=r["precision"].replace("_", "-"), batch_size=intnum(r["batch_size"]),
                         input_size=int(re.findall(r"\d+", r["input_resolution"])[-1]),
                         latency_ms=fnum(r["latency_ms"]),
                         settings={"compute_unit": r["primary_compute_unit"].lower()},
                         note=f"peak memory range {r['peak_mem_min_mb']}-{r['peak_mem_max_mb']} MB; "
                              f"input {r['input_resolution']}; {r['tool_versions']}")

    def measurement(self, r: dict[str, str], e: AliasEntry, dev: str) -> dict[str, Any]:
        m = super().measurement(r, e, dev)
        peak_max = fnum(r["peak_mem_max_mb"]) if r["peak_mem_max_mb"] else None
        if peak_max:
            m["_peak_mem_max_mb"] = peak_max  # checked against the weight size in finish(), once params are known
        return m

    def finish(self, architectures: list[dict[str, Any]]) -> None:
        """Promote AI Hub's peak-memory upper end to memory_mb where it can be counting the weights."""
        params = {a["id"]: a.get("params_m") for a in architectures}
        measurements = self.ctx.measurements
        kept = dropped = 0
        for i, m in enumerate(measurements):
            if m["source"] != self.source_id:
                continue
            peak = m.pop("_peak_mem_max_mb", None)
            if peak is None:
                continue
            # the width AI Hub runs at (float: fp16 on the NPU, fp32 on CPU/GPU), as the library's estimates size it
            width = bytes_per_param(m["precision"], m["settings"]) or 1.0
            p = params.get(m["architecture"])
            if p is not None and peak >= p * width:
                m["memory_mb"] = peak
                m["memory_includes"] = ("AI Hub profiler: upper end of the peak-memory range of the on-device "
                                        "inference job (process memory as AI Hub reports it)")
                measurements[i] = measurement_row(m)  # memory_mb takes its place in the file's key order
                kept += 1
            else:
                dropped += 1
        self.ctx.report_sections[self.memory_section] = [
            f"  kept as memory_mb (upper end >= weight size): {kept}; left in the note only (upper end below the "
            f"weight size, or no parameter count): {dropped}"]
