"""What a run writes into its output document from the worker's events: the source and device entries (once),
the architecture's counts (refused when they are not the catalog architecture's), and each batch size's row with
its statistics.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import InvalidQuery
from .output import Document
from .planning import PlannedModel

#: Counted params/MACs may differ from a catalog architecture's by this fraction before a model is refused.
ARCHITECTURE_TOLERANCE = 0.01


class ArchitectureMismatch(InvalidQuery):
    """A measured model's counted params or MACs differ from the catalog architecture it would be filed under.

    Filing it there would pair that architecture's accuracy with another network's latency. ``differences``
    lists (quantity, counted, catalog) triples.
    """

    def __init__(self, model: str, architecture: str, differences: list[tuple[str, float, float]]):
        self.architecture = architecture
        self.differences = differences
        told = "; ".join(f"{name} counted {got:.6g} vs catalog {want:.6g} ({(got - want) / want:+.1%})"
                         for name, got, want in differences)
        super().__init__("models", model, (
            f"is not the catalog's {architecture}: {told} (more than {ARCHITECTURE_TOLERANCE:.0%} apart). Its rows "
            f"would pair {architecture}'s accuracy with this model's speed. Give it its own id (e.g. "
            f"'{architecture}-custom={model.split('=', 1)[-1]}') to file it as a new architecture, or pass "
            "--force-architecture (force_architecture=True) if it really is that architecture"))


def sig(x: float, digits: int = 6) -> float:
    """Six significant digits: a row carries no more precision than a timer gives."""
    return float(f"{x:.{digits}g}")


def source_protocol(backend_name: str, facts: dict[str, Any], warmup: int, runs: int, train: bool,
                    precision: str, timing_method: str, memory_method: str) -> dict[str, Any]:
    versions = facts.get("backend", {}).get("versions", {})
    host = facts.get("host", {})
    from .._version import __version__

    runtime = (f"modelpick {__version__} measure, backend {backend_name} ("
               + ", ".join(f"{k} {v}" for k, v in versions.items()) + f"), Python {host.get('python')}, {host.get('os')}")
    timing = (f"{warmup} warm-up runs, then {runs} timed runs per batch size (Bianco et al. 2018's protocol); "
              f"{timing_method}. latency_ms = mean batch time / batch size (ms per image); batch_latency_ms = mean "
              "batch time; stats (ms): mean, median, std (population, as numpy's default), min, max per image, and "
              "batch_* the same per batch")
    if train:
        timing += ("; train_step_batch_* (ms): one training step of the whole batch (forward, cross-entropy loss "
                   "on random labels, backward, SGD step), same warm-up and runs")
    return {
        "runtime": runtime,
        "precision": precision,
        "batch": "the batch sizes of each row; one forward pass processes the whole batch",
        "timing": timing,
        "memory": memory_method,
        "accuracy": "not measured: accuracy comes from the catalog's checkpoints of each architecture (weights here are random)",
    }


def fingerprint(src: dict[str, Any]) -> tuple:
    return tuple(src.get(k) for k in ("runtime", "precision", "timing", "memory"))


def stats_of(times_s: Sequence[float], batch_size: int, prefix: str = "") -> dict[str, float]:
    batch_ms = np.asarray(times_s, dtype=np.float64) * 1e3
    per_image = batch_ms / batch_size
    out: dict[str, float] = {}
    if not prefix:
        for name, arr in (("", per_image), ("batch_", batch_ms)):
            out.update({f"{name}mean": sig(arr.mean()), f"{name}median": sig(float(np.median(arr))),
                        f"{name}std": sig(arr.std()), f"{name}min": sig(arr.min()), f"{name}max": sig(arr.max())})
    else:
        out.update({f"{prefix}mean": sig(batch_ms.mean()), f"{prefix}median": sig(float(np.median(batch_ms))),
                    f"{prefix}std": sig(batch_ms.std())})
    return out


def ensure_described(facts: dict[str, Any], doc: Document, state: dict[str, Any], *, device_id: str,
                     device_name: str | None, device_kind: str | None, source_id: str, backend_name: str,
                     warmup: int, runs: int, train: bool, precision: str, out_path: Path) -> None:
    """Add the device and source entries on first contact; refuse to mix protocols under one source id."""
    host, be = facts.get("host", {}), facts.get("backend", {})
    proto = source_protocol(backend_name, facts, warmup, runs, train, precision, facts.get("timing_method", ""),
                            facts.get("memory_method", ""))
    existing = doc.find("sources", source_id)
    if existing is not None:
        if fingerprint(existing) != fingerprint(proto):
            diffs = [k for k in ("runtime", "precision", "timing", "memory") if existing.get(k) != proto.get(k)]
            raise InvalidQuery("source_id", source_id,
                               f"{out_path} already has rows of source {source_id!r} measured with a different "
                               f"{'/'.join(diffs)}; pass --source-id NEW to add this run as a second source, "
                               "--restart to replace the file, or a new -o file")
    else:
        today = _dt.date.today().isoformat()
        title = (f"modelpick measure on {device_id}: {backend_name} on {be.get('accelerator') or be.get('name')}, "
                 f"{today}")
        caveats = ["random weights (timing does not depend on them)",
                   "numbers from one machine and one run; another run's spread is in stats.std"]
        doc.doc["sources"].append({"id": source_id, "title": title,
                                   "published": {"repo": "local", "path": str(out_path)}, **proto,
                                   "caveats": caveats})
    if doc.find("devices", device_id) is None:
        kind = device_kind or be.get("kind") or "cpu"
        cores = f"{host.get('cores_physical') or '?'} cores / {host.get('cores_logical')} threads"
        parts = [f"CPU: {host.get('cpu')}, {cores}" + (f", {host.get('cores_usable')} usable" if host.get("cores_usable") != host.get("cores_logical") else "")]
        if host.get("board"):
            parts.insert(0, f"board: {host['board']}")
        if be.get("accelerator"):
            parts.append(f"accelerator: {be['accelerator']}")
        if be.get("driver"):
            parts.append(f"driver: {be['driver']}")
        parts.append(f"RAM: {host.get('ram_gb')} GB")
        parts.append(f"OS: {host.get('os')}")
        parts.append("software: Python " + str(host.get("python")) + ", "
                     + ", ".join(f"{k} {v}" for k, v in be.get("versions", {}).items()))
        entry: dict[str, Any] = {"id": device_id, "name": device_name or be.get("name") or device_id, "kind": kind}
        mem = be.get("memory_gb")
        if mem:
            entry["memory_gb"] = mem
            entry["source"] = source_id
        entry["description"] = "Auto-described by modelpick measure (edit freely). " + "; ".join(parts)
        doc.doc["devices"].append(entry)
    state["described"] = True
    doc.save()


def _counted(event: dict[str, Any]) -> dict[str, float]:
    counts = event.get("counts") or {}
    out: dict[str, float] = {}
    if counts.get("params"):
        out["params_m"] = counts["params"] / 1e6
    if counts.get("flops"):
        out["gmacs"] = counts["flops"] / 2 / 1e9
    return out


def count_differences(pm: PlannedModel, event: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(quantity, counted, catalog) for each count more than ARCHITECTURE_TOLERANCE off the catalog architecture's."""
    if not pm.known:
        return []
    counted = _counted(event)
    out = []
    for name, want in pm.catalog_counts.items():
        got = counted.get(name)
        if got is not None and want > 0 and abs(got - want) > ARCHITECTURE_TOLERANCE * want:
            out.append((name, got, want))
    return out


def add_architecture(pm: PlannedModel, event: dict[str, Any], doc: Document, source_id: str,
                     forced: list[tuple[str, float, float]] | None = None) -> None:
    """Define new architectures with their counted params/MACs; note counts for catalog architectures in the source."""
    counts = event.get("counts") or {}
    params = counts.get("params")
    flops, flops_conv = counts.get("flops"), counts.get("flops_conv")
    numbers: dict[str, float] = {}
    if params:
        numbers["params_m"] = sig(params / 1e6)
    if flops:
        numbers["gmacs"] = sig(flops / 2 / 1e9)
    if flops_conv:
        numbers["gmacs_conv"] = sig(flops_conv / 2 / 1e9)
    src = doc.find("sources", source_id)
    method = ("computed by counting: params_m = parameters of the built module"
              if "params_method" not in counts else f"computed by counting: params_m = {counts['params_method']}")
    if flops is not None:
        method += ("; gmacs = torch.utils.flop_counter.FlopCounterMode total FLOPs / 2 for one image at the input size; "
                   "gmacs_conv = its convolution ops only (Bianco 2018 counts conv layers only); bias adds and "
                   "element-wise ops are not counted")
    if src is not None and method not in src["caveats"]:
        src["caveats"].append(method)
    if pm.known:
        if src is not None and numbers:
            text = (f"counted for catalog architecture {pm.architecture} (its catalog entry is unchanged): "
                    + ", ".join(f"{k} {v:g}" for k, v in numbers.items()))
            if text not in src["caveats"]:
                src["caveats"].append(text)
        if src is not None and forced:
            text = (f"filed under catalog architecture {pm.architecture} with --force-architecture although its counts "
                    "differ: " + "; ".join(f"{n} counted {g:.6g} vs catalog {w:.6g}" for n, g, w in forced))
            if text not in src["caveats"]:
                src["caveats"].append(text)
        return
    if doc.find("architectures", pm.architecture) is not None:
        return
    family = re.match(r"[a-z]+", pm.architecture)
    entry: dict[str, Any] = {"id": pm.architecture, "family": family.group(0) if family else pm.architecture,
                             "input_size": int(event["input_size"]), **numbers,
                             "sources": {k: source_id for k in numbers}}
    doc.doc["architectures"].append(entry)
    if event.get("count_error") and src is not None:
        src["caveats"].append(f"{pm.architecture}: FLOPs not counted ({event['count_error']})")


def add_measurement(pm: PlannedModel, event: dict[str, Any], info: dict[str, Any], doc: Document, device_id: str,
                    source_id: str, runtime: str) -> None:
    bs = int(event["batch_size"])
    stats = stats_of(event["times_s"], bs)
    row: dict[str, Any] = {
        "architecture": pm.architecture, "input_size": int(info.get("input_size") or pm.input_size or 224),
        "device": device_id, "runtime": runtime, "precision": info.get("precision") or "fp32", "batch_size": bs,
        "latency_ms": stats["mean"], "batch_latency_ms": stats["batch_mean"],
    }
    if event.get("memory_mb"):
        row["memory_mb"] = sig(event["memory_mb"])
        row["memory_includes"] = event["memory_includes"]
    details = {k: sig(v) for k, v in (event.get("memory_details_mb") or {}).items() if v is not None}
    if details:
        row["memory_details_mb"] = details
    row["source"] = source_id
    row["settings"] = dict(info.get("settings") or {})
    if event.get("train_times_s"):
        stats.update(stats_of(event["train_times_s"], bs, prefix="train_step_batch_"))
    row["stats"] = stats
    if pm.spec.name != pm.architecture:
        row["name"] = pm.spec.name
    notes = []
    if info.get("input_size_from"):
        notes.append(f"input size from {info['input_size_from']}")
    if event.get("train_note"):
        notes.append(event["train_note"])
    if notes:
        row["note"] = "; ".join(notes)
    doc.doc["measurements"].append(row)
