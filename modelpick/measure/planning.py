"""Planning a measurement run: its arguments checked, each model resolved to a catalog architecture (or the new id
it defines) with its input size, and the batch sizes still to run once the output file's cells are counted.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import InvalidQuery, ModelpickError
from .output import Document
from .providers import ModelSpec, normalize_id
from .resume import cells_done

#: Bianco et al. 2018's batch sizes.
DEFAULT_BATCH_SIZES: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64)
DEFAULT_WARMUP = 10
DEFAULT_RUNS = 10
TOKEN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


# ---------------------------------------------------------------------------
# Argument checking


def parse_batch_sizes(value: str | Iterable[int]) -> list[int]:
    """'1,2,4' or [1, 2, 4] -> ascending unique ints >= 1; a clear error otherwise."""
    items: list[Any] = [p.strip() for p in value.split(",")] if isinstance(value, str) else list(value)
    if not items or items == [""]:
        raise InvalidQuery("batch_sizes", value, "empty; give comma-separated integers such as 1,2,4,8,16,32,64")
    out: list[int] = []
    for item in items:
        if isinstance(item, bool):
            raise InvalidQuery("batch_sizes", value, f"{item!r} is not an integer >= 1")
        try:
            n = int(item)
            if isinstance(item, float) and not item.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            raise InvalidQuery("batch_sizes", value, f"{item!r} is not an integer >= 1 (e.g. 1,2,4,8,16,32,64)") from None
        if n < 1 or n > 1_000_000:
            raise InvalidQuery("batch_sizes", value, f"{n} is out of range; batch sizes are integers from 1 to 1000000")
        if n in out:
            raise InvalidQuery("batch_sizes", value, f"{n} is listed twice")
        out.append(n)
    # Ascending, so an out-of-memory batch size lets the larger ones be skipped.
    return sorted(out)


def check_count(name: str, value: int, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidQuery(name, value, f"must be an integer >= {low}")
    return value


# ---------------------------------------------------------------------------
# The plan


@dataclass
class PlannedModel:
    spec: ModelSpec
    architecture: str  # canonical catalog id, or the new id this file defines
    known: bool  # the catalog already defines the architecture
    input_size: int | None  # None: the model declares it (known when the worker runs)
    input_size_from: str | None
    to_run: list[int]
    done: list[int]
    failed: dict[int, str]  # batch size -> status recorded earlier
    #: The catalog architecture's params_m / gmacs (gmacs only where the run uses its input size), to check against.
    catalog_counts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.spec.text, "architecture": self.architecture, "in_catalog": self.known,
                "input_size": self.input_size, "input_size_from": self.input_size_from,
                "batch_sizes_to_run": self.to_run, "batch_sizes_done": self.done,
                "batch_sizes_failed": {str(k): v for k, v in self.failed.items()}}


@dataclass
class MeasureResult:
    """What a run did. ``plan`` lists every model; the counts cover this invocation only."""

    output: str
    device_id: str
    source_id: str
    backend: str
    plan: list[PlannedModel]
    dry_run: bool = False
    measured: int = 0  # rows written by this invocation
    failures: list[dict[str, Any]] = field(default_factory=list)  # failures recorded by this invocation
    skipped_existing: int = 0  # cells already in the file (resume)
    models_failed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "device": self.device_id, "source": self.source_id, "backend": self.backend,
                "dry_run": self.dry_run, "measured_rows": self.measured, "failures": self.failures,
                "skipped_existing": self.skipped_existing, "models_failed": self.models_failed,
                "plan": [p.to_dict() for p in self.plan]}


def catalog_for_names(data: Sequence[str | os.PathLike[str]], output: Path, embedded: bool):
    from ..api import load_catalog
    from ..catalog import env_data_paths

    out_resolved = output.resolve()
    paths = [Path(p) for p in [*env_data_paths(), *data] if Path(p).resolve() != out_resolved]
    return load_catalog(*paths, embedded=embedded, use_env=False)


def plan_models(specs: Sequence[ModelSpec], cat: Any, doc: Document, sizes: Sequence[int], *,
                input_size: int | None, runtime: str, precision: str | None, source_id: str, device_id: str,
                settings: dict[str, Any], retry_failed: bool) -> list[PlannedModel]:
    """Each model's catalog architecture (or the new id it defines), input size and batch sizes still to run."""
    plan: list[PlannedModel] = []
    seen_ids: dict[str, str] = {}
    for spec in specs:
        wanted = spec.explicit_id or spec.name
        try:
            arch, known = cat.resolve_architecture(wanted), True
        except ModelpickError:
            arch, known = normalize_id(wanted), False
        if arch in seen_ids:
            raise InvalidQuery("models", spec.text, f"is the same architecture {arch!r} as {seen_ids[arch]!r}; "
                               "give one an id with ID=MODEL")
        seen_ids[arch] = spec.text
        size, size_from = input_size, "given with --input-size" if input_size else None
        if size is None and known:
            size, size_from = cat.architecture(arch).input_size, "catalog architecture input size"
        if size is None:
            own = doc.find("architectures", arch)
            if own is not None:
                size, size_from = own["input_size"], "architecture entry in the output file"
        done, failed = cells_done(doc, sizes, arch, size, runtime, precision, source_id, device_id, settings,
                                  retry_failed)
        to_run = [bs for bs in sizes if bs not in done and bs not in failed]
        catalog_counts: dict[str, float] = {}
        if known:
            entry = cat.architecture(arch)
            if entry.params_m:
                catalog_counts["params_m"] = entry.params_m
            if entry.gmacs and (size is None or size == entry.input_size):
                catalog_counts["gmacs"] = entry.gmacs  # MACs grow with the input: compare only at the same size
        plan.append(PlannedModel(spec, arch, known, size, size_from, to_run, done, failed, catalog_counts))
    return plan
