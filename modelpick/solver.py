"""The solver: turn constraints into ranked answers, with reasons, over a catalog table's columns.

A *candidate* is one checkpoint (its accuracy) joined with one measured cell of
its architecture at the same input size (device, runtime, precision, batch
size). Queries run as boolean masks over numpy columns; rows are grouped by
device so a query touches one contiguous block.

Estimated rows (``estimates="include"``) come from an :class:`Estimator` the
:class:`Catalog` is handed (``modelpick.load_catalog`` hands it
``modelpick.predict``'s); the solver never imports an estimator itself.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Iterator, get_args

import numpy as np

from .catalog import CatalogTable, accuracy_applies, match_patterns, natural_key, normalize_name
from .errors import InvalidQuery, UnknownDevice, UnknownName
from ._estimator import EstimatedCell, Estimator, _ViewCache, estimate_views_bytes  # noqa: F401  (EstimatedCell: re-exported for estimators)
from ._explain import Explanations
from .estimate import MB_PER_GB, MemoryEstimate
from .schema import (Architecture, Checkpoint, Device, DeviceCoverage, DeviceKind, MeasuredRun, Measurement, Query,
                     Recommendation, Source)

_DEVICE_KINDS = frozenset(get_args(DeviceKind))



def make_query(device: Any, **kwargs: Any) -> Query:
    """Validate query arguments; errors name the argument, the value and the valid range or choices."""
    from pydantic import ValidationError

    try:
        return Query(device=device, **kwargs)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        param = str(err["loc"][0]) if err["loc"] else "query"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            raise InvalidQuery(param, value, "unknown argument", choices=list(Query.model_fields)) from None
        if err["type"] == "literal_error":
            choices = list(Query.model_fields[param].annotation.__args__) if param in Query.model_fields else None
            raise InvalidQuery(param, value, "not a valid choice", choices=choices) from None
        raise InvalidQuery(param, value, err["msg"]) from None


#: Up to this many rows, :meth:`Catalog._top` finds distinct checkpoints with a Python set, not np.unique.
_SMALL = 1024

#: Records kept per catalog for :meth:`Catalog._records` (about 2 KB each).
_RECORD_CACHE_ROWS = 4096


class Catalog(Explanations):
    """The merged, validated catalog with its joined candidate columns.

    ``estimator`` supplies the estimated rows of ``estimates="include"`` queries; without one such a query
    is an :class:`InvalidQuery`.
    """

    def __init__(self, merged: CatalogTable, estimator: Estimator | None = None):
        self._m = merged
        self._estimator = estimator
        self._cols = merged.columns
        self._str = merged.strings
        self._code = {kind: {v: i for i, v in enumerate(vals)} for kind, vals in merged.strings.items()}
        # contiguous device blocks
        dev = self._cols["device"]
        self._blocks: dict[int, tuple[int, int]] = {}
        if len(dev):
            edges = np.flatnonzero(np.diff(dev)) + 1
            starts = np.concatenate(([0], edges))
            ends = np.concatenate((edges, [len(dev)]))
            for s, e in zip(starts, ends):
                self._blocks[int(dev[s])] = (int(s), int(e))
        self._device_names: dict[str, str] = {}
        for d in merged.devices.values():
            for name in [d.id, *d.aliases]:
                self._device_names.setdefault(normalize_name(name), d.id)
        for fam, dev_id in merged.device_families.items():
            self._device_names.setdefault(normalize_name(fam), dev_id)
        # tags without a default (vendor, form): the name is known, the answer is "pick one of these"
        self._device_groups: dict[str, list[str]] = {}
        for d in merged.devices.values():
            for tag in d.tags:
                self._device_groups.setdefault(normalize_name(tag), []).append(d.id)
        self._arch_names: dict[str, str] = merged.known["architecture_names"] if merged.known else {}
        self._measurement_objs: list[Measurement] | None = None
        # Limits and ranking use an estimate's conservative end (an estimate-view catalog has these columns);
        # a measured row has no interval, so in a plain catalog they are the measured columns themselves.
        cols = self._cols
        self._mem_limit = cols.get("memory_high_mb", cols["memory_mb"])
        self._fps_limit = cols.get("fps_low", cols["fps"])
        self._latency_limit = cols.get("latency_high_ms", cols["latency_ms"])
        # estimates="include": per (device, batch size), this catalog's block plus estimated rows (built lazily)
        self._estimate_views = _ViewCache(estimate_views_bytes())
        self._record_cache: dict[tuple[int, bool], dict[str, Any]] = {}  # (row, strict) -> record (see _records)
        self._is_estimate_view = False
        self._coverages: dict[str, DeviceCoverage] = {}
        self._memory_fits: dict | None = None

    # -- identity ------------------------------------------------------------
    @property
    def hash(self) -> str:
        """sha256 over the content of every file that made this catalog."""
        return self._m.digest

    @property
    def version(self) -> str:
        return f"1-{self._m.digest[:12]}"

    @property
    def files(self) -> list[str]:
        return list(self._m.files)

    @property
    def sources(self) -> dict[str, Source]:
        return dict(self._m.sources)

    @property
    def device_families(self) -> dict[str, str]:
        return dict(self._m.device_families)

    @property
    def measurements(self) -> list[Measurement]:
        """Every measurement row, with canonical architecture and device ids."""
        if self._measurement_objs is None:
            keep = set(Measurement.model_fields)
            self._measurement_objs = [
                Measurement.model_construct(**{k: v for k, v in row.items() if k in keep}) for row in self._m.measurements
            ]
        return self._measurement_objs

    @property
    def columns(self) -> dict[str, np.ndarray]:
        """The joined candidate columns (read-only views). String columns hold codes; see :meth:`decode`."""
        out = {}
        for k, v in self._cols.items():
            view = v.view()
            view.flags.writeable = False
            out[k] = view
        return out

    def decode(self, kind: str, code: int) -> str | None:
        return self._str[kind][code]

    def __len__(self) -> int:
        return len(self._cols["checkpoint"])

    def __repr__(self) -> str:
        return (f"<Catalog {self.version}: {len(self._m.devices)} devices, {len(self._m.architectures)} architectures, "
                f"{len(self._m.checkpoints)} checkpoints, {len(self._m.measurements)} measurements, {len(self)} candidates>")

    # -- lookups ---------------------------------------------------------------
    def resolve_device(self, name: str) -> str:
        """Canonical device id for an id, alias or family name (case-insensitive)."""
        if not isinstance(name, str) or not name.strip():
            raise UnknownDevice("device", name, "a device id, alias or family is required", choices=self._m.devices)
        hit = self._device_names.get(normalize_name(name))
        if hit is None and normalize_name(name) in self._device_groups:
            members = sorted(self._device_groups[normalize_name(name)], key=natural_key)
            raise UnknownDevice("device", name, f"names a group of {len(members)} devices, not one device; pick one",
                                choices=members)
        if hit is None:
            choices = sorted(set(self._m.devices) | set(self._m.device_families))
            raise UnknownDevice("device", name, "unknown device", choices=choices)
        return hit

    def device(self, name: str) -> Device:
        return self._m.devices[self.resolve_device(name)]

    def resolve_architecture(self, name: str) -> str:
        hit = self._arch_names.get(str(name).lower())
        if hit is None:
            raise UnknownName("architecture", name, "unknown architecture", choices=self._m.architectures)
        return hit

    def architecture(self, name: str) -> Architecture:
        return self._m.architectures[self.resolve_architecture(name)]

    def checkpoint(self, name: str) -> Checkpoint:
        try:
            return self._m.checkpoints[name]
        except KeyError:
            raise UnknownName("checkpoint", name, "unknown checkpoint", choices=self._m.checkpoints) from None

    def devices(self, pattern: str | None = None, *, kind: str | None = None) -> list[Device]:
        """Devices whose id, name or alias matches the fnmatch pattern (substring without wildcards).

        A pattern that is a device kind ('cpu', 'gpu', ...) or tag ('phone', 'android', 'amd', ...) lists exactly
        the devices of that kind or with that tag, not every name that happens to contain the word.
        """
        group = normalize_name(pattern) if pattern is not None else None
        by_group = group is not None and (group in _DEVICE_KINDS or group in self._device_groups)
        out = []
        for d in self._m.devices.values():
            if kind and d.kind != kind:
                continue
            if by_group:
                if d.kind == group or group in {normalize_name(t) for t in d.tags}:
                    out.append(d)
            elif pattern is None or match_patterns([d.id, d.name, *d.aliases], pattern):
                out.append(d)
        return sorted(out, key=lambda d: natural_key(d.id))

    def architectures(self, pattern: str | None = None) -> list[Architecture]:
        out = [a for a in self._m.architectures.values()
               if pattern is None or match_patterns([a.id, *a.aliases], pattern)]
        return sorted(out, key=lambda a: natural_key(a.id))

    def checkpoints(self, pattern: str | None = None, *, architecture: str | None = None) -> list[Checkpoint]:
        arch = self.resolve_architecture(architecture) if architecture else None
        out = [c for c in self._m.checkpoints.values()
               if (arch is None or c.architecture == arch)
               and (pattern is None or match_patterns([c.id, c.architecture, c.name or ""], pattern))]
        return sorted(out, key=lambda c: natural_key(c.id))

    def suspects(self, device: str | None = None) -> list[Measurement]:
        """Measurements the suspect screen judged implausible (``suspect`` says why), of one device or all.

        Answers leave them out unless asked (``include_suspect=True``).
        """
        dev = self.resolve_device(device) if device is not None else None
        rows = self.measurements
        return [rows[i] for i in sorted(self._m.suspects) if dev is None or rows[i].device == dev]

    def runtimes(self, device: str | None = None) -> list[str]:
        return self._distinct("runtime", device)

    def precisions(self, device: str | None = None) -> list[str]:
        return self._distinct("precision", device)

    def batch_sizes(self, device: str | None = None) -> list[int]:
        lo, hi = self._block(device) if device else (0, len(self))
        return sorted({int(b) for b in np.unique(self._cols["batch_size"][lo:hi])})

    def _distinct(self, kind: str, device: str | None) -> list[str]:
        if device is None:
            if self._m.known and kind in self._m.known:
                return list(self._m.known[kind])
            return sorted({m[kind] for m in self._m.measurements})
        lo, hi = self._block(device)
        return sorted(self._str[kind][c] for c in np.unique(self._cols[kind][lo:hi]))

    def _block(self, device: str) -> tuple[int, int]:
        code = self._code["device"].get(self.resolve_device(device))
        return self._blocks.get(code, (0, 0)) if code is not None else (0, 0)

    # -- solving ---------------------------------------------------------------
    def query(self, device: Any, **kwargs: Any) -> Query:
        """Validate arguments into a normalised :class:`Query` with the canonical device id."""
        q = make_query(device, **kwargs)
        dev = self.resolve_device(q.device)
        updates: dict[str, Any] = {"device": dev}
        for kind in ("runtime", "precision"):
            value = getattr(q, kind)
            if value is None:
                continue
            known = self._distinct(kind, None)
            low = value.strip().lower()
            if low not in known:
                raise UnknownName(kind, value, f"unknown {kind}", choices=known)
            on_device = self._distinct(kind, dev)
            if low not in on_device:
                raise UnknownName(kind, value, f"no candidate on {dev} uses this {kind} (a measurement there may exist "
                                               f"but pair with no checkpoint)", choices=on_device)
            updates[kind] = low
        return q.model_copy(update=updates)

    def _masks(self, q: Query, lo: int, hi: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        c = self._cols
        sl = slice(lo, hi)
        base = np.ones(hi - lo, dtype=bool)
        # until queries take task= (issue 18), answers rank classifiers only: a detector has no top-1
        base &= c["task"][sl] == self._code["task"].get("classification", -1)
        if q.runtime is not None:
            base &= c["runtime"][sl] == self._code["runtime"][q.runtime]
        if q.precision is not None:
            base &= c["precision"][sl] == self._code["precision"][q.precision]
        if q.batch_size is not None:
            base &= c["batch_size"][sl] == q.batch_size
        suspect = c.get("suspect")
        if suspect is not None and not q.include_suspect:
            base &= ~suspect[sl]
        mem = self._mem_limit[sl]
        mem_known = ~np.isnan(mem)
        if q.strict:
            mem_known &= ~c["memory_estimated"][sl]
        masks: dict[str, np.ndarray] = {}
        with np.errstate(invalid="ignore"):
            if q.max_mem_gb is not None:
                masks["max_mem_gb"] = mem_known & (mem <= q.max_mem_gb * MB_PER_GB)
            if q.min_fps is not None:
                masks["min_fps"] = self._fps_limit[sl] >= q.min_fps
            if q.max_latency_ms is not None:
                masks["max_latency_ms"] = self._latency_limit[sl] <= q.max_latency_ms
            if q.min_top1 is not None:
                masks["min_top1"] = c["top1"][sl] >= q.min_top1
            if q.max_params_m is not None:
                masks["max_params_m"] = c["params_m"][sl] <= q.max_params_m
        return base, masks

    def _order(self, rows: np.ndarray, objective: str, strict: bool) -> np.ndarray:
        """Sort absolute row indices by the objective, ties broken deterministically."""
        c = self._cols
        mem = self._mem_limit[rows].copy()
        if strict:
            mem[c["memory_estimated"][rows]] = np.nan
        mem = np.where(np.isnan(mem), np.inf, mem)
        top1, fps, ck = c["top1"][rows], self._fps_limit[rows], c["checkpoint"][rows]
        if objective == "top1":
            keys = (rows, ck, mem, -fps, -top1)
        elif objective == "fps":
            keys = (rows, ck, mem, -top1, -fps)
        else:
            keys = (rows, ck, -fps, -top1, mem)
        return rows[np.lexsort(keys)]

    def _primary(self, rows: np.ndarray, objective: str, strict: bool) -> np.ndarray:
        """The first sort key of :meth:`_order` (smaller is better)."""
        if objective == "top1":
            return -self._cols["top1"][rows]
        if objective == "fps":
            return -self._fps_limit[rows]
        mem = self._mem_limit[rows].copy()
        if strict:
            mem[self._cols["memory_estimated"][rows]] = np.nan
        return np.where(np.isnan(mem), np.inf, mem)

    def _top(self, rows: np.ndarray, objective: str, strict: bool, limit: int,
             per_architecture: bool = False) -> np.ndarray:
        """The best row of each of the first ``limit`` checkpoints in :meth:`_order`'s order.

        ``per_architecture``: of each architecture, only its best row (so its best checkpoint) counts.

        Sorting every feasible row costs most of a query on a large device block. Only rows whose
        primary key is at least as good as the ``m``-th best can hold the first ``limit`` checkpoints,
        once those rows cover ``limit`` checkpoints: a checkpoint with no row there ranks after all of
        them. So sort just those (ties at the threshold included), and widen ``m`` until they suffice.
        """
        ck = self._cols["architecture" if per_architecture else "checkpoint"]
        primary = self._primary(rows, objective, strict)
        m = 8 * limit
        while m < len(rows):
            threshold = np.partition(primary, m - 1)[m - 1]
            head = rows[primary <= threshold]
            head_ck = ck[head]
            # np.unique's fixed cost (~10 us) dominates on the few hundred rows a head usually has
            if (len(set(head_ck.tolist())) if len(head) <= _SMALL else len(np.unique(head_ck))) >= limit:
                rows = head
                break
            m *= 4
        ordered = self._order(rows, objective, strict)
        if per_architecture:  # _order breaks ties by checkpoint; the best row of an architecture comes first
            _, first = np.unique(ck[ordered], return_index=True)
            return ordered[np.sort(first)[:limit]]
        if len(ordered) <= _SMALL:  # each checkpoint's first row, in order, until ``limit`` of them
            seen: set[int] = set()
            first_rows = []
            for r, k in zip(ordered.tolist(), ck[ordered].tolist()):
                if k not in seen:
                    seen.add(k)
                    first_rows.append(r)
                    if len(first_rows) == limit:
                        break
            return np.array(first_rows, dtype=ordered.dtype)
        _, first = np.unique(ck[ordered], return_index=True)
        return ordered[np.sort(first)[:limit]]

    def _solve_rows(self, q: Query, limit: int) -> tuple["Catalog", np.ndarray, list[str]]:
        """The catalog that holds the answer rows (self, or an estimate view), the rows, and the first one's why."""
        if q.estimates == "include" and not self._is_estimate_view:
            key = (q.device, q.batch_size)
            view = self._estimate_views.get(key)
            if view is None:
                self._check_estimate_reach(q)  # before any work: each view costs ~0.25 s and its memory
                view = self.with_estimates(q.device, q.batch_size)
                self._estimate_views.put(key, view)
            return view._solve_rows(q, limit)
        lo, hi = self._block(q.device)
        base, masks = self._masks(q, lo, hi)
        ok = base.copy()
        for m in masks.values():
            ok &= m
        rows = np.flatnonzero(ok) + lo
        if len(rows) == 0:
            raise self._infeasible(q, lo, hi, base, masks)
        picked = self._top(rows, q.objective, q.strict, limit, q.per_architecture)
        n_feasible = len(np.unique(self._cols["architecture" if q.per_architecture else "checkpoint"][rows]))
        return self, picked, self._why(q, int(picked[0]), lo, hi, base, masks, n_feasible)

    def _solve(self, q: Query, limit: int) -> list[Recommendation]:
        cat, picked, why = self._solve_rows(q, limit)
        return [Recommendation.model_construct(**rec) for rec in cat._records(picked, q.strict, why)]

    def solve_records(self, q: Query) -> list[dict[str, Any]]:
        """:meth:`solve` as JSON-ready dicts, equal to each answer's ``to_dict()``, without building models
        (the REST service's path: an answer is serialised straight from the columns)."""
        cat, picked, why = self._solve_rows(q, q.limit)
        return cat._records(picked, q.strict, why)

    def best(self, device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
             max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
             max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
             objective: str = "top1", strict: bool = False, estimates: str = "exclude",
             include_suspect: bool = False) -> Recommendation:
        """The single best candidate; raises :class:`NoFeasibleModel` with a diagnosis if none fits.

        Its ``why`` ends with the device's coverage (see :meth:`coverage`).

        ``estimates="include"`` adds predicted latencies of unmeasured cells (flagged
        ``latency_estimated``; a limit is met only by the interval's conservative end).
        ``include_suspect=True`` lets rows the suspect screen judged implausible compete (their ``suspect`` says why).
        """
        q = self.query(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                       batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                       precision=precision, objective=objective, strict=strict, estimates=estimates,
                       include_suspect=include_suspect)
        return self._solve(q, 1)[0]

    def recommend(self, device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
                  max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
                  max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
                  objective: str = "top1", strict: bool = False, limit: int = 10,
                  estimates: str = "exclude", include_suspect: bool = False,
                  per_architecture: bool = False) -> list[Recommendation]:
        """Up to ``limit`` candidates, one per checkpoint, best first (``include_suspect``: as :meth:`best`).

        ``per_architecture=True`` keeps one row per architecture (its best checkpoint), so the list shows
        real alternatives rather than one network from several sources.
        """
        q = self.query(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                       batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                       precision=precision, objective=objective, strict=strict, limit=limit, estimates=estimates,
                       include_suspect=include_suspect, per_architecture=per_architecture)
        return self._solve(q, q.limit)

    def solve(self, q: Query) -> list[Recommendation]:
        """Run a validated :class:`Query` (as returned by :meth:`query`)."""
        return self._solve(q, q.limit)

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
                       estimator: Estimator | None = None) -> Catalog:
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
        out["memory_low_mb"] = [np.nan] * nm
        out["memory_high_mb"] = list(src_cols["memory_mb"][lo:hi])
        extra_meas: list[dict[str, Any]] = []

        archs = self._m.architectures
        by_col: dict[tuple[str, int], list[int]] = {}
        for ci, cid in enumerate(strings["checkpoint"]):
            ck = self._m.checkpoints[cid]
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
        view = Catalog(table, estimator)
        view._is_estimate_view = True
        return view

    # -- coverage ----------------------------------------------------------------
    def coverage(self, device: Any) -> DeviceCoverage:
        """What was measured on ``device``: runtimes (with backend), precisions, batch sizes and candidate counts,
        and, in plain words, a usual fast runtime nobody measured there. Estimated rows are not counted."""
        dev = self.resolve_device(device)
        held = self._coverages.get(dev)
        if held is not None:
            return held
        from ._coverage import describe

        lo, hi = self._block(dev)
        c, s = self._cols, self._str
        rows = np.arange(lo, hi)
        if "latency_estimated" in c:
            rows = rows[~c["latency_estimated"][lo:hi]]
        settings_list = self._m.measurement_settings
        backend_of: dict[int, str | None] = {}
        for mi in np.unique(c["measurement"][rows]).tolist():
            settings = settings_list[mi] if settings_list is not None and mi < len(settings_list) else \
                self._m.measurements[mi]["settings"]
            value = settings.get("backend", settings.get("compute_unit"))
            backend_of[mi] = None if value is None else str(value)
        groups: dict[tuple[str, str | None], list[int]] = {}
        runtime_col, meas_col = c["runtime"], c["measurement"]
        for r in rows.tolist():
            groups.setdefault((s["runtime"][runtime_col[r]], backend_of[int(meas_col[r])]), []).append(r)
        runs = []
        for (runtime, backend), members in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            idx = np.asarray(members)
            runs.append(MeasuredRun(
                runtime=runtime, backend=backend,
                precisions=sorted({s["precision"][p] for p in np.unique(c["precision"][idx]).tolist()}),
                batch_sizes=sorted(int(b) for b in np.unique(c["batch_size"][idx])), candidates=len(idx)))
        cov = describe(self.device(dev), runs, candidates=len(rows),
                       checkpoints=len(np.unique(c["checkpoint"][rows])),
                       architectures=len(np.unique(c["architecture"][rows])))
        self._coverages[dev] = cov
        return cov

    # -- memory ------------------------------------------------------------------
    def estimate_memory(self, architecture: str, device: Any, *, runtime: str, precision: str, batch_size: int = 1,
                        input_size: int | None = None) -> MemoryEstimate:
        """The memory estimate of one cell with its interval and method (always computed, never a measured value).

        The value is the one the catalog uses for a cell without measured memory: the (device, runtime,
        precision, batch size) group's fit where usable, else the generic formula. Where a source measured this
        cell's latency on the device, the estimate and its interval are capped at the device's memory.
        """
        from .estimate import BYTES_PER_PARAM, UNSTATED_WIDTH, estimate_cell_memory, fit_memory_groups

        arch = self.architecture(architecture)
        dev = self.device(device)
        runtimes = self._distinct("runtime", None)
        if not isinstance(runtime, str) or runtime.strip().lower() not in runtimes:
            raise UnknownName("runtime", runtime, "unknown runtime", choices=runtimes)
        runtime = runtime.strip().lower()
        widths = sorted({*BYTES_PER_PARAM, *UNSTATED_WIDTH})
        if not isinstance(precision, str) or precision.strip().lower() not in widths:
            raise InvalidQuery("precision", precision, "no byte width known for this precision", choices=widths)
        precision = precision.strip().lower()
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= 1_000_000:
            raise InvalidQuery("batch_size", batch_size, "must be an integer from 1 to 1000000")
        if input_size is not None and (isinstance(input_size, bool) or not isinstance(input_size, int)
                                       or not 1 <= input_size <= 4096):
            raise InvalidQuery("input_size", input_size, "must be an integer from 1 to 4096 (pixels), or None for "
                                                         f"the architecture's own {arch.input_size}")
        size = input_size or arch.input_size
        if self._memory_fits is None:
            self._memory_fits = fit_memory_groups(self._m.measurements, self._m.architectures)
        measured_cell = any(
            m["architecture"] == arch.id and m["device"] == dev.id and m["runtime"] == runtime
            and m["precision"] == precision and m["batch_size"] == batch_size and m["input_size"] == size
            and m["per_image_latency_ms"] is not None for m in self._m.measurements)
        settings = {}
        est = estimate_cell_memory(architecture=arch, device=dev, runtime=runtime, precision=precision,
                                   batch_size=batch_size, input_size=size, settings=settings,
                                   fit=self._memory_fits.get((dev.id, runtime, precision, batch_size)),
                                   measured_cell=measured_cell)
        if est is None:
            missing = [n for n in ("params_m", "activations_m") if getattr(arch, n) is None]
            raise InvalidQuery("architecture", architecture, f"its memory cannot be estimated: the catalog has no "
                               f"{' or '.join(missing)} for {arch.id}, and {dev.id} has no usable memory fit for "
                               f"{runtime} {precision} batch {batch_size}")
        return est

    # -- records ---------------------------------------------------------------
    def _recommendation(self, r: int, rank: int | None = None, strict: bool = False) -> Recommendation:
        # Every field is built here from typed columns, so validation would only repeat the work.
        return Recommendation.model_construct(**self._record(r, rank, strict))

    def _records(self, rows: np.ndarray, strict: bool = False, why: list[str] | None = None) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts, ranked from 1, ``why`` on the first."""
        # Building a record costs ~10 us of Python per row, and answers keep picking the same few rows of a
        # device, so each row's record is kept (bounded) and copied: the copy is the caller's to change. An
        # estimate view keeps none: its memory is what the view cache bounds.
        if self._is_estimate_view:
            return [self._record(int(r), i + 1, strict, why if i == 0 else None) for i, r in enumerate(rows)]
        cache = self._record_cache
        out = []
        for i, r in enumerate(rows):
            key = (int(r), strict)
            base = cache.get(key)
            if base is None:
                if len(cache) >= _RECORD_CACHE_ROWS:
                    cache.clear()
                base = cache[key] = self._record(key[0], None, strict)
            rec = dict(base)
            rec["settings"] = dict(base["settings"])
            rec["sources"] = dict(base["sources"])
            rec["rank"] = i + 1
            rec["why"] = list(why) if why and i == 0 else []
            out.append(rec)
        return out

    def _record(self, r: int, rank: int | None = None, strict: bool = False,
                why: list[str] | None = None) -> dict[str, Any]:
        """Row ``r`` as a JSON-ready dict with the :class:`Recommendation` fields, in their order."""
        c, s = self._cols, self._str
        mi = int(c["measurement"][r])
        settings_list = self._m.measurement_settings
        settings = settings_list[mi] if settings_list is not None and mi < len(settings_list) else \
            self._m.measurements[mi]["settings"]
        mem = float(c["memory_mb"][r])
        top5 = float(c["top5"][r])
        params, gmacs = float(c["params_m"][r]), float(c["gmacs"][r])
        estimated = "latency_estimated" in c and bool(c["latency_estimated"][r])
        mem_lo, mem_hi = (float(c["memory_low_mb"][r]), float(c["memory_high_mb"][r])) if "memory_low_mb" in c else (math.nan,) * 2
        mem_estimated = bool(c["memory_estimated"][r])
        mem_method = s["memory_method"][c["memory_method"][r]]
        suspect = getattr(self._m, "suspects", {}).get(mi) if "suspect" in c and c["suspect"][r] else None
        if strict and mem_estimated:  # strict answers carry no estimated memory at all
            mem = mem_lo = mem_hi = math.nan
            mem_estimated, mem_method = False, f"unknown: strict=True excludes the estimate ({mem_method})"
        return {
            "checkpoint": s["checkpoint"][c["checkpoint"][r]],
            "architecture": s["architecture"][c["architecture"][r]],
            "device": s["device"][c["device"][r]],
            "runtime": s["runtime"][c["runtime"][r]],
            "precision": s["precision"][c["precision"][r]],
            "batch_size": int(c["batch_size"][r]),
            "input_size": int(c["input_size"][r]),
            "top1": float(c["top1"][r]),
            "top5": None if math.isnan(top5) else top5,
            "latency_ms": float(c["latency_ms"][r]),
            "fps": float(c["fps"][r]),
            "memory_mb": None if math.isnan(mem) else mem,
            "memory_estimated": mem_estimated,
            "memory_method": mem_method,
            "latency_estimated": estimated,
            "latency_low_ms": float(c["latency_low_ms"][r]) if estimated else None,
            "latency_high_ms": float(c["latency_high_ms"][r]) if estimated else None,
            "memory_low_mb": None if math.isnan(mem_lo) else mem_lo,
            "memory_high_mb": None if math.isnan(mem_hi) else mem_hi,
            "params_m": None if math.isnan(params) else params,
            "gmacs": None if math.isnan(gmacs) else gmacs,
            "gmacs_computed": bool(c["gmacs_computed"][r]) if "gmacs_computed" in c else False,
            "settings": dict(settings),
            "sources": {
                "accuracy": s["source"][c["accuracy_source"][r]],
                "latency": s["source"][c["latency_source"][r]],
                "memory": s["source"][c["memory_source"][r]],
            },
            "suspect": suspect,
            "rank": rank,
            "why": list(why) if why else [],
        }

    def iter_records(self, device: str | None = None, batch_size: int | None = None) -> Iterator[dict[str, Any]]:
        lo, hi = self._block(device) if device else (0, len(self))
        bs = self._cols["batch_size"]
        for r in range(lo, hi):
            if batch_size is None or bs[r] == batch_size:
                yield self._record(r)

    def to_records(self, device: str | None = None, batch_size: int | None = None) -> list[dict[str, Any]]:
        """Every joined candidate row as a dict with the :class:`Recommendation` fields."""
        return list(self.iter_records(device, batch_size))
