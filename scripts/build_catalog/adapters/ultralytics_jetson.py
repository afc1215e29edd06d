"""Ultralytics NVIDIA Jetson guide: YOLO11n-x on AGX Orin (64GB), Orin Nano Super and Orin NX 16GB, 13 formats."""

from __future__ import annotations

from ._ultralytics_guide import COMMON_CAVEATS, UltralyticsGuideAdapter


class UltralyticsJetsonAdapter(UltralyticsGuideAdapter):
    source_id = "ultralytics-jetson"
    table = "repo:ultralytics/jetson.csv"
    onnx_backend_known = False
    meta = {
        "title": "Ultralytics docs guide 'Quick Start Guide: NVIDIA Jetson with Ultralytics YOLO11': detailed comparison tables",
        "published": {"repo": "ultralytics/ultralytics", "commit": "75231dff8a5ef7908d9ca524c7109ef390e94ac5",
                      "path": "docs/en/guides/nvidia-jetson.md"},
        "runtime": "Ultralytics 8.3.133 (AGX Orin) / 8.3.51 (Orin Nano Super, Orin NX 16GB) running each export: "
                   "PyTorch and TorchScript on the GPU, TensorRT (version not stated) on the GPU, OpenVINO, TF "
                   "SavedModel/GraphDef/Lite, PaddlePaddle, MNN and NCNN on the CPU",
        "precision": "FP32 for every format ('at FP32 precision'), plus TensorRT FP16 and INT8 rows",
        "batch": "batch 1 (yolo benchmark validates each export with batch=1, ultralytics/utils/benchmarks.py)",
        "timing": "Inference time (ms/im) as published; input 640",
        "timing_includes": "model inference only (Ultralytics' per-image 'inference' time; pre-processing and "
                           "post-processing incl. NMS are timed apart and not in this column)",
        "caveats": [*COMMON_CAVEATS,
                    "the Orin NX 16GB ran in a Seeed Studio reComputer J4012; the Orin Nano Super is the 'Super' "
                    "developer kit, filed apart from the plain Orin Nano (higher clocks)",
                    "ONNX rows are left out: the guide installs onnxruntime-gpu yet says only PyTorch, TorchScript and "
                    "TensorRT use the GPU, so the execution provider is not known"],
    }
