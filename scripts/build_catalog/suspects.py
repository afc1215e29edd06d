"""Mark suspect measurements: the library's screen (modelpick.screen) plus the reviewed decisions in
``data/suspects_reviewed.yaml``. Suspects stay in the table with a ``suspect: <reason>`` field; answers skip them
unless asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modelpick.screen import RATE_FACTOR, RUN_FACTOR, RUN_Z, ArchInfo, apply_reviewed, load_reviewed, screen_rows

from .context import BuildContext

REVIEWED_FILE = "suspects_reviewed.yaml"
LOG_TITLE = "Suspect measurements (modelpick.screen, then data/suspects_reviewed.yaml)"


def mark_suspects(ctx: BuildContext, archs: list[dict[str, Any]], device_entries: list[dict[str, Any]],
                  data_dir: Path) -> None:
    """Set ``suspect`` on the measurements the screen or a reviewer judged implausible; log every decision."""
    arch_info = {a["id"]: ArchInfo(a.get("gmacs"), a.get("input_size"),
                                  {z["input_size"]: z["gmacs"] for z in a.get("sizes", ()) if z.get("gmacs")})
                 for a in archs}
    kinds = {d["id"]: d["kind"] for d in device_entries}
    rows = ctx.measurements
    peaks = {d["id"]: d["peak_tops"] for d in device_entries if d.get("peak_tops")}
    screened = screen_rows(rows, arch_info, kinds, device_peaks=peaks)
    decisions = load_reviewed(data_dir / REVIEWED_FILE)
    try:
        final = apply_reviewed(rows, screened, decisions)
    except ValueError as exc:
        raise SystemExit(f"{data_dir / REVIEWED_FILE}: {exc}") from None
    for i, reason in final.items():
        rows[i]["suspect"] = reason

    cleared = sorted(set(screened) - set(final))
    confirmed = sorted(i for i, reason in final.items() if reason.startswith("reviewed: "))
    lines = [
        f"  screened {sum(per_image(m) for m in rows)} rows with a latency: run test (>= {RUN_FACTOR:g}x and "
        f"{RUN_Z:g} robust sigma off its run, peers agreeing) and device-rate test (>= {RATE_FACTOR:g}x the "
        f"device's rate for the network), and peak test (above the vendor's peak compute, on the "
        f"{len(peaks)} devices with one)",
        f"  flagged by the screen: {len(screened)}; cleared by review: {len(cleared)}; added by review: "
        f"{len(set(confirmed) - set(screened))}; suspects in the table: {len(final)}",
    ]
    for title, indices in (("suspect", sorted(final)), ("cleared by review (stays in answers)", cleared)):
        for i in indices:
            m = rows[i]
            line = m.get("settings", {}).get("readme_line")
            where = f", line {line}" if line is not None else ""
            reason = final.get(i) or next(d.reason for d in decisions if d.decision == "clear" and d.matches(m))
            lines.append(f"  {title}: {m['source']} {m['device']} {m['architecture']} {m['runtime']} {m['precision']} "
                         f"batch {m['batch_size']}{where}: {reason}")
    ctx.report_sections[LOG_TITLE] = lines


def per_image(row: dict[str, Any]) -> bool:
    return bool(row.get("latency_ms") or row.get("batch_latency_ms") or row.get("fps"))
