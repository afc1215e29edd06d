"""What was measured on a device, and which usual fast runtime it lacks, in plain words.

Every answer states its device's coverage, so a user sees that (say) a Jetson's answer rests on
ncnn alone and that nobody measured TensorRT there. The solver counts the measured runs
(:meth:`modelpick.solver.Catalog.coverage`); this module holds the rules and the wording. It is private
because ``modelpick.coverage`` is the public function, and importing a submodule of that name rebinds it.
"""

from __future__ import annotations

from typing import Iterable

from .schema import Device, DeviceCoverage, MeasuredRun

#: Runtimes that run on a desktop/server GPU through the vendor's stack (CUDA and what builds on it).
GPU_VENDOR_RUNTIMES = frozenset({"pytorch", "pytorch-compile", "tensorrt", "tensorflow", "onnxruntime-cuda",
                                 "onnxruntime-tensorrt"})
#: Backends (settings.backend / compute_unit) that are a phone's NPU or DSP.
NPU_BACKENDS = frozenset({"npu", "nnapi", "edgetpu", "hexagon", "dsp", "coreml", "ane", "qnn"})
#: Runtimes that only run on an NPU.
NPU_RUNTIMES = frozenset({"qnn-dlc", "qnn", "snpe", "coreml", "rknn"})
#: Device families (and id prefixes) that are phones or phone SoCs.
PHONE_FAMILIES = frozenset({"pixel", "galaxy", "xiaomi", "huawei", "iphone", "kirin", "oppo"})
_PHONE_ID_PREFIXES = ("pixel-", "samsung-galaxy-", "xiaomi-", "huawei-", "iphone-", "oppo-", "kirin-",
                      "mediatek-dimensity-")
#: Snapdragon parts that are not phone SoCs (laptop, automotive, dev kits).
_NOT_PHONE_SNAPDRAGON = ("snapdragon-x-", "snapdragon-8cx")


def is_jetson(device: Device) -> bool:
    return device.family == "jetson" or device.id.startswith("jetson")


def is_phone(device: Device) -> bool:
    # The 'phone' tag marks handsets; phone SoCs benchmarked as chips (snapdragon-888, kirin-970) carry no tag.
    if "phone" in device.tags or (device.family or "") in PHONE_FAMILIES or device.id.startswith(_PHONE_ID_PREFIXES):
        return True
    return device.id.startswith("snapdragon-") and not device.id.startswith(_NOT_PHONE_SNAPDRAGON)


def is_desktop_gpu(device: Device) -> bool:
    return device.kind == "gpu" and not is_jetson(device)


def _runs_text(runs: Iterable[MeasuredRun]) -> str:
    names = [f"{r.runtime}" + (f" on {r.backend}" if r.backend else "") for r in runs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def missing_runtimes(device: Device, runs: list[MeasuredRun]) -> list[str]:
    """Plain-words notes for each usual fast runtime of ``device``'s kind that ``runs`` lack."""
    if not runs:
        return [f"nothing measured on {device.id} pairs with a checkpoint, so it has no answers of its own"]
    runtimes = {r.runtime for r in runs}
    backends = {(r.backend or "").lower() for r in runs}
    what = _runs_text(runs)
    notes = []
    if is_jetson(device) and "tensorrt" not in runtimes:
        notes.append(f"TensorRT, the usual fast runtime on Jetson boards, was never measured on {device.id}: these "
                     f"answers come from {what} only, and say nothing about a TensorRT deployment, which usually "
                     "runs faster")
    elif is_phone(device) and not (runtimes & NPU_RUNTIMES or backends & NPU_BACKENDS):
        notes.append(f"no NPU runtime (NNAPI, Qualcomm QNN, Core ML, ...) was measured on {device.id}: these answers "
                     f"come from {what} only, and say nothing about its NPU")
    elif is_desktop_gpu(device) and not runtimes & GPU_VENDOR_RUNTIMES:
        amd = "amd" in device.tags or "radeon" in device.id or device.family == "radeon"
        stack = "ROCm" if amd else "CUDA (PyTorch, TensorRT)"
        notes.append(f"no {stack} runtime was measured on {device.id}: these answers come from {what} only, and "
                     f"say nothing about the card's usual {stack.split(' ')[0]} stack")
    return notes


def describe(device: Device, runs: list[MeasuredRun], *, candidates: int, checkpoints: int,
             architectures: int) -> DeviceCoverage:
    """The coverage of ``device`` from its measured runs (one per runtime and backend)."""
    runtimes = sorted({r.runtime for r in runs})
    precisions = sorted({p for r in runs for p in r.precisions})
    batch_sizes = sorted({b for r in runs for b in r.batch_sizes})
    missing = missing_runtimes(device, runs)
    if runs:
        parts = []
        for r in runs:
            bs = r.batch_sizes
            batch = f"batch {bs[0]}" if len(bs) == 1 else f"batch {bs[0]}-{bs[-1]}"
            parts.append(f"{r.runtime}" + (f" on {r.backend}" if r.backend else "")
                         + f" ({'/'.join(r.precisions)}, {batch}, {r.candidates:,} candidates)")
        text = (f"coverage: {device.id} has {candidates:,} measured candidates ({checkpoints:,} checkpoints of "
                f"{architectures:,} architectures): " + "; ".join(parts))
    else:
        text = f"coverage: {device.id} has no measured candidates"
    return DeviceCoverage(device=device.id, kind=device.kind, candidates=candidates, checkpoints=checkpoints,
                          architectures=architectures, runtimes=runtimes, precisions=precisions,
                          batch_sizes=batch_sizes, measured=runs, missing=missing, text=text)
