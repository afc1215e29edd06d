"""torchvision COCO detection weights (WeightsEnum _metrics["COCO-val2017"]["box_map"], num_params, _ops): accuracy
and parameter counts, no latency (repo extract sources/torchvision-detection/)."""

from __future__ import annotations

from ..base import SourceAdapter
from ..cells import fnum, intnum
from . import _detection

TABLE = "repo:torchvision-detection/detection_weights.csv"
# builder of each weights enum, the family, and the input size: fixed for SSD/SSDlite (the builders' (300, 300) and
# (320, 320)), the shorter side for the resize-to-min_size models (GeneralizedRCNNTransform min_size; max_size 1333,
# 640 for the 320 variant)
BUILDERS = {
    "FasterRCNN_ResNet50_FPN_Weights": ("fasterrcnn_resnet50_fpn", "faster-rcnn", 800),
    "FasterRCNN_ResNet50_FPN_V2_Weights": ("fasterrcnn_resnet50_fpn_v2", "faster-rcnn", 800),
    "FasterRCNN_MobileNet_V3_Large_FPN_Weights": ("fasterrcnn_mobilenet_v3_large_fpn", "faster-rcnn", 800),
    "FasterRCNN_MobileNet_V3_Large_320_FPN_Weights": ("fasterrcnn_mobilenet_v3_large_320_fpn", "faster-rcnn", 320),
    "FCOS_ResNet50_FPN_Weights": ("fcos_resnet50_fpn", "fcos", 800),
    "MaskRCNN_ResNet50_FPN_Weights": ("maskrcnn_resnet50_fpn", "mask-rcnn", 800),
    "MaskRCNN_ResNet50_FPN_V2_Weights": ("maskrcnn_resnet50_fpn_v2", "mask-rcnn", 800),
    "RetinaNet_ResNet50_FPN_Weights": ("retinanet_resnet50_fpn", "retinanet", 800),
    "RetinaNet_ResNet50_FPN_V2_Weights": ("retinanet_resnet50_fpn_v2", "retinanet", 800),
    "SSD300_VGG16_Weights": ("ssd300_vgg16", "ssd", 300),
    "SSDLite320_MobileNet_V3_Large_Weights": ("ssdlite320_mobilenet_v3_large", "ssdlite", 320),
}
FIXED_SIZE = {"ssd300_vgg16", "ssdlite320_mobilenet_v3_large"}


class TorchvisionDetectionAdapter(SourceAdapter):
    source_id = "torchvision-detection"
    tables = (TABLE,)
    meta = {
        "title": "torchvision 0.29.1 COCO detection weight metadata (WeightsEnum _metrics/_ops/num_params)",
        "published": {"repo": "pytorch/vision", "commit": "1f1a920d685d46dfbe187934b785b7ecb7a182f2",
                      "path": "torchvision/models/detection/*.py"},
        "accuracy": "box_map: COCO val2017 box mAP@[.50:.95] (%) of the weights (torchvision's reference scripts)",
        "caveats": [
            "no latency: accuracy and parameter counts only",
            "input_size is the builder's fixed size for SSD300 (300) and SSDlite320 (320); for the R-CNN, RetinaNet "
            "and FCOS builders it is the shorter side images are resized to (min_size 800, max_size 1333; 320/640 "
            "for fasterrcnn_mobilenet_v3_large_320_fpn), so the network input is not square",
            "_ops (GFLOPS, counting multiply-adds as torchvision's classification metadata does) is used as gmacs "
            "only for the fixed-size SSD/SSDlite builders; for the resize-to-min_size builders the image size it "
            "was counted at is not stated, so it is left out",
            "Mask R-CNN weights are instance-segmentation models; their box_map is the box detector's COCO mAP",
            "Keypoint R-CNN weights are left out: person-only (keypoint) models, their box_map is not an 80-class "
            "COCO detection score",
            "wheel torchvision-0.29.1 (pip download; version.py git_version above): the catalog's classification "
            "rows use 0.29.2, which the package index here did not offer",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            enum = r["weight_name"].split(".")[0]
            if enum not in BUILDERS:
                self.ctx.exclude(sid, f"{r['weight_name']}: person keypoint model (not 80-class COCO detection)")
                continue
            arch, fam, size = BUILDERS[enum]
            _detection.detector(self.ctx, sid, arch, family=fam, input_size=size, params_m=intnum(r["params"]) / 1e6,
                                gmacs=fnum(r["ops_gflops"]) if arch in FIXED_SIZE else None)
            _detection.checkpoint(self.ctx, sid, org="torchvision", name=r["weight_name"], arch=arch,
                                  input_size=size, score=fnum(r["box_map"]))
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
