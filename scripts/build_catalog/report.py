"""The build log (data/build_log.txt): what was read, kept, excluded, left unmapped and joined, deterministically."""

from __future__ import annotations

import collections
from typing import Any

from modelpick.catalog import accuracy_applies

from .context import BuildContext


def build_log(ctx: BuildContext, cat: dict[str, Any], table_status: dict[str, str],
              duplicates: collections.Counter, omitted_devices: list[str]) -> str:
    lines: list[str] = []
    L = lines.append
    mapping = ctx.mapping
    sources, devices, archs = cat["sources"], cat["devices"], cat["architectures"]
    ckpts, measurements, families = cat["checkpoints"], cat["measurements"], cat["device_families"]

    L("modelpick catalog build log (deterministic; regenerate with scripts/build_catalog.py)")
    L("")
    L("== Source tables")
    for table, status in table_status.items():
        L(f"  {table}: {status}")
    L("")
    L("== Per source: rows read / kept (measurements or checkpoints) / excluded")
    for sid in sorted(ctx.stats):
        s = ctx.stats[sid]
        L(f"  {sid}: read {s['read']}, kept {s['kept']}, excluded {s['read'] - s['kept']}")
    L("  (ncnn: rows of names left out or unmapped count as excluded; timm train files and other eval sets are listed below)")
    L("")
    for title, section in ctx.report_sections.items():
        L(f"== {title}")
        lines.extend(section)
        L("")
    L("== Exact duplicate measurement rows dropped")
    for sid, n in sorted(duplicates.items()):
        L(f"  {sid}: {n}")
    if not duplicates:
        L("  none")
    L("")
    L("== Excluded rows / row groups (reason: rows)")
    for sid in sorted(ctx.exclusions):
        for reason, n in sorted(ctx.exclusions[sid].items()):
            L(f"  [{sid}] {reason}: {n}")
    L("")
    L("== UNMAPPED source model names (not in data/aliases.yaml; kept out)")
    for (sid, name), n in sorted(mapping.report.unmapped.items()):
        L(f"  [{sid}] {name!r}: {n} rows")
    if not mapping.report.unmapped:
        L("  none")
    L("")
    L("== Names deliberately left out (arch: null in data/aliases.yaml)")
    for (sid, name), reason in sorted(mapping.report.left_out.items()):
        L(f"  [{sid}] {name!r}: {reason}")
    L("")
    L("== Devices in devices_map.yaml with no kept measurement (omitted from the catalog)")
    L("  " + (", ".join(omitted_devices) or "none"))
    L("")
    L("== Unused device strings in devices_map.yaml aliases (short forms are expected here)")
    L(f"  {len(set(mapping.device_by_string) - mapping.used_device_strings)} aliases not seen in any table (short forms)")
    L("")
    L("== Bianco 2018 text: stated claims not stored (not numbers)")
    for c in ctx.claims_not_stored:
        L(f"  - {c}")
    L("")
    L("== Input sizes filled from the model definition (sources that do not state them)")
    for sid, basis in sorted(mapping.aliases.data["input_size_basis"].items()):
        L(f"  [{sid}] {basis}")
    L("")
    L("== Batch size not stated (stored as batch_size 1 with settings.batch_stated: false)")
    L("  tflite-hosted-pixel3, tflite-perf, tf-slim-mobilenet, tnn, paddlelite")
    L("")
    L("== timm -> torchvision merges (data/aliases.yaml timm_to_canonical) and reviewed non-merges")
    for t, v in sorted(mapping.aliases.data["timm_to_canonical"].items()):
        L(f"  {t} -> {v['to']}: {v['reason']}")
    for t, why in sorted(mapping.aliases.data["timm_not_merged"].items()):
        L(f"  {t}: not merged - {why}")
    L("")
    L("== device_families defaults")
    for fam, d in families.items():
        L(f"  {fam}: {d}")
    L("  (jetson -> jetson-nano, the most common small Jetson; raspberry-pi -> raspberry-pi-4; pixel -> pixel-4, newest Pixel with data; titan -> titan-xp (only Titan); rtx -> rtx-4090; xeon -> aws-c5-4xlarge, the one Xeon server CPU with data (Xeon Gold 6148 rows give no input size), the Xeon Phi coprocessor is family xeon-phi; phone / android -> samsung-galaxy-s24, an Android phone with NPU data; ios -> iphone-xs; vendor and form tags have no default: the library lists their members)")
    L("")
    L("== Device tags (groups a user types; `modelpick devices TAG` lists the members)")
    tagged: dict[str, list[str]] = collections.defaultdict(list)
    for d in devices:
        for t in d.get("tags", []):
            tagged[t].append(d["id"])
    for tag, ids in sorted(tagged.items()):
        L(f"  {tag} ({len(ids)}): " + ", ".join(ids))
    L("")
    L("== GMACs and activations at input sizes other than an architecture's default (architectures[].sizes)")
    n_sizes = collections.Counter()
    for a in archs:
        for e in a.get("sizes", []):
            n_sizes["entries"] += 1
            for f in ("gmacs", "activations_m"):
                if f in e:
                    n_sizes[f"{f} computed" if f in e.get("computed", {}) else f"{f} sourced"] += 1
    L(f"  {n_sizes['entries']} (architecture, input size) entries; gmacs: {n_sizes['gmacs sourced']} from a source's own "
      f"figure at that size, {n_sizes['gmacs computed']} scaled by pixel count (computed); activations_m: "
      f"{n_sizes['activations_m sourced']} sourced, {n_sizes['activations_m computed']} computed")
    L("  (source order: timm's benchmark row at that size, EfficientNet-Lite madds, TF-slim MobileNet MACs; else the default-size figure x (size/default)^2, 4 significant digits)")
    L("")
    L("== Device memory capacities (memory_gb, the source that states it)")
    for d in devices:
        if d.get("memory_gb") is not None:
            L(f"  {d['id']}: {d['memory_gb']} GB ({d['source']})")
    L("")
    L("== Architectures with latency but no checkpoint (no accuracy join possible)")
    no_ck = sorted({m["architecture"] for m in measurements} - {c["architecture"] for c in ckpts})
    L(f"  {len(no_ck)}: " + ", ".join(no_ck[:400]))
    L("")
    # joins: the library's rule (modelpick.catalog.accuracy_applies), so this count is the candidates it builds
    by_arch_size: dict[tuple, list[dict[str, Any]]] = collections.defaultdict(list)
    for c in ckpts:
        if c.get("same_weights_as"):  # a copy of another checkpoint's weights joins nothing (catalog._columns)
            continue
        by_arch_size[(c["architecture"], c["input_size"])].append(c)
    # a source's quantization toolchain (Source.toolchain_id: its own id unless it names a shared one)
    toolchain = {s["id"]: s.get("toolchain") or s["id"] for s in sources}
    joined: collections.Counter = collections.Counter()
    cell_match: collections.Counter = collections.Counter()  # latency rows at some checkpoint's (arch, size)
    for m in measurements:
        if not (m.get("latency_ms") or m.get("fps") or m.get("batch_latency_ms")):
            continue
        cks = by_arch_size.get((m["architecture"], m["input_size"]), [])
        if cks:
            cell_match[m["device"]] += 1
        joined[m["device"]] += sum(accuracy_applies(c.get("precision", "fp32"), toolchain.get(c["source"], c["source"]),
                                                    m["precision"], toolchain.get(m["source"], m["source"]))
                                   for c in cks)
    joined = +joined  # drop zero counts
    L("== Summary")
    L(f"  sources: {len(sources)}")
    L(f"  devices: {len(devices)}")
    L(f"  architectures: {len(archs)}")
    L(f"  checkpoints: {len(ckpts)}")
    L(f"  measurements: {len(measurements)}")
    L(f"  joined candidates (checkpoint x latency measurement, same architecture and input size, accuracy pairing as the library: modelpick.catalog.accuracy_applies): {sum(joined.values())}")
    L("  per device:")
    for dev, n in sorted(joined.items(), key=lambda kv: (-kv[1], kv[0])):
        L(f"    {dev}: {n}")
    no_join = sorted({d['id'] for d in devices} - set(joined))
    L(f"  devices with no joined candidate: {len(no_join)}" + (":" if no_join else ""))
    for dev in no_join:
        precisions = sorted({m["precision"] for m in measurements if m["device"] == dev})
        if cell_match[dev]:
            why = (f"precision pairing: its {cell_match[dev]} latency rows at a checkpoint's architecture and input "
                   f"size are {'/'.join(precisions)} runs, and quantized runs pair only with accuracy the same source "
                   "publishes for the same quantized weights")
        else:
            why = "no latency row there matches a checkpoint's architecture and input size"
        L(f"    {dev}: {why}")
    return "\n".join(lines) + "\n"
