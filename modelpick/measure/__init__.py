"""Measure architectures on this machine and write a catalog file that makes it a queryable device.

>>> from modelpick import measure
>>> result = measure.run("resnet18,mobilenet_v3_large", device_id="my-orin",
...                      output="data/devices/my-orin.yaml")            # doctest: +SKIP

The protocol is Bianco et al. 2018's (batch sizes 1-64, random input, warm-up,
then timed runs synchronised on accelerators, per-image ms), each model in its
own process. Backends are plugins (entry-point group ``modelpick.backends``);
see :mod:`modelpick.measure.backend` for the interface. Nothing here imports a
framework until a run starts.
"""

from __future__ import annotations

from .backend import (
    Backend,
    BackendDeviceError,
    BackendOptions,
    BackendUnavailable,
    LoadedModel,
    MemoryReport,
)
from .providers import ModelLoadError, ModelSpec, parse_model_spec
from .registry import ENTRY_POINT_GROUP, available_backends, get_backend
from .planning import (
    DEFAULT_BATCH_SIZES,
    DEFAULT_RUNS,
    DEFAULT_WARMUP,
    MeasureResult,
    PlannedModel,
    parse_batch_sizes,
)
from .results import ARCHITECTURE_TOLERANCE, ArchitectureMismatch
from .runner import MeasureInterrupted, run

__all__ = [
    "run",
    "MeasureResult",
    "PlannedModel",
    "MeasureInterrupted",
    "ArchitectureMismatch",
    "ARCHITECTURE_TOLERANCE",
    "parse_batch_sizes",
    "DEFAULT_BATCH_SIZES",
    "DEFAULT_WARMUP",
    "DEFAULT_RUNS",
    "Backend",
    "BackendOptions",
    "BackendUnavailable",
    "BackendDeviceError",
    "LoadedModel",
    "MemoryReport",
    "available_backends",
    "get_backend",
    "ENTRY_POINT_GROUP",
    "ModelSpec",
    "ModelLoadError",
    "parse_model_spec",
]
