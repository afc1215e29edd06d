"""CSV text for files that others open in a spreadsheet: a text cell that a spreadsheet would run as a formula is
defused as OWASP's "CSV Injection" page recommends (a leading ``'`` and the cell quoted)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: A cell starting with one of these is read as a formula (or, for tab and CR, lets one through) by Excel, LibreOffice
#: and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTES = (",", '"', "\n", "\r")


def csv_cell(value: Any) -> str:
    """One cell: None is empty; numbers and booleans as Python writes them (a number is never a formula, so a
    negative one stays a number); text that starts like a formula gets a leading ``'`` and quotes."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    if value.startswith(FORMULA_STARTS):
        return '"\'' + value.replace('"', '""') + '"'
    if any(c in value for c in _NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A header line of ``columns``, then one line per row (missing keys are empty), lines ending in ``\\n``."""
    lines = [",".join(csv_cell(c) for c in columns)]
    lines.extend(",".join(csv_cell(row.get(c)) for c in columns) for row in rows)
    return "\n".join(lines) + "\n"
