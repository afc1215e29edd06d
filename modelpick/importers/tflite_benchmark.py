"""TensorFlow Lite ``benchmark_model`` log -> one row.

Format (tensorflow/lite/tools/benchmark/README.md and published logs): the tool echoes its flags as
``Name: [value]`` lines (``Graph: [model.tflite]``, ``Num threads: [4]``, ``Use gpu: [1]`` ...), prints
``count=N first=.. curr=.. min=.. max=.. avg=.. std=..`` for the warm-up and the timed runs, then
``Inference timings in us: Init: .., First inference: .., Warmup (avg): .., Inference (avg): ..`` (older builds:
``Average inference timings in us: Warmup: .., Init: .., no stats: ..``) and the memory line
``Peak memory footprint (MB): init=.. overall=..`` or ``Memory footprint delta from the start of the tool (MB): ...``.
Lines may carry an ``INFO:`` or logcat ``I tflite  :`` prefix; averages may be printed as ``2.95034e+06``.
"""

from __future__ import annotations

import re
from pathlib import Path

from .base import ImportFormatError, ParseOptions, Parsed, model_name_from_path, number, numbered_lines
from .rows import SourceRow

FORMAT = "tflite-benchmark"
ALIAS_SECTION = "tflite-benchmark"
RUNTIME = "tflite"

_PREFIX = re.compile(r"^\s*(?:INFO:\s*|I\s+tflite\s*:\s*|\[INFO\]\s*)")
_FLAG = re.compile(r"^([A-Za-z#][^:\[\]]*?)\s*:\s*\[(.*)\]\s*$")
_SUMMARY = re.compile(r"^Inference timings in (\w+): (.*)$")
_OLD_SUMMARY = re.compile(r"^Average inference timings in (\w+): (.*)$")
_COUNT = re.compile(r"^count=(\d+)\b(.*)$")
_MEMORY = re.compile(r"^(Peak memory footprint|Memory footprint delta from the start of the tool) \((\w+)\): (.*)$")
_KV = re.compile(r"([A-Za-z][A-Za-z ()]*?)\s*[:=]\s*([^,\s]+)")

_DELEGATE_FLAGS = {"use_gpu": "gpu", "use_nnapi": "nnapi", "use_hexagon": "hexagon", "use_xnnpack": "xnnpack",
                   "use_coreml": "coreml", "external_delegate_path": "external"}


#: TensorFlow's hosted classifiers name the input size last: mobilenet_v1_1.0_224.tflite, inception_v3_299_quant.tflite.
_SIZE_IN_NAME = re.compile(r"_(\d{2,4})(?:_quant)?(?:\.tflite)?$", re.I)


def size_from_file_name(name: str) -> int | None:
    """The input size (px) a conventional model file name ends in, or None (sizes below 96 px are not this)."""
    m = _SIZE_IN_NAME.search(name)
    return int(m.group(1)) if m and 96 <= int(m.group(1)) <= 1024 else None


def _flag_key(name: str) -> str:
    return re.sub(r"[^a-z0-9#]+", "_", name.strip().lower()).strip("_")


def parse(path: Path, text: str, opts: ParseOptions) -> Parsed:
    out = Parsed()
    flags: dict[str, tuple[str, int]] = {}
    timed: dict[str, float] | None = None
    summary: dict[str, float] | None = None
    summary_line = 0
    memory: tuple[str, dict[str, float], int] | None = None
    counts: list[tuple[int, str, int]] = []
    version = None
    loaded = None
    for no, raw in numbered_lines(text):
        line = _PREFIX.sub("", raw).strip()
        if not line:
            continue
        if (m := _FLAG.match(line)) and not line.startswith("count="):
            flags.setdefault(_flag_key(m.group(1)), (m.group(2).strip(), no))
            continue
        if m := re.match(r"^The TFLite version is ([\w.\-]+)", line):
            version = m.group(1)
        if m := re.match(r"^Loaded model (\S+)", line):
            loaded = loaded or m.group(1)
        if m := _COUNT.match(line):
            counts.append((int(m.group(1)), m.group(2), no))
            continue
        m = _SUMMARY.match(line) or _OLD_SUMMARY.match(line)
        if m:
            unit = m.group(1)
            if unit != "us":
                raise ImportFormatError(path, f"inference timings in unknown unit {unit!r}; benchmark_model prints 'us'", no)
            summary = {}
            for key, value in _KV.findall(m.group(2)):
                summary[key.strip()] = number(value, path, no, key.strip())
            summary_line = no
            continue
        if m := _MEMORY.match(line):
            if m.group(2) != "MB":
                raise ImportFormatError(path, f"memory in unknown unit {m.group(2)!r}; benchmark_model prints 'MB'", no)
            values = {k.strip(): number(v, path, no, k.strip()) for k, v in _KV.findall(m.group(3))}
            memory = (m.group(1), values, no)
    if summary is None:
        if counts:
            raise ImportFormatError(path, "no 'Inference timings in us: ...' summary line after the runs "
                                    "(truncated log?)", counts[-1][2])
        raise ImportFormatError(path, "no 'Inference timings in us: ...' line found: is this TFLite benchmark_model "
                                "output?")
    avg_us = summary.get("Inference (avg)", summary.get("no stats"))
    if avg_us is None:
        raise ImportFormatError(path, f"summary line has no 'Inference (avg)' value (found: {', '.join(summary)})",
                                summary_line)
    # the timed runs' count= line is the last one before the summary; its min/max/std/median are in us too
    stats: dict[str, float] = {}
    runs = None
    before = [c for c in counts if c[2] < summary_line]
    if before:
        runs, rest, cno = before[-1]
        for key, value in re.findall(r"(\w+)=([^\s]+)", rest):
            if key in ("min", "max", "std", "median", "p5", "p95"):
                stats[key] = number(value, path, cno, key) / 1000.0
    graph = flags.get("graph")
    model_path = graph[0] if graph and graph[0] else loaded  # older builds echo no flags, only 'Loaded model X'
    name = model_name_from_path(model_path) if model_path else None
    if name is None and opts.architecture is None:
        raise ImportFormatError(path, "the log names no model (no 'Graph: [...]' or 'Loaded model' line); give "
                                "--architecture")
    # the log does not print the input shape; benchmark_model runs the model's own (almost always batch 1)
    settings: dict[str, str | int | float | bool] = {"batch_stated": False}
    input_size = opts.input_size
    if input_size is None and name and (named := size_from_file_name(name)):
        input_size = named
        settings["input_size_stated"] = False
        out.fact("caveats", f"input size {named} px read from the model file name ({name}: TensorFlow's hosted "
                            "models end in _<size> or _<size>_quant); the log does not print the input shape, and "
                            "--input-size overrides it")
    threads = flags.get("num_threads") or flags.get("#threads_used_for_cpu_inference")
    if threads and threads[0].lstrip("-").isdigit():
        settings["threads"] = int(threads[0])
    delegates = [d for f, d in _DELEGATE_FLAGS.items() if f in flags and flags[f][0] not in ("", "0", "false")]
    settings["delegate"] = "+".join(delegates) if delegates else "cpu"
    for f in ("gpu_backend", "nnapi_accelerator_name", "gpu_precision_loss_allowed", "nnapi_execution_preference"):
        if f in flags and flags[f][0] != "":
            settings[f] = flags[f][0]
    if runs is not None:
        settings["runs"] = runs
    warmup = flags.get("min_warmup_runs") or flags.get("warmup_runs")
    if warmup and warmup[0].isdigit():
        settings["warmup_runs"] = int(warmup[0])
    memory_mb = memory_includes = None
    note = None
    if memory is not None:
        label, values, _ = memory
        overall = values.get("overall")
        if overall:
            memory_mb = overall
            memory_includes = (f"benchmark_model '{label}' overall (MB): process memory "
                               + ("peak" if label.startswith("Peak") else "growth since the tool started")
                               + "; the tool says it is only approximate")
        note = f"{label} (MB): " + ", ".join(f"{k}={v:g}" for k, v in values.items())
    out.rows.append(SourceRow(
        model=name or opts.architecture or "", runtime=RUNTIME, batch_size=1, input_size=input_size,
        precision=opts.precision, latency_ms=avg_us / 1000.0, memory_mb=memory_mb, memory_includes=memory_includes,
        settings=settings, stats=stats, note=note, origin=f"{path}:{summary_line}"))
    out.fact("runtime", f"TensorFlow Lite benchmark_model{' ' + version if version else ''}, delegate "
                        f"{settings['delegate']}" + (f", {settings['threads']} threads" if "threads" in settings else ""))
    out.fact("timing", "'Inference (avg)' in us over the timed runs (count= line) after warm-up runs; "
                       "min/max/std of the timed runs in stats (ms); model invocation only (benchmark_model fills "
                       "inputs before timing)")
    if memory is not None:
        out.fact("memory", memory_includes or memory[0])
    out.fact("batch", "not printed (the model's own input shape); stored as batch 1 with settings.batch_stated: false")
    return out
