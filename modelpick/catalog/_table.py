"""The catalog table: the merged entities plus the joined candidate columns the solver queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import CatalogError
from ..schema import Architecture, Checkpoint, Device, Source

FULL_FIELDS = ("sources", "architectures", "checkpoints", "measurements")


@dataclass
class CatalogTable:
    """The merged catalog and its candidate columns. The cache stores it in two parts: a small core (what a query needs: devices,
    candidate columns, settings) and the full entity tables, loaded on first access, so that a cold
    `modelpick best` process does not read 30,000 measurement rows it never uses."""

    files: list[str]
    digest: str
    sources: dict[str, Source]
    devices: dict[str, Device]
    device_families: dict[str, str]
    architectures: dict[str, Architecture]
    checkpoints: dict[str, Checkpoint]
    measurements: list[dict[str, Any]]  # validated Measurement dumps, canonical ids
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    strings: dict[str, list[str]] = field(default_factory=dict)
    #: Per measurement row: its settings dict (kept in the core for answers).
    measurement_settings: list[dict[str, Any]] | None = None
    #: Measurement row index -> why the suspect screen flagged it (kept in the core for answers and ``show``).
    suspects: dict[int, str] = field(default_factory=dict)
    #: Every runtime and precision token in the measurements, and lowercase architecture name -> id.
    known: dict[str, Any] | None = None
    #: 'file: place: problem' lines for entries that are valid but suspicious (e.g. a measurement whose
    #: input size no checkpoint has); loading warns with them (CatalogWarning), `validate` prints them.
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def lazy(cls, *, load_full: Callable[[], dict[str, Any]], full_source: str, **core: Any) -> "CatalogTable":
        """A table whose full entity tables (:data:`FULL_FIELDS`) come from ``load_full()`` on first access."""
        table = cls.__new__(cls)
        table.__dict__.update(core, _load_full=load_full, _full_source=full_source)
        return table

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes missing from __dict__: the lazily loaded full tables.
        state = self.__dict__
        if name in FULL_FIELDS and "_load_full" in state:
            try:
                full = state["_load_full"]()
            except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
                    MemoryError) as exc:
                raise CatalogError([f"catalog cache {state['_full_source']} is unreadable ({exc}); "
                                    "delete the cache folder or set MODELPICK_CACHE=0"]) from None
            state.update({k: full[k] for k in FULL_FIELDS})
            del state["_load_full"], state["_full_source"]
            return state[name]
        raise AttributeError(name)
