"""The weights-only memory lower bound, named in a cell's memory method where no estimate can be made.

A full estimate (``modelpick.estimate``) needs the network's activation count, and no detection source
publishes one (timm's ``infer_macts`` covers classifiers only). The weights alone still bound memory from
below: a runtime holds every parameter at its stored width. So for a task whose registry entry sets
``memory_floor`` the method says how much at least, what that covers and that it is computed. It stays a
method text, never a memory figure: a lower bound cannot show that a model fits under a limit, so the solver
keeps treating the memory as unknown (strict or not).

bench/eval_memory_detection.py checks the bound against every measured detector memory (Qualcomm AI Hub).
"""

from __future__ import annotations

from ..schema import BYTES_PER_PARAM

MIB = float(2**20)


#: Bytes per parameter of a precision that states no width (auto, float, unspecified): the narrowest width any
#: precision stores (int8), so the bound holds whatever the runtime chose.
NARROWEST_BYTES = min(BYTES_PER_PARAM.values())


def floor_bytes(precision: str) -> tuple[float, bool]:
    """(bytes per parameter for the bound, whether the precision stated that width)."""
    bpp = BYTES_PER_PARAM.get(precision)
    return (bpp, True) if bpp is not None else (NARROWEST_BYTES, False)


def weights_floor_mb(params_m: float | None, precision: str) -> float | None:
    """Parameters x bytes per parameter at ``precision`` in MB (MiB); None without params. A precision that
    states no width is sized at the narrowest (the estimate sizes it at fp32, an upper end, not a floor)."""
    if params_m is None:
        return None
    return params_m * 1e6 * floor_bytes(precision)[0] / MIB


def floor_method(params_m: float | None, precision: str, task) -> str | None:
    """The memory method of a cell without an estimate, naming the weights-only lower bound; None where the
    task keeps its plain "not estimated" text or the parameter count is missing (then that text stands)."""
    if not task.memory_floor or params_m is None:
        return None
    bpp, stated = floor_bytes(precision)
    width = f"{bpp:g} B at {precision}" if stated else f"{bpp:g} B: {precision} states no width, sized at the narrowest"
    return (f"not estimated (no activation count for {task.noun}s); at least {weights_floor_mb(params_m, precision):,.0f} "
            f"MB: weights alone ({params_m:g} M params x {width}), a computed lower bound that leaves out activations, "
            "runtime and buffers")


__all__ = ["NARROWEST_BYTES", "floor_bytes", "floor_method", "weights_floor_mb"]
