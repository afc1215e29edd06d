"""Probe choice: the architectures most informative to measure first on a new device (D-optimal design)."""

from __future__ import annotations

from typing import Iterable

from ..errors import InvalidQuery, UnknownName
from .models import _default_catalog, models_for
from .types import PredictionError


def suggest_probes(k: int = 5, *, runtime: str | None = None, among: Iterable[str] | None = None,
                   catalog=None) -> list[str]:
    """The ``k`` architectures most informative to measure first on a new device.

    Greedy Bayesian D-optimal design over the fitted architecture factors: each
    pick most reduces the uncertainty of the new device's effect and factors.
    ``runtime`` restricts to architectures measured with that runtime (so they can
    be run with it); ``among`` restricts to the given names (ids or aliases).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidQuery("k", k, "must be an integer >= 1")
    cat = _default_catalog(catalog)
    model = models_for(cat).transfer
    if model is None:
        raise PredictionError("the catalog has no measured latencies to choose probes from")
    allowed = None
    if among is not None:
        from .._args import name_list

        allowed = {cat.resolve_architecture(a) for a in name_list("among", among)}
    if runtime is not None and not isinstance(runtime, str):
        raise InvalidQuery("runtime", runtime, "must be a runtime name such as 'ncnn', or None")
    rts = {t.runtime for t in model.rows}
    if runtime is not None and runtime not in rts:
        raise UnknownName("runtime", runtime, "no measured latency uses this runtime", choices=sorted(rts))
    ok_cols = set(range(len(model.cols)))
    if runtime is not None:
        ok_cols = {model.col_index[col] for (t, col) in models_for(cat).cells if t.runtime == runtime}
    cand = [i for i in sorted(ok_cols) if allowed is None or model.cols[i][0] in allowed]
    return [model.cols[i][0] for i in model.suggest(k, cand, runtime)]
