"""Physical plausibility of predicted latencies: a floor in time per GMAC from what was measured.

A prediction that would run an architecture at fewer milliseconds per GMAC than anything measured on the same
device, runtime and precision, by more than architectures are ever seen to beat each other within one run, is not
believable (``best --device jetson-nano --estimates include`` once answered ViT-B/16 on TensorRT fp16 at ~69 ms,
which needs ~510 GFLOPS on a board whose fp16 peak is ~472). Such predictions are capped at the floor, with the
reason in the prediction's ``capped`` field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from .types import Prediction

#: Quantile of "how far below the run's other architectures can one architecture's ms/GMAC fall" that sets the margin.
MARGIN_QUANTILE = 0.01
#: A runtime needs this many such margins of its own; otherwise the catalog-wide margin is used.
MIN_MARGINS = 50
#: Runs need this many architectures with GMACs to contribute margins.
MIN_ARCHS_PER_RUN = 4
#: A floor needs this many architectures with GMACs measured on the device run: the fastest of a handful of probes
#: says little about the fastest the device can go (with 5 probes the floor capped 18 % of held-out AI Hub cells).
MIN_ARCHS_FOR_FLOOR = 8


def column_gmacs(arch, input_size: int) -> float | None:
    """GMACs of ``arch`` at ``input_size`` (scaled by pixel count; computed), or None."""
    if arch is None or arch.gmacs is None:
        return None
    return arch.gmacs * (input_size / arch.input_size) ** 2


@dataclass
class PlausibilityFloor:
    """Fastest measured ms/GMAC per (device, runtime, precision) and a per-runtime margin below it."""

    fastest: dict[tuple[str, str, str], tuple[float, str, int]] = field(default_factory=dict)  # (ms/GMAC, arch, n)
    margin_log: dict[str | None, float] = field(default_factory=dict)  # runtime -> log margin (<= 0)

    def fit(self, cells: Mapping[tuple[Any, tuple[str, int]], float], arch_lookup) -> "PlausibilityFloor":
        runs: dict[tuple[str, str, str], dict[str, float]] = {}
        for (t, col), ms in cells.items():
            g = column_gmacs(arch_lookup(col[0]), col[1])
            if not g:
                continue
            per = runs.setdefault((t.device, t.runtime, t.precision), {})
            per[col[0]] = min(per.get(col[0], math.inf), ms / g)
        margins: dict[str, list[float]] = {}
        for key, per in runs.items():
            best = min(per, key=lambda a: (per[a], a))
            self.fastest[key] = (per[best], best, len(per))
            if len(per) < MIN_ARCHS_PER_RUN:
                continue
            logs = sorted(math.log(v) for v in per.values())
            for x in logs:
                margins.setdefault(key[1], []).append(x - (logs[1] if x == logs[0] else logs[0]))
        pooled = [m for ms in margins.values() for m in ms]
        if pooled:
            self.margin_log[None] = min(0.0, float(np.quantile(pooled, MARGIN_QUANTILE)))
        for rt, ms in margins.items():
            if len(ms) >= MIN_MARGINS:
                self.margin_log[rt] = min(0.0, float(np.quantile(ms, MARGIN_QUANTILE)))
        return self

    def floor_ms(self, device: str, runtime: str, precision: str, gmacs: float | None,
                 extra: Mapping[str, float] | None = None) -> tuple[float, str] | None:
        """(floor in ms, reason) for a cell of ``gmacs``; None without GMACs or measurements to compare with.

        ``extra``: {architecture: ms per GMAC} measured on the device but not in the catalog (a new device's probes).
        """
        if not gmacs or None not in self.margin_log:
            return None
        cands = []
        n = 0
        if (device, runtime, precision) in self.fastest:
            per, name, n = self.fastest[(device, runtime, precision)]
            cands.append((per, name))
        for name, v in (extra or {}).items():
            cands.append((v, name))
        n += len(extra or {})
        if not cands or n < MIN_ARCHS_FOR_FLOOR:
            return None
        per, name = min(cands)
        margin = self.margin_log.get(runtime, self.margin_log[None])
        floor = per * math.exp(margin) * gmacs
        reason = (f"raised to {floor:.3g} ms (plausibility floor): faster would need under "
                  f"{per * math.exp(margin):.3g} ms per GMAC, while the fastest of the {n} "
                  f"architectures measured on {device} with {runtime}/{precision} is {name} at {per:.3g} ms per GMAC, "
                  f"and within a measured {runtime} run one architecture beats all others by more than "
                  f"x{math.exp(-margin):.3g} in only {MARGIN_QUANTILE:.0%} of cases")
        return floor, reason


def cap(prediction: Prediction, floor: PlausibilityFloor | None, gmacs: float | None,
        extra: Mapping[str, float] | None = None) -> Prediction:
    """``prediction`` raised to the plausibility floor (interval too) if it is below it, with the reason in
    ``capped``; an interval whose low end alone reaches below the floor is cut there."""
    if floor is None or not prediction.latency_estimated:
        return prediction
    got = floor.floor_ms(prediction.device, prediction.runtime, prediction.precision, gmacs, extra)
    if got is None or prediction.latency_low_ms >= got[0]:
        return prediction
    value, reason = got
    if prediction.latency_ms >= value:  # only the interval's low end reaches below the floor: it stops there
        return replace(prediction, latency_low_ms=value)
    # the interval moves up with the value (same relative width above it); its low end is the floor
    raise_by = value / prediction.latency_ms
    return replace(prediction, latency_ms=value, latency_low_ms=value,
                   latency_high_ms=prediction.latency_high_ms * raise_by, capped=reason,
                   method=f"{prediction.method}; capped")
