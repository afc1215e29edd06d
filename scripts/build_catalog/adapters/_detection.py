"""What every detection source does alike: architecture facts (task, family, params, GMACs) and COCO checkpoints.

A detection source states a detector's facts with :func:`detector`; the first source to state a fact keeps it
(adapters run in ADAPTERS order, so the model's own page comes before device tables that only name it), and a
later source that states a different value is logged, not merged. GFLOPs that a source counts as 2 x MACs become
``gmacs = GFLOPs / 2``, labelled computed (``Architecture.computed``).
"""

from __future__ import annotations

from typing import Any

from ..context import BuildContext

TASK = "detection"
METRIC = "coco-map50-95"
GFLOPS_HALVED = "published GFLOPs / 2 (the source counts FLOPs as 2 x multiply-adds)"


def detector(ctx: BuildContext, sid: str, arch: str, *, family: str, input_size: int | None = None,
             params_m: float | None = None, gmacs: float | None = None, gflops_2x: float | None = None) -> None:
    """Record a detection architecture and the facts ``sid`` states for it.

    ``gmacs`` is a multiply-add count as published; ``gflops_2x`` a GFLOPs figure the source counts as 2 x MACs
    (its gmacs is computed as half of it and labelled so). ``input_size`` is the size those figures are for.
    """
    d = ctx.facts.detectors.setdefault(arch, {"family": family, "input_size": None})
    if d["family"] != family:
        raise SystemExit(f"detector {arch}: family {family!r} from {sid} differs from {d['family']!r}")
    if d["input_size"] is None and input_size is not None:
        d["input_size"] = input_size
    same_size = input_size is None or input_size == d["input_size"]
    facts: dict[str, tuple[Any, ...]] = {}
    if params_m is not None:
        facts["params_m"] = (float(params_m), sid)
    if gmacs is not None and same_size:
        facts["gmacs"] = (float(gmacs), sid, None)
    elif gflops_2x is not None and same_size:
        facts["gmacs"] = (gflops_2x / 2, sid, GFLOPS_HALVED)
    for key, value in facts.items():
        old = d.get(key)
        if old is None:
            d[key] = value
        elif abs(old[0] - value[0]) > 0.02 * old[0]:
            ctx.report_sections.setdefault("Detection architecture facts that disagree (first source kept)", []).append(
                f"  {arch} {key}: {old[0]:g} ({old[1]}) kept; {sid} states {value[0]:g}")


def checkpoint(ctx: BuildContext, sid: str, *, org: str, name: str, arch: str, input_size: int, score: float,
               precision: str = "fp32") -> None:
    """A COCO val2017 box mAP50-95 (%) checkpoint: id "<org>/<name>:<input size>"."""
    ctx.add_checkpoint({"id": f"{org}/{name}:{input_size}", "architecture": arch, "source": sid, "metric": METRIC,
                        "score": float(score), "input_size": input_size, "precision": precision, "name": name})
