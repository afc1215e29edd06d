"""Estimate views, a mixin of :class:`modelpick.solver.Catalog`: a device's measured candidates plus the rows an
:class:`~modelpick._estimator.Estimator` predicts (``estimates="include"``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Self

import numpy as np

from ._estimator import Estimator
from .catalog import accuracy_applies
from .errors import InvalidQuery
from .schema import Query


class EstimateViews:
    """Builds the catalog of one device with estimated rows; the estimator is the one the catalog was handed."""

    def _check_estimate_reach(self, q: Query) -> None:
        """A batch size no measurement on the device and no batch curve reaches is refused, not estimated."""
        reach_of = getattr(self._estimator, "max_batch_size", None)
        if q.batch_size is None or reach_of is None:
            return
        reach = reach_of(self, q.device)
        if reach is not None and q.batch_size > reach:
            measured = max(self.batch_sizes(q.device), default=None)
            raise InvalidQuery("batch_size", q.batch_size,
                               f"with estimates='include' on {q.device}: no measurement or batch curve reaches it "
                               f"(batch curves extend at most to {reach}"
                               + (f"; the largest measured batch with an accuracy is {measured}" if measured else "")
                               + f"); use batch_size <= {reach}, or estimates='exclude'")

    def with_estimates(self, device: str, batch_size: int | None = None,
                       estimator: Estimator | None = None) -> Self:
        """A catalog holding ``device``'s measured candidates plus estimated ones (``estimates="include"``).

        Estimated rows carry ``latency_estimated`` and their interval in extra columns
        (``latency_low_ms``, ``latency_high_ms``, ``fps_low``, ``memory_low_mb``,
        ``memory_high_mb``); the masks use the conservative ends. ``estimator`` defaults
        to the one this catalog was handed.
        """
        estimator = estimator or self._estimator
        if estimator is None:
            raise InvalidQuery("estimates", "include", "this catalog was built without an estimator of unmeasured "
                                                      "cells (modelpick.load_catalog() hands it one)", choices=["exclude"])
        device = self.resolve_device(device)
        cells = estimator.estimated_cells(self, device, batch_size)
        lo, hi = self._block(device)
        src_cols, strings = self._cols, {k: list(v) for k, v in self._str.items()}
        index = {k: {v: i for i, v in enumerate(vals)} for k, vals in strings.items()}

        def code(kind: str, value: str | None) -> int:
            table = index.setdefault(kind, {})
            if value not in table:
                table[value] = len(strings.setdefault(kind, []))
                strings[kind].append(value)
            return table[value]

        n_meas = len(self._m.measurements)
        out: dict[str, list] = {k: list(v[lo:hi]) for k, v in src_cols.items()}
        nm = hi - lo
        lat_m = np.asarray(src_cols["latency_ms"][lo:hi], dtype=float)
        out["latency_estimated"] = [False] * nm
        out["latency_low_ms"] = list(lat_m)
        out["latency_high_ms"] = list(lat_m)
        out["fps_low"] = list(1000.0 / lat_m) if nm else []
        if "memory_high_mb" not in src_cols:  # a catalog built before the memory interval columns
            out["memory_low_mb"] = [np.nan] * nm
            out["memory_high_mb"] = list(src_cols["memory_mb"][lo:hi])
        extra_meas: list[dict[str, Any]] = []

        archs = self._m.architectures
        by_col: dict[tuple[str, int], list[int]] = {}
        for ci, cid in enumerate(strings["checkpoint"]):
            ck = self._m.checkpoints[cid]
            if ck.same_weights_as is not None:  # a copy joins nothing (see catalog._columns)
                continue
            by_col.setdefault((ck.architecture, ck.input_size), []).append(ci)
        for cell in cells:
            arch = archs[cell.architecture]
            sized = arch.at_size(cell.input_size)
            mem, mem_lo, mem_hi = cell.memory_mb, cell.memory_low_mb, cell.memory_high_mb
            mi = n_meas + len(extra_meas)
            extra_meas.append({"settings": dict(cell.settings), "estimate_method": cell.method})
            for ci in by_col.get((cell.architecture, cell.input_size), ()):
                ck = self._m.checkpoints[strings["checkpoint"][ci]]
                if not accuracy_applies(ck.precision, ck.source, cell.precision, None):  # estimated: no source
                    continue
                row = {
                    "checkpoint": ci, "architecture": code("architecture", cell.architecture),
                    "device": code("device", device), "runtime": code("runtime", cell.runtime),
                    "precision": code("precision", cell.precision), "batch_size": cell.batch_size,
                    "input_size": cell.input_size, "task": code("task", arch.task),
                    "top1": np.nan if ck.top1 is None else ck.top1, "top5": np.nan if ck.top5 is None else ck.top5,
                    "score": ck.score_pct,
                    "latency_ms": cell.latency_ms, "fps": 1000.0 / cell.latency_ms,
                    "memory_mb": np.nan if mem is None else mem, "memory_estimated": mem is not None,
                    "memory_method": code("memory_method", cell.memory_method),
                    "params_m": np.nan if arch.params_m is None else arch.params_m,
                    "gmacs": np.nan if sized[0] is None else sized[0], "gmacs_computed": "gmacs" in sized[2],
                    "measurement": mi,
                    "memory_measurement": -1, "accuracy_source": code("source", ck.source),
                    "latency_source": code("source", None), "memory_source": code("source", None),
                    "suspect": False, "latency_estimated": True, "latency_low_ms": cell.latency_low_ms,
                    "latency_high_ms": cell.latency_high_ms, "fps_low": 1000.0 / cell.latency_high_ms,
                    "memory_low_mb": np.nan if mem_lo is None else mem_lo,
                    "memory_high_mb": np.nan if mem_hi is None else mem_hi,
                }
                for k in out:
                    out[k].append(row.get(k, -1))
        arrays = {k: np.asarray(v, dtype=src_cols[k].dtype if k in src_cols else None) for k, v in out.items()}
        for k in ("latency_low_ms", "latency_high_ms", "fps_low", "memory_low_mb", "memory_high_mb"):
            arrays[k] = arrays[k].astype(np.float64)
        arrays["latency_estimated"] = arrays["latency_estimated"].astype(bool)
        table = replace(self._m, measurements=list(self._m.measurements) + extra_meas, columns=arrays,
                        strings=strings)
        view = type(self)(table, estimator)
        view._is_estimate_view = True
        return view
