"""The family table: for each kind of device people buy for its accelerator, whether its fast runtime is measured
and what a default query answers (``modelpick devices --coverage``; rows from data/fast_runtimes.yaml)."""

from __future__ import annotations

from typing import Any

from ._coverage import accelerator_options, family_rows
from .errors import NoFeasibleModel

#: The default query of the table: ``best --device FAMILY --min-fps 30`` (batch 1).
TABLE_MIN_FPS = 30.0


def family_table(catalog: Any, min_fps: float = TABLE_MIN_FPS) -> list[dict[str, Any]]:
    """One JSON-ready row per family: the device asked, its fast runtime, whether that is measured there, the
    measured runs (runtime on backend: candidates) and the answer of ``best(device, min_fps=min_fps)``."""
    out = []
    for row in family_rows():
        dev = catalog.resolve_device(row.device)
        cov = catalog.coverage(dev)
        fast = row.fast_runtime
        measured = None if fast is None else any(fast.counts(r.runtime, r.backend) for r in cov.measured)
        entry: dict[str, Any] = {
            "family": row.family, "asked": row.device, "device": dev,
            "fast_runtime": fast.label if fast is not None else "best of the CPU runtimes",
            "fast_runtime_measured": measured,
            "runs": {f"{r.runtime}" + (f" on {r.backend}" if r.backend else ""): r.candidates for r in cov.measured},
        }
        entry.update(_answer(catalog, dev, min_fps))
        options = accelerator_options(catalog.device(dev))
        if options:
            entry["accelerator_options"] = [{"device": o.device, "label": o.label, **_answer(catalog, o.device, min_fps)}
                                            for o in options]
        out.append(entry)
    return out


def _answer(catalog: Any, device: str, min_fps: float) -> dict[str, Any]:
    try:
        rec = catalog.best(device, min_fps=min_fps)
    except NoFeasibleModel as exc:
        return {"answer": None, "no_answer": str(exc).split(". Note:")[0]}
    return {"answer": {"checkpoint": rec.checkpoint, "top1": rec.top1, "fps": round(rec.fps, 1),
                       "runtime": rec.runtime, "precision": rec.precision}}


def _answer_text(a: dict[str, Any] | None) -> str:
    return f"{a['checkpoint']} ({a['top1']:.2f} %, {a['runtime']} {a['precision']}, {a['fps']:.1f} FPS)" if a else \
        "no answer"


def format_family_table(rows: list[dict[str, Any]], min_fps: float = TABLE_MIN_FPS) -> str:
    """The table as the CLI prints it (markdown, so the README can show it as is)."""
    lines = [f"| family | device | fast runtime | measured | runs (candidates) | best --min-fps {min_fps:g} |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        measured = {True: "yes", False: "no", None: "-"}[r["fast_runtime_measured"]]
        runs = ", ".join(f"{k}: {v}" for k, v in r["runs"].items()) or "none"
        answer = _answer_text(r["answer"])
        for o in r.get("accelerator_options", ()):
            answer += f"; accelerator option {o['device']}: {_answer_text(o['answer'])}"
        lines.append(f"| {r['family']} | {r['device']} | {r['fast_runtime']} | {measured} | {runs} | {answer} |")
    return "\n".join(lines)
