"""PaddleClas model-zoo speed tables: Paddle Inference / TensorRT per-batch latency on V100, T4 and Xeon."""

from __future__ import annotations

import collections
import json
import re
from typing import Any

from modelpick.importers.rows import AliasEntry, SourceRow, to_measurement

from ..base import TableAdapter
from ..cells import fnum, intnum
from ..context import measurement_row
from ..emit import load_yaml

REVIEWED_FILE = "paddleclas_reviewed.yaml"
LOG_TITLE = "PaddleClas figures published in two docs (data/paddleclas_reviewed.yaml)"


class PaddleclasAdapter(TableAdapter):
    source_id = "paddleclas"
    table = "paddleclas_latency.csv"
    meta = {
        "title": "PaddleClas model-zoo inference speed tables (docs/zh_CN/models/ImageNet1k/*.md)",
        "published": {"repo": "PaddlePaddle/PaddleClas", "commit": "d178931fca432204e6b7422bac4f92e09ff22fa4", "path": "docs/zh_CN/models/ImageNet1k/*.md"},
        "runtime": "Paddle Inference; V100/T4 with TensorRT (8.0.3.4 per most table notes), Xeon with MKLDNN",
        "precision": "per table note: FP32 (V100, T4) and FP16 (T4)",
        "batch": "bs 1/4/8; the Latency(ms) columns are ms per batch",
        "timing": "overview doc: GPU speed = FP32+TensorRT, 2100 runs with the first 100 as warm-up",
        "caveats": [
            "rows whose table gives no input size are excluded (exact input size is required for joins)",
            "three CSPDarkNet53 V100 rows have no runtime/precision note and are excluded",
            "the ConvNeXt and SwinTransformerV2 V100 sections hold no table",
            "the V100 variant is not stated",
            "DPN.md's T4 table names no precision; its figures are DenseNet.md's FP16 column, so they are filed as "
            "fp16 (data/paddleclas_reviewed.yaml)",
            "DPN.md and DenseNet.md give different V100 FP32 figures for the same DPN cells: recorded as conflicts "
            "in the build log, neither stored as a measurement",
        ],
    }

    def build(self) -> None:
        self.reviewed = load_yaml(self.ctx.data_dir / REVIEWED_FILE) or {}
        self.relabel_used: collections.Counter = collections.Counter()
        super().build()
        for i, entry in enumerate(self.reviewed.get("relabel", [])):
            if not self.relabel_used[i]:
                raise SystemExit(f"{REVIEWED_FILE}: relabel entry {entry} matches no row; the table changed under it")
        self.resolve_two_doc_figures()

    def measurement(self, raw: dict[str, str], entry: AliasEntry, device: str) -> dict[str, Any] | None:
        row = self.source_row(raw)
        if row is None:
            return None
        m = to_measurement(row, entry, device, self.source_id)
        doc = m["settings"]["doc"]
        for i, rl in enumerate(self.reviewed.get("relabel", [])):
            if (rl["doc"], rl["device"], rl["from"]) == (doc, raw["device"], raw["precision"]):
                self.relabel_used[i] += 1
                m["precision"] = rl["to"].lower()
                m["note"] = (f"{doc}'s table names no precision; its figures equal {rl['same_as']['doc']}'s "
                             f"{rl['same_as']['precision']} column, so filed as {rl['to']} (data/{REVIEWED_FILE})")
                m["_relabelled_from"] = rl["same_as"]["doc"]
        return m

    def resolve_two_doc_figures(self) -> None:
        """One figure in two docs is one measurement; two different figures for one cell are a conflict (neither kept).

        Groups rows of this source by model name and cell (device, input size, runtime, precision, batch, settings
        other than the doc). A relabelled figure must equal the column the reviewed entry names.
        """
        ctx, sid = self.ctx, self.source_id
        groups: dict[tuple, list[int]] = collections.defaultdict(list)
        for i, m in enumerate(ctx.measurements):
            if m["source"] != sid:
                continue
            settings = {k: v for k, v in m.get("settings", {}).items() if k != "doc"}
            groups[(m.get("name"), m["device"], m["architecture"], m["input_size"], m["runtime"], m["precision"],
                    m["batch_size"], json.dumps(settings, sort_keys=True))].append(i)
        conflicts = self.reviewed.get("conflicts", [])
        conflict_used: collections.Counter = collections.Counter()
        drop: set[int] = set()
        lines: list[str] = []
        for key, idx in groups.items():
            docs = {ctx.measurements[i]["settings"]["doc"] for i in idx}
            if len(docs) < 2:
                continue
            rows = [ctx.measurements[i] for i in idx]
            values = {r["batch_latency_ms"] for r in rows}
            name, dev, batch, prec = key[0], key[1], key[6], key[5]
            figures = ", ".join(f"{r['settings']['doc']} {r['batch_latency_ms']} ms" for r in
                                sorted(rows, key=lambda r: r["settings"]["doc"]))
            if len(values) == 1:
                keep = min(idx, key=lambda i: ("_relabelled_from" in ctx.measurements[i],
                                               ctx.measurements[i]["settings"]["doc"]))
                others = sorted(ctx.measurements[i]["settings"]["doc"] for i in idx if i != keep)
                kept = ctx.measurements[keep]
                relabelled = any("_relabelled_from" in ctx.measurements[i] for i in idx if i != keep)
                kept["note"] = (f"the same figure is also published in {', '.join(others)}"
                                + (f", whose table names no precision (data/{REVIEWED_FILE})" if relabelled else ""))
                drop.update(i for i in idx if i != keep)
                lines.append(f"  same figure: {name} {dev} {prec} batch {batch}: {figures} -> one measurement")
                continue
            for r in rows:
                if "_relabelled_from" in r:
                    raise SystemExit(f"{REVIEWED_FILE}: relabelled {name} {dev} batch {batch} does not equal "
                                     f"{r['_relabelled_from']}'s figure ({figures}); the stated evidence no longer holds")
            hit = next((j for j, c in enumerate(conflicts)
                        if set(c["docs"]) == docs and self.mapping.device_by_string.get(c["device"]) == dev
                        and c["precision"].lower() == prec), None)
            if hit is None:
                raise SystemExit(f"{sid}: {name} on {dev} {prec} batch {batch} has different figures in two docs "
                                 f"({figures}); review it in data/{REVIEWED_FILE} (conflicts)")
            conflict_used[hit] += 1
            drop.update(idx)
            lines.append(f"  CONFLICT: {name} {dev} {prec} batch {batch}: {figures} -> neither stored")
        for j, c in enumerate(conflicts):
            if not conflict_used[j]:
                raise SystemExit(f"{REVIEWED_FILE}: conflict entry {c} matches no row; the table changed under it")
            ctx.exclude(sid, f"conflict, {' vs '.join(c['docs'])} on {c['device']} {c['precision']}: {c['reason']}",
                        2 * conflict_used[j])
        same = sum(1 for line in lines if line.startswith("  same figure"))
        if same:
            ctx.exclude(sid, "same figure published in two docs: kept once, the other doc named in the note", same)
        ctx.measurements = [measurement_row({k: v for k, v in m.items() if k != "_relabelled_from"})
                            if m["source"] == sid else m
                            for i, m in enumerate(ctx.measurements) if i not in drop]
        ctx.stats[sid]["kept"] -= len(drop)
        ctx.report_sections[LOG_TITLE] = sorted(lines) or ["  none"]

    def source_row(self, r: dict[str, str]) -> SourceRow | None:
        if r["input_size"] == "":
            self.ctx.exclude(self.source_id, f"{r['device']}: row without input size (table gives none)")
            return None
        if r["framework"] == "" or r["precision"] == "":
            self.ctx.exclude(self.source_id, f"{r['device']}: row without runtime/precision note")
            return None
        fw = r["framework"]
        settings: dict[str, Any] = {"doc": r["source"].rsplit("/", 1)[-1]}
        if "TensorRT" in fw:
            runtime = "tensorrt"
            settings["host"] = "paddle-inference"
            mv = re.search(r"TensorRT-([\d.]+)", fw)
            if mv:
                settings["tensorrt"] = mv.group(1)
        elif "MKLDNN" in fw:
            runtime = "paddle-inference"
            settings["backend"] = "mkldnn"
        else:
            runtime = "paddle-inference"
        if r["threads"]:
            settings["threads"] = intnum(r["threads"])
        return SourceRow(model=r["model"], device=r["device"], runtime=runtime, precision=r["precision"].lower(),
                         batch_size=intnum(r["batch_size"]), input_size=intnum(r["input_size"]),
                         batch_latency_ms=fnum(r["latency_ms"]), settings=settings)
