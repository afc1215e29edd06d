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

from typing import Any

import numpy as np

from .catalog import CatalogTable, normalize_name
from ._estimator import EstimatedCell, Estimator, _ViewCache, estimate_views_bytes  # noqa: F401  (EstimatedCell: re-exported for estimators)
from ._explain import Explanations
from ._facts import DeviceFacts
from ._masks import Masks
from ._rank import Ranking
from ._records import Records
from ._resolve import Lookups, make_query  # noqa: F401  (make_query: re-exported)
from ._views import EstimateViews
from .schema import DeviceCoverage, Measurement, Query, Recommendation, Source


class Catalog(Lookups, Masks, Ranking, Explanations, EstimateViews, DeviceFacts, Records):
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
        # Limits and ranking use an estimate's conservative end; a measured row has no interval, so there they are
        # the measured columns themselves. Memory has two, one per Query.memory_bound: "high" (the interval's
        # conservative end; a measured figure as it is; where the run fit in the device and no figure is left,
        # the device's memory) and "point" (the estimate itself, else the same bound).
        cols = self._cols
        high = cols.get("memory_high_mb", cols["memory_mb"])
        self._mem_limits = {"high": high, "point": np.fmin(cols["memory_mb"], high)}
        self._fps_limit = cols.get("fps_low", cols["fps"])
        self._latency_limit = cols.get("latency_high_ms", cols["latency_ms"])
        # estimates="include": per (device, batch size), this catalog's block plus estimated rows (built lazily)
        self._estimate_views = _ViewCache(estimate_views_bytes())
        self._record_cache: dict[tuple[int, bool], dict[str, Any]] = {}  # (row, strict) -> record (see _records)
        self._record_json_cache: dict[tuple[int, bool], tuple[bytes, tuple]] = {}  # the same as JSON (_records_json)
        self._is_estimate_view = False
        self._coverages: dict[str, DeviceCoverage] = {}
        # device -> (its fast runtime, the block's rows measured on it) where answers default to it (see _solve_rows)
        self._fast_rows: dict[str, tuple[Any, np.ndarray] | None] = {}
        self._memory_fits: dict | None = None
        self._measurements_by_run: dict | None = None  # (device, runtime, precision) -> measurements

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

    # -- solving ---------------------------------------------------------------
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
        # A query that names no runtime is answered on the device's fast runtime (data/fast_runtimes.yaml) where
        # that has a feasible candidate: it is what the device is bought for; runtime= picks any other.
        fast = None if q.runtime is not None else self._fast_block(q.device, lo, hi)
        if fast is not None and (ok & fast[1]).any():
            base, ok = base & fast[1], ok & fast[1]
        else:
            fast = None
        rows = np.flatnonzero(ok) + lo
        if len(rows) == 0:
            raise self._infeasible(q, lo, hi, base, masks)
        picked = self._top(rows, q.objective, q.strict, limit, q.per_architecture, q.memory_bound)
        # distinct codes by a bincount (codes are small non-negative ints): np.unique's sort cost a quarter of a solve
        n_feasible = int(np.count_nonzero(np.bincount(self._cols["architecture" if q.per_architecture else "checkpoint"][rows])))
        fast_line = None if fast is None else self._fast_line(q.device, lo, hi, fast)
        why = self._why(q, int(picked[0]), lo, hi, base, masks, n_feasible, fast_line)
        return self, picked, why

    def _fast_line(self, device: str, lo: int, hi: int, fast: tuple[Any, np.ndarray]) -> str:
        """The why's line for an answer from the device's fast runtime (the same for every such answer: memoised)."""
        lines = self.__dict__.setdefault("_fast_lines", {})
        line = lines.get(device)
        if line is None:
            others = sorted({self._str["runtime"][r] for r in self._cols["runtime"][lo:hi][~fast[1]].tolist()})
            line = lines[device] = (f"answered on {fast[0].label}, the fast runtime of {device} (the default where it "
                                    "has a feasible candidate)" + (f"; runtime= picks another measured one: "
                                                                   f"{', '.join(others)}" if others else ""))
        return line

    def _fast_block(self, device: str, lo: int, hi: int) -> tuple[Any, np.ndarray] | None:
        """(fast runtime, mask over the device's block of rows measured on it), or None where answers do not
        default to one (none declared, declared as a note only, or every row is on it anyway)."""
        if device in self._fast_rows:
            return self._fast_rows[device]
        from ._coverage import fast_runtime

        fr = fast_runtime(self.device(device))
        held = None
        if fr is not None and fr.default:
            c, s = self._cols, self._str
            settings_list = self._m.measurement_settings
            mask = np.zeros(hi - lo, dtype=bool)
            for i, (rt, mi) in enumerate(zip(c["runtime"][lo:hi].tolist(), c["measurement"][lo:hi].tolist())):
                st = settings_list[mi] if settings_list is not None and mi < len(settings_list) else \
                    self._m.measurements[mi]["settings"]
                backend = st.get("backend", st.get("compute_unit"))
                mask[i] = fr.counts(s["runtime"][rt], None if backend is None else str(backend))
            if mask.any() and not mask.all():
                held = (fr, mask)
        self._fast_rows[device] = held
        return held

    def _solve(self, q: Query, limit: int) -> list[Recommendation]:
        cat, picked, why = self._solve_rows(q, limit)
        return [Recommendation.model_construct(**rec) for rec in cat._records(picked, q.strict, why)]

    def solve_records(self, q: Query) -> list[dict[str, Any]]:
        """:meth:`solve` as JSON-ready dicts, equal to each answer's ``to_dict()``, without building models
        (the REST service's path: an answer is serialised straight from the columns)."""
        cat, picked, why = self._solve_rows(q, q.limit)
        return cat._records(picked, q.strict, why)

    def solve_json(self, q: Query) -> tuple[list[bytes], list[str | None]]:
        """:meth:`solve_records` as each record's JSON bytes (what ``orjson.dumps`` gives it) and the source ids the
        records name, in order (accuracy, latency, memory of each)."""
        cat, picked, why = self._solve_rows(q, q.limit)
        return cat._records_json(picked, q.strict, why)

    def best(self, device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
             max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
             max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
             objective: str = "top1", strict: bool = False, memory_bound: str = "high",
             estimates: str = "exclude",
             include_suspect: bool = False, task: str = "classification",
             min_score: float | None = None) -> Recommendation:
        """The single best candidate; raises :class:`NoFeasibleModel` with a diagnosis if none fits.

        Its ``why`` ends with the device's coverage (see :meth:`coverage`).

        ``estimates="include"`` adds predicted latencies of unmeasured cells (flagged
        ``latency_estimated``; a limit is met only by the interval's conservative end).
        ``include_suspect=True`` lets rows the suspect screen judged implausible compete (their ``suspect`` says why).
        """
        q = self.query(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                       batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                       precision=precision, objective=objective, strict=strict, memory_bound=memory_bound,
                       estimates=estimates,
                       include_suspect=include_suspect, task=task, min_score=min_score,
                       per_architecture=False)  # one answer: its why counts checkpoints, as it always has
        return self._solve(q, 1)[0]

    def recommend(self, device: Any, *, max_mem_gb: float | None = None, min_fps: float | None = None,
                  max_latency_ms: float | None = None, batch_size: int | None = 1, min_top1: float | None = None,
                  max_params_m: float | None = None, runtime: str | None = None, precision: str | None = None,
                  objective: str = "top1", strict: bool = False, memory_bound: str = "high",
                  limit: int = 10,
                  estimates: str = "exclude", include_suspect: bool = False,
                  per_architecture: bool = True, task: str = "classification",
                  min_score: float | None = None) -> list[Recommendation]:
        """Up to ``limit`` candidates, best first (``include_suspect``: as :meth:`best`).

        One row per architecture (its best checkpoint) by default, so the list shows real alternatives rather than
        one network from several sources; ``per_architecture=False`` lists every checkpoint.
        """
        q = self.query(device, max_mem_gb=max_mem_gb, min_fps=min_fps, max_latency_ms=max_latency_ms,
                       batch_size=batch_size, min_top1=min_top1, max_params_m=max_params_m, runtime=runtime,
                       precision=precision, objective=objective, strict=strict, memory_bound=memory_bound,
                       limit=limit, estimates=estimates,
                       include_suspect=include_suspect, per_architecture=per_architecture, task=task,
                       min_score=min_score)
        return self._solve(q, q.limit)

    def solve(self, q: Query) -> list[Recommendation]:
        """Run a validated :class:`Query` (as returned by :meth:`query`)."""
        return self._solve(q, q.limit)
