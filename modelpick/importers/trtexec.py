"""TensorRT ``trtexec`` log -> one row.

Format (NVIDIA TensorRT samples/common, published logs): option echo lines (``=== Model Options ===``,
``Model: x.onnx``, ``Precision: FP32+FP16``, ``Batch: Explicit``, ``Shapes``, ``Iterations``, ``Duration: 3s (+ 200ms
warm up)``), ``TensorRT version: 10.9.0``, ``Input binding for NAME with dimensions 1x3x224x224 is created.``, and
the ``=== Performance summary ===`` block: ``Throughput: N qps``, ``Latency: min = .. ms, max = .., mean = ..,
median = .., percentile(99%) = ..`` and the same for ``GPU Compute Time``. Lines carry a ``[date] [I]`` prefix.
TensorRT 7 / 8.0 print the statistics as blocks instead (``GPU Compute`` then ``min: x ms``, ``mean: ..``,
``percentile: .. ms at 99%`` lines); those are read too. A log cut to its statistics may still end in the
``&&&& PASSED TensorRT.trtexec # trtexec --onnx=x.onnx --fp16 ...`` line: its model, precision flags and
``--shapes`` are read where the option echo is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from .base import ImportFormatError, ParseOptions, Parsed, model_name_from_path, number, numbered_lines, to_ms
from .rows import SourceRow

FORMAT = "trtexec"
ALIAS_SECTION = "trtexec"
RUNTIME = "tensorrt"

_PREFIX = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:\[[IWEV]\]\s*)")
_STAT = re.compile(r"(min|max|mean|median|percentile\((\d+(?:\.\d+)?)%\))\s*=\s*([^\s,]+)\s*(\w+)")
_DIMS = re.compile(r"(?:Input binding for|Created input binding for) (\S+) with dimensions (\S+)")
_COMMAND = re.compile(r"^&&&& (?:RUNNING|PASSED|FAILED) TensorRT\.trtexec\b[^#]*#\s*(\S.*)$")


def _stats(text: str, path: Path, no: int) -> dict[str, float]:
    out = {}
    for key, pct, value, unit in _STAT.findall(text):
        name = f"p{pct.rstrip('0').rstrip('.') if '.' in pct else pct}" if pct else key
        out[name] = to_ms(number(value, path, no, key), unit, path, no)
    return out


def parse(path: Path, text: str, opts: ParseOptions) -> Parsed:
    out = Parsed()
    info: dict[str, tuple[str, int]] = {}
    dims: list[str] = []
    summary_at = None
    perf: dict[str, tuple[dict[str, float], int]] = {}
    throughput = None
    old_section = None  # TensorRT 7 / 8.0 print 'GPU Compute' then 'min: x ms' lines instead of the summary block
    old: dict[str, dict[str, float]] = {}
    old_line = None
    command: dict[str, str] = {}
    for no, raw in numbered_lines(text):
        line = _PREFIX.sub("", raw).strip()
        if not line:
            continue
        if m := _COMMAND.match(line):
            command = command or _command_options(m.group(1))
            continue
        if line in ("Host Latency", "Enqueue Time", "GPU Compute", "H2D Latency", "D2H Latency"):
            old_section = line
            continue
        if old_section and (m := re.match(r"^(min|max|mean|median|percentile):\s*(\S+)\s*(\w+)(?:.*?at (\d+)%)?", line)):
            key = f"p{m.group(4)}" if m.group(1) == "percentile" and m.group(4) else m.group(1)
            old.setdefault(old_section, {})[key] = to_ms(number(m.group(2), path, no, key), m.group(3), path, no)
            old_line = old_line or no
            continue
        old_section = None
        if line.startswith("=== Performance summary ==="):
            summary_at = no
            continue
        if m := _DIMS.search(line):
            dims.append(m.group(2))
            continue
        if summary_at is not None:
            if m := re.match(r"^Throughput:\s*(\S+)\s*(\S+)", line):
                if m.group(2) != "qps":
                    raise ImportFormatError(path, f"throughput in unknown unit {m.group(2)!r}; trtexec prints 'qps'", no)
                throughput = (number(m.group(1), path, no, "Throughput"), no)
                continue
            if m := re.match(r"^(Latency|GPU Compute Time|End-to-End Host Latency|Enqueue Time|H2D Latency|D2H Latency):(.*)$", line):
                perf[m.group(1)] = (_stats(m.group(2), path, no), no)
                continue
        if m := re.match(r"^([A-Za-z][\w ()/-]*?):\s*(.*)$", line):
            info.setdefault(m.group(1).strip(), (m.group(2).strip(), no))
    if summary_at is None and "mean" in old.get("GPU Compute", {}):
        perf["GPU Compute Time"] = (old["GPU Compute"], old_line or 1)
        if "Host Latency" in old:
            perf["Latency"] = (old["Host Latency"], old_line or 1)
        summary_at = old_line
    if summary_at is None:
        raise ImportFormatError(path, "no '=== Performance summary ===' block (nor a TensorRT 7 'GPU Compute' block "
                                "with a mean): is this trtexec output, or was it cut off before the summary?")
    if "GPU Compute Time" not in perf or "mean" not in perf["GPU Compute Time"][0]:
        raise ImportFormatError(path, "performance summary has no 'GPU Compute Time: ... mean = ...' line "
                                "(truncated log?)", summary_at)
    gpu, gpu_line = perf["GPU Compute Time"]
    model = (info.get("Model", ("", 0))[0] or info.get("Load engine", ("", 0))[0]
             or command.get("onnx") or command.get("loadEngine"))
    name = model_name_from_path(model) if model else None
    if name is None and opts.architecture is None:
        raise ImportFormatError(path, "the log names no model ('Model:' or 'Load engine:' line); give --architecture")
    batch = 1
    input_size = opts.input_size
    if not dims and "shapes" in command:  # --shapes=images:1x3x640x640 (the first input's)
        dims = [command["shapes"].split(",")[0].rsplit(":", 1)[-1]]
    if dims:
        shape = [int(x) for x in re.findall(r"\d+", dims[0])]
        if len(shape) == 4:
            batch = shape[0]
            if input_size is None and shape[2] == shape[3]:
                input_size = shape[2]
            elif input_size is None and shape[1] == shape[2]:  # NHWC
                input_size = shape[1]
    elif info.get("Batch", ("", 0))[0].isdigit():  # implicit-batch engines (TensorRT <= 7)
        batch = int(info["Batch"][0])
    precision_flags = info.get("Precision", ("", 0))[0] or " ".join(
        f"--{f}" for f in ("fp16", "bf16", "int8") if f in command)  # the command line's flags when no echo
    precision = opts.precision or _precision(precision_flags)
    settings: dict[str, str | int | float | bool] = {"timing": "gpu-compute"}
    if "TensorRT version" in info:
        settings["tensorrt"] = info["TensorRT version"][0]
    elif m := re.search(r"\[TensorRT v(\d+)\]", text):
        settings["tensorrt_build"] = m.group(1)
    if precision_flags:
        settings["precision_flags"] = precision_flags
    if "TF32 is enabled by default" in text:
        settings["tf32"] = True
    for key, label in (("Selected Device", "gpu"), ("Inference Streams", "streams"), ("CUDA Graph", "cuda_graph")):
        if key in info and info[key][0]:
            settings[label] = int(info[key][0]) if info[key][0].isdigit() else info[key][0]
    stats = {k: v for k, v in gpu.items() if k != "mean"}
    if "Latency" in perf:
        for k, v in perf["Latency"][0].items():
            stats[f"host_{k}"] = v
    row = SourceRow(
        model=name or opts.architecture or "", runtime=RUNTIME, batch_size=batch, input_size=input_size,
        precision=precision, batch_latency_ms=gpu["mean"], settings=settings, stats=stats,
        note=(f"Throughput: {throughput[0]:g} qps" if throughput else None), origin=f"{path}:{gpu_line}")
    out.rows.append(row)
    version = settings.get("tensorrt") or settings.get("tensorrt_build")
    out.fact("runtime", f"TensorRT trtexec{' ' + str(version) if version else ''}"
                        + (f" on {settings['gpu']}" if "gpu" in settings else "")
                        + (f", precision flags {precision_flags}" if precision_flags else ""))
    duration = info.get("Duration", ("", 0))[0]
    iterations = info.get("Iterations", ("", 0))[0]
    out.fact("timing", "GPU Compute Time mean per query (one batch) as batch_latency_ms; host Latency (incl. H2D/D2H "
                       "copies) and percentiles in stats"
             + (f"; Iterations: {iterations}" if iterations else "") + (f"; Duration: {duration}" if duration else ""))
    out.fact("batch", "from the input binding dimensions" if dims else "not printed; batch 1")
    return out


def _command_options(command: str) -> dict[str, str]:
    """trtexec's own command line as the '&&&&' line prints it -> its options ('--fp16' -> {'fp16': ''})."""
    out: dict[str, str] = {}
    for word in command.split()[1:]:
        if word.startswith("--"):
            key, _, value = word[2:].partition("=")
            out.setdefault(key, value)
    return out


def _precision(flags: str) -> str | None:
    """trtexec's Precision line lists the allowed kernel types (FP32, FP32+FP16, FP32+INT8 ...): the lowest one."""
    f = flags.upper()
    if "INT8" in f:
        return "int8"
    if "FP16" in f:
        return "fp16"
    if "BF16" in f:
        return "bf16"
    if "FP32" in f:
        return "fp32"
    return None
