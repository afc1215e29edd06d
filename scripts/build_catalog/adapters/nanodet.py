"""NanoDet README: COCO val2017 mAP50-95 of the model zoo (incl. legacy) and the Benchmarks table's latency on an
Intel i7-8700 (OpenVINO) and a Kirin 980's 4 A76 cores (ncnn) (repo extract sources/nanodet/)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum
from . import _detection

TABLE = "repo:nanodet/nanodet.csv"
OWN = "NanoDet"  # the Benchmarks table also lists other repos' models for comparison: not this source's numbers
DEVICES = (("cpu_i7_8700_ms", "Intel Core-i7-8700", "openvino"), ("arm_4xa76_ms", "Kirin 980 (4xA76+4xA55)", "ncnn"))


def key(r: dict[str, str]) -> str:
    """The alias-table name of a row: the model, plus the backbone where one name covers several backbones."""
    return f"{r['model']} ({r['backbone']})" if r["model"] == "NanoDet-EfficientLite" else r["model"]


class NanodetAdapter(SourceAdapter):
    source_id = "nanodet"
    tables = (TABLE,)
    meta = {
        "title": "NanoDet README (RangiLyu/nanodet): Benchmarks and Model Zoo tables",
        "published": {"repo": "RangiLyu/nanodet", "commit": "be9b4a9001d7f9b6fc89c2df31ae8d428e35b4f0", "path": "README.md"},
        "runtime": "OpenVINO on an Intel Core i7-8700; ncnn on a Kirin 980's Cortex-A76 cores (README notes)",
        "precision": "not stated (stored as 'unspecified')",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "latency (ms) as published",
        "timing_includes": "not stated by the README",
        "accuracy": "mAP val 0.5:0.95 (Benchmarks) / 'COCO mAP' (Model Zoo, same values for the same models): COCO "
                    "val2017 box mAP@[.50:.95] at the row's resolution",
        "caveats": [
            "ARM latency: 'measured on Kirin 980(4xA76+4xA55) ARM CPU based on ncnn', the table heading says "
            "'ARM Latency (4xA76)': stored as 4 threads; Intel CPU: 'Intel Core-i7-8700 based on OpenVINO', threads "
            "not stated (left out)",
            "the phone holding the Kirin 980 is not named: filed as the SoC (kirin-980)",
            "FLOPS column: the counting convention (multiply-adds or 2 x) is not stated, so no GMACs are taken",
            "the comparison rows of the Benchmarks table (YOLOv3-Tiny, YOLOv4-Tiny, YOLOX-Nano, YOLOv5-n, FBNetV5, "
            "MobileDet) are other repositories' models: left out",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            if not r["model"].startswith(OWN):
                self.ctx.exclude(sid, "Benchmarks comparison row of another repository's model")
                continue
            entry = self.mapping.model(sid, key(r))
            if entry is None:
                continue
            size = int(r["resolution"].split("*")[0])
            _detection.detector(self.ctx, sid, entry.arch, family="nanodet", input_size=size,
                                params_m=fnum(r["params_m"].removesuffix("M")))
            if r["table"] != "benchmarks":
                name = key(r).replace(" (", "_").rstrip(")")
                _detection.checkpoint(self.ctx, sid, org="nanodet", name=name, arch=entry.arch, input_size=size,
                                      score=fnum(r["map50_95"]))
                kept += 1
                continue
            for col, device_text, runtime in DEVICES:
                device = self.mapping.device(sid, device_text)
                if device is None or not r[col]:
                    continue
                settings = {"backend": "cpu", "batch_stated": False}
                if runtime == "ncnn":
                    settings["threads"] = 4
                self.add_row(SourceRow(model=r["model"], device=device_text, runtime=runtime, precision="unspecified",
                                       batch_size=1, input_size=size, latency_ms=fnum(r[col]), settings=settings),
                             entry, device)
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
