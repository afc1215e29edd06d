"""Predictions on catalog devices: predict() one cell, predicted_cells() for every unmeasured cell of a device."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from ..errors import InvalidQuery
from .batch import BatchCurve, batch_curve_groups
from .cells import canonical_settings
from .detectors import detector_refusal, is_detector
from .explain import choose_run, unpredictable_reason
from .plausibility import cap, column_gmacs
from .models import _default_catalog, models_for
from .types import Column, Prediction, PredictionError


def predict(device: str, architecture: str, *, runtime: str | None = None, precision: str | None = None,
            batch_size: int = 1, input_size: int | None = None, catalog=None) -> Prediction:
    """Latency (and memory) of ``architecture`` on a catalog device, measured if it was, else predicted.

    A measured cell comes back with ``latency_estimated=False`` and the measured
    value; otherwise the batch curve of the same run (inside its measured range)
    or the low-rank transfer model of the device's run predicts it, with an 80 % interval.
    """
    cat = _default_catalog(catalog)
    dev = cat.resolve_device(device)
    arch_id = cat.resolve_architecture(architecture)
    arch = cat._m.architectures[arch_id]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidQuery("batch_size", batch_size, "must be an integer >= 1")
    from .._args import optional_positive_int, optional_token

    optional_token("runtime", runtime)
    optional_token("precision", precision)
    # None means the architecture's own size; 0 or a negative size is an error, never a silent 224
    optional_positive_int("input_size", input_size, maximum=4096)
    col = (arch_id, int(input_size if input_size is not None else arch.input_size))
    models = models_for(cat)
    targets = canonical_settings(models.cells, dev)
    pairs = sorted({(rt, pr) for rt, pr, _ in targets})
    if not pairs:
        raise PredictionError(f"{dev} has no measured latencies; use modelpick.calibrate({dev!r}, probes) with a few "
                              f"measurements")
    (rt, pr), note = choose_run(pairs, runtime, precision, dev)
    rows = predicted_cells(cat, dev, [(col, arch)], batch_size=batch_size, include_measured=True,
                           only=(rt, pr))
    if not rows:
        why = detector_refusal(rt) if is_detector(arch) else None
        if why:
            raise PredictionError(f"cannot predict {arch_id} on {dev} ({rt}/{pr}): {why}")
        have = sorted(b for r, p, b in targets if (r, p) == (rt, pr))
        if batch_size in have:
            raise PredictionError(unpredictable_reason(models.transfer, col, arch, rt,
                                                       f"{dev} ({rt}/{pr}, batch {batch_size})"))
        raise PredictionError(f"cannot predict {arch_id} on {dev} ({rt}/{pr}) at batch {batch_size}: the batch sizes "
                              f"measured there are {', '.join(map(str, have))}, and no batch curve of {arch_id} "
                              f"through them covers {batch_size} (batch sizes are interpolated, never extrapolated)")
    return replace(rows[0], notes=rows[0].notes + note) if note else rows[0]


def predicted_cells(catalog, device: str, columns: Sequence[tuple[Column, Any]], *, batch_size: int | None,
                    include_measured: bool = False, only: tuple[str, str] | None = None) -> list[Prediction]:
    """Predictions on a catalog device for each (column, Architecture) in ``columns``.

    For every (runtime, precision, batch size) run of the device (its canonical
    settings, see :func:`canonical_settings`), cells measured under any settings
    are skipped (or returned as measured with ``include_measured``). Batch sizes the
    device never measured come only from batch curves, inside their measured range. Detectors are
    predicted only with runtimes where that was measured to work (:func:`detector_refusal`).
    """
    models = models_for(catalog)
    model = models.transfer
    if model is None:
        return []
    cells = models.cells
    targets = canonical_settings(cells, device)
    measured: dict[tuple[str, str, int], dict[Column, float]] = {}
    for (t, col), lat in cells.items():
        if t.device == device:
            measured.setdefault((t.runtime, t.precision, t.batch_size), {}).setdefault(col, lat)
    out: list[Prediction] = []

    def memory(arch, col, rt, pr, bs):
        got = models.memory.predict(arch, col[1], device, rt, pr, bs)
        return dict(zip(("memory_mb", "memory_low_mb", "memory_high_mb", "memory_method"), got or (None,) * 4))

    # 1) low-rank transfer on the device's measured runs
    for (rt, pr, bs), t in sorted(targets.items(), key=repr):
        if only is not None and (rt, pr) != only:
            continue
        if batch_size is not None and bs != batch_size:
            continue
        have = measured.get((rt, pr, bs), {})
        todo = [(c, a) for c, a in columns if c not in have and not (is_detector(a) and detector_refusal(rt))]
        if include_measured:
            for c, a in columns:
                if c in have:
                    v = have[c]
                    out.append(Prediction(c[0], c[1], device, rt, pr, bs, v, v, v, "measured", False,
                                          settings=dict(t.settings), **memory(a, c, rt, pr, bs)))
        if not todo:
            continue
        b, V, var, methods = model.column_arrays([c for c, _ in todo], [a for _, a in todo], rt)
        ok = ~np.isnan(b)
        if not ok.any():
            continue
        mu, sd = model.predict_fitted(model.row_index[t], b[ok], V[ok], var[ok])
        m = model.mult_fitted
        for (c, a), method, mu_i, sd_i in zip([x for x, o in zip(todo, ok) if o], [x for x, o in zip(methods, ok) if o],
                                              mu, sd):
            pred = Prediction(c[0], c[1], device, rt, pr, bs, float(np.exp(mu_i)), float(np.exp(mu_i - m * sd_i)),
                              float(np.exp(mu_i + m * sd_i)), method, settings=dict(t.settings),
                              **memory(a, c, rt, pr, bs))
            out.append(cap(pred, models.floor, column_gmacs(a, c[1])))
    # 2) batch curves: fill an unmeasured batch size inside a curve's measured range
    if batch_size is not None and models.curve_band is not None:
        done = {(p.runtime, p.precision, (p.architecture, p.input_size)) for p in out}
        wanted = {c: a for c, a in columns}
        for (dev, rt, pr, st, col), pts in sorted(batch_curve_groups(cells).items(), key=repr):
            if dev != device or col not in wanted or batch_size in pts or (rt, pr, col) in done:
                continue
            if only is not None and (rt, pr) != only:
                continue
            if not (min(pts) < batch_size < max(pts)):
                continue  # interpolation only in the solver
            if is_detector(wanted[col]) and detector_refusal(rt):
                continue
            if col in measured.get((rt, pr, batch_size), {}):
                continue
            curve = BatchCurve.fit(list(pts), list(pts.values()))
            v = curve(batch_size)
            lo, hi = models.curve_band
            pred = Prediction(col[0], col[1], device, rt, pr, batch_size, v, v * math.exp(lo), v * math.exp(hi),
                              f"batch curve a/b + c through measured batch sizes {', '.join(map(str, sorted(pts)))}",
                              settings=dict(st), **memory(wanted[col], col, rt, pr, batch_size))
            out.append(cap(pred, models.floor, column_gmacs(wanted[col], col[1])))
            done.add((rt, pr, col))
    return out
