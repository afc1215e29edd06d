"""What every format parser shares: its options, its result (rows plus what the output states about the run), errors."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelpickError
from .rows import SourceRow


class ImportFormatError(ModelpickError, ValueError):
    """A file that cannot be read as the format says: names the file and, where known, the line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ParseOptions:
    """What the user states about a run when the output does not (``--architecture`` etc.)."""

    architecture: str | None = None
    input_size: int | None = None
    precision: str | None = None
    #: For files that hold several devices (AI Hub perf.yaml): which one, as the file names it.
    source_device: str | None = None


@dataclass
class Parsed:
    """Rows read from one file, and what the file states about how they were measured (for the source entry)."""

    rows: list[SourceRow] = field(default_factory=list)
    #: Source-entry field ("runtime", "timing", "memory", "batch", "precision") -> statements, in file order.
    facts: dict[str, list[str]] = field(default_factory=dict)

    def fact(self, key: str, text: str) -> None:
        items = self.facts.setdefault(key, [])
        if text not in items:
            items.append(text)


#: Units a parser converts to milliseconds; any other unit is an error that names it.
TIME_UNITS_TO_MS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0, "sec": 1000.0}


def to_ms(value: float, unit: str, path: str | Path, line: int | None) -> float:
    factor = TIME_UNITS_TO_MS.get(unit.strip().lower())
    if factor is None:
        raise ImportFormatError(path, f"unknown time unit {unit!r}; this parser knows {', '.join(TIME_UNITS_TO_MS)}", line)
    # 12 significant digits drop the binary noise of the unit change (0.0599845 s -> 59.9845 ms, not 59.98450000000001)
    return float(f"{value * factor:.12g}")


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def number(text: str, path: str | Path, line: int | None, what: str) -> float:
    """A finite number as printed (``3.7234e+04`` included); anything else is an error naming the field."""
    t = text.strip()
    if not _NUMBER.match(t):
        raise ImportFormatError(path, f"{what}: {t!r} is not a number", line)
    v = float(t)
    if not math.isfinite(v):
        raise ImportFormatError(path, f"{what}: {t!r} is not a finite number", line)
    return v


def model_name_from_path(model_path: str) -> str:
    """A model file path as printed -> the name to look up: the file name, or the folder for '<name>/model.onnx'."""
    parts = [p for p in re.split(r"[\\/]", model_path.strip().strip("'\"")) if p]
    if not parts:
        return model_path
    if len(parts) >= 2 and re.fullmatch(r"model\.\w+", parts[-1]):
        return parts[-2]
    return parts[-1]


def numbered_lines(text: str) -> list[tuple[int, str]]:
    return [(i, line.rstrip("\r")) for i, line in enumerate(text.split("\n"), start=1)]
