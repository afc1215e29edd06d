"""Device specifications (device_specs.csv): memory capacities from the vendors' pages, one source entry per page."""

from __future__ import annotations

import re

from ..base import SourceAdapter
from ..cells import num

# The TX1 row cites seed 003 itself, which the build already cites as this source (and checks the text for).
PAPER_SOURCE = "bianco2018-paper-text"
PAPER_SNIPPET = "4GB LPDDR4 1600MHz"


class DeviceSpecsAdapter(SourceAdapter):
    """Each row: a device as its vendor names it (an alias in devices_map.yaml), its memory in GB and the page.

    A page with a URL becomes its own source entry (``spec-<device id>``); a row citing seed 003 is checked against
    the paper text and cites the paper's entry. The capacity lands on the device (``memory_gb``, ``source``).
    """

    source_id = "device-specs"
    tables = ("device_specs.csv",)
    meta = {"title": "Device memory capacities (device_specs.csv): one source entry per cited page"}

    def build(self) -> None:
        ctx = self.ctx
        rows = self.read("device_specs.csv")
        kept = 0
        for r in rows:
            dev = self.mapping.device(self.source_id, r["device"])
            if dev is None:
                continue
            gb = num(r["memory_gb"])
            if gb is None or gb <= 0:
                raise SystemExit(f"device_specs.csv: {r['device']!r} has no usable memory_gb ({r['memory_gb']!r})")
            if r["source_url"].startswith("http"):
                sid = f"spec-{dev}"
                ctx.add_source(sid, {
                    "title": f"{r['device']} memory capacity",
                    "published": {"url": r["source_url"]},
                    "memory": f"{r['memory_gb']} GB {r['memory_type']}, the capacity the page publishes; "
                              "a run a source measured on this device fit in it",
                    "caveats": [f"page: {r['note']}",
                                "read from device_specs.csv (see its section in the sources' README-public.md)"],
                })
            elif r["source_url"].startswith("seed 003"):
                text = " ".join(p.read_text(encoding="utf-8") for p in sorted(ctx.seeds_dir.glob("003_*.txt")))
                if PAPER_SNIPPET not in re.sub(r"\s+", " ", text):
                    raise SystemExit(f"seed text does not contain {PAPER_SNIPPET!r}; refusing to store {r['device']}'s memory")
                sid = PAPER_SOURCE
            else:
                raise SystemExit(f"device_specs.csv: {r['device']!r} cites neither a URL nor seed 003: {r['source_url']!r}")
            if dev in ctx.device_memory and ctx.device_memory[dev][0] != gb:
                raise SystemExit(f"device_specs.csv gives {dev} two capacities: {ctx.device_memory[dev][0]} and {gb}")
            ctx.device_memory[dev] = (gb, sid)
            kept += 1
        ctx.stat(self.source_id, len(rows), kept)
