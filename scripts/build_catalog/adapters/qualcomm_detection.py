"""Qualcomm AI Hub perf.yaml of the COCO detectors (YOLO variants, DETR, RTMDet, ...): on-device latency per
runtime and precision on phones, automotive and IoT boards (repo extract sources/qualcomm-aihub-detection/)."""

from __future__ import annotations

from modelpick.importers.rows import AliasEntry

from . import _detection
from .qualcomm import QualcommAdapter

# arch id prefix -> family (the model's own series; AI Hub's model folder names the checkpoint in info.yaml)
FAMILIES = {"yolov8": "yolov8", "yolo11": "yolo11", "yolov10": "yolov10", "yolov3": "yolov3", "yolov5": "yolov5",
            "yolov6": "yolov6", "yolov7": "yolov7", "yolor": "yolor", "yolox": "yolox", "rtmdet": "rtmdet",
            "rf-detr": "rf-detr", "detr": "detr", "conditional-detr": "conditional-detr", "centernet": "centernet"}


def family(arch: str) -> str:
    return next(f for prefix, f in sorted(FAMILIES.items(), key=lambda kv: -len(kv[0])) if arch.startswith(prefix))


class QualcommDetectionAdapter(QualcommAdapter):
    source_id = "qualcomm-aihub-detection"
    table = "repo:qualcomm-aihub-detection/aihub_detection.csv"
    tables = (table,)
    memory_section = "Qualcomm AI Hub peak memory (detectors)"
    meta = {
        **QualcommAdapter.meta,
        "title": "Qualcomm AI Hub Models perf.yaml (COCO object detectors)",
        "toolchain": "qualcomm-aihub",
        "timing_includes": "the compiled model as AI Hub exports it (network plus, for the YOLO models, box decoding "
                           "into boxes/scores/classes); NMS runs in the app (app.py) and is not timed",
        "accuracy": "none published for the full COCO val set: numerics.yaml scores 300 val2017 images (partial); "
                    "float rows pair with the same weights' full-val mAP from their own source (e.g. ultralytics-docs "
                    "for YOLOv8-N/YOLO11-N/YOLOv10-N at 640); quantized rows stay unpaired",
        "caveats": [
            *QualcommAdapter.meta["caveats"],
            "models: info.yaml use_case 'Object Detection' with one component and a COCO checkpoint; "
            "detectron2_detection (two components timed apart) and 3-D/BEV/face/hand detectors are left out",
            "each model folder benchmarks one checkpoint (info.yaml 'Model checkpoint'), e.g. YOLOv8-N, YoloV5-M "
            "(original anchor-based YOLOv5, not YOLOv5u), YoloV7 Tiny, YoloX Small, RTMDet Medium, DETR-ResNet50 at "
            "480x480",
        ],
    }

    def measurement(self, r: dict[str, str], e: AliasEntry, dev: str):
        _detection.detector(self.ctx, self.source_id, e.arch, family=family(e.arch))
        return super().measurement(r, e, dev)
