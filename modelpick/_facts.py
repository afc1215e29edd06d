"""Device facts, a mixin of :class:`modelpick.solver.Catalog`: what was measured on a device (its coverage) and
the memory estimate of one cell."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from .errors import InvalidQuery, UnknownName
from .estimate import MemoryEstimate
from .schema import DeviceCoverage, MeasuredRun
from .tasks import get_task


class DeviceFacts:
    """Coverage of a device and memory estimates, both read from the catalog's tables."""

    # -- coverage ----------------------------------------------------------------
    def coverage(self, device: Any, *, task: str | None = None) -> DeviceCoverage:
        """What was measured on ``device`` for ``task`` (default classification): runtimes (with backend),
        precisions, batch sizes and candidate counts, and, in plain words, a usual fast runtime nobody measured
        there. Estimated rows are not counted."""
        dev = self.resolve_device(device)
        t = get_task(task)
        held = self._coverages.get((dev, t.id))
        if held is not None:
            return held
        from ._coverage import UnpairedRuns, describe

        lo, hi = self._block(dev)
        c, s = self._cols, self._str
        rows = np.arange(lo, hi)
        keep = c["task"][lo:hi] == self._code["task"].get(t.id, -1)
        if "latency_estimated" in c:
            keep &= ~c["latency_estimated"][lo:hi]
        rows = rows[keep]
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
        unpaired = self._unpaired_runs(dev).get(t.id, [])
        cov = describe(self.device(dev), runs, candidates=len(rows),
                       checkpoints=len(np.unique(c["checkpoint"][rows])),
                       architectures=len(np.unique(c["architecture"][rows])), task=t,
                       unpaired=[UnpairedRuns(runtime, backend or None, precision, n)
                                 for runtime, backend, precision, n in unpaired])
        self._coverages[(dev, t.id)] = cov
        return cov

    def _runs_of(self, device_id: str, runtime: str, precision: str) -> list:
        """The measurements of one device, runtime and precision, in table order (indexed on first use, so an
        estimate reads its run instead of scanning every measurement)."""
        if self._measurements_by_run is None:
            index: dict[tuple[str, str, str], list] = {}
            for m in self._m.measurements:
                index.setdefault((m["device"], m["runtime"], m["precision"]), []).append(m)
            self._measurements_by_run = index
        return self._measurements_by_run.get((device_id, runtime, precision), [])

    def _unpaired_runs(self, device_id: str) -> dict[str, list[list[Any]]]:
        """Per task, the device's measured runs that pair with no checkpoint: [runtime, backend, precision, rows]."""
        return ((self._m.known or {}).get("unpaired_runs") or {}).get(device_id, {})

    # -- memory ------------------------------------------------------------------
    def estimate_memory(self, architecture: str, device: Any, *, runtime: str, precision: str, batch_size: int = 1,
                        input_size: int | None = None, compute_unit: str | None = None) -> MemoryEstimate:
        """The memory estimate of one cell with its interval and method (always computed, never a measured value).

        The value is the one the catalog uses for a cell without measured memory: the (device, runtime,
        precision, batch size) group's fit where usable, else the generic formula. Where a source measured this
        cell's latency on the device, the estimate and its interval are capped at the device's memory.

        The run's compute unit decides the width of Qualcomm AI Hub's "float" (fp16 on the NPU, fp32 on the CPU or
        GPU). It is ``compute_unit`` where given (one the device's runs of this runtime and precision used), else
        the unit of this cell's own measured run, else the unit most of those runs used (a tie: the wider width,
        the larger estimate); never the order of the rows. Where the runs used several units, the method says
        which one the estimate took and why.
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
        same_run = self._runs_of(dev.id, runtime, precision)
        measured_cell = any(
            m["architecture"] == arch.id and m["batch_size"] == batch_size and m["input_size"] == size
            and m["per_image_latency_ms"] is not None for m in same_run)
        settings, unit_note = _run_settings(same_run, arch.id, size, batch_size, precision, compute_unit)
        est = estimate_cell_memory(architecture=arch, device=dev, runtime=runtime, precision=precision,
                                   batch_size=batch_size, input_size=size, settings=settings,
                                   fit=self._memory_fits.get((dev.id, runtime, precision, batch_size)),
                                   measured_cell=measured_cell)
        if est is None:
            missing = [n for n in ("params_m", "activations_m") if getattr(arch, n) is None]
            raise InvalidQuery("architecture", architecture, f"its memory cannot be estimated: the catalog has no "
                               f"{' or '.join(missing)} for {arch.id}, and {dev.id} has no usable memory fit for "
                               f"{runtime} {precision} batch {batch_size}")
        if unit_note:
            from dataclasses import replace

            est = replace(est, method=f"{est.method}; {unit_note}")
        return est


def _unit(m) -> str | None:
    value = (m["settings"] or {}).get("compute_unit")
    return None if value is None else str(value).lower()


def _run_settings(same_run: list, arch_id: str, input_size: int, batch_size: int, precision: str,
                  compute_unit: str | None) -> tuple[dict, str | None]:
    """The settings of the run an estimate sizes (those of one measured row of the device, runtime and precision,
    chosen by compute unit, never by row order) and, where the runs used several units, a note for the method."""
    from .estimate import bytes_per_param

    units = sorted({_unit(m) for m in same_run} - {None})
    if compute_unit is not None:
        if not isinstance(compute_unit, str) or compute_unit.strip().lower() not in units:
            raise InvalidQuery("compute_unit", compute_unit,
                               "no measured run of this device, runtime and precision used this compute unit"
                               if units else "no measured run of this device, runtime and precision names a "
                               "compute unit; leave it out", choices=units)
        compute_unit = compute_unit.strip().lower()
    if not same_run:
        return {}, None
    own = [m for m in same_run if m["architecture"] == arch_id]
    exact = [m for m in own if m["input_size"] == input_size and m["batch_size"] == batch_size]

    def width(u):
        return bytes_per_param(precision, {"compute_unit": u}) or 0.0

    def tally(rows) -> Counter:
        return Counter(u for u in map(_unit, rows) if u is not None)

    def pick(rows):  # the unit most rows used; a tie: the wider width (larger estimate), then the name
        counts = tally(rows)
        return min(counts, key=lambda u: (-counts[u], -width(u), u)) if counts else None

    if compute_unit is not None:
        unit, why = compute_unit, "as asked"
    elif pick(exact) is not None:
        unit, why = pick(exact), "this cell's measured run"
    elif pick(own) is not None:
        unit, why = pick(own), f"{arch_id}'s measured run on this device"
    else:
        unit, counts = pick(same_run), tally(same_run)
        why = (f"the unit most of the {len(same_run)} measured runs used ("
               + ", ".join(f"{u} {counts[u]}" for u in units) + ")") if unit is not None else ""
    if unit is None:
        rows = sorted(same_run, key=lambda m: (m["architecture"] != arch_id, m["architecture"], m["input_size"],
                                              m["batch_size"], m["source"]))
        return dict(rows[0]["settings"] or {}), None
    rows = sorted((m for m in same_run if _unit(m) == unit),
                  key=lambda m: (m not in exact, m["architecture"] != arch_id, m["architecture"], m["input_size"],
                                 m["batch_size"], m["source"]))
    note = None
    if len(units) > 1 or compute_unit is not None:
        note = (f"compute unit {unit} ({why}; {precision} weights sized at {width(unit):g} bytes per parameter); "
                f"the runs of this device, runtime and precision used {', '.join(units)}: "
                "give compute_unit= for another")
    return dict(rows[0]["settings"] or {}), note
