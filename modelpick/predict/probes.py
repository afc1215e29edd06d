"""Probe choice: the architectures most informative to measure first on a new device (D-optimal design), among
networks a user can actually run there: cheap ones with published weights from the runtime's usual model zoo."""

from __future__ import annotations

from typing import Iterable

from ..errors import InvalidQuery, UnknownName
from .models import _default_catalog, models_for
from .types import PredictionError
from .zoo import PROBE_MAX_GMACS, ZOO_SOURCE_PREFIXES, probe_architectures, zoo_architectures  # noqa: F401

def suggest_probes(k: int = 5, *, runtime: str | None = None, among: Iterable[str] | None = None,
                   max_gmacs: float = PROBE_MAX_GMACS, catalog=None) -> list[str]:
    """The ``k`` architectures most informative to measure first on a new device.

    Greedy Bayesian D-optimal design over the fitted architecture factors: each pick most reduces the
    uncertainty of the new device's effect and factors. Candidates are networks with published weights in a
    runtime's usual zoo (ncnn benchmark models, TFLite hosted models, torchvision, ...; never timm ``test_*``)
    of at most ``max_gmacs`` GMACs. ``runtime`` restricts to architectures measured with that runtime (so they
    can be run with it and transfer from it); ``among`` replaces the zoo list with the given names (ids or
    aliases), which are all considered, however few catalog devices measured them. Fewer than ``k`` come
    back when fewer candidates exist.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidQuery("k", k, "must be an integer >= 1")
    if isinstance(max_gmacs, bool) or not isinstance(max_gmacs, (int, float)) or not max_gmacs > 0:
        raise InvalidQuery("max_gmacs", max_gmacs, "must be a number of GMACs > 0 (default 5)")
    cat = _default_catalog(catalog)
    model = models_for(cat).transfer
    if model is None:
        raise PredictionError("the catalog has no measured latencies to choose probes from")
    if runtime is not None and not isinstance(runtime, str):
        raise InvalidQuery("runtime", runtime, "must be a runtime name such as 'ncnn', or None")
    rts = {t.runtime for t in model.rows}
    if runtime is not None and runtime not in rts:
        raise UnknownName("runtime", runtime, "no measured latency uses this runtime", choices=sorted(rts))
    archs = cat._m.architectures
    if among is not None:
        from .._args import name_list

        wanted = {cat.resolve_architecture(a) for a in name_list("among", among)}
        allowed = {a for a in wanted if archs[a].gmacs is None or archs[a].gmacs <= max_gmacs}
        if wanted and not allowed:
            raise InvalidQuery("among", sorted(wanted), f"every one is above max_gmacs={max_gmacs:g} GMACs; "
                               f"pass a larger max_gmacs to allow them")
    else:
        allowed = probe_architectures(cat, max_gmacs)
    ok_cols = set(range(len(model.cols)))
    if runtime is not None:
        ok_cols = {model.col_index[col] for (t, col) in models_for(cat).cells if t.runtime == runtime}
    cand = [i for i in sorted(ok_cols) if model.cols[i][0] in allowed]
    where = f" with {runtime}" if runtime else ""
    if among is not None and not cand:
        raise PredictionError(f"none of among={sorted(allowed)} was measured{where} on a catalog device, so none "
                              f"can calibrate a prediction")
    if not cand:
        raise PredictionError(f"no network of a runtime's model zoo with at most {max_gmacs:g} GMACs was "
                              f"measured{where} on a catalog device; pass among=[...] (the networks you can run) "
                              f"or a larger max_gmacs")
    # among= is the caller's own list: rarely measured networks stay in it
    return [model.cols[i][0] for i in model.suggest(k, cand, runtime, min_runs=1 if among is not None else 3)]


def probe_columns(model, candidates, runtime: str | None, k: int, allowed: set[str]) -> list[int]:
    """The k probe columns a held-out run gets in the evaluations: suggest_probes' choice among ``candidates``
    (fitted column indices the run measured) whose architecture is in ``allowed`` (probe_architectures)."""
    cand = [int(i) for i in candidates if model.cols[int(i)][0] in allowed]
    return model.suggest(k, cand, runtime)
