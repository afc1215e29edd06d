"""Cross-source steps over the collected rows, run after every adapter and before the tables are assembled."""

from __future__ import annotations

import collections
import json
from typing import Any

from .context import BuildContext


def drop_exact_duplicates(ctx: BuildContext) -> collections.Counter:
    """Keep the first of identical measurement rows; returns source -> rows dropped (for the log)."""
    seen: set[str] = set()
    uniq = []
    dups: collections.Counter = collections.Counter()
    for m in ctx.measurements:
        key = json.dumps(m, sort_keys=True)
        if key in seen:
            dups[m["source"]] += 1
            continue
        seen.add(key)
        uniq.append(m)
    ctx.measurements = uniq
    return dups


def _measurement_order(m: dict[str, Any]) -> tuple:
    return (m["source"], m["device"], m["architecture"], m["input_size"], m["runtime"], m["precision"],
            m["batch_size"], json.dumps(m.get("settings", {}), sort_keys=True), m.get("name") or "",
            json.dumps(m, sort_keys=True))


def sort_measurements(ctx: BuildContext) -> None:
    """The file's deterministic order: source, device, architecture, input size, ..., then the whole row."""
    ctx.measurements.sort(key=_measurement_order)


#: timm names torchvision's second-recipe weights ``<model>.tv2_in1k`` and downloads torchvision's own files for them
#: (huggingface/pytorch-image-models@00c5be7:timm/models/resnet.py: e.g. 'resnet50.tv2_in1k' has
#: url='https://download.pytorch.org/models/resnet50-11ad3fa6.pth', the file of ResNet50_Weights.IMAGENET1K_V2).
TIMM_COPY_TAG, TORCHVISION_ORIGINAL_TAG = ".tv2_in1k", "_Weights.IMAGENET1K_V2"
TIMM_SOURCE, TORCHVISION_SOURCE = "timm-results-imagenet", "torchvision-weights"


def link_same_weights(ctx: BuildContext) -> list[str]:
    """Mark timm's copies of torchvision's IMAGENET1K_V2 weights ``same_weights_as`` the torchvision checkpoint.

    Only where both evaluate the same architecture at the same input size (timm's 176 px training-size rows stay
    their own checkpoint: another cell). Returns the log lines.
    """
    originals: dict[tuple[str, int], list[str]] = {}
    for cid, c in ctx.checkpoints.items():
        if c["source"] == TORCHVISION_SOURCE and (c.get("name") or "").endswith(TORCHVISION_ORIGINAL_TAG):
            originals.setdefault((c["architecture"], c["input_size"]), []).append(cid)
    lines = []
    for cid in sorted(ctx.checkpoints):
        c = ctx.checkpoints[cid]
        if c["source"] != TIMM_SOURCE or not (c.get("name") or "").endswith(TIMM_COPY_TAG):
            continue
        match = originals.get((c["architecture"], c["input_size"]), [])
        if len(match) == 1:
            c["same_weights_as"] = match[0]
            lines.append(f"  {cid} = {match[0]} ({c['top1']} vs {ctx.checkpoints[match[0]]['top1']} % top-1)")
    return lines
