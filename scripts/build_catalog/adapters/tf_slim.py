"""TF-slim MobileNet README: MobileNetV3 latency on Pixel 1/2/3, MobileNetV2 on Pixel 1, with their accuracies."""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import AliasEntry, SourceRow

from ..base import TableAdapter
from ..cells import fnum, intnum, safe_id


class TfSlimAdapter(TableAdapter):
    source_id = "tf-slim-mobilenet"
    table = "tf_slim_mobilenet_pixel.csv"
    meta = {
        "title": "TF-slim MobileNet README (MobileNetV3 Pixel 1/2/3, MobileNetV2 Pixel 1)",
        "published": {"repo": "tensorflow/models", "commit": "0ba83cf0211401a8505505276c59418f15338d31", "path": "research/slim/nets/mobilenet/README.md"},
        "runtime": "V3: TF-Lite, large core; V2: 'Mobile CPU (ms) Pixel 1' (framework not stated in that table)",
        "precision": "V3: float / 8-bit; V2: not stated (unspecified)",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "accuracy": "top-1 (and top-5 for V2) % as published",
        "caveats": ["batch size not stated by the source; stored as batch 1 with batch_stated: false",
                    "the V2 table does not state framework or precision"],
    }

    def source_row(self, r: dict[str, str]) -> SourceRow:
        settings: dict[str, Any] = {"batch_stated": False, "backend": "cpu"}
        if r["cpu_note"]:
            settings["core"] = r["cpu_note"].replace(" core", "")
        return SourceRow(model=r["model"], device=r["device"],
                         runtime="tflite" if r["framework"] == "TF-Lite" else "unspecified",
                         precision={"float": "fp32", "8-bit": "int8", "": "unspecified"}[r["precision"]],
                         batch_size=1, input_size=intnum(r["input_size"]), latency_ms=fnum(r["latency_ms"]),
                         settings=settings)

    def measurement(self, raw: dict[str, str], entry: AliasEntry, device: str) -> dict[str, Any] | None:
        m = super().measurement(raw, entry, device)
        if m is not None and raw["macs_m"]:
            # the README's own MAC count (millions) for this width at this resolution, in 10^9
            self.ctx.facts.sized_complexity.setdefault((m["architecture"], m["input_size"]), {})["gmacs"] = (
                float(f"{fnum(raw['macs_m']) / 1000:.6g}"), self.source_id)
        return m

    def checkpoint(self, r: dict[str, str], e: AliasEntry, m: dict[str, Any]) -> dict[str, Any] | None:
        if not r["top1_pct"]:
            return None
        return {"id": f"tf-slim/{safe_id(r['model'])}", "architecture": e.arch, "top1": fnum(r["top1_pct"]),
                "top5": fnum(r["top5_pct"]), "input_size": m["input_size"],
                "precision": "int8" if m["precision"] == "int8" else "fp32", "name": r["model"]}
