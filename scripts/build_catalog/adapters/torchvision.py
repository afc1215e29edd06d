"""torchvision weight metadata: checkpoint accuracies, and params / GMACs per builder for architectures.py."""

from __future__ import annotations

from ..base import SourceAdapter
from ..cells import fnum, intnum


class TorchvisionAdapter(SourceAdapter):
    source_id = "torchvision-weights"
    tables = ("torchvision_weights.csv",)
    meta = {
        "title": "torchvision 0.29.2 classification weight metadata (WeightsEnum _metrics/_ops/num_params)",
        "published": {"repo": "pytorch/vision", "commit": "f12281517f1b2f6255904639b027c9436f3e5008", "path": "torchvision/models/*.py, torchvision/models/quantization/*.py"},
        "accuracy": "acc1/acc5 % on ImageNet-1K val at the weight's crop_size (resize_size per row)",
        "caveats": [
            "gflops is torchvision's _ops field: for float weights it is labelled GFLOPS but counts multiply-adds (per README-bianco2018 it equals the GMAC count, e.g. ResNet-50 4.089); used here as gmacs",
            "quantized weights (fbgemm/qnnpack) publish GIPS; their accuracy is for int8 inference",
            "VGG16_Weights.IMAGENET1K_FEATURES has no accuracy (features-only weights)",
        ],
    }

    def build(self) -> None:
        ctx = self.ctx
        sid = self.register()
        rows = self.read("torchvision_weights.csv")
        tv_arch = ctx.facts.torchvision
        kept = 0
        for r in rows:
            builder = r["model_builder"].split(".")[-1]
            quant = ".quantization." in r["model_builder"]
            if not quant and builder not in tv_arch:
                tv_arch[builder] = {"input_size": intnum(r["crop_size"]), "params_m": intnum(r["params"]) / 1e6,
                                    "gmacs": fnum(r["gflops"]) if r["ops_unit"] == "GFLOPS" else None,
                                    "weight": r["weight_name"]}
            elif not quant and r["ops_unit"] == "GFLOPS" and intnum(r["crop_size"]) != tv_arch[builder]["input_size"]:
                # torchvision's own count for a weight at another size (ViT-H/14 SWAG linear at 224 px: 167.295)
                # wins over scaling the first weight's figure by pixel count (190.1 from 1016.717 at 518 px)
                ctx.facts.sized_complexity.setdefault((builder, intnum(r["crop_size"])), {}).setdefault(
                    "gmacs", (fnum(r["gflops"]), sid))
            if r["acc1"] == "":
                ctx.exclude(sid, f"{r['weight_name']}: no published accuracy (features-only weights)")
                continue
            ctx.add_checkpoint({"id": f"torchvision/{r['weight_name']}", "architecture": builder, "source": sid,
                                "top1": fnum(r["acc1"]), "top5": fnum(r["acc5"]), "input_size": intnum(r["crop_size"]),
                                "precision": "int8" if quant else "fp32", "name": r["weight_name"]})
            kept += 1
        ctx.stat(sid, len(rows), kept)
