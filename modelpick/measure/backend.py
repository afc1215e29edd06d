"""The backend interface: what a measurement backend implements, and host memory helpers.

A backend runs a model on one device of the local machine. The measurement
worker (:mod:`modelpick.measure.worker`) drives it, one model per process:

1. ``backend = Backend(options)`` with :class:`BackendOptions` (device, precision, ...),
   then ``backend.check_device()``;
2. ``backend.load(model)`` prepares a :class:`LoadedModel` on the device
   (moves it, casts it, compiles it...);
3. for each batch size: ``x = backend.make_inputs(bs)``, ``backend.reset_peak_memory()``,
   warm-up and timed calls of ``backend.run_batch(x)`` (which must return only when
   the device has finished: synchronise accelerators inside it), then
   ``backend.memory()``; with ``--train`` also ``backend.train_step(x)``.

Backends are found by name through :mod:`modelpick.measure.registry`.
"""

from __future__ import annotations

import abc
import importlib.util
import os
import resource
import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import ModelpickError


class BackendUnavailable(ModelpickError):
    """The backend's packages are not installed, or it cannot run here; the message says how to fix it."""


class BackendDeviceError(ModelpickError):
    """The requested device or option is not available on this machine; the message lists the choices."""


@dataclass(frozen=True)
class BackendOptions:
    """Run options shared by all backends; a backend rejects what it cannot honour."""

    device: str | None = None  # backend-specific: 'cpu', 'cuda:0', or an ONNX Runtime provider
    precision: str | None = None  # None: the backend's default (fp32, or what an ONNX file holds)
    compile: bool = False  # torch.compile (torch backend)
    compile_mode: str | None = None
    channels_last: bool = False
    threads: int | None = None  # intra-op CPU threads; None = the runtime's default
    extra: dict[str, Any] = field(default_factory=dict)  # plugin-specific options (--backend-option k=v)


@dataclass
class LoadedModel:
    """What a provider built: a framework object plus what it says about its input."""

    kind: str  # 'torch' (an nn.Module), 'onnx' (a file path) or 'python' (any other object a plugin may run)
    obj: Any
    input_size: int | None = None  # square spatial size the model expects, when it says
    input_size_from: str | None = None  # where input_size came from
    channels: int = 3


@dataclass
class MemoryReport:
    """Memory of one batch size's runs, in MB (2^20 bytes).

    ``main_mb``/``includes`` become the catalog row's ``memory_mb``/``memory_includes``
    (the one figure the solver uses); ``details_mb`` keeps every labelled figure.
    """

    main_mb: float | None
    includes: str | None
    details_mb: dict[str, float] = field(default_factory=dict)


class Backend(abc.ABC):
    """Base class of measurement backends. Subclasses set the class variables and implement the methods."""

    #: Name used with ``--backend`` (the entry-point name).
    name: ClassVar[str]
    #: Catalog ``runtime`` token written on each measurement row, e.g. 'pytorch'.
    runtime: ClassVar[str]
    #: Modules that must import; a missing one gives :attr:`install_hint`.
    requires: ClassVar[tuple[str, ...]] = ()
    install_hint: ClassVar[str] = "pip install 'modelpick[measure]'"
    #: Model kinds (see :class:`LoadedModel`) the backend can run.
    model_kinds: ClassVar[tuple[str, ...]] = ("torch",)

    def __init__(self, options: BackendOptions):
        self.options = options

    # -- availability ------------------------------------------------------
    @classmethod
    def missing_modules(cls) -> list[str]:
        return [m for m in cls.requires if importlib.util.find_spec(m) is None]

    @classmethod
    def check_available(cls) -> None:
        missing = cls.missing_modules()
        if missing:
            raise BackendUnavailable(
                f"backend {cls.name!r} needs {', '.join(missing)}, which is not installed; install it with: {cls.install_hint}")

    # -- device ------------------------------------------------------------
    @abc.abstractmethod
    def devices(self) -> list[str]:
        """Device names this backend can use on this machine (the valid ``--device`` choices)."""

    @abc.abstractmethod
    def check_device(self) -> None:
        """Raise :class:`BackendDeviceError` naming the bad value and the choices when options can't run here."""

    @abc.abstractmethod
    def describe(self) -> dict[str, Any]:
        """Facts for the device entry and the source: ``kind`` (catalog device kind), ``name``,
        ``memory_gb``, ``accelerator``, ``driver``, ``versions`` (framework -> version)."""

    @abc.abstractmethod
    def settings(self) -> dict[str, str | int | float | bool]:
        """The run settings written on each row (they distinguish rows of the same cell)."""

    @classmethod
    def planned_settings(cls, options: BackendOptions) -> dict[str, str | int | float | bool]:
        """The settings known before the run (without starting the backend); rows whose settings include
        these are the same cell, so a rerun skips them."""
        return {}

    @property
    def precision(self) -> str:
        """The catalog precision token of the rows."""
        return self.options.precision or "fp32"

    def begin(self) -> None:
        """Called once before :meth:`describe` and before any model is built (e.g. read a memory baseline)."""

    def timing_method(self) -> str:
        """One sentence for the source entry: what one timed run is and how it is synchronised."""
        return f"each run is one synchronous {self.name} inference call on the whole batch"

    def memory_method(self) -> str:
        """One sentence for the source entry: how memory_mb and memory_details_mb were measured."""
        return "memory_mb: CPU peak RSS increase of the measuring process (see memory_includes)"

    # -- running -----------------------------------------------------------
    @abc.abstractmethod
    def load(self, model: LoadedModel, input_size: int) -> None:
        """Prepare ``model`` on the device for inputs of ``input_size`` x ``input_size``."""

    @abc.abstractmethod
    def make_inputs(self, batch_size: int) -> Any:
        """Random inputs (normal distribution, as ``torch.randn``) for one batch, already on the device."""

    @abc.abstractmethod
    def run_batch(self, inputs: Any) -> None:
        """One inference forward pass; returns only when the device has finished (synchronised)."""

    def train_step(self, inputs: Any) -> None:
        """One training step (forward, backward, optimizer step), synchronised. Optional."""
        raise NotImplementedError(f"backend {self.name!r} cannot time training steps")

    def synchronize(self) -> None:
        """Wait for queued device work (called before each timed run starts)."""

    def after_failure(self) -> None:
        """Free what a failed batch left behind (e.g. the CUDA cache after an OOM)."""

    def reset_peak_memory(self) -> None:
        """Start a new peak-memory window (called before each batch size's warm-up)."""
        reset_host_peak()

    @abc.abstractmethod
    def memory(self) -> MemoryReport:
        """Memory since the last :meth:`reset_peak_memory`."""

    def is_out_of_memory(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the batch did not fit in memory (recorded as 'oom', not as a crash)."""
        if isinstance(exc, MemoryError):
            return True
        text = str(exc).lower()
        return "out of memory" in text or "can't allocate memory" in text or "failed to allocate" in text

    def count(self) -> dict[str, Any]:
        """Parameter count and FLOPs of the loaded model at batch 1, when the backend can count them."""
        return {}

    def close(self) -> None:
        """Free the model (the worker process exits right after anyway)."""


# ---------------------------------------------------------------------------
# Host memory: peak RSS of this process, resettable on Linux


def _status_kb(field_name: str) -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def host_rss_mb() -> float | None:
    """Current resident set size of this process."""
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024.0


_PEAK_RESETTABLE: bool | None = None


def reset_host_peak() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) to the current RSS. False when the OS can't."""
    global _PEAK_RESETTABLE
    if _PEAK_RESETTABLE is False:
        return False
    try:
        # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0).
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        _PEAK_RESETTABLE = True
    except OSError:
        _PEAK_RESETTABLE = False
    return _PEAK_RESETTABLE


def host_peak_rss_mb() -> tuple[float | None, bool]:
    """Peak RSS and whether it is the peak since the last reset (False: since process start)."""
    kb = _status_kb("VmHWM")
    if kb is not None:
        return kb / 1024.0, bool(_PEAK_RESETTABLE)
    # ru_maxrss: kilobytes on Linux, bytes on macOS; never resettable.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak / 2**20 if sys.platform == "darwin" else peak / 1024.0), False


def host_memory_report(baseline_rss_mb: float | None, *, main: bool = True, prefix: str = "") -> MemoryReport:
    """CPU memory: peak RSS during the window minus the RSS before the model was built."""
    peak, windowed = host_peak_rss_mb()
    details: dict[str, float] = {}
    if peak is None or baseline_rss_mb is None:
        return MemoryReport(None, None, details)
    increase = max(peak - baseline_rss_mb, 0.0)
    details[f"{prefix}host_peak_rss_increase"] = round(increase, 3)
    details[f"{prefix}host_peak_rss"] = round(peak, 3)
    window = "during this batch size's warm-up and timed runs" if windowed else "since the process started"
    includes = (f"CPU peak RSS increase of the measuring process: peak resident memory {window} minus the RSS "
                "before the model was built (weights, activations, runtime buffers; not the Python/framework "
                "import footprint)")
    return MemoryReport(round(increase, 3) if main else None, includes if main else None, details)


def describe_host_env() -> dict[str, str]:
    """Environment variables that change CPU timing, recorded with the run."""
    keys = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "CUDA_VISIBLE_DEVICES")
    return {k: os.environ[k] for k in keys if k in os.environ}
