"""Why an answer won, and why nothing fits: the solver's explanations and its suggested relaxations.

A mixin of :class:`modelpick.solver.Catalog`: the methods read the catalog's columns and masks, so they live
beside it rather than behind an interface, but in their own module so the solving code stays short.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .catalog import unjoined_reason
from .errors import NoFeasibleModel
from .estimate import MB_PER_GB
from .schema import Query
from .tasks import get_task

#: The numeric limits a query can set, in the order a diagnosis considers them.
_CONSTRAINTS = ("max_mem_gb", "min_fps", "max_latency_ms", "min_top1", "min_score", "max_params_m")

#: How a why names the bound a memory limit used (Query.memory_bound).
_BOUND_WORDS = {"high": "estimated memory by its interval's high end",
                "point": "estimated memory by its point estimate, memory_bound='point'"}


def _round_up(value: float, digits: int) -> float:
    scale = 10.0**digits
    return math.ceil(value * scale - 1e-9) / scale


def _round_down(value: float, digits: int) -> float:
    scale = 10.0**digits
    return math.floor(value * scale + 1e-9) / scale


def _fmt_gb(mb: float) -> str:
    return f"{mb / MB_PER_GB:.2f} GB"


class Explanations:
    """The ``why`` of answers and the diagnosis of infeasible queries (mixed into the solver's ``Catalog``)."""

    def _describe_limits(self, q: Query, skip: str | None = None) -> str:
        parts = []
        if q.max_mem_gb is not None and skip != "max_mem_gb":
            parts.append(f"within {q.max_mem_gb:g} GB ({_BOUND_WORDS[q.memory_bound]})")
        if q.min_fps is not None and skip != "min_fps":
            parts.append(f"at >= {q.min_fps:g} FPS")
        if q.max_latency_ms is not None and skip != "max_latency_ms":
            parts.append(f"at <= {q.max_latency_ms:g} ms")
        if q.min_top1 is not None and skip != "min_top1":
            parts.append(f"with top-1 >= {q.min_top1:g}%")
        if q.min_score is not None and skip != "min_score":
            parts.append(f"with {get_task(q.task).label} >= {q.min_score:g}%")
        if q.max_params_m is not None and skip != "max_params_m":
            parts.append(f"with <= {q.max_params_m:g} M params")
        sel = [f"{k}={getattr(q, k)}" for k in ("runtime", "precision") if getattr(q, k)]
        sel.append(f"batch {q.batch_size}" if q.batch_size is not None else "any batch size")
        return " ".join(parts + [f"({', '.join(sel)})"])

    def _relax(self, constraint: str, rows: np.ndarray, q: Query) -> dict[str, Any]:
        """The value a constraint would need so that one of ``rows`` (meeting the others) qualifies."""
        c, s = self._cols, self._str
        mem_c, fps_c, lat_c = self._mem_limits[q.memory_bound], self._fps_limit, self._latency_limit
        top1 = c["score"][rows]  # the task's metric (= top-1 for classification)
        label = get_task(q.task).label

        def pick(primary: np.ndarray) -> int:
            # best value of the constraint; ties go to the most accurate candidate
            return int(rows[np.lexsort((-top1, primary))[0]])

        # Suggested limits are rounded outwards, so following a suggestion always admits its candidate.
        if constraint == "max_mem_gb":
            mem = mem_c[rows].copy()
            if q.strict:
                mem[c["memory_estimated"][rows]] = np.nan
            if np.all(np.isnan(mem)):
                return {}
            r = pick(np.where(np.isnan(mem), np.inf, mem))
            value = _round_up(float(mem_c[r]) / MB_PER_GB, 2)
            text = f"allow {value:.2f} GB for {s['checkpoint'][c['checkpoint'][r]]} at {c['fps'][r]:.1f} FPS"
        elif constraint == "min_fps":
            r = pick(-fps_c[rows])
            value = _round_down(float(fps_c[r]), 2)
            text = f"relax min_fps to {value:g} ({s['checkpoint'][c['checkpoint'][r]]}, {label} {c['score'][r]:.2f}%)"
        elif constraint == "max_latency_ms":
            r = pick(lat_c[rows])
            value = _round_up(float(lat_c[r]), 2)
            text = f"relax max_latency_ms to {value:g} ({s['checkpoint'][c['checkpoint'][r]]})"
        elif constraint in ("min_top1", "min_score"):
            r = int(rows[np.lexsort((-fps_c[rows], -top1))[0]])
            value = _round_down(float(c["score"][r]), 2)
            text = f"lower {constraint} to {value:g} ({s['checkpoint'][c['checkpoint'][r]]} at {c['fps'][r]:.1f} FPS)"
        else:
            params = c["params_m"][rows]
            if np.all(np.isnan(params)):
                return {}
            r = pick(np.where(np.isnan(params), np.inf, params))
            value = _round_up(float(c["params_m"][r]), 3)
            text = f"allow max_params_m {value:g} ({s['checkpoint'][c['checkpoint'][r]]})"
        return {"constraint": constraint, "value": value, "checkpoint": s["checkpoint"][c["checkpoint"][r]],
                "top1": None if math.isnan(c["top1"][r]) else float(c["top1"][r]), "score": float(c["score"][r]),
                "fps": float(c["fps"][r]), "text": text}

    def _infeasible(self, q: Query, lo: int, hi: int, base: np.ndarray, masks: dict[str, np.ndarray]) -> NoFeasibleModel:
        """The diagnosis of an empty answer, with the device's coverage; what the device lacks is said in words."""
        exc = self._infeasible_why(q, lo, hi, base, masks)
        cov = self.coverage(q.device, task=q.task)
        exc.diagnosis["coverage"] = cov.to_dict()
        if not cov.missing:
            return exc
        return NoFeasibleModel(f"{exc}. Note: " + "; ".join(cov.missing), exc.diagnosis)

    def _batch_hint(self, q: Query, have_bs: list[int]) -> str:
        """Where the asked batch size was never measured: the two ways to still get an answer."""
        if q.batch_size is None or q.batch_size in have_bs or not have_bs:
            return ""
        span = f"batch {have_bs[0]}" if len(have_bs) == 1 else f"batch sizes {have_bs[0]}-{have_bs[-1]}"
        kind = "throughput runs at " if min(have_bs) > q.batch_size else ""
        text = (f". Batch {q.batch_size} was never measured on {q.device} (its data are {kind}{span}): ask for the "
                f"best measured batch that fits with batch_size='best' (CLI --batch-size best, REST batch_size=best)")
        if q.estimates == "include":
            return text + f"; estimates='include' has no predicted batch-{q.batch_size} cells there either"
        return text + (f", or for predicted batch-{q.batch_size} latencies, labelled estimated, with "
                       "estimates='include' (CLI --estimates include) where the predictor can make them")

    def _task_settings(self, task: str, lo: int, hi: int) -> tuple[list[int], list[str], list[str]]:
        """Batch sizes, runtimes and precisions of one task's rows in a device block (another task's rows, such as
        a GPU's detector timings, are no answer to a classification query and are not offered as one)."""
        c = self._cols
        rows = np.flatnonzero(c["task"][lo:hi] == self._code["task"].get(task, -1)) + lo
        return (sorted(int(b) for b in np.unique(c["batch_size"][rows])),
                sorted(self._str["runtime"][r] for r in np.unique(c["runtime"][rows]).tolist()),
                sorted(self._str["precision"][p] for p in np.unique(c["precision"][rows]).tolist()))

    def _infeasible_why(self, q: Query, lo: int, hi: int, base: np.ndarray,
                        masks: dict[str, np.ndarray]) -> NoFeasibleModel:
        dev = q.device
        diagnosis: dict[str, Any] = {"device": dev, "query": q.model_dump(mode="json"), "binding": [], "suggestions": [],
                                     "nearest": []}
        if not base.any():
            have_bs, have_runtimes, have_precisions = self._task_settings(q.task, lo, hi)
            why = (f"no joined candidates on {dev} ({unjoined_reason(self._m, dev)})"
                   if hi == lo else f"no candidates on {dev} with {self._describe_limits(q.model_copy(update={k: None for k in _CONSTRAINTS}))}")
            if hi > lo:
                why += ((f"; measured batch sizes there: {', '.join(map(str, have_bs))}; runtimes: "
                         f"{', '.join(have_runtimes)}; precisions: {', '.join(have_precisions)}") if have_bs else
                        f"; {dev} has no {q.task} candidates at all") + self._batch_hint(q, have_bs)
            excluded = self._suspects_excluded(q, lo, hi)
            if excluded:
                why += f"; {excluded}"
            diagnosis["binding"] = ["selection"]
            diagnosis["available"] = {"batch_sizes": have_bs, "runtimes": have_runtimes, "precisions": have_precisions}
            return NoFeasibleModel(why, diagnosis)
        suggestions = []
        for name in masks:
            others = base.copy()
            for other, m in masks.items():
                if other != name:
                    others &= m
            rows = np.flatnonzero(others) + lo
            if len(rows):
                sug = self._relax(name, rows, q)
                if sug:
                    suggestions.append(sug)
                    diagnosis["binding"].append(name)
        diagnosis["suggestions"] = suggestions
        # nearest: the most accurate candidates that meet the most constraints
        met = sum(m.astype(np.int32) for m in masks.values())
        cand = np.flatnonzero(base) + lo
        score = met[cand - lo]
        order = np.lexsort((-self._cols["score"][cand], -score))
        seen: set[int] = set()
        for r in cand[order]:
            ck = int(self._cols["checkpoint"][r])
            if ck in seen:
                continue
            seen.add(ck)
            rec = self._recommendation(int(r))
            failed = [n for n, m in masks.items() if not m[r - lo]]
            diagnosis["nearest"].append({**rec.to_dict(), "fails": failed})
            if len(seen) == 3:
                break
        if not suggestions and "max_mem_gb" in masks and q.strict and not masks["max_mem_gb"].any() and not (
                base & ~np.isnan(self._cols["memory_mb"][lo:hi]) & ~self._cols["memory_estimated"][lo:hi]).any():
            msg = (f"no candidate on {dev} {self._describe_limits(q.model_copy(update={k: None for k in _CONSTRAINTS}))} "
                   f"has measured memory, and strict=True excludes estimated memory: drop strict, or drop max_mem_gb")
            diagnosis["binding"] = ["strict"]
            return NoFeasibleModel(msg, diagnosis)
        if suggestions:
            first = suggestions[0]
            lead = {
                "min_fps": f"the fastest model reaches {first['value']:g} FPS ({first['checkpoint']})",
                "max_latency_ms": f"the fastest model needs {first['value']:g} ms ({first['checkpoint']})",
                "max_mem_gb": f"the smallest model needs {first['value']:.2f} GB ({first['checkpoint']})",
                "min_top1": f"the most accurate model reaches {first['score']:.2f}% top-1 ({first['checkpoint']})",
                "min_score": f"the most accurate model reaches {first['score']:.2f}% {get_task(q.task).label} "
                             f"({first['checkpoint']})",
                "max_params_m": f"the smallest model has {first['value']:g} M params ({first['checkpoint']})",
            }[first["constraint"]]
            msg = (f"no model on {dev} meets all constraints: {self._describe_limits(q, skip=first['constraint'])} "
                   f"{lead}: " + ", or ".join(s["text"] for s in suggestions))
        else:
            msg = (f"no model on {dev} meets all constraints {self._describe_limits(q)}, and relaxing any single one "
                   f"is not enough; nearest: " + "; ".join(
                       f"{n['checkpoint']} (fails {', '.join(n['fails'])})" for n in diagnosis["nearest"]))
        return NoFeasibleModel(msg, diagnosis)

    def _suspects_excluded(self, q: Query, lo: int, hi: int) -> str | None:
        """A sentence naming how many suspect measurements this query left out, or None."""
        suspect = self._cols.get("suspect")
        if q.include_suspect or suspect is None or not suspect[lo:hi].any():
            return None
        unfiltered = q.model_copy(update={"include_suspect": True})
        base, _ = self._masks(unfiltered, lo, hi)
        left_out = base & suspect[lo:hi]
        if not left_out.any():
            return None
        rows = np.unique(self._cols["measurement"][lo:hi][left_out])
        return (f"left out {len(rows)} suspect measurement(s) of this selection that the screen judged implausible "
                f"(include_suspect=True to let them compete; `modelpick show {q.device}` lists them with reasons)")

    def _why(self, q: Query, r: int, lo: int, hi: int, base: np.ndarray, masks: dict[str, np.ndarray],
             n_feasible: int, fast_line: str | None = None) -> list[str]:
        """The ranking lines, then ``fast_line`` (the answer came from the device's fast runtime), then the
        coverage lines that end every why."""
        why = self._why_ranked(q, r, lo, hi, base, masks, n_feasible)
        cov = self.coverage(q.device, task=q.task)
        return why + ([fast_line] if fast_line else []) + [cov.text, *cov.missing]

    def _why_ranked(self, q: Query, r: int, lo: int, hi: int, base: np.ndarray, masks: dict[str, np.ndarray],
                    n_feasible: int) -> list[str]:
        c, s = self._cols, self._str
        label = get_task(q.task).label
        goal = {"top1": f"highest {label}", "fps": "highest FPS", "memory": "lowest memory"}[q.objective]
        unit = "architecture(s)" if q.per_architecture else "checkpoint(s)"
        why = [f"{goal} of {n_feasible} feasible {unit} on {q.device} {self._describe_limits(q)}"]
        excluded = self._suspects_excluded(q, lo, hi)
        if excluded:
            why.append(excluded)
        if q.objective != "top1":
            return why
        # What more accuracy would cost: the next more accurate candidate of the selection.
        top1 = c["score"][r]
        sel = np.flatnonzero(base) + lo
        better = sel[c["score"][sel] > top1]
        if len(better) == 0:
            why.append(f"no candidate on {q.device} in this selection is more accurate")
            return why
        # a gain that prints as +0.00 is no trade-off: name the smallest step that shows, or none
        gain = c["score"][better] - top1
        shows = gain >= 0.006
        edge = np.flatnonzero((gain >= 0.004) & ~shows)  # near the rounding edge: ask the format itself
        shows[edge] = [f"{g:.2f}" != "0.00" for g in gain[edge].tolist()]
        better = better[shows]
        if len(better) == 0:
            return why
        # the smallest accuracy step up, and among those the one failing the fewest constraints
        failing = np.zeros(len(better), dtype=np.int32)
        for m in masks.values():
            failing += ~m[better - lo]
        # then, within that checkpoint, its cheapest cell: fastest, then smallest memory
        mem = np.where(np.isnan(c["memory_mb"][better]), np.inf, c["memory_mb"][better])
        order = np.lexsort((mem, -c["fps"][better], failing, c["score"][better]))
        b = int(better[order[0]])
        costs = []
        for name, m in masks.items():
            if m[b - lo]:
                continue
            if name == "min_fps" or name == "max_latency_ms":
                costs.append(f"{c['fps'][b]:.1f} FPS ({c['latency_ms'][b]:.2f} ms)")
            elif name == "max_mem_gb":  # the memory the limit checked, at the query's bound
                mem, point = float(self._mem_limits[q.memory_bound][b]), float(c["memory_mb"][b])
                if math.isnan(mem):
                    costs.append("unknown memory")
                elif math.isnan(point):  # the run fit in the device, its need is unknown: never the device's memory as its need
                    costs.append(f"memory up to {_fmt_gb(mem)} (the measured run fit in the device; its need is unknown)")
                elif point != mem:
                    costs.append(f"{_fmt_gb(mem)} of memory (the high end of its estimate; point estimate {_fmt_gb(point)})")
                else:
                    costs.append(f"{_fmt_gb(mem)} of memory")
            elif name == "max_params_m":
                costs.append(f"{c['params_m'][b]:g} M params")
        why.append(f"for +{c['score'][b] - top1:.2f} {label} ({s['checkpoint'][c['checkpoint'][b]]}, {c['score'][b]:.2f}%) "
                   f"you would have to accept " + (", ".join(costs) if costs else "a different selection"))
        return why
