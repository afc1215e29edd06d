"""Reading source tables and parsing their cells: numbers as published, never rounded or derived."""

from __future__ import annotations

import csv
import re
from pathlib import Path


# Raw extracts this repository commits itself (tables fetched for this project, each folder with its
# PROVENANCE.md and extract.py), next to the shared public tables under --sources.
REPO_SOURCES = Path(__file__).resolve().parents[2] / "sources"
REPO_PREFIX = "repo:"


def table_path(sources_dir: Path, table: str, repo_sources: Path = REPO_SOURCES) -> Path:
    """Where a table named as source_tables() names it lies on disk."""
    if table.startswith(REPO_PREFIX):
        return repo_sources / table[len(REPO_PREFIX):]
    return sources_dir / table


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def num(text: str) -> int | float | None:
    """Parse a published cell; keep integers as int. Empty -> None."""
    t = (text or "").strip().replace(",", "")
    if t == "" or t.lower() == "nan":
        return None
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    return float(t)


def fnum(text: str) -> float | None:
    v = num(text)
    return None if v is None else float(v)


def intnum(text: str) -> int | None:
    v = num(text)
    if v is None:
        return None
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError(f"not an integer: {text!r}")
        return int(v)
    return v


def safe_id(text: str) -> str:
    """Checkpoint-id-safe form of a source's model name (spaces -> '_', other odd characters dropped)."""
    return re.sub(r"[^A-Za-z0-9._+/:-]", "", text.replace(" ", "_"))
