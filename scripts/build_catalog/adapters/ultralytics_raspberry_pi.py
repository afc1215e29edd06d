"""Ultralytics Raspberry Pi guide: YOLO11n/s on a Raspberry Pi 5 CPU, 9 export formats."""

from __future__ import annotations

from ._ultralytics_guide import COMMON_CAVEATS, UltralyticsGuideAdapter


class UltralyticsRaspberryPiAdapter(UltralyticsGuideAdapter):
    source_id = "ultralytics-raspberry-pi"
    table = "repo:ultralytics/raspberry_pi.csv"
    cpu_only = True
    meta = {
        "title": "Ultralytics docs guide 'Quick Start Guide: Raspberry Pi with Ultralytics YOLO11': Raspberry Pi 5 table",
        "published": {"repo": "ultralytics/ultralytics", "commit": "78cfa940a40e7e6dd0cdcac34433de29f2b88d36",
                      "path": "docs/en/guides/raspberry-pi.md"},
        "runtime": "Ultralytics (version not stated) running each export on the Pi 5 CPU: PyTorch, TorchScript, ONNX "
                   "(onnxruntime), OpenVINO, TF SavedModel/GraphDef/Lite, PaddlePaddle, NCNN",
        "precision": "FP32 ('at FP32 precision')",
        "batch": "batch 1 (yolo benchmark validates each export with batch=1, ultralytics/utils/benchmarks.py)",
        "timing": "Inference time (ms/im) as published; input 640",
        "timing_includes": "model inference only (Ultralytics' per-image 'inference' time; pre-processing and "
                           "post-processing incl. NMS are timed apart and not in this column)",
        "caveats": [*COMMON_CAVEATS[:1], COMMON_CAVEATS[2],
                    "the page at this commit has no Raspberry Pi 4 table"],
    }
