"""The solver's estimator interface: computed cells (EstimatedCell), the Estimator protocol, and the
byte-bounded cache of estimate views. The solver never imports an estimator itself (``modelpick.predict`` provides one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence


@dataclass(frozen=True)
class EstimatedCell:
    """One computed (never measured) latency cell of a device, with its 80 % interval and memory.

    The solver pairs it with every checkpoint of its architecture and input size whose accuracy applies,
    exactly as measured cells are joined; ``method`` says how it was computed.
    """

    architecture: str
    input_size: int
    runtime: str
    precision: str
    batch_size: int
    latency_ms: float
    latency_low_ms: float
    latency_high_ms: float
    memory_mb: float | None
    memory_low_mb: float | None
    memory_high_mb: float | None
    memory_method: str | None
    settings: dict[str, Any]
    method: str


class Estimator(Protocol):
    """Supplies estimated cells for ``estimates="include"``: the cells of ``device`` nobody measured."""

    def estimated_cells(self, catalog: Catalog, device: str, batch_size: int | None) -> Sequence[EstimatedCell]:
        """Cells of ``device`` (a canonical id) at ``batch_size`` (None: any), predicted from ``catalog``."""
        ...


def estimate_views_bytes() -> int:
    """Memory for estimate views (``estimates="include"``: one per device and batch size), per catalog, in
    bytes: half of ``MODELPICK_MEMORY_MB`` (default 128 MiB), or ``MODELPICK_ESTIMATE_CACHE_MB``. A view of a
    large device is a few MB."""
    from ._budget import store_bytes

    try:
        return store_bytes("estimate_views")
    except ValueError:  # a bad value must not stop a query; the service checks its variables at start
        return 64 * 2**20


class _ViewCache:
    """Least recently used estimate views, bounded by their size in bytes (thread-safe).

    Without the bound, a client looping over batch sizes grew a worker by 651 MB in 100 s.
    """

    def __init__(self, max_bytes: int):
        import threading
        from collections import OrderedDict

        self.max_bytes = max_bytes
        self._views: OrderedDict[tuple, tuple[Catalog, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def size_of(view: "Catalog") -> int:
        cols = sum(a.nbytes for a in view._cols.values())
        strings = sum(len(v) for v in view._str.values()) * 64
        extra = len(view._m.measurements) * 8  # the view's own list of row references
        return cols + strings + extra + 4096

    def get(self, key: tuple) -> "Catalog | None":
        with self._lock:
            hit = self._views.get(key)
            if hit is None:
                return None
            self._views.move_to_end(key)
            return hit[0]

    def put(self, key: tuple, view: "Catalog") -> None:
        size = self.size_of(view)
        with self._lock:
            old = self._views.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_bytes:
                return  # larger than the whole budget: used once, not kept
            self._views[key] = (view, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._views.popitem(last=False)
                self._bytes -= dropped

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._views)
