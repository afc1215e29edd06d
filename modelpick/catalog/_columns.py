"""Join checkpoints with measurements into the table's numpy candidate columns (the accuracy-pairing rule lives here)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tasks import tasks
from ._memory_floor import floor_method
from ._names import natural_key
from ._table import CatalogTable

QUANTIZED_PRECISIONS = frozenset({"int8", "uint8", "w8a8", "w8a16", "w8a8-mixed-int16", "w8a16-mixed-int16", "int4"})


def accuracy_applies(ck_precision: str, ck_toolchain: str, run_precision: str, run_toolchain: str | None) -> bool:
    """Whether a checkpoint's accuracy holds for a latency cell run at ``run_precision``.

    Float weights pair with any float run (fp32, fp16, ...). Quantization changes accuracy and every toolchain
    quantizes its own way, so quantized weights pair only with a run of the same quantized model: same toolchain
    (``Source.toolchain_id``: a source's own id unless sources name a shared toolchain), same 8-bit scheme. A
    predicted cell has no source, so it never pairs with quantized weights.
    """
    q_ck, q_run = ck_precision in QUANTIZED_PRECISIONS, run_precision in QUANTIZED_PRECISIONS
    if q_ck != q_run:
        return False
    if not q_ck:
        return True
    same_scheme = ck_precision == run_precision or {ck_precision, run_precision} <= {"int8", "w8a8", "uint8"}
    return ck_toolchain == run_toolchain and same_scheme


def unjoined_reason(merged: CatalogTable, device: str) -> str:
    """Why ``device`` has no joined candidate, in words (the reason, not a list of rows).

    Either nothing was timed there, or no timed row is at a checkpoint's (architecture, input size), or such rows
    exist but every pairing fails the accuracy rule (quantized runs whose source publishes no accuracy for its
    quantized weights).
    """
    # .get: an estimate view's extra rows are estimates (settings and method only), never measurements
    timed = [m for m in merged.measurements if m.get("device") == device and m.get("per_image_latency_ms") is not None]
    if not timed:
        return "no latency was measured there"
    cells = {(c.architecture, c.input_size) for c in merged.checkpoints.values()}
    at_cells = [m for m in timed if (m["architecture"], m["input_size"]) in cells]
    if not at_cells:
        return "no measurement there matches a checkpoint's architecture and input size"
    precisions = sorted({m["precision"] for m in at_cells})
    return (f"precision pairing: its {len(at_cells)} latency rows at a checkpoint's architecture and input size are "
            f"{'/'.join(precisions)} runs, and a quantized run pairs only with accuracy its own source publishes for "
            "the same quantized weights (none does here)")


#: The candidate columns, in the order a candidate's tuple holds them.
COLUMN_NAMES = (
    "checkpoint", "architecture", "task", "device", "runtime", "precision", "batch_size", "input_size", "top1", "top5", "score",
    "latency_ms", "fps", "memory_mb", "memory_estimated", "memory_method", "memory_low_mb", "memory_high_mb",
    "params_m", "gmacs", "gmacs_computed", "measurement", "memory_measurement", "accuracy_source", "latency_source",
    "memory_source", "suspect",
)


def build_columns(merged: CatalogTable) -> None:
    """Join checkpoints with measurements on (architecture, input_size) into numpy columns."""
    from ..estimate import estimate_cell_memory, estimate_memory_mb, fit_memory_groups

    ckpt_ids = sorted(merged.checkpoints, key=natural_key)
    ckpt_index = {cid: i for i, cid in enumerate(ckpt_ids)}
    # A copy of another checkpoint's weights under another name (same_weights_as) joins nothing: answers show the
    # primary once and name the copy (also_named), instead of listing the same file twice.
    also_named: dict[str, list[str]] = {}
    for cid in ckpt_ids:
        target = merged.checkpoints[cid].same_weights_as
        if target is not None:
            also_named.setdefault(target, []).append(cid)
    by_cell: dict[tuple[str, int], list[int]] = {}
    for cid in ckpt_ids:
        c = merged.checkpoints[cid]
        if c.same_weights_as is not None:
            continue
        by_cell.setdefault((c.architecture, c.input_size), []).append(ckpt_index[cid])

    # Groups with enough measured memory estimate the rest from their own fit (Bianco Fig. 4).
    memory_fits = fit_memory_groups(merged.measurements, merged.architectures)
    # Memory-only rows lend their memory to latency rows of the same cell.
    memory_only: dict[tuple, int] = {}
    for j, m in enumerate(merged.measurements):
        if m["per_image_latency_ms"] is None and m["memory_mb"] is not None:
            key = (m["architecture"], m["input_size"], m["device"], m["runtime"], m["precision"], m["batch_size"])
            prev = memory_only.get(key)
            if prev is None or merged.measurements[prev]["memory_mb"] < m["memory_mb"]:
                memory_only[key] = j

    toolchain = {sid: s.toolchain_id for sid, s in merged.sources.items()}
    score_field = {t.id: t.score_field for t in tasks()}
    task_of = {t.id: t for t in tasks()}
    strings: dict[str, list[str]] = {"checkpoint": ckpt_ids}
    if also_named:  # per checkpoint index, its copies' ids joined by tabs ("" for none)
        strings["also_named"] = ["\t".join(also_named.get(cid, ())) for cid in ckpt_ids]
    interned: dict[str, dict[str, int]] = {}

    def intern(kind: str, value: str | None) -> int:
        table = interned.setdefault(kind, {})
        if value not in table:
            table[value] = len(table)
            strings.setdefault(kind, []).append(value)
        return table[value]

    out: list[tuple] = []  # one tuple per candidate, in COLUMN_NAMES' order
    ckpt_objs = [merged.checkpoints[cid] for cid in ckpt_ids]
    # Measured latency rows that join no checkpoint (no accuracy at their cell, or only one they may not pair with,
    # e.g. an int8 run whose toolchain publishes no int8 accuracy): device -> task -> (runtime, backend, precision)
    # -> rows, so coverage can say that a runtime was measured but cannot answer instead of "never measured".
    unpaired: dict[str, dict[str, dict[tuple[str, str, str], int]]] = {}

    def note_unpaired(m: dict[str, Any], task: str) -> None:
        settings = m["settings"] or {}
        backend = settings.get("backend", settings.get("compute_unit"))
        key = (m["runtime"], "" if backend is None else str(backend), m["precision"])
        per_task = unpaired.setdefault(m["device"], {}).setdefault(task, {})
        per_task[key] = per_task.get(key, 0) + 1

    for j, m in enumerate(merged.measurements):
        latency = m["per_image_latency_ms"]
        if latency is None:
            continue
        arch = merged.architectures[m["architecture"]]
        dev = merged.devices[m["device"]]
        ck_list = by_cell.get((m["architecture"], m["input_size"]), [])
        if not ck_list:
            note_unpaired(m, arch.task)
            continue
        # GMACs and activations at this row's own input size (computed ones are labelled)
        gmacs, activations_m, computed = arch.at_size(m["input_size"])
        mem, mem_est, mem_method, mem_row, mem_source = m["memory_mb"], False, None, j, m["source"]
        # memory_high_mb is what a limit checks at memory_bound="high": a measured figure itself, an estimate's
        # conservative end; memory_low_mb only an estimate's (answers show the interval of estimates only).
        mem_lo = mem_hi = math.nan
        if mem is not None:
            mem_method = f"measured: {m['memory_includes']}"
        else:
            key = (m["architecture"], m["input_size"], m["device"], m["runtime"], m["precision"], m["batch_size"])
            if key in memory_only:
                mem_row = memory_only[key]
                donor = merged.measurements[mem_row]
                mem, mem_method, mem_source = donor["memory_mb"], f"measured: {donor['memory_includes']}", donor["source"]
            else:
                fit = memory_fits.get((m["device"], m["runtime"], m["precision"], m["batch_size"]))
                # The run was measured, so it fit in the device: where a source states the device's memory, that
                # bounds the estimate (the activation term over-counts badly at large batches).
                est = estimate_cell_memory(architecture=arch, device=dev, runtime=m["runtime"],
                                           precision=m["precision"], batch_size=m["batch_size"],
                                           input_size=m["input_size"], settings=m["settings"], fit=fit,
                                           measured_cell=True)
                mem_row, mem_source = -1, None
                if est is None:  # no estimate: tasks that ask for it name the weights-only lower bound instead
                    mem = None
                    _, mem_method = estimate_memory_mb(params_m=arch.params_m, activations_m=activations_m,
                                                       precision=m["precision"], batch_size=m["batch_size"],
                                                       runtime=m["runtime"], device_kind=dev.kind, fit=fit)
                    mem_method = floor_method(arch.params_m, m["precision"], task_of[arch.task]) or mem_method
                else:
                    mem, mem_hi, mem_method = est.memory_mb, est.memory_high_mb, est.method
                    mem_lo = math.nan if est.memory_low_mb is None else est.memory_low_mb
                    mem_est = mem is not None
                    if mem is None:  # the run fit in the device and nothing more is known: the device table says so
                        mem_source = dev.source
        if mem is not None and not mem_est:
            mem_hi = mem
        joined = False
        row = None  # this row's part of a candidate, once a checkpoint joins (then its strings are interned)
        for ci in ck_list:
            c = ckpt_objs[ci]
            if not accuracy_applies(c.precision, toolchain[c.source], m["precision"], toolchain[m["source"]]):
                continue
            joined = True
            # interned in the order the columns name them (each kind has its own codes, so only the order within
            # a kind matters: a candidate's accuracy source, then its latency source, then its memory source)
            acc_source = intern("source", c.source)
            if row is None:
                row = (intern("architecture", m["architecture"]), intern("task", arch.task),
                       intern("device", m["device"]), intern("runtime", m["runtime"]),
                       intern("precision", m["precision"]), m["batch_size"], m["input_size"])
                row_mem = (latency, 1000.0 / latency, np.nan if mem is None else mem, mem_est,
                           intern("memory_method", mem_method), mem_lo, mem_hi,
                           np.nan if arch.params_m is None else arch.params_m, np.nan if gmacs is None else gmacs,
                           "gmacs" in computed, j, mem_row)
                row_sources = (intern("source", m["source"]), intern("source", mem_source), m.get("suspect") is not None)
            out.append((ci, *row, np.nan if c.top1 is None else c.top1, np.nan if c.top5 is None else c.top5,
                        getattr(c, score_field[arch.task]), *row_mem, acc_source, *row_sources))
        if not joined:
            note_unpaired(m, arch.task)

    cols = dict(zip(COLUMN_NAMES, zip(*out))) if out else {k: () for k in COLUMN_NAMES}
    dtypes = {"batch_size": np.int32, "input_size": np.int32, "memory_estimated": bool, "suspect": bool,
              "gmacs_computed": bool, "top1": np.float64, "score": np.float64,
              "top5": np.float64, "latency_ms": np.float64, "fps": np.float64, "memory_mb": np.float64,
              "memory_low_mb": np.float64, "memory_high_mb": np.float64,
              "params_m": np.float64, "gmacs": np.float64}
    arrays = {k: np.asarray(v, dtype=dtypes.get(k, np.int32)) for k, v in cols.items()}
    # Group rows by device so a query slices one contiguous block.
    order = np.argsort(arrays["device"], kind="stable")
    arrays = {k: v[order] for k, v in arrays.items()}
    for kind in ("architecture", "task", "device", "runtime", "precision", "memory_method", "source"):
        strings.setdefault(kind, [])
    merged.columns = arrays
    merged.strings = strings
    merged.measurement_settings = [m["settings"] for m in merged.measurements]
    merged.suspects = {j: m["suspect"] for j, m in enumerate(merged.measurements) if m.get("suspect") is not None}
    arch_names = {a.lower(): a for a in merged.architectures}
    for a in merged.architectures.values():
        for alias in a.aliases:
            arch_names.setdefault(alias.lower(), a.id)
    merged.known = {
        "runtime": sorted({m["runtime"] for m in merged.measurements}),
        "precision": sorted({m["precision"] for m in merged.measurements}),
        "architecture_names": arch_names,
        # JSON-ready (the cache core stores it): device -> task -> [[runtime, backend or "", precision, rows], ...]
        "unpaired_runs": {dev: {task: [[*key, n] for key, n in sorted(runs.items())] for task, runs in tasks_.items()}
                          for dev, tasks_ in unpaired.items()},
    }
