"""MLPerf Inference (NVIDIA closed division): ResNet-50 TensorRT int8 runs, each with its own accuracy run.

Every system run is its own source entry: an int8 engine's accuracy belongs to the engine that scenario built
on that system, and a quantized accuracy pairs only with latencies of its own source, so the Orin's top-1 never
labels the L4's latency (nor an Offline GPU+DLA engine's the SingleStream GPU engine's).
"""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow, to_measurement

from ..base import SourceAdapter
from ..cells import fnum, intnum

_COMMITS = {"v0.7": "1321d137a1109dfcab9c8466dd3df6a755c2f5ca", "v1.1": "912dcdb9163736beca40a1f86e25d1305deab549", "v2.0": "e1f8956d1b96cb0b2c57e085ddd4e9b022159725",
            "v2.1": "c43f76f2447cc4b41a37952c86c108749f8d12f3", "v3.0": "dad59af09e9e62eceec4bee48794e201d6cf9170",
            "v3.1": "eaf622a25c00f2b4b1d2c4f5b4f430570429d24a"}
_NS_PER_MS = 1e6


def run_source_id(r: dict[str, str]) -> str:
    system = r["system"].removesuffix("_TRT").lower().replace("_", "-")
    return f"mlperf-inf-{r['round']}-nvidia-{system}-{r['scenario'].lower()}"


class MlperfAdapter(SourceAdapter):
    source_id = "mlperf-inference-nvidia"  # the alias/device section; rows cite run_source_id()
    table = "repo:mlperf_inference_nvidia/mlperf_resnet50.csv"
    tables = (table,)
    meta = {
        # every run registers its own entry; run_meta()'s title replaces this one
        "title": "MLPerf Inference results, closed division, NVIDIA, ResNet-50 (one source entry per run)",
        "runtime": "TensorRT (NVIDIA's LWIS harness, MLPerf LoadGen)",
        "precision": "int8: NVIDIA's ResNet-50 configs build INT8 engines (GPUBaseConfig.precision = 'int8')",
        "accuracy": "top-1 % of the same scenario's accuracy run on this system (accuracy/accuracy.txt, ImageNet "
                    "2012 val, 50,000 images); MLPerf's ResNet-50 v1.5 weights, quantized by NVIDIA's TensorRT "
                    "calibration",
        "caveats": [
            "MLPerf's ResNet-50 v1.5 is torchvision's resnet50 graph with MLPerf's own weights (fp32 reference "
            "76.46 %): the checkpoint is this run's, never a torchvision one",
            "runs without a stored same-scenario accuracy.txt are left out (sources/mlperf_inference_nvidia/"
            "PROVENANCE.md lists them)",
        ],
    }

    def run_meta(self, r: dict[str, str]) -> dict[str, Any]:
        base = f"closed/NVIDIA/results/{r['system']}/resnet50/{r['scenario']}"
        if r["scenario"] == "SingleStream":
            batch = "batch 1: SingleStream sends one image per query, back to back"
            timing = ("latency_ms = LoadGen 'Mean latency (ns)' / 1e6 (query issue to completion, incl. the "
                      "harness's host-device copies); stats.p90 = the scenario's official 90th percentile")
        elif r["dla_batch_size"]:
            batch = (f"GPU batch {r['gpu_batch_size']} together with both DLA cores at batch {r['dla_batch_size']} "
                     "(round's configs/resnet50/Offline/__init__.py); stored as batch_size "
                     f"{r['gpu_batch_size']}")
        else:
            batch = (f"GPU batch {r['gpu_batch_size']} (round's configs/resnet50/Offline/__init__.py, the system's "
                     "LWIS class); the GPU has no DLA")
        if r["scenario"] != "SingleStream":
            timing = "fps = LoadGen 'Samples per second' over the whole Offline run (all images sent at once)"
        return {
            "title": f"MLPerf Inference {r['round']}, NVIDIA {r['system']}, ResNet-50 {r['scenario']}",
            "published": {"repo": f"mlcommons/inference_results_{r['round']}", "commit": _COMMITS[r["round"]],
                          "path": f"{base}/performance/run_1/mlperf_log_summary.txt, {base}/accuracy/accuracy.txt"},
            "batch": batch, "timing": timing,
        }

    def build(self) -> None:
        rows = self.read(self.table)
        kept = 0
        for r, entry, device in self.mapping.mapped_rows(self.source_id, rows, model_column="benchmark",
                                                        device_column="system"):
            if r["result_valid"] != "VALID":
                self.ctx.exclude(self.source_id, "LoadGen result not VALID")
                continue
            sid = self.register(run_source_id(r), self.run_meta(r))
            single = r["scenario"] == "SingleStream"
            with_dla = not single and bool(r["dla_batch_size"])
            settings: dict[str, Any] = {"backend": "gpu+dla" if with_dla else "gpu", "scenario": r["scenario"]}
            if with_dla:
                settings["dla_batch_size"] = intnum(r["dla_batch_size"])
            row = SourceRow(
                model=r["benchmark"], device=r["system"], runtime="tensorrt", precision="int8",
                batch_size=intnum(r["gpu_batch_size"]), input_size=224,
                latency_ms=fnum(r["mean_latency_ns"]) / _NS_PER_MS if single else None,
                fps=None if single else fnum(r["samples_per_second"]),
                stats={"p90": fnum(r["p90_latency_ns"]) / _NS_PER_MS} if single else {},
                settings=settings)
            self.ctx.add_measurement(to_measurement(row, entry, device, sid))
            kept += 1
            self.ctx.add_checkpoint({
                "id": f"{sid.removeprefix('mlperf-inf-')}/resnet50-v1.5:int8", "architecture": entry.arch,
                "source": sid, "top1": fnum(r["accuracy_pct"]), "input_size": 224, "precision": "int8",
                "name": f"MLPerf ResNet-50 v1.5 int8 TensorRT engine ({r['system']}, {r['scenario']})"})
        self.ctx.stat(self.source_id, len(rows), kept)
