"""Which networks a user can run as probes: published weights from a runtime's own model zoo or tool, small."""

from __future__ import annotations

#: Default compute limit of a probe (GMACs at its own input size); ``max_gmacs=`` widens it.
PROBE_MAX_GMACS = 5.0
#: Sources whose networks ship as published pretrained weights in a runtime's own zoo or tool: ncnn's benchmark
#: models, TFLite hosted models, torchvision weights, Keras Applications, PaddleClas, Qualcomm AI Hub Models, Coral,
#: Hailo and TNN model zoos. timm's ~1,600 networks are not a zoo here (3-billion-parameter ones, test_* nets);
#: its classics are in torchvision too.
ZOO_SOURCE_PREFIXES = ("ncnn-", "tflite-", "torchvision-", "keras-", "paddleclas", "paddlelite", "qualcomm-aihub",
                       "coral-", "efficientnet-lite", "tf-slim", "hailo", "tnn", "torch2trt")


def zoo_architectures(catalog) -> set[str]:
    """Architectures that a zoo source ships (a checkpoint or measurement of it), never a timm ``test_*`` net."""
    out = set()
    for ck in catalog._m.checkpoints.values():
        if ck.source.startswith(ZOO_SOURCE_PREFIXES):
            out.add(ck.architecture)
    for m in catalog.measurements:
        if m.source.startswith(ZOO_SOURCE_PREFIXES):
            out.add(m.architecture)
    return {a for a in out if not a.startswith("test_")}


def probe_architectures(catalog, max_gmacs: float = PROBE_MAX_GMACS) -> set[str]:
    """Zoo classifiers of at most ``max_gmacs`` GMACs (at their own input size): what suggest_probes offers."""
    archs = catalog._m.architectures
    return {a for a in zoo_architectures(catalog)
            if a in archs and archs[a].gmacs is not None and archs[a].gmacs <= max_gmacs
            and getattr(archs[a], "task", "classification") == "classification"}
