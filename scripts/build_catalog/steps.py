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
