"""What was measured on a device, and which usual fast runtime it lacks, in plain words.

Every answer states its device's coverage, so a user sees that (say) a Jetson's answer rests on
ncnn alone and that nobody measured TensorRT there. The solver counts the measured runs
(:meth:`modelpick.solver.Catalog.coverage`); this module holds the rules and the wording. It is private
because ``modelpick.coverage`` is the public function, and importing a submodule of that name rebinds it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterable

from .catalog import QUANTIZED_PRECISIONS
from .schema import Device, DeviceCoverage, MeasuredRun
from .tasks import Task, get_task


def _fits(m: dict[str, frozenset[str]], device: Device) -> bool:
    """Whether a data/fast_runtimes.yaml `match` rule fits ``device``."""
    if "kinds" in m and device.kind not in m["kinds"]:
        return False
    if device.id.startswith(tuple(m.get("not_id_prefixes", ()))):
        return False
    named = {k: v for k, v in m.items() if k not in ("kinds", "not_id_prefixes")}
    if not named:
        return True
    return (device.family in named.get("families", ()) or bool(set(device.tags) & named.get("tags", set()))
            or device.id in named.get("ids", ()) or device.id.startswith(tuple(named.get("id_prefixes", ()))))


@dataclass(frozen=True)
class FastRuntime:
    """The runtime a kind of device is bought for (one entry of data/fast_runtimes.yaml)."""

    id: str
    label: str
    match: dict[str, frozenset[str]]
    runtimes: frozenset[str]
    backends: frozenset[str]
    default: bool
    missing: str

    def fits(self, device: Device) -> bool:
        return _fits(self.match, device)

    def counts(self, runtime: str, backend: str | None) -> bool:
        """Whether a measured run (runtime, backend) is this fast runtime."""
        return runtime in self.runtimes or (backend or "").lower() in self.backends


@dataclass(frozen=True)
class AcceleratorOption:
    """An add-on accelerator sold for a board, itself a catalog device (data/fast_runtimes.yaml
    ``accelerator_options``): the Raspberry Pi 5's AI Kit is the Hailo-8L."""

    match: dict[str, frozenset[str]]
    device: str
    label: str

    def fits(self, device: Device) -> bool:
        return _fits(self.match, device)


@dataclass(frozen=True)
class FamilyRow:
    family: str
    device: str
    fast_runtime: FastRuntime | None


@functools.cache
def _table() -> tuple[tuple[FastRuntime, ...], tuple[FamilyRow, ...], tuple[AcceleratorOption, ...]]:
    import yaml

    from ._data import data_file

    doc: dict[str, Any] = yaml.safe_load(data_file("fast_runtimes.yaml").read_text(encoding="utf-8"))
    entries = tuple(FastRuntime(
        id=e["id"], label=e["label"], match={k: frozenset(v) for k, v in e["match"].items()},
        runtimes=frozenset(e["measured_by"].get("runtimes", ())),
        backends=frozenset(e["measured_by"].get("backends", ())), default=bool(e["default"]), missing=e["missing"])
        for e in doc["fast_runtimes"])
    by_id = {e.id: e for e in entries}
    rows = tuple(FamilyRow(r["family"], r["device"], by_id[r["fast_runtime"]] if r["fast_runtime"] else None)
                 for r in doc["family_table"])
    options = tuple(AcceleratorOption(
        match={k: frozenset(v) for k, v in o["match"].items()}, device=o["device"], label=o["label"]) for o in doc.get("accelerator_options", ()))
    return entries, rows, options


def fast_runtime(device: Device) -> FastRuntime | None:
    """The fast runtime declared for ``device`` (the first data/fast_runtimes.yaml entry that fits), or None."""
    return next((e for e in _table()[0] if e.fits(device)), None)


def accelerator_options(device: Device) -> tuple[AcceleratorOption, ...]:
    """The add-on accelerators declared for ``device`` (data/fast_runtimes.yaml ``accelerator_options``)."""
    return tuple(o for o in _table()[2] if o.fits(device))


def family_rows() -> tuple[FamilyRow, ...]:
    """The rows of the family table (``modelpick devices --coverage``), in the order data/fast_runtimes.yaml gives."""
    return _table()[1]


def _runs_text(runs: Iterable[MeasuredRun]) -> str:
    names = [f"{r.runtime}" + (f" on {r.backend}" if r.backend else "") for r in runs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class UnpairedRuns:
    """Measured latency rows of one (runtime, backend, precision) on a device that join no checkpoint: nothing
    has an accuracy they may pair with (a quantized run pairs only with its own toolchain's quantized accuracy)."""

    runtime: str
    backend: str | None
    precision: str
    rows: int


def _unpaired_note(device: Device, fast: FastRuntime, unpaired: list[UnpairedRuns], what: str) -> str | None:
    """Where the fast runtime was measured but none of its rows pairs with a checkpoint: say so, instead of the
    "never measured" note, which would be false."""
    mine = [u for u in unpaired if fast.counts(u.runtime, u.backend)]
    if not mine:
        return None
    rows = sum(u.rows for u in mine)
    precisions = "/".join(sorted({u.precision for u in mine}))
    quantized = all(u.precision in QUANTIZED_PRECISIONS for u in mine)
    why = ("no accuracy of those quantized models is published by their own toolchain, and a quantized latency "
           "never takes a float accuracy" if quantized else "no checkpoint has an accuracy at those cells")
    tail = f": these answers come from {what} only" if what else ""
    plural = "" if rows == 1 else "s"
    return (f"{fast.label} was measured on {device.id} ({rows:,} {precisions} latency row{plural}) but none of "
            f"them pairs with a checkpoint ({why}), so it cannot answer{tail}")


def missing_runtimes(device: Device, runs: list[MeasuredRun], unpaired: list[UnpairedRuns] | None = None) -> list[str]:
    """Plain-words note where ``device``'s fast runtime (data/fast_runtimes.yaml) is not among ``runs`` (the
    runs that pair with checkpoints); ``unpaired`` are the measured rows that pair with none."""
    fast = fast_runtime(device)
    if not runs:
        note = None if fast is None else _unpaired_note(device, fast, unpaired or [], "")
        return [note] if note else [f"nothing measured on {device.id} pairs with a checkpoint, so it has no answers "
                                    "of its own"]
    if fast is None or any(fast.counts(r.runtime, r.backend) for r in runs):
        return []
    what = _runs_text(runs)
    note = _unpaired_note(device, fast, unpaired or [], what)
    return [note or fast.missing.format(device=device.id, what=what)]


def describe(device: Device, runs: list[MeasuredRun], *, candidates: int, checkpoints: int,
             architectures: int, task: Task | None = None,
             unpaired: list[UnpairedRuns] | None = None) -> DeviceCoverage:
    """The coverage of ``device`` from its measured runs (one per runtime and backend) and the measured rows that
    pair with no checkpoint."""
    runtimes = sorted({r.runtime for r in runs})
    precisions = sorted({p for r in runs for p in r.precisions})
    batch_sizes = sorted({b for r in runs for b in r.batch_sizes})
    missing = missing_runtimes(device, runs, unpaired)
    task = task or get_task()
    scope = task.coverage_scope
    if runs:
        parts = []
        for r in runs:
            bs = r.batch_sizes
            batch = f"batch {bs[0]}" if len(bs) == 1 else f"batch {bs[0]}-{bs[-1]}"
            parts.append(f"{r.runtime}" + (f" on {r.backend}" if r.backend else "")
                         + f" ({'/'.join(r.precisions)}, {batch}, {r.candidates:,} candidates)")
        text = (f"coverage: {device.id} has {candidates:,} measured {scope}candidates ({checkpoints:,} checkpoints of "
                f"{architectures:,} architectures): " + "; ".join(parts))
    else:
        text = f"coverage: {device.id} has no measured {scope}candidates"
    options = accelerator_options(device)
    for o in options:
        text += f"; accelerator option: {o.label}, measured as device {o.device} (ask device={o.device})"
    return DeviceCoverage(device=device.id, kind=device.kind, candidates=candidates, checkpoints=checkpoints,
                          architectures=architectures, runtimes=runtimes, precisions=precisions,
                          batch_sizes=batch_sizes, measured=runs, missing=missing, text=text, task=task.id,
                          accelerator_options=[o.device for o in options])
