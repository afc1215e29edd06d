"""Memory estimates for cells whose source did not measure memory.

The generic formula (documented in the README, flagged ``memory_estimated``)::

    memory_mb = weights_mb + activations_mb x batch_size + runtime_overhead_mb
    weights_mb     = params_m x 1e6 x bytes_per_param(precision) / 2**20
    activations_mb = activations_m x 1e6 x bytes_per_activation(precision) / 2**20

* ``activations_m`` is the per-image activation count the source reports (timm's
  ``infer_macts``: the sum of all layer outputs). Runtimes free most
  intermediates, so this term over-counts, which errs on the safe side.
* Precisions that do not state a width (``auto``, ``float``, ``unspecified``)
  are sized as fp32, the widest they can be, except Qualcomm AI Hub's ``float``
  on the NPU (``compute_unit: npu``), which runs in fp16 (``FLOAT_NPU_BYTES``).
* ``runtime_overhead_mb`` is 600 MB for CUDA runtimes on a GPU or SoC with a
  GPU: Bianco et al. 2018 (seed 003) state that "even DNNs with a very low level
  model complexity have a minimum GPU memory footprint of about 0.6GB". For
  onnxruntime, tflite and qnn-dlc it is fitted from measured memory
  (``RUNTIME_OVERHEAD_MB``, computed). No measured memory exists for the other
  runtimes (ncnn, MNN, TNN, OpenVINO, ...), so none is added there and the
  method string says it is left out.
* Without ``params_m`` or ``activations_m`` there is no estimate (None): a
  weights-only number would under-promise.

MB here means MiB (2**20 bytes), as nvidia-smi and GPUtil report it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import BYTES_PER_ACTIVATION, BYTES_PER_PARAM  # noqa: F401 (BYTES_PER_PARAM: the precisions with a width)

#: Memory sizes are in MB (MiB); limits are in GB (GiB).
MB_PER_GB = 1024.0

MIB = float(2**20)
CUDA_RUNTIMES = frozenset({"pytorch", "pytorch-compile", "tensorrt"})
CUDA_DEVICE_KINDS = frozenset({"gpu", "soc"})
#: Bianco et al. 2018: minimum GPU memory footprint "about 0.6GB".
CUDA_OVERHEAD_MB = 600.0
#: Precision tokens that do not state a width; sized as fp32 (upper bound).
UNSTATED_WIDTH = frozenset({"auto", "float", "unspecified"})


#: Qualcomm AI Hub's "float" models run in fp16 on the NPU (the Hexagon HTP takes INT4/8/16 and FP16 only) and in
#: fp32 on the CPU (FP32 only) and GPU (FP32 or FP16; sized at the wider): Qualcomm's "AI hardware cores/accelerators"
#: page (docs.qualcomm.com/doc/80-63195-1) and AI Hub Apps' "Floating Point: FP16" for NPU acceleration. AI Hub rows
#: name the unit in settings.compute_unit; the adapter's weight-size check and every estimate use this one rule.
FLOAT_NPU_BYTES = 2.0


def _float_on_npu(precision: str, settings: dict | None) -> bool:
    return precision == "float" and str((settings or {}).get("compute_unit", "")).lower() == "npu"


def bytes_per_param(precision: str, settings: dict | None = None) -> float | None:
    """Bytes per stored parameter; ``settings`` of the run decide AI Hub's "float" (fp16 on the NPU)."""
    if _float_on_npu(precision, settings):
        return FLOAT_NPU_BYTES
    if precision in UNSTATED_WIDTH:
        return 4.0
    return BYTES_PER_PARAM.get(precision)


def bytes_per_activation(precision: str, settings: dict | None = None) -> float | None:
    if _float_on_npu(precision, settings):
        return FLOAT_NPU_BYTES
    if precision in UNSTATED_WIDTH:
        return 4.0
    return BYTES_PER_ACTIVATION.get(precision)


#: Per-runtime overhead fitted from measured memory (computed): the median, over the measured points whose
#: architecture has params_m and activations_m, of measured memory minus weights minus activations x batch
#: (:func:`fit_runtime_overheads`; bench/eval_memory.py prints the fit and tests/test_memory_bound.py checks these
#: against it). Every such point is a Qualcomm AI Hub peak memory at batch 1 on a Snapdragon device
#: (onnxruntime 142 points, tflite 224, qnn-dlc 258). No other runtime has measured memory, so none is added there
#: and the method says it is left out.
RUNTIME_OVERHEAD_MB: dict[str, float] = {"onnxruntime": 79.0, "tflite": 29.0, "qnn-dlc": 30.0}


def runtime_overhead_mb(runtime: str, device_kind: str, settings: dict | None = None) -> float:
    backend = str((settings or {}).get("backend", "")).lower()
    if runtime in CUDA_RUNTIMES and device_kind in CUDA_DEVICE_KINDS and backend in ("", "gpu", "cuda"):
        return CUDA_OVERHEAD_MB
    return RUNTIME_OVERHEAD_MB.get(runtime, 0.0)


def fit_runtime_overheads(measurements, architectures) -> dict[str, tuple[float, int]]:
    """Per runtime (CUDA runtimes excluded: Bianco's 600 MB stands there), (median of measured memory minus
    weights minus activations x batch, points) over the measured memory points with both inputs (computed)."""
    import numpy as np

    out: dict[str, list[float]] = {}
    for m in measurements:
        if m.get("memory_mb") is None or m["runtime"] in CUDA_RUNTIMES:
            continue
        arch = architectures.get(m["architecture"])
        if arch is None:
            continue
        _, acts, _ = arch.at_size(int(m["input_size"]))
        w = weights_mb(arch.params_m, m["precision"], m.get("settings"))
        bpa = bytes_per_activation(m["precision"], m.get("settings"))
        if w is None or acts is None or bpa is None:
            continue
        out.setdefault(m["runtime"], []).append(float(m["memory_mb"]) - w - acts * 1e6 * bpa * int(m["batch_size"]) / MIB)
    return {rt: (float(np.median(v)), len(v)) for rt, v in sorted(out.items())}


def estimate_memory_mb(
    *,
    params_m: float | None,
    activations_m: float | None,
    precision: str,
    batch_size: int,
    runtime: str,
    device_kind: str,
    settings: dict | None = None,
    fit: "MemoryFit | None" = None,
) -> tuple[float | None, str]:
    """Return (memory_mb or None, method description).

    With a usable per-device ``fit`` for this cell's group, the fit is used instead of the generic formula.
    """
    if fit is not None and fit.usable:
        w = weights_mb(params_m, precision, settings)
        if w is not None:
            return fit.predict_mb(w), fit.method()
    bpp = bytes_per_param(precision, settings)
    bpa = bytes_per_activation(precision, settings)
    if params_m is None or activations_m is None or bpp is None or bpa is None:
        missing = [n for n, v in (("params_m", params_m), ("activations_m", activations_m)) if v is None]
        why = f"missing {', '.join(missing)}" if missing else f"no byte width known for precision {precision!r}"
        return None, f"not estimated ({why})"
    overhead = runtime_overhead_mb(runtime, device_kind, settings)
    value = weights_mb(params_m, precision, settings) + activations_m * 1e6 * bpa * batch_size / MIB + overhead
    if overhead == CUDA_OVERHEAD_MB and runtime in CUDA_RUNTIMES:
        tail = f" + {overhead:g} MB CUDA overhead (Bianco 2018)"
    elif overhead:
        tail = (f" + {overhead:g} MB {runtime} runtime overhead (computed: fitted on Qualcomm AI Hub's measured "
                "memory)")
    else:
        tail = f" (no measured overhead for {runtime}: left out, so this under-counts by the runtime's own memory)"
    return value, f"estimate: weights + activations x batch{tail}"


# ---------------------------------------------------------------------------
# Per-device memory fit (Bianco et al. 2018, Fig. 4)
#
# Bianco et al. found total memory at batch 1 linear in the size of the weights
# (slopes 1.10 / 1.15, intercepts 910 / 639 MB on a Titan Xp). Where a device has
# enough measured memory points in one (runtime, precision, batch size) group,
# cells of that group without measured memory are estimated from the group's own
# least-squares line instead of the generic formula.

#: Fewest measured points (distinct architectures) before a group's fit replaces the formula:
#: two points always fit exactly, so a fit needs a few more to say anything.
MIN_FIT_POINTS = 5
#: ... and the line must explain at least half the variance of the measured memory; below that it is not a
#: model of memory vs size (Qualcomm AI Hub's peak memory, for one, barely tracks model size on some targets).
MIN_FIT_R2 = 0.5


def weights_mb(params_m: float | None, precision: str, settings: dict | None = None) -> float | None:
    """Size of the parameters at the stored precision in MB (MiB): the x axis of Bianco's Fig. 4."""
    bpp = bytes_per_param(precision, settings)
    if params_m is None or bpp is None:
        return None
    return params_m * 1e6 * bpp / MIB


def fit_line(x, y) -> tuple[float, float, float]:
    """Ordinary least squares y = slope*x + intercept. Returns (slope, intercept, r2).

    Needs >= 2 distinct x values (ValueError otherwise). R^2 is 1 when y is constant and fitted exactly.
    """
    import numpy as np

    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(xs) != len(ys) or len(np.unique(xs)) < 2:
        raise ValueError("a line fit needs at least 2 points with distinct x values")
    design = np.column_stack([xs, np.ones_like(xs)])
    (slope, intercept), *_ = np.linalg.lstsq(design, ys, rcond=None)
    resid = ys - (slope * xs + intercept)
    ss_tot = float(np.sum((ys - ys.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else 1.0
    return float(slope), float(intercept), r2


@dataclass(frozen=True)
class MemoryFit:
    """A fitted line memory_mb = slope * weights_mb + intercept_mb for one measurement group (computed)."""

    device: str
    runtime: str
    precision: str
    batch_size: int
    slope: float
    intercept_mb: float
    r2: float
    n_points: int
    max_abs_residual_mb: float

    def predict_mb(self, weights: float) -> float:
        return self.slope * weights + self.intercept_mb

    @property
    def usable(self) -> bool:
        """Enough points, a line that grows with the model, and one that explains the data (R² >= MIN_FIT_R2)."""
        return self.n_points >= MIN_FIT_POINTS and self.slope > 0 and self.r2 >= MIN_FIT_R2

    def method(self) -> str:
        return (f"estimate: per-device fit {self.slope:.3g} x weights_mb + {self.intercept_mb:.0f} MB (least squares "
                f"on {self.n_points} measured points, {self.runtime} {self.precision} batch {self.batch_size}, "
                f"R² {self.r2:.2f}, max |residual| {self.max_abs_residual_mb:.0f} MB)")


def memory_fit_points(measurements, architectures) -> dict[tuple[str, str, str, int], dict[str, tuple]]:
    """Measured (weights_mb, memory_mb, source, memory_includes) per group (device, runtime, precision,
    batch_size), one per architecture.

    ``measurements`` are the merged measurement dicts (canonical ids); an architecture measured more than
    once in a group keeps its largest memory (the conservative reading).
    """
    groups: dict[tuple[str, str, str, int], dict[str, tuple[float, float]]] = {}
    for m in measurements:
        if m.get("memory_mb") is None:
            continue
        arch = architectures.get(m["architecture"])
        w = weights_mb(arch.params_m if arch else None, m["precision"], m.get("settings"))
        if w is None:
            continue
        key = (m["device"], m["runtime"], m["precision"], int(m["batch_size"]))
        cell = groups.setdefault(key, {})
        prev = cell.get(m["architecture"])
        if prev is None or prev[1] < m["memory_mb"]:
            cell[m["architecture"]] = (w, float(m["memory_mb"]), m["source"], m.get("memory_includes"))
    return groups


def fit_memory_groups(measurements, architectures) -> dict[tuple[str, str, str, int], MemoryFit]:
    """A :class:`MemoryFit` for every group with >= 2 distinct weight sizes (use ``.usable`` before estimating)."""
    import numpy as np

    fits = {}
    for key, cell in memory_fit_points(measurements, architectures).items():
        xs = np.array([v[0] for v in cell.values()])
        ys = np.array([v[1] for v in cell.values()])
        if len(np.unique(xs)) < 2:
            continue
        slope, intercept, r2 = fit_line(xs, ys)
        resid = ys - (slope * xs + intercept)
        fits[key] = MemoryFit(*key, slope=slope, intercept_mb=intercept, r2=r2, n_points=len(xs),
                              max_abs_residual_mb=float(np.max(np.abs(resid))))
    return fits


# ---------------------------------------------------------------------------
# One cell's memory estimate with its interval (modelpick.estimate_memory)

#: Multiplicative interval around an estimate, per method: [estimate x low, estimate x high]. Set from
#: bench/eval_memory.py, which hides each measured memory point (Qualcomm AI Hub cells, Bianco et al.'s Titan Xp
#: values) in turn and estimates it from the rest: ``high`` is the smallest factor whose conservative end covers at
#: least 90 % of the hidden truths of that method, ``low`` about the 5th percentile of truth / estimate. Rerun the
#: benchmark after changing the formula or the fit rule. The interval a cell gets is :func:`interval_key`'s.
MEMORY_INTERVAL: dict[str, tuple[float, float]] = {
    # classifier cells of a usable group fit: leave-one-out 5th percentile 0.46, 90th 1.42 (698 AI Hub points)
    "fit": (0.5, 1.5),
    # detector cells of a usable group fit (fitted mostly on classifiers): 0.72 and 3.02 (160 AI Hub points)
    "fit-detection": (0.7, 3.1),
    # the formula with a runtime overhead fitted from measured memory (onnxruntime, tflite, qnn-dlc): 0.23 and 1.48
    # (182 AI Hub points)
    "formula": (0.2, 1.5),
    # the formula where the overhead is left out (no measured memory of the runtime: ncnn, MNN, OpenVINO, ...): not
    # measurable there; the AI Hub points with their overhead taken out need x4.24 for 90 % (bench/eval_memory.py,
    # 182 points; x5 covers 92.3 %), so the x5 the formula had before the overhead fit stays
    "formula-no-overhead": (0.4, 5.0),
    # the formula with Bianco's 600 MB CUDA overhead: one measured point with activations (Bianco's Titan Xp, within
    # 2 %), too few to set a factor, so it keeps the overhead-free formula's x0.4-x5, applied to the part beyond the
    # 600 MB overhead (estimate_cell_memory)
    "formula-cuda": (0.4, 5.0),
}


def interval_key(kind: str, *, runtime: str, device_kind: str, task: str = "classification",
                 settings: dict | None = None) -> str:
    """The MEMORY_INTERVAL entry of an estimate: its method (``kind``: "fit" or "formula") and what the method's
    evaluation covered."""
    if kind == "fit":
        return "fit" if task == "classification" else "fit-detection"
    overhead = runtime_overhead_mb(runtime, device_kind, settings)
    if overhead == CUDA_OVERHEAD_MB and runtime in CUDA_RUNTIMES:
        return "formula-cuda"
    return "formula" if overhead else "formula-no-overhead"


def device_word(device) -> str:
    """'card' for a GPU, 'device' otherwise (the sentence a capped memory prints)."""
    return "card" if device.kind == "gpu" else "device"


def fits_in_device_method(device) -> str:
    """The memory method of a measured run whose estimated memory exceeds the device's stated memory: the run
    fit in it, so that is all that is known, never a figure for the model."""
    return (f"fits in the {device.memory_gb:g} GB {device_word(device)} (the measured run did); its need is unknown")


def cap_at_device(value: float, low: float, high: float, method: str, device,
                  measured_cell: bool) -> tuple[float | None, float | None, float, str, bool]:
    """(value, low, high, method, capped) of an estimate, bounded by the device's memory where a source measured
    the cell there (the run fit) and the device table states its memory.

    The high end is cut to the device's memory. Where the point estimate itself exceeds it, the estimate is
    wrong for this run and no figure is left: value and low are None, the high end is the device's memory, and
    the method says "fits in the 24 GB card (the measured run did); its need is unknown".
    """
    if not measured_cell or not device.memory_gb:
        return value, low, high, method, False
    cap = device.memory_gb * MB_PER_GB
    if high <= cap:
        return value, low, high, method, False
    if value > cap:  # no value in the text: one method string per distinct case, not per row
        how = "per-device fit" if method.startswith("estimate: per-device fit") else "formula"
        return (None, None, cap, f"{fits_in_device_method(device)} (the {how}'s estimate exceeds the "
                f"{device_word(device)}, so it is wrong for this run)", True)
    return (value, min(low, cap), cap, method + f"; high end capped at the {device_word(device)}'s "
            f"{device.memory_gb:g} GB (a source measured this run there, so it fit)", True)


@dataclass(frozen=True)
class MemoryEstimate:
    """A computed memory figure for one cell, with its interval and how it was computed.

    ``memory_high_mb`` is the conservative end (covers the truth in at least 90 % of the measured points,
    see ``MEMORY_INTERVAL``); ``capped`` says it was bounded by the device's memory because a source
    measured this cell there (the run fit). Where the point estimate itself exceeds that memory,
    ``memory_mb`` and ``memory_low_mb`` are None: the run fit, the need is unknown.
    """

    architecture: str
    device: str
    runtime: str
    precision: str
    batch_size: int
    input_size: int
    memory_mb: float | None
    memory_low_mb: float | None
    memory_high_mb: float
    method: str
    kind: str  # "fit" or "formula"
    capped: bool = False
    #: the MEMORY_INTERVAL entry the interval comes from (see interval_key)
    interval: str = "fit"

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return {**asdict(self), "estimated": True}


def estimate_cell_memory(*, architecture, device, runtime: str, precision: str, batch_size: int,
                         input_size: int | None = None, settings: dict | None = None, fit: "MemoryFit | None" = None,
                         measured_cell: bool = False) -> MemoryEstimate | None:
    """The memory estimate of one cell (``architecture``/``device`` are schema objects), or None without the inputs.

    The point value is the catalog's: the cell's group fit where usable, else the generic formula (activations at
    ``input_size``: a source's figure for that size, else scaled by pixel count and said so). ``measured_cell``: a
    source measured this cell on the device, so neither the value nor its interval may exceed the device's memory
    where the device table states it (see :func:`cap_at_device`).
    """
    size = input_size or architecture.input_size
    _, acts, computed = architecture.at_size(size)  # a source's figure at that size, else scaled by pixel count
    value, method = estimate_memory_mb(params_m=architecture.params_m, activations_m=acts, precision=precision,
                                       batch_size=batch_size, runtime=runtime, device_kind=device.kind,
                                       settings=settings, fit=fit)
    if value is None:
        return None
    kind = "fit" if method.startswith("estimate: per-device fit") else "formula"
    if "activations_m" in computed and kind == "formula":
        method += f"; activations scaled by pixel count to {size} px (computed)"
    key = interval_key(kind, runtime=runtime, device_kind=device.kind, task=architecture.task, settings=settings)
    low_f, high_f = MEMORY_INTERVAL[key]
    if key == "formula-cuda":
        # the factors are the overhead-free formula's (x4.24 covers 90 % of its AI Hub points); Bianco's 600 MB is a
        # measured constant, so they scale the model's part only: x5 of the whole made ResNet-18 need 3 GB on a T4
        model_mb = value - CUDA_OVERHEAD_MB
        low, high = CUDA_OVERHEAD_MB + model_mb * low_f, CUDA_OVERHEAD_MB + model_mb * high_f
        method += f"; interval {CUDA_OVERHEAD_MB:g} MB + the rest x{low_f:g}-x{high_f:g} ({key}, bench/eval_memory.py)"
    else:
        low, high = value * low_f, value * high_f
        method += f"; interval x{low_f:g}-x{high_f:g} ({key}, bench/eval_memory.py)"
    point, low, high, method, capped = cap_at_device(value, low, high, method, device, measured_cell)
    return MemoryEstimate(architecture.id, device.id, runtime, precision, int(batch_size), int(size), point, low, high,
                          method, kind, capped, key)
