"""Name helpers shared by the catalog and its users: normalised device names, natural sort, fnmatch filters."""

from __future__ import annotations

import fnmatch
import functools
import re
from typing import Any, Iterable, Sequence


def natural_key(text: str) -> list[Any]:
    """Sort 'resnet101' after 'resnet50' (timm's natural sort)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


@functools.lru_cache(maxsize=4096)  # a catalog names a few hundred devices in 30,000 rows
def _normalize(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def normalize_name(name: str) -> str:
    return _normalize(str(name))


def match_patterns(names: Iterable[str], include: str | Sequence[str] | None, exclude: str | Sequence[str] | None = None) -> list[str]:
    """fnmatch include/exclude filters (case-insensitive), naturally sorted, as timm.list_models does.

    A pattern without wildcards matches as a substring.
    """

    def as_list(p: str | Sequence[str] | None) -> list[str]:
        from .._args import optional_pattern

        optional_pattern("pattern", p)
        if p is None:
            return []
        pats = [p] if isinstance(p, str) else list(p)
        return [x.lower() if any(c in x for c in "*?[") else f"*{x.lower()}*" for x in pats]

    inc, exc = as_list(include), as_list(exclude)
    out = []
    for name in names:
        low = name.lower()
        if inc and not any(fnmatch.fnmatchcase(low, p) for p in inc):
            continue
        if any(fnmatch.fnmatchcase(low, p) for p in exc):
            continue
        out.append(name)
    return sorted(out, key=natural_key)
