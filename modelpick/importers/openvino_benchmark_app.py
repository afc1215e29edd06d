"""OpenVINO ``benchmark_app`` console report -> one row.

Format (openvino samples/cpp/benchmark_app and tools/benchmark_tool; published notebook outputs): ``[Step n/11]``
progress lines and ``[ INFO ]`` lines: ``Build ........ 2024.0.0-...``, ``Model inputs:`` with
``name (node: name) : f32 / [N,C,H,W] / [1,3,224,224]``, ``Model batch size: 1``, ``PERFORMANCE_HINT: THROUGHPUT``,
``NUM_STREAMS``, ``INFERENCE_NUM_THREADS``, ``INFERENCE_PRECISION_HINT``, ``Measuring performance (Start inference
asynchronously, 6 inference requests, limits: 15000 ms duration)``, then under ``Dumping statistics report``:
``Execution Devices:['CPU']``, ``Count: N iterations``, ``Duration: X ms``, ``Latency:`` with ``Median``/``Average``/
``Min``/``Max`` (or ``99 percentile``) in ms (us for sub-ms averages), and ``Throughput: X FPS``.

Also the ``-report_type`` statistics CSV (``benchmark_report.csv``; tools/benchmark_tool statistics_report.py and
main.py): ``;``-separated ``key;value`` lines under ``Command line parameters``, ``Configuration setup`` (target
device, API, batch size, number of parallel infer requests, number of <device> streams) and ``Execution results``
(``latency (ms)`` = median, ``avg latency``, ``min latency``, ``max latency``, ``throughput``, all ms / FPS).
"""

from __future__ import annotations

import re
from pathlib import Path

from .base import ImportFormatError, ParseOptions, Parsed, model_name_from_path, number, numbered_lines, to_ms
from .rows import SourceRow

FORMAT = "openvino-benchmark-app"
ALIAS_SECTION = "openvino-benchmark-app"
RUNTIME = "openvino"

_PREFIX = re.compile(r"^\s*\[\s*(?:INFO|WARNING|ERROR)\s*\]\s?")
_LAT = re.compile(r"^\s*(Median|Average|AVG|Min|MIN|Max|MAX|(\d+) percentile):\s*(\S+)\s*(\w+)\s*$")
_INPUT = re.compile(r"^\s*\S+ \(node: [^)]*\) : (\w+) / \[([^\]]*)\] / \[([^\]]*)\]")
_PRECISION_HINT = {"f32": "fp32", "float32": "fp32", "f16": "fp16", "float16": "fp16", "bf16": "bf16",
                   "bfloat16": "bf16", "i8": "int8", "u8": "int8"}


_CSV_SECTIONS = ("Command line parameters", "Configuration setup", "Execution results")


def parse(path: Path, text: str, opts: ParseOptions) -> Parsed:
    if text.lstrip().startswith(_CSV_SECTIONS):
        return _parse_csv_report(path, text, opts)
    return _parse_console(path, text, opts)


def _parse_csv_report(path: Path, text: str, opts: ParseOptions) -> Parsed:
    out = Parsed()
    sections: dict[str, dict[str, tuple[str, int]]] = {}
    current = None
    for no, raw in numbered_lines(text):
        line = raw.strip()
        if not line:
            continue
        if line in _CSV_SECTIONS:
            current = sections.setdefault(line, {})
            continue
        if current is None or ";" not in line:
            raise ImportFormatError(path, f"expected 'key;value' under a section header, got {line[:60]!r}", no)
        key, value = line.split(";", 1)
        current.setdefault(key.strip().lower(), (value.strip(), no))
    results = sections.get("Execution results")
    if not results:
        raise ImportFormatError(path, "no 'Execution results' section (truncated report, or a performance-counters "
                                "report rather than benchmark_report.csv?)")
    config = sections.get("Configuration setup", {})
    latency: dict[str, float] = {}
    lat_line = None
    for key, (value, no) in results.items():
        k = key.replace("(ms)", "").strip()
        name = {"latency": "median", "median latency": "median", "avg latency": "mean", "average latency": "mean",
                "min latency": "min", "max latency": "max"}.get(k)
        if name is None and (m := re.match(r"^latency \((\d+) percentile\)$", k)):
            name = f"p{m.group(1)}"
        if name is not None:
            latency[name] = number(value, path, no, key)
            lat_line = lat_line or no
    if "mean" not in latency and "median" not in latency:
        raise ImportFormatError(path, "Execution results have no 'avg latency' or 'latency (ms)' line")
    throughput = None
    if "throughput" in results:
        value, no = results["throughput"]
        throughput = number(value, path, no, "throughput")
    model = next((v for v, _ in sections.get("Command line parameters", {}).values()
                  if re.search(r"\.(xml|onnx|pdmodel|tflite|blob|pb)$", v, re.I)), None)
    name = model_name_from_path(model) if model else None
    if name is None and opts.architecture is None:
        raise ImportFormatError(path, "the report names no model file; give --architecture")
    batch_text = config.get("batch size", ("1", 0))[0]
    settings: dict[str, str | int | float | bool] = {}
    if "target device" in config:
        settings["device"] = config["target device"][0]
    if "api" in config:
        settings["api"] = config["api"][0]
    if "number of parallel infer requests" in config and config["number of parallel infer requests"][0].isdigit():
        settings["infer_requests"] = int(config["number of parallel infer requests"][0])
    for key, (value, _) in config.items():
        if (m := re.match(r"^number of (\w+) streams$", key)) and value.isdigit():
            settings["streams"] = int(value)
    if "total number of iterations" in results and results["total number of iterations"][0].isdigit():
        settings["iterations"] = int(results["total number of iterations"][0])
    stats = {k: v for k, v in latency.items() if k != "mean"}
    out.rows.append(SourceRow(
        model=name or opts.architecture or "", runtime=RUNTIME, batch_size=int(batch_text) if batch_text.isdigit() else 1,
        input_size=opts.input_size, precision=opts.precision, batch_latency_ms=latency.get("mean", latency.get("median")),
        fps=throughput, settings=settings, stats=stats, origin=f"{path}:{lat_line}"))
    out.fact("runtime", f"OpenVINO benchmark_app statistics report, device {settings.get('device', 'not stated')}")
    out.fact("timing", "avg latency (per infer request, one batch) as batch_latency_ms and throughput (FPS) as fps; "
                       "median/min/max in stats")
    out.fact("batch", "batch size as reported" if "batch size" in config else "not stated; batch 1")
    return out


def _parse_console(path: Path, text: str, opts: ParseOptions) -> Parsed:
    out = Parsed()
    report_at = None
    latency: dict[str, float] = {}
    lat_line = None
    in_latency = False
    info: dict[str, str] = {}
    inputs: list[tuple[str, str, str]] = []
    throughput = None
    count = None
    for no, raw in numbered_lines(text):
        if "Dumping statistics report" in raw:
            report_at = no
            continue
        line = _PREFIX.sub("", raw.strip())
        if m := _INPUT.match(line):
            inputs.append((m.group(1), m.group(2), m.group(3)))
            continue
        if m := re.match(r"^Build \.+ (\S+)", line):
            info.setdefault("build", m.group(1))
            continue
        if m := re.search(r"Measuring performance \((.*)\)", raw):
            info["measuring"] = m.group(1)
            continue
        if m := re.match(r"^\s*([A-Z][A-Z_]+):\s*(.+)$", line):
            info.setdefault(m.group(1), m.group(2).strip())
            continue
        if m := re.match(r"^(?:Model batch size|Network batch size):\s*(\d+)", line):
            info["batch"] = m.group(1)
            continue
        if m := re.search(r"benchmark_app(?:\.py)?\s.*?-m\s+(\S+)", raw):
            info.setdefault("model", m.group(1).strip("`'\""))
            continue
        if report_at is None:
            continue
        if m := re.match(r"^Execution Devices:\s*(.*)$", line):
            info["execution_devices"] = ",".join(re.findall(r"'([^']+)'", m.group(1))) or m.group(1)
        elif m := re.match(r"^Count:\s*(\d+)", line):
            count = int(m.group(1))
        elif line.startswith("Latency:"):
            in_latency = True
        elif in_latency and (m := _LAT.match(line)):
            key = m.group(1).lower()
            key = {"average": "mean", "avg": "mean"}.get(key, key)
            if m.group(2):
                key = f"p{m.group(2)}"
            latency[key] = to_ms(number(m.group(3), path, no, f"latency {m.group(1)}"), m.group(4), path, no)
            lat_line = lat_line or no
        elif m := re.match(r"^Throughput:\s*(\S+)\s*(\S+)", line):
            in_latency = False
            if m.group(2) != "FPS":
                raise ImportFormatError(path, f"throughput in unknown unit {m.group(2)!r}; benchmark_app prints 'FPS'", no)
            throughput = number(m.group(1), path, no, "Throughput")
    if report_at is None:
        raise ImportFormatError(path, "no 'Dumping statistics report' step: is this OpenVINO benchmark_app output, "
                                "or was it cut off before the report?")
    if "mean" not in latency and "median" not in latency:
        raise ImportFormatError(path, "statistics report has no Latency Average/Median lines (truncated log?)", report_at)
    name = model_name_from_path(info["model"]) if "model" in info else None
    if name is None and opts.architecture is None:
        raise ImportFormatError(path, "the report names no model (benchmark_app does not print the -m path); give "
                                "--architecture")
    batch = int(info.get("batch", "1"))
    input_size = opts.input_size
    if inputs and input_size is None:
        layout = [d.strip() for d in inputs[0][1].split(",")]
        shape = [int(x) for x in re.findall(r"\d+", inputs[0][2])]
        if len(layout) == len(shape) == 4 and "H" in layout and "W" in layout:
            h, w = shape[layout.index("H")], shape[layout.index("W")]
            if h == w:
                input_size = h
    hint = info.get("INFERENCE_PRECISION_HINT", "")
    hint_token = re.sub(r"[^a-z0-9]", "", hint.lower().replace("type", ""))
    precision = opts.precision or _PRECISION_HINT.get(hint_token)
    settings: dict[str, str | int | float | bool] = {}
    if "execution_devices" in info:
        settings["device"] = info["execution_devices"]
    for key, label in (("PERFORMANCE_HINT", "hint"), ("NUM_STREAMS", "streams"),
                       ("INFERENCE_NUM_THREADS", "threads"), ("OPTIMAL_NUMBER_OF_INFER_REQUESTS", "infer_requests")):
        if key in info:
            value = info[key].replace("PerformanceMode.", "")
            settings[label] = int(value) if value.isdigit() else value
    if "build" in info:
        settings["openvino"] = info["build"]
    if count is not None:
        settings["iterations"] = count
    if "measuring" in info:
        settings["api"] = "async" if "asynchronously" in info["measuring"] else "sync"
    stats = {k: v for k, v in latency.items() if k != "mean"}
    per_request = latency.get("mean", latency.get("median"))
    out.rows.append(SourceRow(
        model=name or opts.architecture or "", runtime=RUNTIME, batch_size=batch, input_size=input_size,
        precision=precision, batch_latency_ms=per_request, fps=throughput, settings=settings, stats=stats,
        note=(f"Throughput {throughput:g} FPS with {settings.get('infer_requests', '?')} parallel infer requests"
              if throughput is not None else None), origin=f"{path}:{lat_line or report_at}"))
    out.fact("runtime", f"OpenVINO benchmark_app {info.get('build', '(build not printed)')}, device "
                        f"{settings.get('device', 'not printed')}, hint {settings.get('hint', 'not printed')}")
    out.fact("timing", "Latency Average (per infer request, one batch) as batch_latency_ms and Throughput FPS as fps; "
                       "in throughput mode requests run in parallel, so fps exceeds 1000/latency; median/min/max in "
                       "stats; " + info.get("measuring", ""))
    out.fact("batch", "Model batch size as printed" if "batch" in info else "not printed; batch 1")
    return out
