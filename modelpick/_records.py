"""Record building, a mixin of :class:`modelpick.solver.Catalog`: candidate rows as JSON-ready dicts with the
:class:`~modelpick.schema.Recommendation` fields (cached per row), and as Recommendation objects."""

from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from .schema import Recommendation
from .tasks import get_task

#: Records kept per catalog for :meth:`Catalog._records` (about 2 KB each).
_RECORD_CACHE_ROWS = 4096


class Records:
    """Rows to answers: every field built from typed columns, in Recommendation's order."""

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
            if "also_named" in base:
                rec["also_named"] = list(base["also_named"])
            rec["rank"] = i + 1
            rec["why"] = list(why) if why and i == 0 else []
            out.append(rec)
        return out

    def _records_json(self, rows: np.ndarray, strict: bool = False,
                      why: list[str] | None = None) -> tuple[list[bytes], list[str | None]]:
        """:meth:`_records` as the bytes ``orjson.dumps`` gives each record, and the source ids they name (accuracy,
        latency, memory per record, in order): what the REST service writes, without a dict per answer row.

        A row's record is the same in every answer but for its last two fields (``rank``, ``why``), so its JSON up
        to them is kept per row (bounded as :meth:`_records`' cache) and those two are written after it.
        """
        import orjson

        out: list[bytes] = []
        ids: list[str | None] = []
        cache = None if self._is_estimate_view else self._record_json_cache
        for i, r in enumerate(rows.tolist()):
            key = (r, strict)
            hit = cache.get(key) if cache is not None else None
            if hit is None:
                rec = self._record(key[0], None, strict)
                if list(rec)[-2:] != ["rank", "why"]:  # never: _record ends with them (else the bytes would differ)
                    raise AssertionError("a record's last fields must be rank and why")
                src = tuple(rec["sources"].values())
                del rec["rank"], rec["why"]
                hit = (orjson.dumps(rec)[:-1], src)
                if cache is not None:
                    if len(cache) >= _RECORD_CACHE_ROWS:
                        cache.clear()
                    cache[key] = hit
            out.append(b"".join((hit[0], b',"rank":', str(i + 1).encode(), b',"why":',
                                 orjson.dumps(why) if why and i == 0 else b"[]", b"}")))
            ids.extend(hit[1])
        return out, ids

    def _record(self, r: int, rank: int | None = None, strict: bool = False,
                why: list[str] | None = None) -> dict[str, Any]:
        """Row ``r`` as a JSON-ready dict with the :class:`Recommendation` fields, in their order."""
        c, s = self._cols, self._str
        mi = int(c["measurement"][r])
        settings_list = self._m.measurement_settings
        settings = settings_list[mi] if settings_list is not None and mi < len(settings_list) else \
            self._m.measurements[mi]["settings"]
        mem = float(c["memory_mb"][r])
        top1, top5 = float(c["top1"][r]), float(c["top5"][r])
        task = s["task"][c["task"][r]]
        params, gmacs = float(c["params_m"][r]), float(c["gmacs"][r])
        estimated = "latency_estimated" in c and bool(c["latency_estimated"][r])
        mem_lo, mem_hi = (float(c["memory_low_mb"][r]), float(c["memory_high_mb"][r])) if "memory_low_mb" in c else (math.nan,) * 2
        mem_estimated = bool(c["memory_estimated"][r])
        mem_method = s["memory_method"][c["memory_method"][r]]
        suspect = getattr(self._m, "suspects", {}).get(mi) if "suspect" in c and c["suspect"][r] else None
        if not mem_estimated and not math.isnan(mem):  # a measured figure has no interval (its high column is it)
            mem_lo = mem_hi = math.nan
        if strict and mem_estimated:  # strict answers carry no estimated memory at all
            mem = mem_lo = mem_hi = math.nan
            mem_estimated, mem_method = False, f"unknown: strict=True excludes the estimate ({mem_method})"
        ck = int(c["checkpoint"][r])
        copies = s["also_named"][ck] if "also_named" in s else ""
        return {
            "checkpoint": s["checkpoint"][ck],
            # left out when empty, as Recommendation.to_dict leaves it out
            **({"also_named": copies.split("\t")} if copies else {}),
            "architecture": s["architecture"][c["architecture"][r]],
            "device": s["device"][c["device"][r]],
            "runtime": s["runtime"][c["runtime"][r]],
            "precision": s["precision"][c["precision"][r]],
            "batch_size": int(c["batch_size"][r]),
            "input_size": int(c["input_size"][r]),
            "task": task,
            "metric": get_task(task).metric,
            "score": float(c["score"][r]),
            "top1": None if math.isnan(top1) else top1,
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

    def iter_records(self, device: str | None = None, batch_size: int | None = None,
                     task: str | None = "classification") -> Iterator[dict[str, Any]]:
        lo, hi = self._block(device) if device else (0, len(self))
        bs = self._cols["batch_size"]
        tasks = self._cols["task"]
        code = None if task is None else self._code["task"].get(get_task(task).id, -1)
        for r in range(lo, hi):
            if (batch_size is None or bs[r] == batch_size) and (code is None or tasks[r] == code):
                yield self._record(r)

    def to_records(self, device: str | None = None, batch_size: int | None = None,
                   task: str | None = "classification") -> list[dict[str, Any]]:
        """Every joined candidate row of ``task`` (None: every task) as a dict with the :class:`Recommendation`
        fields."""
        return list(self.iter_records(device, batch_size, task))
