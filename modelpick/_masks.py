"""Masking, a mixin of :class:`modelpick.solver.Catalog`: a query's filters and limits as boolean masks over one
device block of the candidate columns."""

from __future__ import annotations

import numpy as np

from .estimate import MB_PER_GB
from .schema import Query


#: Most bytes of base filters and known-memory masks a catalog keeps (see :meth:`Masks._masks`): a bounded store,
#: like every per-worker one (one bool per row of a device block, two masks per (block, filter) pair).
_MEMO_BYTES = 4 * 2**20


class Masks:
    """The base filter (runtime, precision, batch, suspects) and one mask per numeric limit of a query."""

    def _masks(self, q: Query, lo: int, hi: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        c = self._cols
        sl = slice(lo, hi)
        # The base filter and the known-memory mask depend on the block and a few choices only, not on the limits:
        # memoised per catalog, read-only (a caller that needs to change one copies it).
        key = (lo, hi, q.task, q.runtime, q.precision, q.batch_size, q.include_suspect, q.memory_bound, q.strict)
        memo = self.__dict__.get("_mask_memo")
        if memo is None:
            memo = self.__dict__["_mask_memo"] = {}
            self.__dict__["_mask_memo_bytes"] = 0
        hit = memo.get(key)
        if hit is None:
            hit = self._base_masks(q, lo, hi)
            held = self.__dict__["_mask_memo_bytes"]  # kept beside the memo: a miss costs no scan of it
            if held + 2 * (hi - lo) > _MEMO_BYTES:
                memo.clear()
                held = 0
            memo[key] = hit
            self.__dict__["_mask_memo_bytes"] = held + 2 * (hi - lo)
        base, mem_known = hit
        mem = self._mem_limits[q.memory_bound][sl]
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
            if q.min_score is not None:
                masks["min_score"] = c["score"][sl] >= q.min_score
            if q.max_params_m is not None:
                masks["max_params_m"] = c["params_m"][sl] <= q.max_params_m
        return base, masks

    def _base_masks(self, q: Query, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """(base filter, memory known at the query's bound) over the block, both read-only."""
        c = self._cols
        sl = slice(lo, hi)
        base = np.ones(hi - lo, dtype=bool)
        base &= c["task"][sl] == self._code["task"].get(q.task, -1)  # one task's candidates (q.task is an id)
        if q.runtime is not None:
            base &= c["runtime"][sl] == self._code["runtime"][q.runtime]
        if q.precision is not None:
            base &= c["precision"][sl] == self._code["precision"][q.precision]
        if q.batch_size is not None:
            base &= c["batch_size"][sl] == q.batch_size
        suspect = c.get("suspect")
        if suspect is not None and not q.include_suspect:
            base &= ~suspect[sl]
        mem = self._mem_limits[q.memory_bound][sl]
        mem_known = ~np.isnan(mem)
        if q.strict:
            mem_known &= ~c["memory_estimated"][sl]
        base.flags.writeable = False
        mem_known.flags.writeable = False
        return base, mem_known
