"""Ultralytics Rockchip RKNN integration page: YOLO11n-x as fp16 rknn models on a Radxa Rock 5B (RK3588) NPU."""

from __future__ import annotations

from ._ultralytics_guide import COMMON_CAVEATS, UltralyticsGuideAdapter


class UltralyticsRknnAdapter(UltralyticsGuideAdapter):
    source_id = "ultralytics-rknn"
    table = "repo:ultralytics_rknn/rockchip_rknn.csv"
    meta = {
        "title": "Ultralytics docs 'Rockchip RKNN Export for Ultralytics YOLO11 Models': Benchmarks (Radxa Rock 5B)",
        "published": {"repo": "ultralytics/ultralytics", "commit": "d79191303aa58dff9690e33bae9bba475ed7266a",
                      "path": "docs/en/integrations/rockchip-rknn.md"},
        "runtime": ("rknn: Ultralytics (version not stated) running the exported .rknn model through RKNN-Toolkit-Lite2 "
                    "on the RK3588 NPU"),
        "precision": ("fp16: the page exports without int8, and Ultralytics' RKNN export then builds a non-quantized "
                      "model, which RKNN runs in fp16 (sources/ultralytics_rknn/PROVENANCE.md); the float weights' "
                      "accuracy applies"),
        "batch": "batch 1 (yolo benchmark validates each export with batch=1, ultralytics/utils/benchmarks.py)",
        "timing": "Inference time (ms/im) as published; input 640",
        "timing_includes": "model inference only (Ultralytics' per-image 'inference' time; pre-processing and "
                           "post-processing incl. NMS are timed apart and not in this column)",
        "caveats": [COMMON_CAVEATS[0],
                    "how many of the RK3588's 3 NPU cores the runtime used is not stated (RKNN-Toolkit-Lite2's "
                    "default core mask)"],
    }
