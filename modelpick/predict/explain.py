"""Which run a prediction is for, and true reasons when a cell cannot be predicted."""

from __future__ import annotations

from typing import Sequence

from ..errors import InvalidQuery
from .transfer import TransferModel
from .types import FLOAT_PRECISIONS, Column


def choose_run(pairs: Sequence[tuple[str, str]], runtime: str | None, precision: str | None,
               where: str) -> tuple[tuple[str, str], tuple[str, ...]]:
    """The (runtime, precision) of ``pairs`` a call means, and a note when it was chosen for the caller.

    Without a precision, a runtime measured with exactly one float precision (quantized runs beside it) means that
    float run, and the note says so.
    """
    rt_want = runtime.strip().lower() if isinstance(runtime, str) else None
    pr_want = precision.strip().lower() if isinstance(precision, str) else None
    choices = [f"{a}/{b}" for a, b in pairs]
    sel = [p for p in pairs if (rt_want is None or p[0] == rt_want) and (pr_want is None or p[1] == pr_want)]
    if not sel:
        if rt_want is not None and not any(p[0] == rt_want for p in pairs):
            raise InvalidQuery("runtime", runtime, f"not measured on {where}",
                               choices=sorted({a for a, _ in pairs}))
        raise InvalidQuery("precision", precision, f"not measured with {rt_want or 'any runtime'} on {where}",
                           choices=choices)
    if len(sel) == 1:
        return sel[0], ()
    runtimes = {a for a, _ in sel}
    floats = [p for p in sel if p[1] in FLOAT_PRECISIONS]
    if pr_want is None and len(runtimes) == 1 and len(floats) == 1:
        (rt, pr), = floats
        others = ", ".join(b for a, b in sel if b != pr)
        return (rt, pr), (f"precision {pr!r}: the only float precision measured with {rt} on {where} "
                          f"(also measured: {others}; pass precision= to choose)",)
    if len(runtimes) > 1:
        raise InvalidQuery("runtime", runtime, f"{where} has several measured runtime/precision pairs; name one "
                           "(runtime=..., precision=...)", choices=choices)
    raise InvalidQuery("precision", precision, f"{where} has several {next(iter(runtimes))} precisions; name one",
                       choices=[f"{a}/{b}" for a, b in sel])


def unpredictable_reason(model: TransferModel, col: Column, arch, runtime: str, where: str) -> str:
    """Why ``col`` cannot be predicted with ``runtime`` on ``where`` (the message of the PredictionError)."""
    name, size = col
    head = f"cannot predict {name} at {size} px on {where}"
    if runtime not in model.runtimes:
        return f"{head}: no catalog device measured latencies with {runtime}, and predictions never cross runtimes"
    measured_with = sorted({rt for (j, rt) in model.support if model.cols[j][0] == name})
    if measured_with:
        hint = _source_name_hint(model, name, runtime)
        return (f"{head}: {name} was measured only with {', '.join(measured_with)} on catalog devices, never with "
                f"{runtime}, and predictions never cross runtimes (such a transfer cannot be validated on this "
                f"data){hint}")
    if arch is None or arch.gmacs is None:
        return f"{head}: no catalog device measured {name}, and it has no GMACs in the catalog"
    return (f"{head}: no catalog device measured {name} ({arch.gmacs:g} GMACs at {arch.input_size} px); predictions "
            f"from architecture features alone (GMACs, parameters, activations) are not offered, because they were "
            f"not accurate enough on this catalog")


def _source_name_hint(model: TransferModel, name: str, runtime: str) -> str:
    """'; note: ncnn-benchncnn calls resnet50_caffe 'resnet50' ...' when the runtime's tool uses the name."""
    from ..importers.probes import RUNTIME_SECTIONS, source_architecture

    mapped = source_architecture(name, runtime)
    if mapped is None or mapped["architecture"] == name:
        return ""
    arch = mapped["architecture"]
    if not any(model.cols[j][0] == arch and rt == runtime for (j, rt) in model.support):
        return ""
    return (f"; note: {RUNTIME_SECTIONS[runtime]} calls {arch} {name!r} (data/aliases.yaml), and {arch} was measured "
            f"with {runtime}")
