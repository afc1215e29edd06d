"""The build pipeline: adapters -> cross-source steps -> architectures and devices -> catalog, validated, rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import steps
from .adapters import ADAPTERS
from .architectures import architectures
from .context import BuildContext
from .devices import devices, family_defaults
from .emit import render
from .report import build_log
from .suspects import mark_suspects
from .tables import source_tables, table_statuses
from .validate import validate

SOURCE_FIELD_ORDER = ("id", "title", "published", "runtime", "precision", "batch", "timing", "timing_includes", "memory",
                      "accuracy", "toolchain", "caveats")
SAME_WEIGHTS_TITLE = ("Same weights, two names (timm tv2_in1k = torchvision IMAGENET1K_V2): answers show the "
                      "torchvision checkpoint, also naming timm's")
DESCRIPTION = ("modelpick curated benchmark catalog, built by scripts/build_catalog.py from public tables (see sources); "
               "do not edit by hand")


def build(sources_dir: Path, seeds_dir: Path, data_dir: Path) -> tuple[str, str]:
    """(catalog YAML text, build log text) from the public tables and the reviewed mapping files in data_dir."""
    ctx = BuildContext(sources_dir, seeds_dir, data_dir)
    adapters = [cls(ctx) for cls in ADAPTERS]
    table_status = table_statuses(source_tables(sources_dir), adapters)

    # 1. every source's rows, through the shared name mapping
    for adapter in adapters:
        adapter.build()
    # 2. cross-source steps over the collected rows
    duplicates = steps.drop_exact_duplicates(ctx)
    steps.sort_measurements(ctx)
    ctx.report_sections[SAME_WEIGHTS_TITLE] = steps.link_same_weights(ctx)
    # 3. the tables built from the rows, then the source rules that need them
    archs = architectures(ctx)
    for adapter in adapters:
        adapter.finish(archs)
    device_entries, omitted_devices = devices(ctx.mapping.devmap, ctx.measurements, ctx.device_memory,
                                             ctx.device_peaks)
    # 4. implausible latencies stay in the table, marked suspect with a reason
    mark_suspects(ctx, archs, device_entries, data_dir)

    catalog: dict[str, Any] = {
        "schema_version": 1,
        "description": DESCRIPTION,
        "sources": [{k: s[k] for k in SOURCE_FIELD_ORDER if k in s} for _, s in sorted(ctx.sources.items())],
        "device_families": family_defaults(ctx.mapping.devmap, device_entries),
        "devices": device_entries,
        "architectures": archs,
        "checkpoints": [ctx.checkpoints[k] for k in sorted(ctx.checkpoints)],
        "measurements": ctx.measurements,
    }
    validate(catalog)
    return render(catalog), build_log(ctx, catalog, table_status, duplicates, omitted_devices)
