"""The catalog table: the merged entities plus the joined candidate columns the solver queries."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import CatalogError
from ..schema import Architecture, Checkpoint, Device, Source

FULL_FIELDS = ("sources", "architectures", "checkpoints", "measurements")


@dataclass
class CatalogTable:
    """The merged catalog and its candidate columns. The cache stores it in two parts: a small core (what a query needs: devices,
    candidate columns, settings) and the full entity tables, loaded on first access, so that a cold
    `modelpick best` process does not unpickle 30,000 measurement rows it never reads."""

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
    #: Every runtime and precision token in the measurements, and lowercase architecture name -> id.
    known: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in FULL_FIELDS and k != "_full_path"}

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes missing from __dict__: the lazily loaded full tables.
        state = self.__dict__
        if name in FULL_FIELDS and "_full_path" in state:
            try:
                with open(state["_full_path"], "rb") as fh:
                    full = pickle.load(fh)
            except (OSError, pickle.PickleError, EOFError) as exc:
                raise CatalogError([f"catalog cache {state['_full_path']} is unreadable ({exc}); "
                                    "delete the cache folder or set MODELPICK_CACHE=0"]) from None
            state.update({k: full[k] for k in FULL_FIELDS})
            del state["_full_path"]
            return state[name]
        raise AttributeError(name)
