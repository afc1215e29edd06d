"""Estimated rows for the solver: a catalog view of a device's measured candidates plus predicted ones."""

from __future__ import annotations

from typing import Any

import numpy as np

from .catalog_device import predicted_cells
from .types import Column


def catalog_with_estimates(catalog, device: str, batch_size: int | None = None):
    """A catalog holding ``device``'s measured candidates plus predicted ones (for ``estimates="include"``).

    Predicted rows carry ``latency_estimated`` and their interval in extra columns
    (``latency_low_ms``, ``latency_high_ms``, ``fps_low``, ``memory_low_mb``,
    ``memory_high_mb``); the solver's masks use the conservative ends.
    """
    from dataclasses import replace as dc_replace

    from ..catalog import accuracy_applies
    from ..estimate import estimate_memory_mb
    from ..solver import Catalog

    lo, hi = catalog._block(device)
    src_cols, strings = catalog._cols, {k: list(v) for k, v in catalog._str.items()}
    index = {k: {v: i for i, v in enumerate(vals)} for k, vals in strings.items()}

    def code(kind: str, value: str | None) -> int:
        table = index.setdefault(kind, {})
        if value not in table:
            table[value] = len(strings.setdefault(kind, []))
            strings[kind].append(value)
        return table[value]

    n_meas = len(catalog._m.measurements)
    out: dict[str, list] = {k: list(v[lo:hi]) for k, v in src_cols.items()}
    nm = hi - lo
    lat_m = np.asarray(src_cols["latency_ms"][lo:hi], dtype=float)
    out["latency_estimated"] = [False] * nm
    out["latency_low_ms"] = list(lat_m)
    out["latency_high_ms"] = list(lat_m)
    out["fps_low"] = list(1000.0 / lat_m) if nm else []
    out["memory_low_mb"] = [np.nan] * nm
    out["memory_high_mb"] = list(src_cols["memory_mb"][lo:hi])
    extra_meas: list[dict[str, Any]] = []

    archs = catalog._m.architectures
    by_col: dict[Column, list[int]] = {}
    for ci, cid in enumerate(strings["checkpoint"]):
        ck = catalog._m.checkpoints[cid]
        by_col.setdefault((ck.architecture, ck.input_size), []).append(ci)
    columns = [(col, archs.get(col[0])) for col in by_col]
    kind = catalog._m.devices[device].kind
    preds = predicted_cells(catalog, device, columns, batch_size=batch_size)
    for p in preds:
        arch = archs[p.architecture]
        if p.memory_mb is not None:
            mem, mem_lo, mem_hi, method = p.memory_mb, p.memory_low_mb, p.memory_high_mb, p.memory_method
        else:
            mem, method = estimate_memory_mb(params_m=arch.params_m, activations_m=arch.activations_m,
                                             precision=p.precision, batch_size=p.batch_size, runtime=p.runtime,
                                             device_kind=kind, settings=p.settings)
            mem_lo = mem_hi = mem
        mi = n_meas + len(extra_meas)
        extra_meas.append({"settings": dict(p.settings), "estimate_method": p.method})
        for ci in by_col[(p.architecture, p.input_size)]:
            ck = catalog._m.checkpoints[strings["checkpoint"][ci]]
            if not accuracy_applies(ck.precision, ck.source, p.precision, None):  # predicted: no source
                continue
            row = {
                "checkpoint": ci, "architecture": code("architecture", p.architecture), "device": code("device", device),
                "runtime": code("runtime", p.runtime), "precision": code("precision", p.precision),
                "batch_size": p.batch_size, "input_size": p.input_size, "top1": ck.top1,
                "top5": np.nan if ck.top5 is None else ck.top5, "latency_ms": p.latency_ms, "fps": p.fps,
                "memory_mb": np.nan if mem is None else mem, "memory_estimated": mem is not None,
                "memory_method": code("memory_method", method),
                "params_m": np.nan if arch.params_m is None else arch.params_m,
                "gmacs": np.nan if arch.gmacs is None else arch.gmacs, "measurement": mi, "memory_measurement": -1,
                "accuracy_source": code("source", ck.source), "latency_source": code("source", None),
                "memory_source": code("source", None), "latency_estimated": True, "latency_low_ms": p.latency_low_ms,
                "latency_high_ms": p.latency_high_ms, "fps_low": 1000.0 / p.latency_high_ms,
                "memory_low_mb": np.nan if mem_lo is None else mem_lo, "memory_high_mb": np.nan if mem_hi is None else mem_hi,
            }
            for k in out:
                out[k].append(row.get(k, -1))
    arrays = {k: np.asarray(v, dtype=src_cols[k].dtype if k in src_cols else None) for k, v in out.items()}
    for k in ("latency_low_ms", "latency_high_ms", "fps_low", "memory_low_mb", "memory_high_mb"):
        arrays[k] = arrays[k].astype(np.float64)
    arrays["latency_estimated"] = arrays["latency_estimated"].astype(bool)
    merged = dc_replace(catalog._m, measurements=list(catalog._m.measurements) + extra_meas, columns=arrays,
                        strings=strings)
    view = Catalog(merged)
    view._is_estimate_view = True
    return view
