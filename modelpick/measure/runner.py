"""A measurement run: check the arguments, plan, then drive one worker process per model into the output file.

The output file is rewritten atomically (temp file + rename) after every batch
size, so Ctrl-C or a kill at any moment leaves a valid file with every row
measured so far; rerunning the same command skips rows already there.
The parts: :mod:`.planning` (arguments and the plan), :mod:`.resume` (what the
file already holds), :mod:`.protocol` (the worker processes), :mod:`.results`
(the rows written) and :mod:`.output` (the file itself).
"""

from __future__ import annotations

import math
import os
import re
import sys
from pathlib import Path
from typing import Any, Sequence

from ..errors import InvalidQuery, ModelpickError
from .backend import BackendOptions
from .output import Document
from .planning import (
    DEFAULT_BATCH_SIZES,
    DEFAULT_RUNS,
    DEFAULT_WARMUP,
    TOKEN_RE,
    MeasureResult,
    catalog_for_names,
    check_count,
    parse_batch_sizes,
    plan_models,
)
from .protocol import run_model
from .providers import parse_model_list
from .registry import available_backends, get_backend
from .resume import check_protocol


class MeasureInterrupted(ModelpickError):
    """The run was interrupted; the output file holds every row measured before."""


def run(
    models: str | Sequence[str],
    *,
    device_id: str,
    output: str | os.PathLike[str],
    backend: str = "torch",
    batch_sizes: str | Sequence[int] = DEFAULT_BATCH_SIZES,
    device: str | None = None,
    precision: str | None = None,
    compile: bool = False,
    compile_mode: str | None = None,
    channels_last: bool = False,
    threads: int | None = None,
    warmup: int = DEFAULT_WARMUP,
    runs: int = DEFAULT_RUNS,
    train: bool = False,
    input_size: int | None = None,
    backend_options: dict[str, Any] | None = None,
    data: Sequence[str | os.PathLike[str]] = (),
    embedded: bool = True,
    device_name: str | None = None,
    device_kind: str | None = None,
    source_id: str | None = None,
    restart: bool = False,
    retry_failed: bool = False,
    timeout_s: float | None = None,
    dry_run: bool = False,
    progress: bool = True,
    force_architecture: bool = False,
) -> MeasureResult:
    """Measure ``models`` on this machine and write (or extend) the catalog file ``output``.

    ``models``: comma-separated or a list of specs (see :mod:`modelpick.measure.providers`).
    ``device_id``: the catalog id of this machine (kebab-case, e.g. 'my-orin').
    ``backend``: a registered backend ('torch', 'onnxruntime', or a plugin); ``device``
    is the backend's device ('cpu', 'cuda:0', an onnxruntime provider).
    ``data``/``embedded``: catalogs used to resolve model names to canonical architectures.
    ``restart``: ignore and replace an existing output file (default: resume it).
    ``timeout_s``: per-model limit; a model past it is killed and recorded as 'timeout'.
    ``force_architecture``: file a model under the catalog architecture its name resolves to even when its
    counted params or MACs differ from that architecture's by more than 1 % (the difference is noted in the
    source's caveats). Without it such a model raises :class:`ArchitectureMismatch` before any row is written.

    Raises :class:`InvalidQuery` for bad arguments, :class:`BackendUnavailable` with an
    install hint, :class:`MeasureInterrupted` on Ctrl-C (the file stays valid).
    """
    # -- check arguments before anything runs --------------------------------
    from ..schema import device_id_problem

    problem = device_id_problem(device_id)
    if problem:
        raise InvalidQuery("device_id", device_id, problem)
    sizes = parse_batch_sizes(batch_sizes)
    warmup = check_count("warmup", warmup, 0)
    runs = check_count("runs", runs, 1)
    if threads is not None:
        check_count("threads", threads, 1)
    if input_size is not None and (isinstance(input_size, bool) or not isinstance(input_size, int) or not 0 < input_size <= 4096):
        raise InvalidQuery("input_size", input_size, "must be an integer from 1 to 4096")
    if precision is not None and not TOKEN_RE.match(precision):
        raise InvalidQuery("precision", precision, "must be a lowercase token such as fp32, fp16, bf16, amp-fp16")
    if device_kind is not None and device_kind not in ("gpu", "cpu", "npu", "tpu", "soc"):
        raise InvalidQuery("device_kind", device_kind, "not a device kind", choices=["gpu", "cpu", "npu", "tpu", "soc"])
    if timeout_s is not None and (not isinstance(timeout_s, (int, float)) or not math.isfinite(timeout_s) or timeout_s <= 0):
        raise InvalidQuery("timeout_s", timeout_s, "must be a number of seconds > 0")
    registry = available_backends()
    if backend not in registry:
        raise InvalidQuery("backend", backend, "unknown backend", choices=list(registry))
    backend_cls = get_backend(backend)  # raises BackendUnavailable with an install hint
    options = BackendOptions(device=device, precision=precision, compile=compile, compile_mode=compile_mode,
                             channels_last=channels_last, threads=threads, extra=dict(backend_options or {}))
    planned_settings = backend_cls.planned_settings(options)
    if source_id is None:
        tail = [precision or "default"] + (["compile"] if compile else []) + (["channels-last"] if channels_last else [])
        dev_tag = re.sub(r"[^a-z0-9]+", "-", (device or "default").lower()).strip("-")
        source_id = f"measure.{device_id}.{backend}.{dev_tag}-{'-'.join(tail)}"
    elif not re.match(r"^[a-z0-9][a-z0-9._+-]*$", source_id):
        raise InvalidQuery("source_id", source_id, "must be lowercase letters, digits and . _ + -")
    specs = parse_model_list(models)
    out_path = Path(output)
    if out_path.exists() and out_path.is_dir():
        raise InvalidQuery("output", str(out_path), "is a directory; give a .yaml file path")

    doc = Document(out_path, restart=restart)
    check_protocol(doc, source_id, warmup, runs, out_path)
    cat = catalog_for_names(data, out_path, embedded)
    plan = plan_models(specs, cat, doc, sizes, input_size=input_size, runtime=backend_cls.runtime, precision=precision,
                       source_id=source_id, device_id=device_id, settings=planned_settings, retry_failed=retry_failed)

    result = MeasureResult(str(out_path), device_id, source_id, backend, plan, dry_run=dry_run,
                           skipped_existing=sum(len(p.done) + len(p.failed) for p in plan))
    if dry_run:
        return result

    # -- run ----------------------------------------------------------------
    total = sum(len(p.to_run) for p in plan)
    bar = _progress(total, progress)
    state: dict[str, Any] = {"described": doc.find("sources", source_id) is not None and doc.find("devices", device_id) is not None}
    import tempfile

    base_job = {"backend": backend, "options": {**options.__dict__}, "warmup": warmup, "runs": runs, "train": train,
                "sys_path": [p for p in sys.path if p and os.path.isdir(p)]}
    try:
        with tempfile.TemporaryDirectory(prefix="modelpick-measure-") as tmp:
            for pm in plan:
                if not pm.to_run:
                    continue
                if bar is not None:
                    bar.set_description(pm.architecture[:30])
                job = dict(base_job, model=pm.spec.to_json(), batch_sizes=pm.to_run, input_size=pm.input_size,
                           input_size_from=pm.input_size_from)
                run_model(job, pm, doc, result, state, Path(tmp) / "stderr.txt", bar, timeout_s=timeout_s,
                          device_id=device_id, device_name=device_name, device_kind=device_kind, source_id=source_id,
                          backend_cls=backend_cls, warmup=warmup, runs=runs, train=train, precision=precision,
                          out_path=out_path, force_architecture=force_architecture)
    except KeyboardInterrupt:
        raise MeasureInterrupted(f"interrupted; {out_path} holds the {result.measured} row(s) measured so far and is "
                                 "valid; rerun the same command to resume") from None
    finally:
        if bar is not None:
            bar.close()
    return result


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="batch", file=sys.stderr, dynamic_ncols=True)
