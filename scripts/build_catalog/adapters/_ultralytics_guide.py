"""Ultralytics device guides (Jetson, Raspberry Pi, Rockchip RKNN): YOLO11 x export format inference times on one
board each.

Each guide row is one export format run by `yolo benchmark` (ultralytics/utils/benchmarks.py: model.val(batch=1)
on the exported model, time = results.speed["inference"]). The guide's mAP50-95(B) column is measured on a few
validation images per format (coco8 in the reproduce command), not the model's COCO accuracy: it only goes into
the row's note. Accuracy comes from the model pages (ultralytics-docs) through the same weights.
"""

from __future__ import annotations

from typing import ClassVar

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum
from . import _detection

INPUT_SIZE = 640  # "with default input image size of 640" (both guides)
# guide format -> (runtime, precision, backend); the guides run every export at FP32 except the TensorRT FP16 and
# INT8 rows, and say only PyTorch, TorchScript and TensorRT use the Jetson GPU ("All the other exports only utilize
# the CPU"). ONNX is left out on the Jetsons (see ONNX_JETSON).
FORMATS = {
    "PyTorch": ("pytorch", "fp32", "gpu"), "TorchScript": ("torchscript", "fp32", "gpu"),
    "ONNX": ("onnxruntime", "fp32", "cpu"), "OpenVINO": ("openvino", "fp32", "cpu"),
    "TensorRT (FP32)": ("tensorrt", "fp32", "gpu"), "TensorRT (FP16)": ("tensorrt", "fp16", "gpu"),
    "TensorRT (INT8)": ("tensorrt", "int8", "gpu"), "TF SavedModel": ("tensorflow", "fp32", "cpu"),
    "TF GraphDef": ("tensorflow-graphdef", "fp32", "cpu"), "TF Lite": ("tflite", "fp32", "cpu"),
    "PaddlePaddle": ("paddle-inference", "fp32", "cpu"), "MNN": ("mnn", "fp32", "cpu"), "NCNN": ("ncnn", "fp32", "cpu"),
    # the Rockchip RKNN page: a non-quantized RKNN build, fp16 on the NPU (sources/ultralytics_rknn/PROVENANCE.md)
    "rknn": ("rknn", "fp16", "npu"),
}
ONNX_JETSON = ("ONNX on the Jetsons: the guide installs onnxruntime-gpu but says only PyTorch, TorchScript and "
               "TensorRT use the GPU, so which execution provider ran is not known")
COMMON_CAVEATS = [
    "the guide's mAP50-95(B) column is measured on a few validation images per export format (the reproduce "
    "command uses coco8.yaml), NOT the model's COCO val2017 accuracy; it is kept only in each row's note",
    "TensorRT INT8 rows have no quantized accuracy from the same toolchain, so they pair with no checkpoint",
    "the guide states FP32 for the whole run; ncnn and MNN may still use fp16 arithmetic internally on ARM",
]


class UltralyticsGuideAdapter(SourceAdapter):
    """One guide table (repo:ultralytics/<file>): device heading, model tab, format row."""

    table: ClassVar[str] = ""
    onnx_backend_known: ClassVar[bool] = True
    cpu_only: ClassVar[bool] = False  # a board without a GPU runtime: every format ran on the CPU

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.tables = (cls.table,)

    def build(self) -> None:
        sid = self.register()
        rows = self.read(self.table)
        kept = 0
        for r in self.mapping.mapped_rows(sid, rows):
            raw, entry, device = r
            if raw["status"] != "✅" or not raw["latency_ms"]:
                self.ctx.exclude(sid, f"{raw['format']}: status {raw['status']!r} without a time")
                continue
            if raw["format"] == "ONNX" and not self.onnx_backend_known:
                self.ctx.exclude(sid, ONNX_JETSON)
                continue
            runtime, precision, backend = FORMATS[raw["format"]]
            backend = "cpu" if self.cpu_only else backend
            _detection.detector(self.ctx, sid, entry.arch, family="yolo11")
            version = f"; Ultralytics {raw['ultralytics_version']}" if raw["ultralytics_version"] else ""
            note = (f"format {raw['format']}; size on disk {raw['size_mb']} MB; guide mAP50-95(B) "
                    f"{raw['guide_map50_95_b']} (few-image check, not COCO accuracy){version}")
            self.add_row(SourceRow(model=raw["model"], device=raw["device"], runtime=runtime, precision=precision,
                                   batch_size=1, input_size=INPUT_SIZE, latency_ms=fnum(raw["latency_ms"]),
                                   settings={"backend": backend}, note=note), entry, device)
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
