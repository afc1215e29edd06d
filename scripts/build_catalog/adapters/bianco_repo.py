"""Bianco et al. 2018 authors' repo (models-comparison.pytorch): accuracies and settings of the ~40 CNNs it loads."""

from __future__ import annotations

from ..base import SourceAdapter
from ..cells import fnum, intnum


class BiancoRepoAdapter(SourceAdapter):
    source_id = "bianco2018-repo"
    tables = ("bianco2018_models.csv",)
    meta = {
        "title": "Bianco et al. 2018 authors' repo accuracies (CeLuigi/models-comparison.pytorch README) and model settings",
        "published": {"repo": "CeLuigi/models-comparison.pytorch", "commit": "66e1626ffaf94f28e3c7b52ec1a7b66b9ccac85c", "path": "README.md"},
        "accuracy": "top-1/top-5 % of the PyTorch weights the repo loads (Cadene 'Our porting' or torchvision rows); MobileNet-v2 and ShuffleNet from the ericsun99 repos; input sizes from pretrainedmodels settings (HEAD 51388f0)",
        "caveats": [
            "not the paper's table: the paper computed its own accuracies (may differ in the 2nd decimal)",
            "MobileNet-v1 accuracy is empty (marvis/pytorch-mobilenet not available)",
            "params_m/gmacs_3rdparty are third-party (torchvision, timm pt240 rtx3090, imgclsmob); used only for architectures with no torchvision/timm numbers",
        ],
    }

    def build(self) -> None:
        ctx = self.ctx
        sid = self.register()
        rows = self.read("bianco2018_models.csv")
        kept = 0
        for r in rows:
            e = self.mapping.model(sid, r["pretrainedmodels_key"])
            if e is None:
                continue
            ctx.facts.bianco_rows[e.arch] = r  # input sizes for the paper text; params for architectures.py
            if r["top1"] == "":
                ctx.exclude(sid, f"{r['model']}: no top1 (weights from marvis/pytorch-mobilenet not available)")
                continue
            ctx.add_checkpoint({"id": f"bianco2018/{r['pretrainedmodels_key']}", "architecture": e.arch,
                                "source": sid, "top1": fnum(r["top1"]), "top5": fnum(r["top5"]),
                                "input_size": intnum(r["input_size"]), "precision": "fp32", "name": r["model"]})
            kept += 1
        ctx.stat(sid, len(rows), kept)
