"""Coral models page: the published top-1 of the compiled Edge TPU (int8) models, the accuracy the coral-edgetpu
benchmark rows of the same models pair with (shared toolchain coral-edgetpu)."""

from __future__ import annotations

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum, safe_id

TABLE = REPO_PREFIX + "coral_models/models.csv"


class CoralModelsAdapter(SourceAdapter):
    source_id = "coral-models"
    tables = (TABLE,)
    meta = {
        "title": "Coral Edge TPU models page (coral.ai/models/all, image classification; stored copy, first rows)",
        "published": {"url": "https://coral.ai/models/all"},
        "toolchain": "coral-edgetpu",
        "precision": "int8: models compiled for the Edge TPU, which runs only fully 8-bit quantized TFLite models",
        "accuracy": "ImageNet (ILSVRC2012) top-1 and top-5 % of each compiled Edge TPU model, as the page publishes",
        "caveats": [
            "premise of the pairing (toolchain coral-edgetpu): the Edge TPU benchmarks page (source coral-edgetpu) "
            "times the same compiled models this page lists under the same names (EfficientNet-EdgeTpu S/M, "
            "Inception v1/v4); neither page states it in the stored copies, both are Coral's own Edge TPU builds",
            "the stored copy ends after the Inception V4 row: MobileNet V1/V2 and later rows are missing, so the "
            "benchmark's MobileNet, VGG and Inception-ResNet rows still have no Edge TPU accuracy",
            "the page's own latency column is not read (its footnote, which says what was timed, is not in the copy)",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            entry = self.mapping.model(sid, r["model"])
            if entry is None:
                continue
            size = int(r["input_size"].split("x")[0])
            self.ctx.add_checkpoint({
                "id": f"coral/{safe_id(r['model'])}:{size}", "architecture": entry.arch, "source": sid,
                "top1": fnum(r["top1_pct"]), "top5": fnum(r["top5_pct"]), "input_size": size, "precision": "int8",
                "name": f"{r['model']} {r['input_size']} (Edge TPU model, coral.ai/models)"})
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
