"""Keras Applications table: top-1/top-5 accuracy and CPU / GPU time per batch of 32."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum, intnum


class KerasAdapter(SourceAdapter):
    source_id = "keras-applications"
    tables = ("keras_applications.csv",)
    meta = {
        "title": "Keras Applications table (templates/api/applications/index.md)",
        "published": {"repo": "keras-team/keras-io", "commit": "e7be306b7cad4726760a753c5bed90824e096b81", "path": "templates/api/applications/index.md"},
        "runtime": "TensorFlow/Keras",
        "precision": "not stated (unspecified)",
        "batch": "batch size 32; the times are ms per inference step (batch of 32)",
        "timing": "average of 30 batches and 10 repetitions; CPU: AMD EPYC Processor (with IBPB) (92 core), GPU: Tesla A100",
        "accuracy": "top-1/top-5 % as published (ImageNet val)",
        "caveats": ["input sizes are the Keras default input_shape of each model (table has no input-size column)",
                    "EfficientNetV2 rows publish '-' for the times; the legacy table's ambiguous CPU/GPU time column is not used"],
    }

    def build(self) -> None:
        ctx = self.ctx
        sid = self.register()
        rows = self.read("keras_applications.csv")
        kept = 0
        for r in rows:
            e = self.mapping.model(sid, r["model"])
            if e is None:
                continue
            ctx.add_checkpoint({"id": f"keras/{r['model']}", "architecture": e.arch, "source": sid,
                                "top1": fnum(r["top1_pct"]), "top5": fnum(r["top5_pct"]), "input_size": e.input_size,
                                "precision": "fp32", "name": r["model"]})
            kept += 1
            # one row holds a CPU and a GPU time, each in its own column with its own device string
            for col, devcol in (("cpu_ms_per_inference_step", "cpu"), ("gpu_ms_per_inference_step", "gpu")):
                if r[col] == "":
                    ctx.exclude(sid, f"{r['model']} {devcol} time '-' (not published)")
                    continue
                dev = self.mapping.device(sid, r[devcol])
                if dev is None:
                    continue
                # no input-size column: the alias entry states the model's default input shape
                self.add_row(SourceRow(model=r["model"], device=r[devcol], runtime="tensorflow",
                                       precision="unspecified", batch_size=intnum(r["batch_size"]),
                                       batch_latency_ms=fnum(r[col]),
                                       settings={"backend": devcol, "input_size_stated": False}), e, dev)
        ctx.stat(sid, len(rows), kept)
