"""The backend registry: backend names -> classes, from the built-ins and the ``modelpick.backends`` entry points.

Third-party packages add backends without touching modelpick by declaring an
entry point in the group ``modelpick.backends``::

    [project.entry-points."modelpick.backends"]
    tensorrt = "my_package.trt:TensorRTBackend"

The class must subclass :class:`Backend`. ``modelpick measure --backend tensorrt``
then finds it.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import InvalidQuery
from .backend import Backend, BackendUnavailable

ENTRY_POINT_GROUP = "modelpick.backends"

#: Built-in backends, used when the package metadata is missing (running from a source tree).
BUILTIN_BACKENDS: dict[str, str] = {
    "torch": "modelpick.measure.torch_backend:TorchBackend",
    "onnxruntime": "modelpick.measure.onnx_backend:OnnxRuntimeBackend",
}


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    found: dict[str, Any] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def available_backends() -> dict[str, str]:
    """Registered backend names -> 'module:Class' targets (entry points, plus the built-ins)."""
    out = dict(BUILTIN_BACKENDS)
    for name, ep in _entry_points().items():
        out[name] = ep.value
    return dict(sorted(out.items()))


def _load_target(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    return obj


def get_backend(name: str) -> type[Backend]:
    """The backend class registered as ``name``; clear errors for unknown or uninstalled backends."""
    registry = available_backends()
    if name not in registry:
        raise InvalidQuery("backend", name, "unknown backend", choices=list(registry))
    eps = _entry_points()
    try:
        cls = eps[name].load() if name in eps else _load_target(registry[name])
    except ImportError as exc:
        hint = "pip install 'modelpick[measure]'" if name in BUILTIN_BACKENDS else f"install the package that provides {name!r}"
        raise BackendUnavailable(f"backend {name!r} could not be imported ({exc}); install it with: {hint}") from None
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise BackendUnavailable(f"backend {name!r} ({registry[name]}) is not a modelpick.measure.Backend subclass")
    cls.check_available()
    return cls
