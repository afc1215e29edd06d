"""trtutils benchmark on a Jetson Orin Nano 8GB developer kit (JetPack 5): the raw TensorRT fp16 engine time of
Ultralytics, YOLOv10 and YOLOX detectors at batch 1 (repo extract sources/trtutils/)."""

from __future__ import annotations

from modelpick.importers.rows import AliasEntry, SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum

#: trtutils times every model at 160-1280 px; the catalog's COCO accuracy of these detectors is published at 640
#: only (Ultralytics docs, YOLOX README), so other sizes would join no checkpoint.
SIZE = 640


class TrtutilsOrinNanoAdapter(TableAdapter):
    source_id = "trtutils-orin-nano"
    table = "repo:trtutils/trtutils_orin_nano.csv"
    meta = {
        "title": "trtutils benchmark data, Jetson Orin Nano 8GB (benchmark/data/OrinNano-8GB.json, 'tensorrt' entry)",
        "published": {"repo": "justincdavis/trtutils", "commit": "112a28cecefe463502b9c6ced3d9dcadf0c047ed",
                      "path": "benchmark/data/OrinNano-8GB.json"},
        "runtime": "TensorRT (JetPack 5; TensorRT version not stated), engines built by trtutils.builder.build_engine "
                   "from end-to-end ONNX exports (benchmark/run.py at the same commit)",
        "precision": "FP16 (build_engine(..., fp16=True) in benchmark/run.py)",
        "batch": "batch 1 (engines built from (1, 3, size, size) ONNX inputs)",
        "timing": "mean of 1,000 timed TRTEngine.raw_exec calls after 100 warm-up runs (run.py defaults), ms; "
                  "median, min and max in stats",
        "timing_includes": "model only: the engine's execution with a stream sync (raw_exec(debug=True)), no host "
                           "pre-processing, copies or decoding; the end-to-end ONNX graphs hold the NMS "
                           "(EfficientNMS from YOLOv8-TensorRT's export-det.py for YOLOv8 and YOLOv10, YOLOX-TensorRT "
                           "for YOLOX: docs/tutorials/yolo/ at the same commit), so NMS runs inside the timed engine",
        "caveats": [
            "benchmark/device_info.json names the board 'OrinNano-8GB': 'Developer Kit with Jetpack 5'; JetPack 5 has "
            "no Super mode, so these are the plain Orin Nano's clocks (device jetson-orin-nano, not the Super); the "
            "power mode is not stated",
            "only the 'tensorrt' entry is used; the 'trtutils(cpu|cuda|trt)' entries time end2end(image) on one "
            "image with pre-processing and are left out",
            "only 640 px rows are kept (the catalog's COCO accuracy of these detectors is at 640); yoloxt and yoloxn (accuracy at 416), yolov7t, yolov7m "
            "and yolov9t/s/m are left out (no catalog architecture with a reviewed COCO accuracy for those exports)",
            "the weights are the projects' COCO releases per the tutorials (the JSON does not name the files)",
        ],
    }

    def measurement(self, raw: dict[str, str], entry: AliasEntry, device: str):
        if intnum(raw["input_size"]) != SIZE:
            self.ctx.exclude(self.source_id, f"input size other than {SIZE} px: no COCO accuracy at that size")
            return None
        return super().measurement(raw, entry, device)

    def source_row(self, r: dict[str, str]) -> SourceRow:
        return SourceRow(model=r["model"], device=r["device"], runtime="tensorrt", precision="fp16", batch_size=1,
                         input_size=intnum(r["input_size"]), latency_ms=fnum(r["mean_ms"]),
                         stats={k: fnum(r[f"{k}_ms"]) for k in ("median", "min", "max")},
                         settings={"backend": "gpu"}, note=f"trtutils {r['device_file']}.json 'tensorrt' (raw engine)")
