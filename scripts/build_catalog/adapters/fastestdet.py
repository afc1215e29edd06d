"""FastestDet README: COCO val2017 mAP50-95 at 352 and ncnn latency on an RK3568 (Radxa Rock3A), a Snapdragon 835 and
an Intel i7-8700 (repo extract sources/fastestdet/)."""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import fnum
from . import _detection

TABLE = "repo:fastestdet/fastestdet.csv"


class FastestdetAdapter(SourceAdapter):
    source_id = "fastestdet"
    tables = (TABLE,)
    meta = {
        "title": "FastestDet README (dog-qiuqiu/FastestDet): Evaluating indicator/Benchmark and Multi-platform benchmark",
        "published": {"repo": "dog-qiuqiu/FastestDet", "commit": "50473cd155cb088aa4a99e64ff6a4b3c24fa07e1", "path": "README.md"},
        "runtime": "ncnn (version not stated) on the CPU",
        "precision": "not stated (stored as 'unspecified')",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "Run Time (ms) as published, single core and multi core",
        "timing_includes": "not stated by the README",
        "accuracy": "mAPval 0.5:0.95 (COCO val2017 box mAP@[.50:.95]) 13.0 % at 352x352",
        "caveats": [
            "RK3568 rows come from the Benchmark table ('Run Time(4xCore)' / '(1xCore)', 'CPU lock frequency "
            "2.0GHz'); the Multi-platform table repeats them and is used for the Snapdragon 835 and i7-8700 rows, "
            "whose 'Multi core' thread count is not stated (settings.threads left out)",
            "the RK3568 NPU row (rknn, 28 ms) is left out: its precision (rknn quantizes) is not stated",
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
            if r["table"] == "benchmark":
                size = int(r["resolution"].lower().split("x")[0])
                _detection.detector(self.ctx, sid, entry.arch, family="fastestdet", input_size=size,
                                    params_m=fnum(r["params_m"]))
                _detection.checkpoint(self.ctx, sid, org="fastestdet", name="FastestDet", arch=entry.arch,
                                      input_size=size, score=fnum(r["map50_95"].rstrip("%")))
            elif r["framework"] != "ncnn":
                self.ctx.exclude(sid, "RK3568 NPU (rknn) row: precision not stated")
                continue
            elif r["equipment"] == "Radxa rock3a":
                self.ctx.exclude(sid, "Multi-platform RK3568 rows repeat the Benchmark table's (kept from there)")
                continue
            device_text = r["equipment"] if r["table"] == "benchmark" else f"{r['equipment']} {r['backend']}"
            device = self.mapping.device(sid, device_text)
            if device is None:
                continue
            settings = {"backend": "cpu", "batch_stated": False}
            if r["threads"] != "multi":
                settings["threads"] = int(r["threads"])
            self.add_row(SourceRow(model=r["model"], device=device_text, runtime="ncnn", precision="unspecified",
                                   batch_size=1, input_size=352, latency_ms=fnum(r["latency_ms"]), settings=settings,
                                   note=f"README table {r['table']}"), entry, device)
            kept += 1
        self.ctx.stat(sid, len(rows), kept)
