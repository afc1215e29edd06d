"""The build's shared state: the rows adapters add (sources, measurements, checkpoints) and what they report."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelpick.importers.rows import MEASUREMENT_KEYS

from .mapping import NameMapping

# Key order of a measurement / checkpoint row in the catalog file (measurements: the row contract's order).
# Keys starting with "_" are build-internal: an adapter's finish() step removes them before the catalog is assembled.
MEASUREMENT_FIELDS = (*MEASUREMENT_KEYS, "_peak_mem_max_mb", "_relabelled_from")
CHECKPOINT_FIELDS = ("id", "architecture", "source", "top1", "top5", "metric", "score", "input_size", "precision",
                     "name", "same_weights_as")


def measurement_row(m: dict[str, Any]) -> dict[str, Any]:
    """A measurement in the file's key order, without empty values; settings and stats sorted by key."""
    out = {k: m[k] for k in MEASUREMENT_FIELDS if k in m and m[k] is not None and m[k] != {}}
    if "settings" in out:
        out["settings"] = dict(sorted(out["settings"].items()))
    if "stats" in out:
        out["stats"] = dict(sorted(out["stats"].items()))
    return out


def checkpoint_row(c: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint in the file's key order, without empty values."""
    return {k: c[k] for k in CHECKPOINT_FIELDS if k in c and c[k] is not None}


@dataclass
class ArchitectureFacts:
    """Per-network facts some adapters publish for architectures.py (which picks params, GMACs, input size)."""

    # torchvision builder -> {input_size, params_m, gmacs, weight} of its first float weight
    torchvision: dict[str, dict[str, Any]] = field(default_factory=dict)
    # timm model -> {img_size: row} of the one benchmark file used for architecture facts
    timm_fixed: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)
    timm_fixed_source: str = ""
    # timm model -> first benchmarked input size (any inference file)
    timm_bench_size: dict[str, int] = field(default_factory=dict)
    # timm model -> param_count (M) of its first results-imagenet row, and how often each eval size occurs
    timm_results_params: dict[str, float | None] = field(default_factory=dict)
    timm_results_sizes: dict[str, collections.Counter] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter))
    # canonical arch -> Bianco et al. repo row (params, third-party GMACs, input size)
    bianco_rows: dict[str, dict[str, str]] = field(default_factory=dict)
    # timm model -> {img_size: (row, source id)}: the first inference file (sorted by name) with a row at that size
    timm_sized: dict[str, dict[int, tuple[dict[str, str], str]]] = field(default_factory=dict)
    # (arch, input size) -> {"gmacs": (value, source id)}: a model table's own figure at that size
    # (EfficientNet-Lite madds, TF-slim MobileNet MACs)
    sized_complexity: dict[tuple[str, int], dict[str, tuple[float, str]]] = field(default_factory=dict)
    # detection arch -> {"family", "input_size", "params_m": (value, source id), "gmacs": (value, source id,
    # how it was computed or None)}: what the detection sources state (adapters/_detection.py); the first source
    # to state a fact wins
    detectors: dict[str, dict[str, Any]] = field(default_factory=dict)


class BuildContext:
    """What every adapter writes to. Rows are plain dicts keyed like the catalog schema (modelpick.schema)."""

    def __init__(self, sources_dir: Path, seeds_dir: Path, data_dir: Path) -> None:
        self.sources_dir = sources_dir
        self.seeds_dir = seeds_dir
        self.data_dir = data_dir  # the reviewed data files (aliases, devices, per-source decisions)
        self.exclusions: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.mapping = NameMapping.from_files(data_dir, self.exclusions)
        self.sources: dict[str, dict[str, Any]] = {}
        self.measurements: list[dict[str, Any]] = []
        self.checkpoints: dict[str, dict[str, Any]] = {}
        self.arch_refs: set[str] = set()
        self.stats: dict[str, dict[str, int]] = {}
        # device id -> (memory_gb, source id) from a source that states the capacity (device_specs.csv)
        self.device_memory: dict[str, tuple[int | float, str]] = {}
        # device id -> ({precision class: dense peak, 10^12 ops/s}, source id) from sources/device_peaks
        self.device_peaks: dict[str, tuple[dict[str, float], str]] = {}
        self.facts = ArchitectureFacts()
        # extra build-log sections from adapter/fix steps (title -> lines), printed after the per-source counts
        self.report_sections: dict[str, list[str]] = {}
        # statements a source makes that are not numbers and so are not stored (logged)
        self.claims_not_stored: list[str] = []

    def add_source(self, sid: str, meta: dict[str, Any]) -> None:
        self.sources[sid] = {**meta, "id": sid}

    def add_measurement(self, m: dict[str, Any]) -> None:
        out = measurement_row(m)
        self.arch_refs.add(out["architecture"])
        self.measurements.append(out)

    def add_checkpoint(self, c: dict[str, Any]) -> None:
        out = checkpoint_row(c)
        if out["id"] in self.checkpoints:
            if self.checkpoints[out["id"]] != out:
                raise SystemExit(f"checkpoint {out['id']} defined twice with different values")
            return
        self.arch_refs.add(out["architecture"])
        self.checkpoints[out["id"]] = out

    def exclude(self, sid: str, reason: str, rows: int = 1) -> None:
        self.exclusions[sid][reason] += rows

    def stat(self, sid: str, read: int, kept: int) -> None:
        s = self.stats.setdefault(sid, {"read": 0, "kept": 0})
        s["read"] += read
        s["kept"] += kept
