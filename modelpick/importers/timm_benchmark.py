"""timm ``benchmark.py`` results (CSV or JSON, or the ``--result`` JSON it prints) -> rows.

Columns (huggingface/pytorch-image-models benchmark.py, as in its results/benchmark-infer-*.csv): ``model``,
``infer_samples_per_sec`` (images/s), ``infer_step_time`` (ms per batch step), ``infer_batch_size``,
``infer_img_size``, ``param_count``, ``infer_gmacs``, ``infer_macts``. The files do not state the precision; the
published file names do (``-fp32-``, ``-amp-``, ``-bf16-``), else ``--precision`` gives it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from .base import ImportFormatError, ParseOptions, Parsed, number
from .rows import SourceRow

FORMAT = "timm-benchmark"
ALIAS_SECTION = "timm"  # timm names are catalog ids (data/aliases.yaml timm_to_canonical holds the merges)
RUNTIME = "pytorch"

_REQUIRED = ("model", "infer_samples_per_sec", "infer_batch_size", "infer_img_size")
_PRECISION_IN_NAME = {"fp32": "fp32", "amp": "amp-fp16", "amp_bf16": "amp-bf16", "bf16": "bf16", "fp16": "fp16"}


def _records(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    stripped = text.lstrip()
    if "--result" in text and not stripped.startswith(("[", "{", "model")):
        text = text.split("--result", 1)[1]
        stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(path, f"not valid JSON ({exc.msg}; truncated file?)", exc.lineno) from None
        items = data if isinstance(data, list) else [data]
        if not all(isinstance(i, dict) for i in items):
            raise ImportFormatError(path, "JSON must be a result object or a list of them")
        return [(None, i) for i in items]  # type: ignore[misc]
    # newline="" lets the csv module see lone carriage returns as line ends instead of failing on them
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        if reader.fieldnames is None or "model" not in reader.fieldnames:
            raise ImportFormatError(path, "no CSV header with a 'model' column: is this a timm benchmark.py results file?", 1)
        for i, r in enumerate(reader, start=2):
            if None in r:
                raise ImportFormatError(path, "row has more cells than the header", i)
            rows.append((i, r))
    except csv.Error as exc:
        raise ImportFormatError(path, f"not a readable CSV file ({exc})", reader.line_num or 1) from None
    return rows


def parse(path: Path, text: str, opts: ParseOptions) -> Parsed:
    out = Parsed()
    records = _records(path, text)
    if not records:
        raise ImportFormatError(path, "no result rows")
    m = re.search(r"-(fp32|amp_bf16|amp|bf16|fp16)-(nchw|nhwc)", path.name)
    precision = opts.precision or (_PRECISION_IN_NAME[m.group(1)] if m else None)
    for line, r in records:
        missing = [k for k in _REQUIRED if r.get(k) in (None, "")]
        if missing:
            if "infer_samples_per_sec" in missing and r.get("train_samples_per_sec") not in (None, ""):
                raise ImportFormatError(path, "training throughput (train_samples_per_sec), not inference", line)
            raise ImportFormatError(path, f"row {r.get('model', '?')!r} lacks {', '.join(missing)}", line)
        name = str(r["model"])
        fps = number(str(r["infer_samples_per_sec"]), path, line, "infer_samples_per_sec")
        step = r.get("infer_step_time")
        batch = number(str(r["infer_batch_size"]), path, line, "infer_batch_size")
        size = number(str(r["infer_img_size"]), path, line, "infer_img_size")
        if not batch.is_integer() or not size.is_integer():
            raise ImportFormatError(path, f"row {name!r}: batch size and image size must be integers", line)
        out.rows.append(SourceRow(
            model=name, runtime=RUNTIME, batch_size=int(batch), input_size=int(size), precision=precision,
            fps=fps, batch_latency_ms=(number(str(step), path, line, "infer_step_time") if step not in (None, "") else None),
            settings=({"memory_layout": "channels_last"} if m and m.group(2) == "nhwc" else {}),
            origin=f"{path}:{line}" if line else str(path)))
    out.fact("runtime", "PyTorch via timm benchmark.py (versions not in the file)")
    out.fact("timing", "infer_samples_per_sec (images/s) -> fps; infer_step_time = ms per batch step -> batch_latency_ms")
    out.fact("precision", f"{precision} (from {'--precision' if opts.precision else 'the file name'})" if precision
             else "not stated by the file; give --precision (stored as 'unspecified')")
    out.fact("batch", "per-row infer_batch_size (throughput numbers, not batch-1 latency)")
    return out
