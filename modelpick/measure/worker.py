"""The per-model measurement process: ``python -m modelpick.measure.worker``.

Each model runs in a fresh process, so one model's allocator state cannot skew
the next and a crash (segfault, kernel OOM kill) loses one model, not the run.

Protocol: the parent writes one JSON job line on stdin and keeps stdin open;
when stdin closes (the parent died), the worker exits. The worker writes JSON
event lines on its original stdout; anything the model itself prints goes to
stderr. Events, in order:

* ``describe`` -- backend versions and device facts;
* ``model`` -- input size and counted parameters/FLOPs;
* ``start`` then ``batch`` for each batch size (status ok / oom / error / skipped);
* ``done``; or ``fatal`` with ``scope`` 'run' (bad backend/device: stop the whole run)
  or 'model' (this model could not be built).

Times are raw seconds per run; the parent computes the statistics.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from typing import Any, Callable


def _watch_parent() -> None:
    """Exit when the parent goes away (its end of stdin closes), so a killed run leaves no orphan."""
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except Exception:
        pass
    os._exit(3)


def _result_channel():
    """Keep the real stdout for events and send everything else printed to stderr."""
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "w", buffering=1)


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 600 else text[:597] + "..."



def _timed_runs(backend, step, x, warmup: int, runs: int) -> list[float]:
    """Bianco's protocol: ``warmup`` untimed calls, then ``runs`` timed ones, each synchronised first (seconds)."""
    for _ in range(warmup):
        backend.synchronize()
        step(x)
    times = []
    for _ in range(runs):
        backend.synchronize()
        t0 = time.perf_counter()
        step(x)
        times.append(time.perf_counter() - t0)
    return times

def measure(job: dict[str, Any], emit: Callable[..., None]) -> int:
    from ..errors import InvalidQuery, ModelpickError
    from .backend import BackendOptions, host_rss_mb
    from .registry import get_backend
    from .providers import ModelSpec, build_model
    from . import sysinfo

    for path in job.get("sys_path", []):
        if path not in sys.path:
            sys.path.append(path)
    try:
        cls = get_backend(job["backend"])
        backend = cls(BackendOptions(**job["options"]))
        backend.check_device()
        backend.begin()
        facts = backend.describe()
    except InvalidQuery as exc:
        emit(event="fatal", scope="run", kind="invalid", param=exc.param, value=str(exc.value), message=str(exc),
             choices=exc.choices, close_matches=exc.close_matches)
        return 2
    except ModelpickError as exc:
        emit(event="fatal", scope="run", kind="unavailable", message=str(exc))
        return 2
    except Exception as exc:
        emit(event="fatal", scope="run", kind="error", message=f"backend {job['backend']!r} failed to start: {_error_text(exc)}")
        return 2
    emit(event="describe", host=sysinfo.host(), backend=facts, timing_method=backend.timing_method(),
         memory_method=backend.memory_method())
    if job.get("describe_only"):
        emit(event="done")
        return 0

    spec = ModelSpec.from_json(job["model"])
    baseline = host_rss_mb()
    try:
        loaded = build_model(spec)
        if loaded.kind not in cls.model_kinds:
            others = "onnxruntime" if loaded.kind == "onnx" else "torch"
            raise ValueError(f"the {cls.name} backend runs {'/'.join(cls.model_kinds)} models; {spec.text!r} is a "
                             f"{loaded.kind} model (use --backend {others})")
        if job.get("input_size"):
            input_size, size_from = int(job["input_size"]), job.get("input_size_from") or "given"
        elif loaded.input_size:
            input_size, size_from = loaded.input_size, loaded.input_size_from
        else:
            input_size, size_from = 224, "default 224 (the model does not declare an input size; pass --input-size)"
        backend.baseline_rss_mb = baseline
        backend.load(loaded, input_size)
    except Exception as exc:
        emit(event="fatal", scope="model", kind="error", message=_error_text(exc),
             traceback=traceback.format_exc(limit=4)[-2000:])
        return 1
    try:
        counts, count_error = backend.count(), None
    except Exception as exc:  # counting is a bonus; the timing still runs
        counts, count_error = {}, _error_text(exc)
    emit(event="model", input_size=input_size, input_size_from=size_from, precision=backend.precision,
         settings=backend.settings(), counts=counts, count_error=count_error)

    warmup, runs, train = int(job["warmup"]), int(job["runs"]), bool(job.get("train"))
    failed: tuple[int, str] | None = None
    train_failed: str | None = None
    for bs in job["batch_sizes"]:
        if failed is not None:
            emit(event="batch", batch_size=bs, status="skipped",
                 reason=f"not run: batch size {failed[0]} failed ({failed[1]})")
            continue
        emit(event="start", batch_size=bs)
        x = None
        try:
            x = backend.make_inputs(bs)
            backend.reset_peak_memory()
            times = _timed_runs(backend, backend.run_batch, x, warmup, runs)
            mem = backend.memory()
        except Exception as exc:
            status = "oom" if backend.is_out_of_memory(exc) else "error"
            del x
            backend.after_failure()
            emit(event="batch", batch_size=bs, status=status, reason=_error_text(exc))
            failed = (bs, "out of memory" if status == "oom" else "error")
            continue
        result: dict[str, Any] = {"times_s": times, "memory_mb": mem.main_mb, "memory_includes": mem.includes,
                                  "memory_details_mb": dict(mem.details_mb)}
        if train and train_failed is None:
            try:
                backend.reset_peak_memory()
                train_times = _timed_runs(backend, backend.train_step, x, warmup, runs)
                tmem = backend.memory()
                result["train_times_s"] = train_times
                result["memory_details_mb"].update({f"train_{k}": v for k, v in tmem.details_mb.items()})
                if tmem.main_mb is not None:
                    result["memory_details_mb"]["train_step_peak"] = tmem.main_mb
            except Exception as exc:
                oom = backend.is_out_of_memory(exc)
                train_failed = f"{'out of memory' if oom else 'error'} at batch size {bs}: {_error_text(exc)}"
                backend.after_failure()
                result["train_note"] = f"training step not timed: {train_failed}"
        elif train:
            result["train_note"] = f"training step not timed: an earlier batch failed ({train_failed})"
        del x
        emit(event="batch", batch_size=bs, status="ok", **result)
    backend.close()
    emit(event="done")
    return 0


def main() -> int:
    line = sys.stdin.readline()
    out = _result_channel()

    def emit(**event: Any) -> None:
        out.write(json.dumps(event, allow_nan=False) + "\n")
        out.flush()

    try:
        job = json.loads(line)
    except ValueError:
        emit(event="fatal", scope="run", kind="error", message="worker got no valid job on stdin")
        return 2
    threading.Thread(target=_watch_parent, daemon=True).start()
    return measure(job, emit)


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # Skip interpreter teardown: some runtimes hang or crash in their atexit handlers.
    os._exit(code)
