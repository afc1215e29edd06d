"""Resuming a run: which cells the output file already holds (measured, or failed earlier), and whether the file's
source may take more rows under this run's protocol.

A cell is one (architecture, input size, device, runtime, precision, source, settings) at one batch size; a rerun of
the same command skips the cells already there, and ``retry_failed`` runs the failed ones again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..errors import InvalidQuery
from .output import Document


def row_matches(row: dict[str, Any], arch: str, input_size: int | None, runtime: str, precision: str | None,
                source: str, device: str, settings: dict[str, Any]) -> bool:
    if row.get("architecture") != arch or row.get("runtime") != runtime or row.get("source") != source:
        return False
    if row.get("device") != device:
        return False
    if input_size is not None and row.get("input_size") != input_size:
        return False
    if precision is not None and row.get("precision") != precision:
        return False
    have = row.get("settings") or {}
    return all(have.get(k) == v for k, v in settings.items())


def cells_done(doc: Document, sizes: Sequence[int], arch: str, size: int | None, runtime: str, precision: str | None,
               source_id: str, device_id: str, settings: dict[str, Any],
               retry_failed: bool) -> tuple[list[int], dict[int, str]]:
    """The batch sizes of one model the file already has: (measured, {failed: its last status}). With
    ``retry_failed`` the model's failure rows are dropped from the document and nothing counts as failed."""
    done, failed = [], {}
    for bs in sizes:
        hit = [r for r in doc.doc["measurements"] if r.get("batch_size") == bs and row_matches(
            r, arch, size, runtime, precision, source_id, device_id, settings)]
        if hit:
            done.append(bs)
            continue
        fails = [f for f in doc.doc["failures"] if f.get("batch_size") == bs and row_matches(
            f, arch, size, runtime, precision, source_id, device_id, settings)]
        if fails and not retry_failed:
            failed[bs] = fails[-1]["status"]
    if retry_failed:
        doc.doc["failures"] = [f for f in doc.doc["failures"] if not row_matches(
            f, arch, size, runtime, precision, source_id, device_id, settings)]
    return done, failed


def check_protocol(doc: Document, source_id: str, warmup: int, runs: int, out_path: Path) -> None:
    """Refuse to add rows to a source of the file that was measured with other warm-up/runs counts."""
    existing_src = doc.find("sources", source_id)
    if existing_src is not None and not str(existing_src.get("timing", "")).startswith(
            f"{warmup} warm-up runs, then {runs} timed runs"):
        # Checked here too (not only after the worker describes the backend) to fail before any model runs.
        raise InvalidQuery("source_id", source_id, f"{out_path} already has rows of source {source_id!r} measured with "
                           "a different warm-up/runs protocol; pass --source-id NEW to add this run as a second "
                           "source, --restart to replace the file, or a new -o file")
