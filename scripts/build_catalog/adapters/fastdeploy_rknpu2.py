"""FastDeploy's RKNPU2 model list: end-to-end RKNN latency on an RK3588S NPU core (PaddlePaddle/FastDeploy docs).

The table of docs/cn/faq/rknpu2/rknpu2.md (repo extract sources/fastdeploy_rknpu2/) times each deployed model on
"RK3588-s", one NPU core, end to end. Its one classifier, PaddleClas ResNet50_vd, is marked not quantized (是否量化:
否) and its conversion config builds it with do_quantization: False, so RKNN runs it in fp16 and the float weights'
accuracy applies (as for the fp16 rknn rows of sources/ultralytics_rknn/). Its non-quantized PicoDet-s is
PaddleDetection's picodet_s_416_coco_lcnet (the example's download and RKNN config, do_quantization: False), whose
float COCO mAP the catalog holds (paddledetection-picodet). Left out (logged): int8 rows (no quantized accuracy
published), PaddleDetection's YOLOv8-n (its port, not reviewed as Ultralytics' weights), segmentation and face rows.
"""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum

TABLE = REPO_PREFIX + "fastdeploy_rknpu2/rknpu2_models.csv"
REPO = "PaddlePaddle/FastDeploy"
COMMIT = "8deb2ed1793b218bde9246e3f06fd62c72ba33f4"
# the table's RKNN build of each kept row: not quantized (是否量化 否) -> fp16, and the input size of the example's
# export (ResNet50_vd: [1, 3, 224, 224]; PicoDet-s: picodet_s_416_coco_lcnet, [1, 3, 416, 416])
KEPT = {("Classification", "ResNet50_vd"): ("fp16", 224), ("Detection", "Picodet-s"): ("fp16", 416)}


class FastdeployRknpu2Adapter(SourceAdapter):
    source_id = "fastdeploy-rknpu2"
    tables = (TABLE,)
    meta = {
        "title": "FastDeploy docs 'RKNPU2概述': RKNPU2已经支持的模型列表 (RK3588-s, one NPU core)",
        "published": {"repo": REPO, "commit": COMMIT, "path": "docs/cn/faq/rknpu2/rknpu2.md"},
        "runtime": ("rknn: FastDeploy's RKNPU2 backend (RKNN runtime) on the RK3588S NPU, one core (设备型号: "
                    "RK3588-s; NPU均使用单核进行测试)"),
        "precision": ("fp16: the row is marked not quantized (是否量化: 否) and its RKNN conversion config "
                      "(examples/vision/classification/paddleclas/rockchip/rknpu2/rknpu2_tools/config/"
                      "ResNet50_vd_infer_rknn.yaml; PicoDet-s: tools/rknpu2/config/picodet_s_416_coco_lcnet_unquantized.yaml) sets do_quantization: False, which RKNN-Toolkit2 builds as a "
                      "float (fp16) model; the float weights' accuracy applies"),
        "batch": "batch 1 (the exports fix the input: [1, 3, 224, 224] for ResNet50_vd, [1, 3, 416, 416] for PicoDet-s)",
        "timing": "RKNN速度(ms) as published: 33 ms for ResNet50_vd, 112 ms for PicoDet-s",
        "timing_includes": ("end to end (以下环境测试的速度均为端到端): FastDeploy's pre-processing, NPU inference and "
                            "post-processing; normalisation runs on the NPU (the config's mean/std)"),
        "accuracy": "none published with the table; the PaddleClas ImageNet weights are float, so float accuracy applies",
        "caveats": [
            "the page: speeds vary with the chip's silicon (根据芯片体质的不同，速度会上下有所浮动，仅供参考)",
            "the RK3588S board, OS, NPU frequency and FastDeploy/RKNN versions are not stated",
            "the models are PaddleClas ResNet50_vd (ResNet50_vd_infer.tgz from FastDeploy's bucket), the resnet50d graph, "
            "and PaddleDetection picodet_s_416_coco_lcnet, exported with its box decoding and cut before NMS (RKNPU2 has "
            "no NMS op; FastDeploy runs NMS on the CPU, inside the end-to-end time)",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            if r["commit"] != COMMIT:
                raise SystemExit(f"fastdeploy-rknpu2: row from commit {r['commit']}, expected {COMMIT}")
            kept_as = KEPT.get((r["task"], r["model_version"]))
            if kept_as is None:
                if r["quantized_cell"] == "是":
                    why = "quantized (int8) row: FastDeploy publishes no accuracy of its quantized model"
                elif r["task"] == "Detection":
                    why = ("non-quantized detector: PaddleDetection's YOLOv8 port, not reviewed as the same weights as "
                           "the catalog's yolov8n (Ultralytics')")
                else:
                    why = "no catalog metric for this task, or no figure"
                self.ctx.exclude(sid, f"{r['task']} row {r['model_version']}: {why}")
                continue
            if r["quantized_cell"] != "否":
                raise SystemExit(f"fastdeploy-rknpu2: {r['model_version']} is marked quantized ({r['quantized_cell']})")
            entry = self.mapping.model(sid, r["model_version"])
            device = self.mapping.device(sid, r["device_stated"])
            if entry is None or device is None:
                continue
            precision, size = kept_as
            self.add_row(SourceRow(model=r["model_version"], device=r["device_stated"], runtime="rknn",
                                   precision=precision, batch_size=1, input_size=size,
                                   latency_ms=fnum(r["rknn_ms_cell"]),
                                   settings={"backend": "npu", "npu_cores": 1, "timing": "end-to-end"}), entry, device)
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
