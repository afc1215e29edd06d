"""The solver's estimator (modelpick.solver.Estimator): a catalog device's unmeasured cells, predicted, with memory."""

from __future__ import annotations

from ..estimate import estimate_memory_mb
from ..solver import Catalog, EstimatedCell
from .batch import BATCH_EXTRAPOLATION_FACTOR
from .catalog_device import predicted_cells
from .cells import canonical_settings
from .models import models_for
from .types import Column


class PredictedCells:
    """Estimated cells from the fitted prediction models; ``modelpick.load_catalog`` hands one to each catalog.

    Latency comes from :func:`predicted_cells` with its 80 % interval; memory from the fitted memory model
    where it covers the runtime, else from the generic estimate (then the interval is the estimate itself).
    """

    def estimated_cells(self, catalog: Catalog, device: str, batch_size: int | None) -> list[EstimatedCell]:
        archs = catalog._m.architectures
        columns: dict[Column, object] = {}
        for ck in catalog.checkpoints():
            columns.setdefault((ck.architecture, ck.input_size), archs.get(ck.architecture))
        kind = catalog.device(device).kind
        cells = []
        for p in predicted_cells(catalog, device, list(columns.items()), batch_size=batch_size):
            if p.memory_mb is not None:
                mem, mem_lo, mem_hi, method = p.memory_mb, p.memory_low_mb, p.memory_high_mb, p.memory_method
            else:
                arch = archs[p.architecture]
                mem, method = estimate_memory_mb(params_m=arch.params_m, activations_m=arch.activations_m,
                                                 precision=p.precision, batch_size=p.batch_size, runtime=p.runtime,
                                                 device_kind=kind, settings=p.settings)
                mem_lo = mem_hi = mem
            cells.append(EstimatedCell(
                architecture=p.architecture, input_size=p.input_size, runtime=p.runtime, precision=p.precision,
                batch_size=p.batch_size, latency_ms=p.latency_ms, latency_low_ms=p.latency_low_ms,
                latency_high_ms=p.latency_high_ms, memory_mb=mem, memory_low_mb=mem_lo, memory_high_mb=mem_hi,
                memory_method=method, settings=dict(p.settings),
                method=p.method if not p.capped else f"{p.method} ({p.capped})"))
        return cells

    def max_batch_size(self, catalog: Catalog, device: str) -> int | None:
        """The largest batch size an estimate on ``device`` can honestly reach: its largest measured batch
        times the batch curves' extrapolation limit (no curve goes further); None if nothing is measured."""
        batches = [b for _, _, b in canonical_settings(models_for(catalog).cells, device)]
        return int(max(batches) * BATCH_EXTRAPOLATION_FACTOR) if batches else None


def catalog_with_estimates(catalog: Catalog, device: str, batch_size: int | None = None) -> Catalog:
    """``catalog`` restricted to ``device``, plus its predicted cells (what ``estimates="include"`` queries)."""
    return catalog.with_estimates(device, batch_size, PredictedCells())
