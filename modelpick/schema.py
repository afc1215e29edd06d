"""Pydantic types for catalog files and for answers.

A catalog file (``data/benchmarks.yaml`` or a user file) has five lists:
``sources``, ``devices``, ``architectures``, ``checkpoints`` and ``measurements``,
plus an optional ``device_families`` mapping (family name -> default device id).

Units live in field names: ``latency_ms``, ``memory_mb``, ``params_m`` (millions),
``gmacs`` (10^9 multiply-adds per image; FLOPs = 2 x MACs), ``activations_m``
(10^6 activation values per image), ``memory_gb``.
"""

from __future__ import annotations

import functools
import math
import types
import typing
import re
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_serializer, model_validator

from ._excerpt import excerpt
from .tasks import DEFAULT_TASK, get_task, metric_task

SCHEMA_VERSION = 1

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._+-]*$")
_CHECKPOINT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+/:-]*$")
_DEVICE_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: The longest device id (or alias) a query takes (Query.device); every entry point that names a new device
#: (catalog files, import, measure, predict's probes) applies the same limit, so no device exists that no
#: query can ask for.
DEVICE_ID_MAX_CHARS = 200
DEVICE_ID_RULE = (f"ASCII kebab-case: lowercase letters a-z and digits 0-9 in words joined by single '-' "
                  f"(e.g. 'jetson-nano'), at most {DEVICE_ID_MAX_CHARS} characters")


def device_id_problem(value: object) -> str | None:
    """Why ``value`` is not a device id (naming the rule), or None."""
    if not isinstance(value, str):
        return f"must be a string ({DEVICE_ID_RULE}), got {type(value).__name__}"
    if len(value) > DEVICE_ID_MAX_CHARS:
        return f"must be {DEVICE_ID_RULE}; got {len(value):,} characters: {excerpt(value)}"
    if not value.isascii():
        bad = next(c for c in value if not c.isascii())
        return f"must be {DEVICE_ID_RULE}; {bad!r} (U+{ord(bad):04X}) is not ASCII, got {excerpt(value)}"
    if not _DEVICE_ID_RE.match(value):
        return f"must be {DEVICE_ID_RULE}, got {excerpt(value)}"
    return None
_TOKEN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

DeviceKind = Literal["gpu", "cpu", "npu", "tpu", "soc"]

#: Precisions the project knows how to size weights for (bytes per parameter).
#: Other precision tokens are accepted but their memory cannot be estimated.
BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "fp16": 2.0,
    "bf16": 2.0,
    "amp-fp16": 4.0,  # autocast keeps fp32 master weights
    "amp-bf16": 4.0,
    "int8": 1.0,
    "w8a8": 1.0,
    "w8a16": 1.0,
    "w8a8-mixed-int16": 1.0,
    "w8a16-mixed-int16": 1.0,
}

#: Bytes per activation value when estimating activation memory.
BYTES_PER_ACTIVATION: dict[str, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "fp16": 2.0,
    "bf16": 2.0,
    "amp-fp16": 2.0,
    "amp-bf16": 2.0,
    "int8": 1.0,
    "w8a8": 1.0,
    "w8a16": 2.0,
    "w8a8-mixed-int16": 2.0,
    "w8a16-mixed-int16": 2.0,
}


def _check(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.match(value):
        raise ValueError(f"must be {what}, got {excerpt(value)}")
    return value


_ID_WHAT = "lowercase letters, digits and . _ + -"
_TOKEN_WHAT = "a lowercase token such as 'fp16', 'int8' or 'tensorrt'"


class _Strict(BaseModel):
    """Base: unknown keys are errors, so a typo never silently drops data."""

    # defer_build: a cached catalog never validates files, so don't pay for building these validators at import
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode reads `latency_ms: true` as 1.0; in a catalog file that is a mistake, not a number
        if type(value) is bool and info.field_name in _numeric_fields(cls):
            raise ValueError(f"must be a number, got {excerpt(value)}")
        return value


class _OmitAtDefault:
    """Fields added after a type's first release are left out of its dumps while they hold their default, so
    the emitted catalog and every answer that embeds the entity read byte for byte as before they existed."""

    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        # the wrap serializer below hides the fields from the serialization schema (OpenAPI): describe the fields
        plain = {k: v for k, v in core_schema.items() if k != "serialization"}
        return handler(plain)

    @model_serializer(mode="wrap")
    def _omit_defaults(self, handler: Any) -> Any:
        out = handler(self)
        if isinstance(out, dict):
            fields = type(self).model_fields  # type: ignore[attr-defined]
            for name in self._OMIT_AT_DEFAULT:
                f = fields[name]
                default = f.default_factory() if f.default_factory is not None else f.default  # type: ignore[call-arg]
                if name in out and getattr(self, name) == default:
                    del out[name]
        return out


@functools.cache
def _numeric_fields(model: type[BaseModel]) -> frozenset[str]:
    out = set()
    for name, f in model.model_fields.items():
        args = typing.get_args(f.annotation) if typing.get_origin(f.annotation) in (typing.Union, types.UnionType) \
            else (f.annotation,)
        kinds = {a for a in args if a is not type(None)}
        if kinds and kinds <= {int, float}:
            out.add(name)
    return frozenset(out)


#: Physical range of each numeric field (inclusive), and how to say it: a number outside is a typo, a unit
#: mix-up or an attack (5e-324 ms once passed and turned every answer's FPS infinite). Time per image from
#: 100 ns to 1 day; FPS the inverse; memory up to 16 TiB; model sizes from a thousandth of the smallest
#: network to a thousand times the largest. The curated table's extremes (0.0015 .. 144,000 ms per image,
#: 662,620 FPS, 0.03 .. 2,982 GMACs) sit well inside.
RANGES: dict[str, tuple[float, float, str]] = {
    # 100 ns, not 1 us: a tiny network at a large batch on a CPU measures under 1 us per image (0.94 us in
    # tests/test_measure.py's plugin run)
    "latency_ms": (1e-4, 86_400_000.0, "100 ns to 1 day"),
    "batch_latency_ms": (1e-4, 86_400_000.0, "100 ns to 1 day"),
    "fps": (1.0 / 86_400, 1e7, "one image a day to ten million a second"),
    "memory_mb": (1e-3, 16 * 2**20, "1 KB to 16 TB"),
    "memory_gb": (1e-6, 16 * 2**10, "1 KB to 16 TB"),
    "params_m": (1e-6, 1e7, "1 parameter to 10^13"),
    "gmacs": (1e-6, 1e7, "1,000 to 10^16 multiply-adds"),
    "gmacs_conv": (1e-6, 1e7, "1,000 to 10^16 multiply-adds"),
    "activations_m": (1e-6, 1e7, "1 to 10^13 values"),
    "stats_ms": (0.0, 86_400_000.0, "0 to 1 day"),
}


def _finite_positive(value: float | None, name: str, *, allow_zero: bool = False) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {excerpt(value)}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"must be {'>= 0' if allow_zero else '> 0'}, got {value:g}")
    if name in RANGES:
        lo, hi, what = RANGES[name]
        if not lo <= value <= hi:
            raise ValueError(f"{name} must be from {lo:g} to {hi:g} ({what}), got {value:.4g}")
    return value


def _validate_range(v: float | None, info: ValidationInfo) -> float | None:
    return _finite_positive(v, info.field_name)


class Published(_Strict):
    """Where a source's numbers are published: a repo@commit path, or a URL."""

    repo: str | None = None
    commit: str | None = None
    path: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _one_location(self) -> "Published":
        if not (self.url or (self.repo and self.path)):
            raise ValueError("needs either url, or repo and path")
        return self


class Source(_OmitAtDefault, _Strict):
    id: str
    title: str
    published: Published
    #: What the numbers mean.
    runtime: str | None = None
    precision: str | None = None
    batch: str | None = None
    timing: str | None = None
    memory: str | None = None
    accuracy: str | None = None
    caveats: list[str] = Field(default_factory=list)
    #: Quantization toolchain shared by sources that describe the same compiled quantized models (a vendor's
    #: accuracy page and its benchmark page); None = the source's own id. Quantized accuracy pairs with a
    #: quantized latency only when the toolchains match (see :attr:`toolchain_id`).
    toolchain: str | None = None
    #: What a timing covers, in words, e.g. "model only (no pre-/post-processing, no NMS)".
    timing_includes: str | None = None

    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ("toolchain", "timing_includes")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check(_ID_RE, v, _ID_WHAT)

    @field_validator("toolchain")
    @classmethod
    def _toolchain(cls, v: str | None) -> str | None:
        return None if v is None else _check(_ID_RE, v, _ID_WHAT)

    @property
    def toolchain_id(self) -> str:
        """The toolchain this source's quantized numbers belong to (its own id unless it names a shared one)."""
        return self.toolchain or self.id


#: Precision classes a device's peak compute is given for (Device.peak_tops).
PEAK_CLASSES = ("fp32", "tf32", "fp16", "int8")


class Device(_OmitAtDefault, _Strict):
    id: str
    name: str
    kind: DeviceKind
    memory_gb: float | None = None
    family: str | None = None
    #: Groups a user may type for this device besides its family: platform (phone, android, ios), form (laptop,
    #: server, cloud) and vendor (amd, intel, nvidia, ...). ``devices TAG`` lists them; a tag resolves to a
    #: device only where ``device_families`` names a default for it.
    tags: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    source: str | None = None  # where the device facts (e.g. memory) come from
    #: Dense peak compute the vendor publishes, 10^12 operations per second by precision class (fp32, tf32, fp16:
    #: TFLOPS; int8: TOPS); the suspect screen flags a row whose implied throughput exceeds it. ``peak_source``
    #: names the page.
    peak_tops: dict[str, float] = Field(default_factory=dict)
    peak_source: str | None = None

    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ("peak_tops", "peak_source")

    @field_validator("peak_tops")
    @classmethod
    def _peaks(cls, v: dict[str, float]) -> dict[str, float]:
        for key, value in v.items():
            if key not in PEAK_CLASSES:
                raise ValueError(f"unknown precision class {excerpt(key)}; valid: {', '.join(PEAK_CLASSES)}")
            if not (isinstance(value, (int, float)) and 0 < value <= 1e6):
                raise ValueError(f"peak_tops[{key!r}] must be a number of 10^12 ops/s in (0, 1e6], got {excerpt(value)}")
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        problem = device_id_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        for tag in v:
            _check(_DEVICE_ID_RE, tag, "a kebab-case tag (e.g. 'phone', 'android')")
        return v

    @field_validator("memory_gb")
    @classmethod
    def _mem(cls, v: float | None, info: ValidationInfo) -> float | None:
        return _validate_range(v, info)


class ArchitectureSize(_Strict):
    """An architecture's GMACs and activations at an input size other than its default (``Architecture.input_size``).

    ``sources`` names where each number comes from. A number listed in ``computed`` was derived, not published
    (e.g. scaled by pixel count from the default-size figure, whose source ``sources`` then names), and is labelled
    computed wherever it appears (``Recommendation.gmacs_computed``).
    """

    input_size: int = Field(gt=0, le=4096)
    gmacs: float | None = None
    activations_m: float | None = None
    sources: dict[str, str] = Field(default_factory=dict)
    #: field -> how it was computed, e.g. {"gmacs": "scaled from 380 px by pixel count (300/380)^2"}
    computed: dict[str, str] = Field(default_factory=dict)

    @field_validator("gmacs", "activations_m")
    @classmethod
    def _positive(cls, v: float | None, info: ValidationInfo) -> float | None:
        return _validate_range(v, info)

    @model_validator(mode="after")
    def _numbers_sourced(self) -> "ArchitectureSize":
        for name in ("gmacs", "activations_m"):
            if getattr(self, name) is not None and name not in self.sources:
                raise ValueError(f"{name} is given but sources.{name} does not say where it comes from")
        for name in self.computed:
            if name not in ("gmacs", "activations_m") or getattr(self, name) is None:
                raise ValueError(f"computed.{name} labels a number this entry does not give")
        return self


_ARCH_NUMBERS = ("params_m", "gmacs", "activations_m", "gmacs_conv")


class Architecture(_OmitAtDefault, _Strict):
    id: str
    family: str
    #: The task the architecture solves, a :mod:`modelpick.tasks` id; it fixes the metric of its checkpoints.
    task: str = DEFAULT_TASK
    input_size: int = Field(gt=0, le=4096)
    params_m: float | None = None
    gmacs: float | None = None
    activations_m: float | None = None
    #: Multiply-adds of convolution layers only, 10^9 per image (Bianco 2018 counts conv layers only).
    gmacs_conv: float | None = None
    #: Which source each number came from, e.g. {"params_m": "torchvision-weights"}.
    sources: dict[str, str] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    #: GMACs and activations at the other input sizes rows of this architecture use (see :meth:`at_size`).
    sizes: list[ArchitectureSize] = Field(default_factory=list)
    #: field -> how it was computed from a published figure, e.g. {"gmacs": "published GFLOPs / 2"}; such numbers
    #: are labelled computed wherever they appear.
    computed: dict[str, str] = Field(default_factory=dict)

    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ("task", "computed")

    def at_size(self, input_size: int) -> tuple[float | None, float | None, frozenset[str]]:
        """(gmacs, activations_m, the names of those that are computed) at ``input_size``.

        The default size gives the architecture's own figures (computed where :attr:`computed` says so); a listed size gives that entry's; any other size
        scales the default-size figures by pixel count, (input_size / default)^2, and marks them computed.
        """
        if input_size == self.input_size:
            return self.gmacs, self.activations_m, frozenset(self.computed) & {"gmacs", "activations_m"}
        for s in self.sizes:
            if s.input_size == input_size:
                return s.gmacs, s.activations_m, frozenset(s.computed)
        scale = (input_size / self.input_size) ** 2
        gmacs = None if self.gmacs is None else self.gmacs * scale
        acts = None if self.activations_m is None else self.activations_m * scale
        return gmacs, acts, frozenset(n for n, v in (("gmacs", gmacs), ("activations_m", acts)) if v is not None)

    @field_validator("id", "family")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check(_ID_RE, v, _ID_WHAT)

    @field_validator("params_m", "gmacs", "activations_m", "gmacs_conv")
    @classmethod
    def _positive(cls, v: float | None, info: ValidationInfo) -> float | None:
        return _validate_range(v, info)

    @field_validator("task")
    @classmethod
    def _task(cls, v: str) -> str:
        return get_task(v).id

    @model_validator(mode="after")
    def _numbers_sourced(self) -> "Architecture":
        for name in _ARCH_NUMBERS:
            if getattr(self, name) is not None and name not in self.sources:
                raise ValueError(f"{name} is given but sources.{name} does not say where it comes from")
        for name in self.computed:
            if name not in _ARCH_NUMBERS or getattr(self, name) is None:
                raise ValueError(f"computed.{name} labels a number this entry does not give")
        sizes = [s.input_size for s in self.sizes]
        if self.input_size in sizes or len(set(sizes)) != len(sizes):
            raise ValueError(f"sizes must list each input size other than the default ({self.input_size}) once")
        return self


class Checkpoint(_OmitAtDefault, _Strict):
    """Published weights and their accuracy. A classification checkpoint writes ``top1`` (its metric,
    imagenet-top1, is implied); another task's checkpoint writes ``metric`` (its task's metric id, see
    :mod:`modelpick.tasks`) and ``score``, in percent, and no top1."""

    id: str
    architecture: str
    source: str
    top1: float | None = Field(default=None, ge=0, le=100)
    top5: float | None = Field(default=None, ge=0, le=100)
    input_size: int = Field(gt=0, le=4096)
    precision: str = "fp32"
    name: str | None = None  # the source's own name for these weights
    metric: str | None = None
    score: float | None = Field(default=None, ge=0, le=100)
    #: The id of another checkpoint these weights are a copy of, under another name (timm's ``tv2_in1k`` weights
    #: are torchvision's ``IMAGENET1K_V2`` files): answers show that one checkpoint once and name this one too
    #: (``Recommendation.also_named``). Same architecture and input size, or the load refuses it.
    same_weights_as: str | None = None

    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ("metric", "score", "same_weights_as")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check(_CHECKPOINT_ID_RE, v, "letters, digits and . _ + / : -")

    @field_validator("precision")
    @classmethod
    def _token(cls, v: str) -> str:
        return _check(_TOKEN_RE, v, _TOKEN_WHAT)

    @field_validator("metric")
    @classmethod
    def _metric(cls, v: str | None) -> str | None:
        return None if v is None else metric_task(v).metric

    @model_validator(mode="after")
    def _accuracy(self) -> "Checkpoint":
        task = metric_task(self.metric) if self.metric is not None else get_task(DEFAULT_TASK)
        if task.score_field == "top1":
            if self.top1 is None:
                raise ValueError(f"top1 is missing: a {task.id} checkpoint gives its {task.description} as top1 "
                                 "(another task's checkpoint gives metric and score)")
            if self.score is not None:
                raise ValueError(f"score is given, but a {task.id} checkpoint gives its {task.label} as top1")
        else:
            if self.score is None:
                raise ValueError(f"score is missing: metric {task.metric!r} needs its value in percent as score")
            for name in ("top1", "top5"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} is given, but a {task.id} checkpoint ({task.metric}) gives only score")
        if self.top5 is not None and self.top1 is not None and self.top5 < self.top1:
            raise ValueError(f"top5 ({self.top5:g}) is below top1 ({self.top1:g})")
        return self

    @property
    def metric_id(self) -> str:
        """The metric of :attr:`score_pct` (imagenet-top1 where the file writes top1)."""
        return self.metric or get_task(DEFAULT_TASK).metric

    @property
    def score_pct(self) -> float:
        """The checkpoint's accuracy in its metric, percent (= top1 for classification)."""
        return self.top1 if self.metric is None or metric_task(self.metric).score_field == "top1" else self.score  # type: ignore[return-value]


class _Cell(_Strict):
    """What identifies a measured cell: an architecture at an input size on a device, runtime, precision and batch."""

    architecture: str
    input_size: int = Field(gt=0, le=4096)
    device: str
    runtime: str
    precision: str
    batch_size: int = Field(ge=1, le=1_000_000)

    @field_validator("runtime", "precision")
    @classmethod
    def _token(cls, v: str) -> str:
        return _check(_TOKEN_RE, v, _TOKEN_WHAT)

    @field_validator("batch_size", mode="before")
    @classmethod
    def _int_batch(cls, v: Any) -> Any:
        if isinstance(v, bool) or (isinstance(v, float) and not v.is_integer()) or isinstance(v, str):
            raise ValueError(f"must be an integer >= 1, got {excerpt(v)}")
        return v


class Measurement(_Cell):
    """One measured cell: an architecture at an input size on a device and runtime.

    Give ``latency_ms`` (per image) or ``fps`` when the source states frames per
    second; the loader derives the other as 1000 / value. A memory-only row
    (no latency) is allowed: it documents memory for the same cell.
    """

    latency_ms: float | None = None
    batch_latency_ms: float | None = None
    fps: float | None = None
    memory_mb: float | None = None
    #: What memory_mb includes, e.g. "peak process memory" or "GPU used incl. CUDA context".
    memory_includes: str | None = None
    #: Other labelled memory figures of the same run in MB (e.g. CUDA peak allocated and reserved);
    #: memory_mb stays the one figure the solver uses.
    memory_details_mb: dict[str, float] | None = None
    source: str
    #: Run settings that distinguish rows of the same cell: threads, backend, ...
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    #: Extra statistics from the run (std, min, max, median ...), all in ms.
    stats: dict[str, float] = Field(default_factory=dict)
    name: str | None = None  # the source's own model name
    note: str | None = None
    #: Why the build's suspect screen judged this latency implausible (see modelpick.screen); None = not a suspect.
    #: Answers skip suspect rows unless asked (``include_suspect=True``).
    suspect: str | None = None

    @field_validator("latency_ms", "batch_latency_ms", "fps", "memory_mb")
    @classmethod
    def _positive(cls, v: float | None, info: ValidationInfo) -> float | None:
        return _validate_range(v, info)

    @field_validator("stats")
    @classmethod
    def _stats(cls, v: dict[str, float]) -> dict[str, float]:
        for key, x in v.items():
            _finite_positive(x, "stats_ms", allow_zero=True)
        return v

    @field_validator("memory_details_mb")
    @classmethod
    def _memory_details(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        for x in (v or {}).values():
            # a detail may be 0 (measure's host_peak_rss_increase when the model fits in memory already held)
            _finite_positive(x, "memory_details_mb", allow_zero=True)
        return v

    @model_validator(mode="after")
    def _has_numbers(self) -> "Measurement":
        if self.latency_ms is None and self.fps is None and self.batch_latency_ms is None and self.memory_mb is None:
            raise ValueError("needs latency_ms, fps, batch_latency_ms or memory_mb")
        if self.memory_mb is not None and not self.memory_includes:
            raise ValueError("memory_mb is given but memory_includes does not say what it counts")
        self._timings_agree()
        per_image = self.per_image_latency_ms
        lo, hi, what = RANGES["latency_ms"]
        if per_image is not None and not lo <= per_image <= hi:
            raise ValueError(f"the time per image ({per_image:.4g} ms) must be from {lo:g} to {hi:g} ms ({what})")
        return self

    #: Two timings of one row may differ by this factor (sources time end-to-end throughput and kernel
    #: latency differently: up to 1.25x within torch2trt's Jetson table); beyond it one is wrong.
    TIMING_TOLERANCE: ClassVar[float] = 1.5

    def _timings_agree(self) -> None:
        """latency_ms and batch_latency_ms / batch_size are both time per image and must agree. fps may exceed
        1000 / latency (parallel requests or streams overlap images: OpenVINO's benchmark_app reports both),
        but far below it the two numbers cannot describe one run (a per-batch time given as latency_ms, or
        seconds for milliseconds)."""
        tol = self.TIMING_TOLERANCE
        if self.latency_ms is not None and self.batch_latency_ms is not None:
            per_image = self.batch_latency_ms / self.batch_size
            if max(per_image, self.latency_ms) > tol * min(per_image, self.latency_ms):
                raise ValueError(
                    f"timings disagree: latency_ms={self.latency_ms:g} per image but batch_latency_ms="
                    f"{self.batch_latency_ms:g} / batch_size={self.batch_size} is {per_image:.4g} ms per image (more "
                    f"than {tol:g}x apart); give one, or fix the other")
        if self.fps is not None:
            for name, per_image in (("latency_ms", self.latency_ms),
                                    ("batch_latency_ms / batch_size",
                                     None if self.batch_latency_ms is None else self.batch_latency_ms / self.batch_size)):
                if per_image is not None and self.fps * tol < 1000.0 / per_image:
                    raise ValueError(
                        f"timings disagree: fps={self.fps:g} is far below the {1000.0 / per_image:.4g} FPS that "
                        f"{name} = {per_image:.4g} ms per image gives (more than {tol:g}x); give one, or fix the other")

    @property
    def per_image_latency_ms(self) -> float | None:
        """Per-image latency; fps and per-batch times are converted, not estimated."""
        if self.latency_ms is not None:
            return self.latency_ms
        if self.batch_latency_ms is not None:
            return self.batch_latency_ms / self.batch_size
        if self.fps is not None:
            return 1000.0 / self.fps
        return None


class Failure(_Cell):
    """A cell a measurement run tried and could not measure, kept so a rerun does not retry it blindly."""

    source: str
    #: oom: out of memory; error: the model raised; crash: the worker process died;
    #: timeout: the model ran past its time limit; skipped: not run because a smaller batch failed.
    status: Literal["oom", "error", "crash", "timeout", "skipped"]
    reason: str
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)


class CatalogFile(_Strict):
    schema_version: int = SCHEMA_VERSION
    description: str | None = None
    sources: list[Source] = Field(default_factory=list)
    device_families: dict[str, str] = Field(default_factory=dict)
    devices: list[Device] = Field(default_factory=list)
    architectures: list[Architecture] = Field(default_factory=list)
    checkpoints: list[Checkpoint] = Field(default_factory=list)
    measurements: list[Measurement] = Field(default_factory=list)
    #: Cells a measurement run could not measure (see :class:`Failure`); never used as numbers.
    failures: list[Failure] = Field(default_factory=list)

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise ValueError(f"unsupported schema_version {v}; this modelpick reads {SCHEMA_VERSION}")
        return v


# ---------------------------------------------------------------------------
# Answers


class Recommendation(_OmitAtDefault, BaseModel):
    """One joined candidate: a checkpoint's accuracy with a measured latency.

    ``memory_estimated`` is True when ``memory_mb`` was computed (see
    ``memory_method``), not measured. ``latency_estimated`` is True only for
    predicted latencies, which the solver uses only when asked to.
    """

    model_config = ConfigDict(frozen=True)

    checkpoint: str
    #: Other names of the same weights (checkpoints whose ``same_weights_as`` is this one); left out when none.
    also_named: list[str] = Field(default_factory=list)
    architecture: str
    device: str
    runtime: str
    precision: str
    batch_size: int
    input_size: int
    #: The task (a modelpick.tasks id), its metric id and the checkpoint's score in it (percent; = top1 for
    #: classification, COCO mAP50-95 for detection).
    task: str = "classification"
    metric: str = "imagenet-top1"
    score: float
    #: ImageNet top-1 / top-5 (classification only; None for another task).
    top1: float | None
    top5: float | None
    latency_ms: float
    fps: float
    memory_mb: float | None
    memory_estimated: bool
    memory_method: str | None
    latency_estimated: bool = False
    latency_low_ms: float | None = None
    latency_high_ms: float | None = None
    #: The interval of an estimated memory (``memory_estimated``: the fit's or the formula's, see
    #: modelpick.estimate.MEMORY_INTERVAL; a predicted cell's own band); None for measured memory. Where the
    #: estimate exceeded the device a source measured the run on, ``memory_mb`` and ``memory_low_mb`` are None
    #: and ``memory_high_mb`` is the device's memory: the run fit in it, its need is unknown.
    memory_low_mb: float | None = None
    memory_high_mb: float | None = None
    params_m: float | None
    #: GMACs at this candidate's input size (the source's figure for that size where one exists).
    gmacs: float | None
    #: True when ``gmacs`` was computed (scaled by pixel count from another input size), not published.
    gmacs_computed: bool = False
    settings: dict[str, Any] = Field(default_factory=dict)
    #: Source ids: {"accuracy": ..., "latency": ..., "memory": ...}.
    sources: dict[str, str | None]
    #: Why the latency row is a suspect (implausible by the screen); None for rows that passed it. Answers carry
    #: suspects only when asked with ``include_suspect=True``.
    suspect: str | None = None
    rank: int | None = None
    #: Why this answer: what it beat, what binds, and what more accuracy would cost.
    why: list[str] = Field(default_factory=list)

    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ("also_named",)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return self.model_dump(mode="json")


Objective = Literal["top1", "fps", "memory"]
#: Which end of an estimated memory a memory limit uses (Query.memory_bound).
MemoryBound = Literal["high", "point"]


class Query(_OmitAtDefault, BaseModel):
    """A recommendation query: the one definition shared by the API, CLI, REST service and client.

    GB and MB are binary (1 GB = 1024 MB), as GPU tools report them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    device: str = Field(min_length=1, max_length=DEVICE_ID_MAX_CHARS, description="device id, alias or family (e.g. 'jetson')")
    max_mem_gb: float | None = Field(None, gt=0, le=1e6, description="memory limit in GB (1 GB = 1024 MB)")
    min_fps: float | None = Field(None, gt=0, le=1e9, description="minimum frames per second at the batch size")
    max_latency_ms: float | None = Field(None, gt=0, le=1e9, description="maximum per-image latency in ms")
    batch_size: int | None = Field(1, ge=1, le=1_000_000, description="batch size; None = best measured batch (throughput mode)")
    min_top1: float | None = Field(None, ge=0, le=100, description="minimum ImageNet top-1 in percent "
                                   "(classification; another task's limit is min_score)")
    min_score: float | None = Field(None, ge=0, le=100, description="minimum score in the task's metric, in percent "
                                    "(top-1 for classification, COCO mAP50-95 for detection)")
    max_params_m: float | None = Field(None, gt=0, le=1e6, description="maximum parameters in millions")
    runtime: str | None = Field(None, max_length=100, description="runtime, e.g. 'tensorrt', 'ncnn', 'pytorch'")
    precision: str | None = Field(None, max_length=100, description="precision, e.g. 'fp16', 'int8'")
    objective: Objective = Field("top1", description="top1: most accurate (in the task's metric); fps: fastest; "
                                 "memory: smallest")
    strict: bool = Field(False, description="exclude estimated memory values")
    memory_bound: MemoryBound = Field(
        "high", description="which end of an estimated memory max_mem_gb is checked against: 'high' (default), "
        "the interval's conservative end, or 'point', the estimate itself. The default is chosen from evidence "
        "(bench/eval_memory.py: hidden measured memory exceeded the point estimate far more often than the high "
        "end); measured memory is checked as measured either way")
    estimates: Literal["exclude", "include"] = Field(
        "exclude", description="include: predicted latencies of unmeasured cells join the candidates, flagged "
        "latency_estimated, and meet a limit only by their interval's conservative end")
    limit: int = Field(10, ge=1, le=1000, description="number of ranked answers (recommend)")
    include_suspect: bool = Field(
        False, description="include measurements the suspect screen judged implausible (flagged with their reason); "
        "excluded by default")
    per_architecture: bool = Field(
        True, description="one row per architecture (default): keep only each architecture's best checkpoint in "
        "ranked lists; false lists every checkpoint")
    task: str = Field(DEFAULT_TASK, max_length=100, description="task: 'classification' (ImageNet top-1) or "
                      "'detection' (COCO mAP50-95); answers rank by the task's metric")

    # new fields stay out of a query's dumps at their default, so diagnoses and cache keys read as before
    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ("task", "min_score", "memory_bound")


class MeasuredRun(BaseModel):
    """One runtime (and backend, e.g. ncnn on vulkan) measured on a device, with what it covers."""

    model_config = ConfigDict(frozen=True)

    runtime: str
    backend: str | None = Field(None, description="where the runtime ran (settings.backend / compute_unit): cpu, gpu, vulkan, npu, ...")
    precisions: list[str]
    batch_sizes: list[int]
    candidates: int = Field(description="joined candidates (checkpoint x measured cell) of this runtime")


class DeviceCoverage(_OmitAtDefault, BaseModel):
    """What was measured on a device: the ground every answer for it stands on.

    ``missing`` says in plain words when a runtime that is usually the fast one on such a device
    (declared per kind of device in data/fast_runtimes.yaml: TensorRT on Jetson boards, an NPU runtime on phones,
    CUDA on desktop GPUs, ...) was never measured there.
    """

    model_config = ConfigDict(frozen=True)

    device: str
    kind: str
    candidates: int = Field(description="measured candidates (checkpoint x measured cell) on the device")
    checkpoints: int
    architectures: int
    runtimes: list[str]
    precisions: list[str]
    batch_sizes: list[int]
    measured: list[MeasuredRun]
    missing: list[str] = Field(default_factory=list)
    text: str = Field(description="the coverage in one sentence, as the answers' `why` states it")
    task: str = Field(DEFAULT_TASK, description="the task whose candidates are counted")
    accelerator_options: list[str] = Field(
        default_factory=list, description="add-on accelerators sold for this board, each a catalog device of its "
        "own (the Raspberry Pi 5's AI Kit is hailo-8l); present only where there are some")

    _OMIT_AT_DEFAULT: ClassVar[tuple[str, ...]] = ("task",)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
