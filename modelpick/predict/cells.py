"""Measured latency cells of a catalog keyed by (Target, Column), and the run configuration predictions use."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from .types import Column, Target

#: Settings keys that describe how a run was repeated, not what ran; they do not split targets.
IGNORED_SETTINGS = frozenset({"loop_count", "loops", "runs", "warmup", "cooling_down", "readme_line", "line", "doc",
                              "batch_stated", "input_size_stated"})


def settings_key(settings: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((str(k), v) for k, v in (settings or {}).items() if k not in IGNORED_SETTINGS))


def latency_cells(catalog, keep=None) -> dict[tuple[Target, Column], float]:
    """Per-image latency of every measured cell (repeated rows of a cell: geometric mean).

    ``keep(measurement)``, if given, selects the measurements (the time-split evaluation fits on older ones only).
    """
    acc: dict[tuple[Target, Column], list[float]] = {}
    for m in catalog.measurements:
        if keep is not None and not keep(m):
            continue
        lat = m.per_image_latency_ms
        if lat is None or not (lat > 0) or m.suspect is not None:  # suspects never teach the predictor
            continue
        t = Target(m.device, m.runtime, m.precision, settings_key(m.settings), int(m.batch_size))
        acc.setdefault((t, (m.architecture, int(m.input_size))), []).append(float(lat))
    # a single measurement stays exactly as published
    return {k: v[0] if len(v) == 1 else float(np.exp(np.mean(np.log(v)))) for k, v in acc.items()}


def canonical_settings(cells: Mapping[tuple[Target, Column], float], device: str) -> dict[tuple[str, str, int], Target]:
    """Per (runtime, precision, batch size) on ``device``, the run configuration predictions are made for.

    That is the configuration with the most measured architectures; ties go to the
    fastest (lowest mean log latency over architectures both measured).
    """
    by: dict[tuple[str, str, int], dict[Target, dict[Column, float]]] = {}
    for (t, col), lat in cells.items():
        if t.device == device:
            by.setdefault((t.runtime, t.precision, t.batch_size), {}).setdefault(t, {})[col] = lat
    out = {}
    for key, targets in by.items():
        def rank(t: Target) -> tuple[float, float]:
            mine = targets[t]
            rel = [math.log(mine[c]) - np.mean([math.log(o[c]) for o in targets.values() if c in o]) for c in mine]
            return (-len(mine), float(np.mean(rel)))
        out[key] = min(targets, key=lambda t: (rank(t), repr(t)))
    return out
