"""The prediction vocabulary: the Prediction result, PredictionError, Target rows, Column keys and the 80 % INTERVAL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import ModelpickError

#: Nominal coverage of every interval this module reports.
INTERVAL = 0.8
_Z = 1.2815515655446004  # standard-normal 90th percentile: the 80 % two-sided z

#: Float precision tokens of the catalog (quantized ones: int8, w8a8, w8a16, ...; "unspecified" is neither).
FLOAT_PRECISIONS = frozenset({"fp32", "tf32", "fp16", "bf16", "amp-fp16", "amp-bf16", "auto", "float"})


class PredictionError(ModelpickError, ValueError):
    """A prediction cannot be made honestly (e.g. extrapolating far outside the measured batch sizes)."""


@dataclass(frozen=True)
class Prediction:
    """A computed latency (and, where possible, memory) for one cell, with its 80 % interval."""

    architecture: str
    input_size: int
    device: str
    runtime: str
    precision: str
    batch_size: int
    latency_ms: float
    latency_low_ms: float
    latency_high_ms: float
    #: "measured", "low-rank transfer", "feature prior", "batch curve", "calibrated transfer", ...
    method: str
    latency_estimated: bool = True
    interval: float = INTERVAL
    settings: dict[str, Any] = field(default_factory=dict)
    memory_mb: float | None = None
    memory_low_mb: float | None = None
    memory_high_mb: float | None = None
    memory_method: str | None = None
    #: Why the latency was raised to the plausibility floor (see plausibility.py); None when it was not.
    capped: str | None = None
    #: Choices made on the caller's behalf, e.g. the only float precision measured with the runtime.
    notes: tuple[str, ...] = ()

    @property
    def low(self) -> float:
        """Lower end of the latency interval (ms), the issue's short name for ``latency_low_ms``."""
        return self.latency_low_ms

    @property
    def high(self) -> float:
        """Upper (conservative) end of the latency interval (ms)."""
        return self.latency_high_ms

    @property
    def fps(self) -> float:
        return 1000.0 / self.latency_ms

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["fps"] = self.fps
        out["settings"] = dict(self.settings)
        out["notes"] = list(self.notes)
        return out


class Target(NamedTuple):
    """A row of the transfer model: where and how something ran."""

    device: str
    runtime: str
    precision: str
    settings: tuple[tuple[str, Any], ...]
    batch_size: int


Column = tuple[str, int]  # (architecture, input_size)
