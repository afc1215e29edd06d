"""Checks on the assembled catalog: the library's schema plus unique ids and references that resolve."""

from __future__ import annotations

import collections
from typing import Any

from modelpick.schema import CatalogFile


def validate(cat: dict[str, Any]) -> None:
    CatalogFile.model_validate(cat)
    errs = []
    for kind in ("sources", "devices", "architectures", "checkpoints"):
        ids = [x["id"] for x in cat[kind]]
        d = [i for i, n in collections.Counter(ids).items() if n > 1]
        if d:
            errs.append(f"duplicate {kind} ids: {d[:5]}")
    src = {s["id"] for s in cat["sources"]}
    dev = {d["id"] for d in cat["devices"]}
    arch = {a["id"] for a in cat["architectures"]}
    seen_alias: dict[str, str] = {}
    for d in cat["devices"]:
        for a in [d["id"]] + d.get("aliases", []):
            k = a.lower()
            if k in seen_alias and seen_alias[k] != d["id"]:
                errs.append(f"device alias {a!r} on {seen_alias[k]} and {d['id']}")
            seen_alias[k] = d["id"]
        if d.get("source") and d["source"] not in src:
            errs.append(f"device {d['id']} source {d['source']} unknown")
        if d.get("memory_gb") is not None and not d.get("source"):
            errs.append(f"device {d['id']} has memory_gb without source")
    for fam, d in cat["device_families"].items():
        if d not in dev:
            errs.append(f"family default {fam} -> {d} unknown")
        else:
            dd = next(x for x in cat["devices"] if x["id"] == d)
            if dd.get("family") != fam and fam not in dd.get("tags", []):
                errs.append(f"family default {fam} -> {d} is neither in that family nor tagged with it")
    families = {d.get("family") for d in cat["devices"]} - {None}
    tags = {t for d in cat["devices"] for t in d.get("tags", [])}
    names = {n.lower() for d in cat["devices"] for n in [d["id"], *d.get("aliases", [])]}
    for group in sorted((families | tags) & names):
        errs.append(f"device family or tag {group!r} is also a device id or alias")
    for a in cat["architectures"]:
        for f, s in a.get("sources", {}).items():
            if s not in src:
                errs.append(f"architecture {a['id']} {f} source {s} unknown")
    for c in cat["checkpoints"]:
        if c["architecture"] not in arch or c["source"] not in src:
            errs.append(f"checkpoint {c['id']} bad reference")
    for m in cat["measurements"]:
        if m["architecture"] not in arch or m["source"] not in src or m["device"] not in dev:
            errs.append(f"measurement bad reference {m}")
    if errs:
        raise SystemExit("validation failed:\n" + "\n".join(errs[:50]))
