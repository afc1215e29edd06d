"""Hailo Model Zoo public-model tables: HailoRT throughput at batch 1 and 8 with float and hardware (int8) accuracy.

One source entry per chip table (Hailo-8, 8L, 10H, 15H, 15L): each table's hardware accuracy is the accuracy of
the HEF compiled for that chip, so it pairs only with that chip's FPS (the catalog pairs quantized accuracy with a
quantized run of the same source). The float accuracy is the same pretrained model on every chip; its checkpoint
comes from the first table that lists the network.
"""

from __future__ import annotations

from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum

REPO = "hailo-ai/hailo_model_zoo"
TABLE = REPO_PREFIX + "hailo_model_zoo/classification.csv"
DETECTION_TABLE = REPO_PREFIX + "hailo_model_zoo/object_detection.csv"
ALIAS_SECTION = "hailo-model-zoo"  # one reviewed name table for all five chip tables (same network names)
# chip folder -> (source id, display name)
CHIPS = {
    "HAILO8": ("hailo-model-zoo-hailo8", "Hailo-8"),
    "HAILO8L": ("hailo-model-zoo-hailo8l", "Hailo-8L"),
    "HAILO10H": ("hailo-model-zoo-hailo10h", "Hailo-10H"),
    "HAILO15H": ("hailo-model-zoo-hailo15h", "Hailo-15H"),
    "HAILO15L": ("hailo-model-zoo-hailo15l", "Hailo-15L"),
}


def _meta(chip: str, row: dict[str, str]) -> dict[str, Any]:
    tag, commit = row["commit"].split("@")
    name = CHIPS[chip][1]
    return {
        "title": f"Hailo Model Zoo {tag} public models, {name} classification (ImageNet)",
        "published": {"repo": REPO, "commit": commit, "path": row["path"]},
        "runtime": f"HailoRT on the {name}: HEFs compiled with the {row['compiler']} (the table's own statement)",
        "precision": ("int8: Hailo's Dataflow Compiler quantizes weights and activations to 8 bits by default; a "
                      "model's .alls script may keep single layers at 16 bits or 4-bit weights (not reviewed per "
                      "model; the table does not say)"),
        "batch": "FPS (Batch Size=1) and FPS (Batch Size=8) columns, one row each",
        "timing": ("fps as published: frames per second of the compiled model on the chip (hailortcli benchmark, "
                   "docs/BENCHMARKS.rst), a throughput that overlaps frames; it is not 1 / latency, and the "
                   "per-image latency the catalog derives from it (1000 / fps) is the time per frame at that rate"),
        "accuracy": ("ImageNet top-1 %: 'float Accuracy (top1)' of the pretrained model (fp32 checkpoint) and "
                     f"'Hardware Accuracy (top1)' of the {name} HEF (int8 checkpoint, pairs only with this table's "
                     "FPS)"),
        "caveats": [
            f"one table per chip; the tag {tag} is the release whose {name} table publishes the hardware accuracy "
            "itself (v2.17 and the v5.x copies of the Hailo-8/8L tables publish a 'Hardware Degradation' instead)",
            "host, PCIe link and power mode of the benchmark are not stated; a Hailo-8L in the Raspberry Pi AI Kit "
            "runs on a PCIe Gen 2/3 x1 link, which may cap throughput below these figures",
        ],
    }


class HailoAdapter(SourceAdapter):
    source_id = CHIPS["HAILO8"][0]  # the first of the five chip entries; build() registers each from _meta()
    tables = (TABLE, DETECTION_TABLE)
    meta = {"title": "Hailo Model Zoo public models (one source entry per chip table)"}

    def table_status(self, table: str) -> str:
        if table == DETECTION_TABLE:
            return ("EXCLUDED - COCO detection rows: read once the catalog has the detection task (Architecture.task, "
                    "Checkpoint metric/score)")
        return "read"

    def build(self) -> None:
        rows = self.read(TABLE)
        float_seen: dict[str, str] = {}  # network -> float accuracy, to check every chip table states the same
        registered: set[str] = set()
        kept: dict[str, int] = {}
        read: dict[str, int] = {}
        for r in rows:
            chip = r["chip"]
            sid = CHIPS[chip][0]
            if sid not in registered:
                self.register(sid, _meta(chip, r))
                registered.add(sid)
            read[sid] = read.get(sid, 0) + 2  # each row states two FPS cells (batch 1 and 8)
            entry = self.mapping.model(ALIAS_SECTION, r["network"])
            device = self.mapping.device(sid, chip)
            if entry is None or device is None:
                continue
            size = int(r["input_resolution"].split("x")[0])
            for batch, column in ((1, "fps_batch1"), (8, "fps_batch8")):
                fps = fnum(r[column])
                if fps is None:
                    self.ctx.exclude(sid, f"FPS (Batch Size={batch}) cell empty")
                    continue
                row = SourceRow(model=r["network"], device=chip, runtime="hailort", precision="int8",
                                batch_size=batch, input_size=size, fps=fps)
                self.add_row(row, entry, device, sid)
                kept[sid] = kept.get(sid, 0) + 1
            if r["hardware_accuracy"]:
                self.ctx.add_checkpoint({
                    "id": f"hailo/{r['network']}:{chip.lower()}", "architecture": entry.arch, "source": sid,
                    "top1": fnum(r["hardware_accuracy"]), "input_size": size, "precision": "int8",
                    "name": f"{r['network']} ({CHIPS[chip][1]} HEF, {r['compiler']})"})
            if r["float_accuracy"]:
                if r["network"] in float_seen:
                    if float_seen[r["network"]] != r["float_accuracy"]:
                        raise SystemExit(f"hailo: {r['network']} float accuracy differs between chip tables")
                    continue
                float_seen[r["network"]] = r["float_accuracy"]
                self.ctx.add_checkpoint({
                    "id": f"hailo/{r['network']}", "architecture": entry.arch, "source": sid,
                    "top1": fnum(r["float_accuracy"]), "input_size": size, "precision": "fp32",
                    "name": f"{r['network']} (Hailo Model Zoo pretrained float model)"})
        for sid in sorted(registered):
            self.ctx.stat(sid, read.get(sid, 0), kept.get(sid, 0))
