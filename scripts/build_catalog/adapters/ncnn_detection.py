"""ncnn benchncnn detection rows (SSD, YOLO, NanoDet, FastestDet graphs), only from the README run blocks the shared
ncnn_benchncnn.csv covers (repo extract sources/ncnn-detection/)."""

from __future__ import annotations

from modelpick.importers.rows import AliasEntry, SourceRow

from ..cells import read_csv, table_path
from . import _detection
from .ncnn import NcnnAdapter

SHARED = "ncnn_benchncnn.csv"
# Longest distance (README lines) from a detection line back to a classification line of the same run block:
# a block lists 23 classification lines, then the detectors (benchncnn.cpp's order).
MAX_BLOCK_SPAN = 40
FAMILIES = {"mobilenet-ssd": "ssd", "squeezenet-ssd": "ssd", "mobilenet-yolo": "yolov2", "mobilenetv2-yolov3": "yolov3",
            "yolov4-tiny": "yolov4", "nanodet-m": "nanodet", "yolo-fastest-1.1": "yolo-fastest",
            "yolo-fastestv2": "yolo-fastest", "fastestdet": "fastestdet"}

RUN_KEYS = ("device", "backend", "num_threads", "powersave", "gpu_device", "loop_count", "cooling_down")


def held_out_rows(rows: list[dict[str, str]], shared: list[dict[str, str]]) -> list[dict[str, str]]:
    """Detection rows that do not sit in a run block of the shared table: the same device and run settings on a
    classification row at most MAX_BLOCK_SPAN README lines above. Such a row would come from a section the shared
    copy holds out (or a block it left out): it must never enter the catalog."""
    by_run: dict[tuple[str, ...], list[int]] = {}
    for s in shared:
        by_run.setdefault(tuple(s[k] for k in RUN_KEYS), []).append(int(s["readme_line"]))
    bad = []
    for r in rows:
        line = int(r["readme_line"])
        lines = by_run.get(tuple(r[k] for k in RUN_KEYS), [])
        if not any(0 < line - x <= MAX_BLOCK_SPAN for x in lines):
            bad.append(r)
    return bad


class NcnnDetectionAdapter(NcnnAdapter):
    source_id = "ncnn-benchncnn-detection"
    table = "repo:ncnn-detection/ncnn_detection.csv"
    tables = (table,)
    meta = {
        **NcnnAdapter.meta,
        "title": "ncnn benchncnn results (benchmark/README.md): detection graphs",
        "timing_includes": "the ncnn graph only, on a blank input with random weights (no image decode or resize); "
                           "the SSD and YOLO graphs end in ncnn's DetectionOutput / YoloDetectionOutput / "
                           "Yolov3DetectionOutput layer (box decoding and NMS inside the graph, on random activations); "
                           "nanodet_m, yolo-fastestv2 and FastestDet end at the raw head outputs (no decoding, no NMS)",
        "accuracy": "none (random weights); mAP comes from each model's own repository where it states COCO val2017 "
                    "mAP50-95 (nanodet, fastestdet sources); the SSD and MobileNet-YOLO graphs are VOC models and "
                    "yolo-fastest states COCO mAP@0.5 only, so those have no checkpoint",
        "caveats": [
            *NcnnAdapter.meta["caveats"][1:],
            "input sizes per benchncnn.cpp: 300 for the SSDs, 416 for mobilenet_yolo and yolov4-tiny, 352 for "
            "mobilenetv2_yolov3, yolo-fastestv2 and FastestDet, 320 for nanodet_m and yolo-fastest-1.1",
            "only run blocks that hold a classification row of the shared ncnn_benchncnn.csv are extracted; the "
            "build checks every row against that table (held-out sections never enter)",
        ],
    }

    def build(self) -> None:
        shared = read_csv(table_path(self.ctx.sources_dir, SHARED))
        bad = held_out_rows(self.read(self.table), shared)
        if bad:
            raise SystemExit(f"{self.table}: {len(bad)} row(s) outside the shared table's run blocks (held-out "
                             f"sections must not enter), first at README line {bad[0]['readme_line']}")
        super().build()

    def measurement(self, r: dict[str, str], e: AliasEntry, dev: str):
        _detection.detector(self.ctx, self.source_id, e.arch, family=FAMILIES[e.arch])
        return super().measurement(r, e, dev)
