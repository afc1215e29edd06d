"""One per-process memory budget for the stores that grow with the queries asked (``MODELPICK_MEMORY_MB``,
in MiB, default 128): estimate views, finished answers and rendered plots each get a share of it, in bytes.
A store's own variable (``MODELPICK_ESTIMATE_CACHE_MB``, the service's ``MODELPICK_ANSWER_CACHE_MB`` and
``MODELPICK_PLOT_CACHE_MB``) sets that store alone, outside the shares."""

from __future__ import annotations

import math
import os

#: The default budget, in MiB: the three stores' former defaults (64 + 32 + 32).
MEMORY_MB = 128
#: Each store's share of the budget.
SHARES = {"estimate_views": 0.5, "answers": 0.25, "plots": 0.25}
#: A store's own variable, which overrides its share.
OWN_VARIABLE = {"estimate_views": "MODELPICK_ESTIMATE_CACHE_MB", "answers": "MODELPICK_ANSWER_CACHE_MB",
                "plots": "MODELPICK_PLOT_CACHE_MB"}


def _mb(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw[:40]!r}: expected a number of MiB >= 0") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}={raw[:40]!r}: expected a number of MiB >= 0")
    return value


def memory_mb(environ=None) -> float:
    """The whole budget, in MiB (``MODELPICK_MEMORY_MB``)."""
    env = os.environ if environ is None else environ
    raw = env.get("MODELPICK_MEMORY_MB", "").strip()
    return _mb("MODELPICK_MEMORY_MB", raw) if raw else float(MEMORY_MB)


def store_bytes(store: str, environ=None) -> int:
    """Bytes for ``store`` (a key of :data:`SHARES`): its own variable if set, else its share of the budget."""
    env = os.environ if environ is None else environ
    own = OWN_VARIABLE[store]
    raw = env.get(own, "").strip()
    mb = _mb(own, raw) if raw else memory_mb(env) * SHARES[store]
    return int(mb * 2**20)
