"""Memory estimates for cells whose source did not measure memory.

The generic formula (documented in the README, flagged ``memory_estimated``)::

    memory_mb = weights_mb + activations_mb x batch_size + runtime_overhead_mb
    weights_mb     = params_m x 1e6 x bytes_per_param(precision) / 2**20
    activations_mb = activations_m x 1e6 x bytes_per_activation(precision) / 2**20

* ``activations_m`` is the per-image activation count the source reports (timm's
  ``infer_macts``: the sum of all layer outputs). Runtimes free most
  intermediates, so this term over-counts, which errs on the safe side.
* Precisions that do not state a width (``auto``, ``float``, ``unspecified``)
  are sized as fp32, the widest they can be.
* ``runtime_overhead_mb`` is 600 MB for CUDA runtimes on a GPU or SoC with a
  GPU: Bianco et al. 2018 (seed 003) state that "even DNNs with a very low level
  model complexity have a minimum GPU memory footprint of about 0.6GB". No
  published overhead exists for the other runtimes, so none is added there and
  the method string says so.
* Without ``params_m`` or ``activations_m`` there is no estimate (None): a
  weights-only number would under-promise.

MB here means MiB (2**20 bytes), as nvidia-smi and GPUtil report it.
"""

from __future__ import annotations

from .schema import BYTES_PER_ACTIVATION, BYTES_PER_PARAM

MIB = float(2**20)
CUDA_RUNTIMES = frozenset({"pytorch", "pytorch-compile", "tensorrt"})
CUDA_DEVICE_KINDS = frozenset({"gpu", "soc"})
#: Bianco et al. 2018: minimum GPU memory footprint "about 0.6GB".
CUDA_OVERHEAD_MB = 600.0
#: Precision tokens that do not state a width; sized as fp32 (upper bound).
UNSTATED_WIDTH = frozenset({"auto", "float", "unspecified"})


def bytes_per_param(precision: str) -> float | None:
    if precision in UNSTATED_WIDTH:
        return 4.0
    return BYTES_PER_PARAM.get(precision)


def bytes_per_activation(precision: str) -> float | None:
    if precision in UNSTATED_WIDTH:
        return 4.0
    return BYTES_PER_ACTIVATION.get(precision)


def runtime_overhead_mb(runtime: str, device_kind: str, settings: dict | None = None) -> float:
    backend = str((settings or {}).get("backend", "")).lower()
    if runtime in CUDA_RUNTIMES and device_kind in CUDA_DEVICE_KINDS and backend in ("", "gpu", "cuda"):
        return CUDA_OVERHEAD_MB
    return 0.0


def estimate_memory_mb(
    *,
    params_m: float | None,
    activations_m: float | None,
    precision: str,
    batch_size: int,
    runtime: str,
    device_kind: str,
    settings: dict | None = None,
) -> tuple[float | None, str]:
    """Return (memory_mb or None, method description)."""
    bpp = bytes_per_param(precision)
    bpa = bytes_per_activation(precision)
    if params_m is None or activations_m is None or bpp is None or bpa is None:
        missing = [n for n, v in (("params_m", params_m), ("activations_m", activations_m)) if v is None]
        why = f"missing {', '.join(missing)}" if missing else f"no byte width known for precision {precision!r}"
        return None, f"not estimated ({why})"
    overhead = runtime_overhead_mb(runtime, device_kind, settings)
    value = params_m * 1e6 * bpp / MIB + activations_m * 1e6 * bpa * batch_size / MIB + overhead
    tail = f" + {overhead:g} MB CUDA overhead (Bianco 2018)" if overhead else " (no runtime overhead known; excluded)"
    return value, f"estimate: weights + activations x batch{tail}"
