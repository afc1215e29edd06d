"""The embedded table when the build certified it: its measurement rows read as field dicts, without pydantic.

The catalog build validates the table it writes (``CatalogFile`` and the merge's checks, alone), then writes the
table's sha256 next to it (``benchmarks.sha256``, shipped with the package). A load whose embedded table still has
that sha256 skips per-row work whose answer is already known: pydantic's validation of its ~38,000 measurement rows
(about a quarter of the first run), the JSON-lines parser's re-checks and, for the table alone, the merge's
duplicate-row check. The other sections (a few thousand entities) are still validated. A user file, or an
embedded table that no longer has the certified sha256 (edited by hand, or rebuilt without the certificate), goes
through every check as before, with the same errors. ``tests/test_trusted_table.py`` checks that the certificate
matches the table and that every row read this way equals, field by field and type by type, pydantic's.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from ..schema import CatalogFile, Measurement

CERTIFICATE_NAME = "benchmarks.sha256"

_CERTIFIED: list[str | None] = []  # the certificate's sha256 (hex), read once per process


def embedded_table_path() -> Path:
    """The curated table shipped with modelpick (inside the installed package, or data/ in a source checkout)."""
    from .._data import data_file

    return data_file("benchmarks.yaml")


def certificate_text(table_bytes: bytes) -> str:
    """The certificate file's text for a table (``sha256sum``'s format)."""
    return f"{hashlib.sha256(table_bytes).hexdigest()}  benchmarks.yaml\n"


def certified_sha256() -> str | None:
    """The sha256 (hex) the build certified for the embedded table, or None (no certificate shipped)."""
    if not _CERTIFIED:
        from .._data import data_file
        from ..errors import CatalogError

        try:
            text = data_file(CERTIFICATE_NAME).read_text(encoding="ascii")
            value: str | None = text.split()[0].lower()
            if len(value) != 64 or value.strip("0123456789abcdef"):
                value = None
        except (CatalogError, OSError, ValueError, IndexError):
            value = None
        _CERTIFIED.append(value)
    return _CERTIFIED[0]


def is_certified(path: os.PathLike[str] | str, sha256: bytes) -> bool:
    """Whether ``path`` is the embedded table and its content (by sha256) the one the build certified."""
    if os.environ.get("MODELPICK_CHECK_ALL_ROWS") == "1":  # every check, as for a user file (tests, debugging)
        return False
    try:
        if os.fspath(path) != os.fspath(embedded_table_path()):
            return False
    except Exception:  # no embedded table installed: nothing is certified
        return False
    return certified_sha256() == sha256.hex()


class TrustedRow:
    """A certified table's measurement row: the fields a validated :class:`Measurement` holds, in its field order
    and with its types (what ``merge_files`` reads: ``__dict__``, attributes and ``per_image_latency_ms``)."""

    __slots__ = ("__dict__",)

    per_image_latency_ms = Measurement.per_image_latency_ms

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__ = fields


def _defaults() -> tuple[dict[str, Any], tuple[str, ...]]:
    template: dict[str, Any] = {}
    factories = []
    for name, f in Measurement.model_fields.items():
        if f.default_factory is not None:
            factories.append(name)
            template[name] = None
        else:
            template[name] = None if f.is_required() else f.default
    return template, tuple(factories)


#: Fields typed ``float`` (pydantic turns a JSON integer there into a float) and dicts of floats.
_FLOATS = ("latency_ms", "batch_latency_ms", "fps", "memory_mb")
_FLOAT_DICTS = ("memory_details_mb", "stats")


def trusted_file(doc: dict[str, Any]) -> CatalogFile:
    """The certified table's ``CatalogFile``: every section but the measurements validated by pydantic, the
    measurement rows read as :class:`TrustedRow` (the same values pydantic gives for this table)."""
    rest = {k: v for k, v in doc.items() if k != "measurements"}
    cf = CatalogFile.model_validate(rest)
    template, factories = _defaults()
    rows = []
    for raw in doc.get("measurements") or ():
        d = template.copy()
        d.update(raw)
        for name in factories:
            if name not in raw:
                d[name] = {}
        for name in _FLOATS:
            if type(d[name]) is int:
                d[name] = float(d[name])
        for name in _FLOAT_DICTS:
            values = d[name]
            if values:
                for k, v in values.items():
                    if type(v) is int:
                        values[k] = float(v)
        rows.append(TrustedRow(d))
    return cf.model_copy(update={"measurements": rows})


def is_trusted(cf: CatalogFile) -> bool:
    """Whether ``cf`` came from :func:`trusted_file`."""
    return bool(cf.measurements) and type(cf.measurements[0]) is TrustedRow
