"""RKNN Model Zoo (airockchip/rknn_model_zoo v2.3.2): int8 FPS of the rknn-converted models on Rockchip NPUs.

The top README's "Model performance benchmark(FPS)" table (repo extract sources/rknn_model_zoo/) times each demo's
model on the NPU of RK3566/RK3568 (one column), RK3562, RK3588 and RK3576 (one NPU core each). Every classifier and
COCO detector row is INT8, and the zoo publishes no accuracy of its quantized models (neither the README nor the
examples' READMEs; the 2023 yolo_perf chart's mAP line is the official float weights'), so these rows add the rknn
runtime's measured latency only: by the catalog's pairing rule (a quantized latency pairs only with the quantized
accuracy of the same toolchain) they join no checkpoint and answer nothing until an rknn int8 accuracy is published.
"""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum
from . import _detection

TABLE = REPO_PREFIX + "rknn_model_zoo/performance.csv"
REPO = "airockchip/rknn_model_zoo"
COMMIT = "bad6c7334531becaf90a561988519b7bec34d0ab"
# platform column as published -> (device string for devices_map.yaml, NPU cores the column states)
PLATFORMS = {
    "RK3566<br />RK3568": ("RK3566/RK3568", None),
    "RK3562": ("RK3562", None),
    "RK3588<br />@single_core": ("RK3588", 1),
    "RK3576<br />@single_core": ("RK3576", 1),
}
# RKNPU1 chips (RKNN-Toolkit 1): not catalog devices yet
LEFT_OUT_PLATFORMS = {"RV1109", "RV1126", "RK1808"}
# demos whose rows are classifiers or COCO box detectors; the rest are other tasks (segmentation, pose, OBB, OCR,
# speech, ...) the catalog has no metric for
TASK_OF_DEMO = {"mobilenet": "classification", "resnet": "classification", "yolov5": "detection",
                "yolov6": "detection", "yolov7": "detection", "yolov8": "detection", "yolov10": "detection",
                "yolo11": "detection", "yolox": "detection", "ppyoloe": "detection"}
# detectors no earlier detection source declares: their family (the same as the series' other sizes)
NEW_DETECTORS = {"yolov5n": "yolov5", "yolov5s": "yolov5", "yolov5s-relu": "yolov5", "yolov7": "yolov7"}


class RknnModelZooAdapter(SourceAdapter):
    source_id = "rknn-model-zoo"
    tables = (TABLE,)
    meta = {
        "title": "RKNN Model Zoo v2.3.2 (airockchip/rknn_model_zoo): Model performance benchmark (FPS), README",
        "published": {"repo": REPO, "commit": COMMIT, "path": "README.md"},
        "runtime": ("rknn: RKNN-Toolkit2 models run by the RKNPU2 runtime on the SoC's NPU (README: 'Environment "
                    "dependencies', RKNPU2 SDK >= 2.3.2)"),
        "precision": ("int8 as the dtype column states (RKNN-Toolkit2 quantization of the ONNX model; the zoo "
                      "publishes no accuracy of these quantized models, so no checkpoint pairs with them)"),
        "batch": "one image, batch 1 (inputs_shape [1, 3, H, W])",
        "timing": ("FPS as published: model inference only, at the platform's maximum NPU frequency (README notes); "
                   "the catalog's latency is 1000 / FPS"),
        "timing_includes": "model inference only: pre- and post-processing excluded (README: 'if not specified')",
        "accuracy": "none published for the rknn models (int8 or fp16)",
        "caveats": [
            "RK3588 and RK3576 columns are '@single_core': one of the NPU's cores (RK3588 has 3, RK3576 2); "
            "settings.npu_cores = 1",
            "RK3566 and RK3568 share one column: one figure for both SoCs, stored once on device "
            "rockchip-rk3566-rk3568",
            "the models are Rockchip's exports (airockchip forks of yolov5/yolov6/yolov7/ultralytics/YOLOX, the "
            "ONNX Model Zoo classifiers, PaddleDetection PP-YOLOE+): the detectors' box decoding and NMS are moved "
            "out of the graph into post-processing, which the FPS excludes",
            "the board, OS and memory of each platform are not stated",
            "RV1109, RV1126 and RK1808 columns (RKNPU1) are left out: not catalog devices yet",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            if r["commit"] != COMMIT:
                raise SystemExit(f"rknn-model-zoo: row from commit {r['commit']}, expected {COMMIT}")
            task = TASK_OF_DEMO.get(r["demo"])
            if task is None:
                self.ctx.exclude(sid, f"demo '{r['demo']}': not a classifier or COCO box detector")
                continue
            if r["platform"] in LEFT_OUT_PLATFORMS:
                self.ctx.exclude(sid, f"platform {r['platform']}: RKNPU1 chip, not a catalog device")
                continue
            device_string, cores = PLATFORMS[r["platform"]]
            entry = self.mapping.model(sid, r["model_name"])
            device = self.mapping.device(sid, device_string)
            if entry is None or device is None:
                continue
            fps = fnum(r["fps_cell"])
            if fps is None:
                self.ctx.exclude(sid, f"FPS cell '{r['fps_cell']}' is not a number ('/': not supported)")
                continue
            if r["dtype"] != "INT8":
                raise SystemExit(f"rknn-model-zoo: {r['model_name']} dtype {r['dtype']}: only INT8 rows reviewed")
            shape = [int(x) for x in r["inputs_shape"].strip("[]").split(",")]
            size = shape[2]
            if task == "detection" and entry.arch in NEW_DETECTORS:
                _detection.detector(self.ctx, sid, entry.arch, family=NEW_DETECTORS[entry.arch], input_size=size)
            settings = {"backend": "npu", "platform_column": r["platform"].replace("<br />", " ")}
            if cores is not None:
                settings["npu_cores"] = cores
            self.add_row(SourceRow(model=r["model_name"], device=device_string, runtime="rknn", precision="int8",
                                   batch_size=1, input_size=size, fps=fps, settings=settings), entry, device)
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
