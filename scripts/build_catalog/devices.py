"""The devices table and family defaults: devices_map.yaml entries that have at least one kept measurement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def devices(devmap: dict[str, Any], measurements: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """(device entries sorted by id, ids of mapped devices left out because nothing was measured on them)."""
    used = {m["device"] for m in measurements}
    omitted: list[str] = []
    out = []
    for d in sorted(devmap["devices"], key=lambda d: d["id"]):
        if d["id"] not in used:
            omitted.append(d["id"])
            continue
        dev = {"id": d["id"], "name": d["name"], "kind": d["kind"]}
        if d.get("memory_gb") is not None:
            dev["memory_gb"] = d["memory_gb"]
        if d.get("family"):
            dev["family"] = d["family"]
        dev["aliases"] = list(d.get("aliases", []))
        if d.get("description"):
            dev["description"] = d["description"]
        if d.get("memory_source"):
            dev["source"] = d["memory_source"]
        out.append(dev)
    return out, omitted


def family_defaults(devmap: dict[str, Any], devices: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Family -> default device, for the families that have a device in the catalog."""
    used_fams = {d.get("family") for d in devices}
    return {fam: default for fam, default in sorted(devmap["device_families"].items()) if fam in used_fams}
