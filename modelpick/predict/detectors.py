"""Whether a detector's latency is predicted with a runtime: only where it was measured to work.

Detectors are predicted like any column, from the device's classifier measurements (a new device's
classification probes). bench/eval_predict.py measured how well that works on hardware the catalog has never
seen (twin-free leave one device out, per runtime) and wrote the result to ``data/detector_eval.json``. A runtime
whose median error or interval coverage missed the rule below, or that was never evaluated, gets no detector
predictions: :func:`detector_refusal` gives the reason, with the measured error, that predict() raises.
"""

from __future__ import annotations

import json
from typing import Any

#: The most median |error| (percent) a runtime's twin-free detector predictions may have to be offered.
MAX_MEDIAN_APE_PCT = 10.0
#: The least share (percent) of held-out detector cells its 80 % intervals must have covered.
MIN_COVERAGE_PCT = 75.0
#: The evaluation's results, among the shipped data files (written by bench/eval_predict.py --update-readme).
EVAL_FILE = "detector_eval.json"

_EVAL: dict[str, Any] | None = None


def detector_eval() -> dict[str, Any]:
    """The shipped evaluation: {"runtimes": {runtime: {median_ape_pct, interval_coverage_pct, cells, ...}}, ...}."""
    global _EVAL
    if _EVAL is None:
        from .._data import data_file

        with open(data_file(EVAL_FILE), encoding="utf-8") as fh:
            _EVAL = json.load(fh)
    return _EVAL


def is_detector(arch) -> bool:
    return getattr(arch, "task", "classification") != "classification"


def detector_refusal(runtime: str, evaluation: dict[str, Any] | None = None) -> str | None:
    """None if detector latency is offered with ``runtime``, else why not (with the measured error)."""
    if evaluation is None:  # asked once per runtime and column: remembered for the shipped evaluation
        if runtime not in _REFUSALS:
            _REFUSALS[runtime] = _refusal(runtime, detector_eval())
        return _REFUSALS[runtime]
    return _refusal(runtime, evaluation)


_REFUSALS: dict[str, str | None] = {}


def _refusal(runtime: str, doc: dict[str, Any]) -> str | None:
    runs = doc.get("runtimes", {})
    got = runs.get(runtime)
    rule = (f"detector predictions are offered only where, on held-out devices without their same-chip and "
            f"same-family twins, they had a median error of at most {MAX_MEDIAN_APE_PCT:g} % and 80 % intervals "
            f"covering at least {MIN_COVERAGE_PCT:g} % (bench/eval_predict.py, data/{EVAL_FILE})")
    if got is None:
        return (f"detector latency with {runtime} is not predicted: it was never evaluated (the evaluation covers "
                f"{', '.join(sorted(runs)) or 'no runtime'}); {rule}")
    ape, cov = got["median_ape_pct"], got["interval_coverage_pct"]
    if ape <= MAX_MEDIAN_APE_PCT and cov >= MIN_COVERAGE_PCT:
        return None
    return (f"detector latency with {runtime} is not predicted: predicted from classification probes on "
            f"{got['devices']} held-out device(s) ({got['cells']} detector cells), its median error was {ape:.1f} % "
            f"and its 80 % intervals covered {cov:.1f} %; {rule}; measure the detector instead")
