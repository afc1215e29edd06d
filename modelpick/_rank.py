"""Ranking, a mixin of :class:`modelpick.solver.Catalog`: order feasible rows by the objective and pick the best
row of each distinct checkpoint (or architecture)."""

from __future__ import annotations

import numpy as np

#: Up to this many rows, :meth:`Catalog._top` finds distinct checkpoints with a Python set, not np.unique.
_SMALL = 1024


class Ranking:
    """Deterministic ordering and distinct-checkpoint selection over absolute row indices."""

    def _order(self, rows: np.ndarray, objective: str, strict: bool, bound: str = "high") -> np.ndarray:
        """Sort absolute row indices by the objective, ties broken deterministically (memory by ``bound``, the
        query's memory_bound)."""
        c = self._cols
        mem = self._mem_limits[bound][rows]  # a new array (fancy indexing): safe to change
        if strict:
            mem[c["memory_estimated"][rows]] = np.nan
        mem = np.where(np.isnan(mem), np.inf, mem)
        top1, fps, ck = c["score"][rows], self._fps_limit[rows], c["checkpoint"][rows]
        if objective == "top1":
            keys = (rows, ck, mem, -fps, -top1)
        elif objective == "fps":
            keys = (rows, ck, mem, -top1, -fps)
        else:
            keys = (rows, ck, -fps, -top1, mem)
        return rows[np.lexsort(keys)]

    def _primary(self, rows: np.ndarray, objective: str, strict: bool, bound: str = "high") -> np.ndarray:
        """The first sort key of :meth:`_order` (smaller is better)."""
        if objective == "top1":
            return -self._cols["score"][rows]
        if objective == "fps":
            return -self._fps_limit[rows]
        mem = self._mem_limits[bound][rows]  # a new array (fancy indexing): safe to change
        if strict:
            mem[self._cols["memory_estimated"][rows]] = np.nan
        return np.where(np.isnan(mem), np.inf, mem)

    def _top(self, rows: np.ndarray, objective: str, strict: bool, limit: int,
             per_architecture: bool = False, bound: str = "high") -> np.ndarray:
        """The best row of each of the first ``limit`` checkpoints in :meth:`_order`'s order.

        ``per_architecture``: of each architecture, only its best row (so its best checkpoint) counts.

        Sorting every feasible row costs most of a query on a large device block. Only rows whose
        primary key is at least as good as the ``m``-th best can hold the first ``limit`` checkpoints,
        once those rows cover ``limit`` checkpoints: a checkpoint with no row there ranks after all of
        them. So sort just those (ties at the threshold included), and widen ``m`` until they suffice.
        """
        ck = self._cols["architecture" if per_architecture else "checkpoint"]
        primary = self._primary(rows, objective, strict, bound)
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
        ordered = self._order(rows, objective, strict, bound)
        # per_architecture: _order breaks ties by checkpoint, so the best row of an architecture comes first, and
        # ck is the architecture column: the same first-row-of-each pick as for checkpoints
        if len(ordered) <= _SMALL:  # each checkpoint's (architecture's) first row, in order, until ``limit`` of them
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
