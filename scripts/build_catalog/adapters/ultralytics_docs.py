"""Ultralytics model pages (YOLO11, YOLO26, YOLOv8, YOLOv5u): COCO val2017 mAP50-95, params, FLOPs, CPU ONNX
and GPU TensorRT times (repo extract sources/ultralytics/models.csv)."""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum, intnum
from . import _detection

TABLE = "repo:ultralytics/models.csv"
# The page footnote names one machine for every speed column; the CPU column has no CPU model of its own.
CPU_DEVICE = "CPU ONNX column (Amazon EC2 P4d instance per the page footnote)"
PAGES = ("docs/en/macros/yolo-det-perf.md", "docs/macros/yolo-det-perf.md", "docs/en/models/yolov8.md",
         "docs/en/models/yolov5.md")
# family of each architecture id prefix (the Ultralytics series the page names)
FAMILIES = (("yolo11", "yolo11"), ("yolo26", "yolo26"), ("yolov8", "yolov8"), ("yolov5", "yolov5u"),
            ("yolov10", "yolov10"), ("rtdetr", "rtdetr"))


def family(arch: str) -> str:
    return next(f for prefix, f in FAMILIES if arch.startswith(prefix))


class UltralyticsDocsAdapter(SourceAdapter):
    source_id = "ultralytics-docs"
    tables = (TABLE,)
    meta = {
        "title": "Ultralytics docs model pages: YOLO11, YOLO26, YOLOv8, YOLOv5u detection (COCO) tables",
        "published": {"repo": "ultralytics/ultralytics",
                      "path": "docs/en/macros/yolo-det-perf.md@c3a9821cdb595c5496b4dab984dd59e4c9f375b7 (YOLO11), "
                              "docs/macros/yolo-det-perf.md@3efa3ff5709184e21048c9b127ef964a73c9ca5f (YOLO26), "
                              "docs/en/models/yolov8.md@05cd4a2cb7edfeb0d17332f42ba82625a5c66c2b, "
                              "docs/en/models/yolov5.md@7db69554030ea8e2d0c4eb60a7edc2c8e25aed35"},
        "runtime": "CPU ONNX column: ONNX export run by Ultralytics (onnxruntime; version not stated); GPU column: "
                   "TensorRT 10 on a T4 (YOLO11, YOLO26 pages) or TensorRT (version not stated) on an A100 (YOLOv8, "
                   "YOLOv5u pages)",
        "precision": "not stated on the pages (stored as 'unspecified'); the checkpoints are the float .pt weights",
        "batch": "batch 1 (the footnote's reproduce command: yolo val detect data=coco.yaml batch=1 device=0|cpu)",
        "timing": "ms per image, 'averaged over COCO val images'; YOLO11/YOLO26 cells give mean ± spread as published "
                  "(the spread is kept in the note)",
        "timing_includes": "model inference only: the per-image 'inference' time of Ultralytics' validator (yolo val), "
                           "which reports pre-processing and post-processing incl. NMS separately",
        "accuracy": "mAP val 50-95: COCO val2017 box mAP@[.50:.95], single-model single-scale (page footnote); YOLO26: "
                    "the default end-to-end (one-to-one head, NMS-free) column mAP50-95(e2e), the model's default "
                    "predict/val/export mode; its one-to-many head with NMS scores higher (kept in the caveats)",
        "caveats": [
            "the speed footnote says 'Amazon EC2 P4d instance' (A100 GPUs) while the YOLO11/YOLO26 column is headed "
            "'T4 TensorRT10'; the column header is taken as the GPU",
            "the CPU model behind 'CPU ONNX' is not named; it is filed as its own device (the P4d instance's CPU)",
            "FLOPs (B) are Ultralytics' thop count x 2 (2 FLOPs per multiply-add), so gmacs = FLOPs / 2 is computed",
            "YOLOv5u P6 models (yolov5*6u, 1280 px): the FLOPs column repeats values close to the 640 px P5 models, "
            "i.e. it is not the 1280 px count, so their GMACs are left out",
            "YOLO26 one-to-many (NMS) head mAP50-95 as published: n 40.9, s 48.6, m 53.1, l 55.0, x 57.5",
            "RT-DETR-L/X (docs/en/models/rtdetr.md@9e83e92d): 53.0 / 54.8 % AP on COCO val2017, but the page states no "
            "input size for them, so they are not kept",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = [r for r in self.read(TABLE) if r["page"] in PAGES]
        kept = 0
        for r in rows:
            entry = self.mapping.model(sid, r["model"])
            if entry is None:
                continue
            size = intnum(r["input_size"])
            p6 = r["weights"].endswith("6u.pt")
            _detection.detector(self.ctx, sid, entry.arch, family=family(entry.arch), input_size=size,
                                params_m=fnum(r["params_m"]), gflops_2x=None if p6 else fnum(r["flops_b"]))
            score = fnum(r["map50_95_e2e"] or r["map50_95"])
            _detection.checkpoint(self.ctx, sid, org="ultralytics", name=r["weights"], arch=entry.arch,
                                  input_size=size, score=score)
            kept += 1
            for device_text, runtime, ms, pm in ((CPU_DEVICE, "onnxruntime", r["cpu_onnx_ms"], r["cpu_onnx_pm_ms"]),
                                                 (r["gpu"], "tensorrt", r["gpu_ms"], r["gpu_pm_ms"])):
                device = self.mapping.device(sid, device_text)
                if device is None or not ms:
                    continue
                settings: dict[str, Any] = {"backend": "cpu" if runtime == "onnxruntime" else "gpu"}
                if r["gpu_runtime"] == "TensorRT10" and runtime == "tensorrt":
                    settings["tensorrt_version"] = "10"
                note = f"{r['page']}@{r['commit'][:8]}" + (f"; ± {pm} ms as published" if pm else "")
                self.add_row(SourceRow(model=r["model"], device=device_text, runtime=runtime,
                                       precision="unspecified", batch_size=1, input_size=size, latency_ms=fnum(ms),
                                       settings=settings, note=note), entry, device)
        self.ctx.stat(sid, len(rows), kept)
