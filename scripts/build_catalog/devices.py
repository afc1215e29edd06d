"""The devices table and family defaults: devices_map.yaml entries that have at least one kept measurement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def devices(devmap: dict[str, Any], measurements: Iterable[dict[str, Any]],
            device_memory: dict[str, tuple[int | float, str]] | None = None,
            device_peaks: dict[str, tuple[dict[str, float], str]] | None = None,
            ) -> tuple[list[dict[str, Any]], list[str]]:
    """(device entries sorted by id, ids of mapped devices left out because nothing was measured on them).

    ``device_memory`` (device id -> (GB, source id)) gives capacities a source states; devices_map.yaml may state
    one too (from a device string, with memory_source), and the two must then agree.
    """
    device_memory = device_memory or {}
    used = {m["device"] for m in measurements}
    omitted: list[str] = []
    out = []
    for d in sorted(devmap["devices"], key=lambda d: d["id"]):
        if d["id"] not in used:
            omitted.append(d["id"])
            continue
        dev = {"id": d["id"], "name": d["name"], "kind": d["kind"]}
        memory_gb, memory_source = d.get("memory_gb"), d.get("memory_source")
        if d["id"] in device_memory:
            spec_gb, spec_source = device_memory[d["id"]]
            if memory_gb is not None and memory_gb != spec_gb:
                raise SystemExit(f"device {d['id']}: devices_map.yaml says {memory_gb} GB, {spec_source} {spec_gb} GB")
            memory_gb, memory_source = spec_gb, memory_source or spec_source
        if memory_gb is not None:
            dev["memory_gb"] = memory_gb
        if d.get("family"):
            dev["family"] = d["family"]
        if d.get("tags"):
            dev["tags"] = sorted(d["tags"])
        dev["aliases"] = list(d.get("aliases", []))
        if d.get("description"):
            dev["description"] = d["description"]
        if memory_source:
            dev["source"] = memory_source
        if device_peaks and d["id"] in device_peaks:
            peaks, peak_source = device_peaks[d["id"]]
            dev["peak_tops"], dev["peak_source"] = dict(sorted(peaks.items())), peak_source
        out.append(dev)
    return out, omitted


def family_defaults(devmap: dict[str, Any], devices: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Family or tag -> default device, for the groups that have a device in the catalog."""
    used = {d.get("family") for d in devices} | {t for d in devices for t in d.get("tags", [])}
    return {fam: default for fam, default in sorted(devmap["device_families"].items()) if fam in used}
