"""ONNX Runtime ``onnxruntime_perf_test`` console output -> one row.

Format (onnxruntime/test/perftest/performance_runner.cc and published outputs; wording varies by version):
``Session creation time cost: X s``, ``Total inference requests: N`` (older: ``Total iterations:N``),
``Average inference time cost: X ms`` (older: ``Average time cost:X ms``), ``Peak working set size: N bytes``,
``Avg CPU usage: N %`` and percentiles as ``P90 Latency: X s`` or ``P90 Latency is X sec``. The execution provider
and the model are those of the command line (``-e cuda``, model path), echoed only when the log includes it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .base import ImportFormatError, ParseOptions, Parsed, model_name_from_path, number, numbered_lines, to_ms
from .rows import SourceRow

FORMAT = "onnxruntime-perf-test"
ALIAS_SECTION = "onnxruntime-perf-test"
RUNTIME = "onnxruntime"

_AVG = re.compile(r"^Average (?:inference )?time cost:\s*(\S+)\s*(\w+)\s*$")
_REQUESTS = re.compile(r"^Total (?:inference requests|iterations):\s*(\d+)\s*$")
_PCT = re.compile(r"^(Min|Max|P\d+) Latency(?::| is)\s*(\S+)\s*(\w+)\s*$")
_PEAK = re.compile(r"^Peak working set size:\s*(\d+)\s*(bytes)?\s*$")
_CPU = re.compile(r"^Avg CPU usage:\s*(\S+)\s*%?\s*$")
_SESSION = re.compile(r"^Session creation time cost:\s*(\S+)\s*(\w+)\s*$")
_CMD = re.compile(r"onnxruntime_perf_test(?:\.exe)?\s+(.*)$")


def parse(path: Path, text: str, opts: ParseOptions) -> Parsed:
    """One row per run; a file may hold several runs, each starting at its echoed command line."""
    out = Parsed()
    segments: list[list[tuple[int, str]]] = [[]]
    for no, raw in numbered_lines(text):
        if _CMD.search(raw) and segments[-1] and any(_AVG.match(r.strip()) for _, r in segments[-1]):
            segments.append([])
        segments[-1].append((no, raw))
    for seg in segments:
        _parse_run(path, seg, opts, out)
    return out


def _parse_run(path: Path, lines: list[tuple[int, str]], opts: ParseOptions, out: Parsed) -> None:
    avg = None
    requests = None
    stats: dict[str, float] = {}
    peak = cpu = session = None
    command = None
    for no, raw in lines:
        line = raw.strip().lstrip("#$> ").strip()
        if not line:
            continue
        if command is None and (m := _CMD.search(line)):
            command = (m.group(1), no)
            continue
        if m := _AVG.match(line):
            avg = (to_ms(number(m.group(1), path, no, "average time"), m.group(2), path, no), no)
        elif m := _REQUESTS.match(line):
            requests = int(m.group(1))
        elif m := _PCT.match(line):
            stats[m.group(1).lower()] = to_ms(number(m.group(2), path, no, f"{m.group(1)} latency"), m.group(3), path, no)
        elif m := _PEAK.match(line):
            peak = int(m.group(1))
        elif m := _CPU.match(line):
            cpu = number(m.group(1), path, no, "Avg CPU usage")
        elif m := _SESSION.match(line):
            session = to_ms(number(m.group(1), path, no, "session creation time"), m.group(2), path, no)
    if avg is None:
        if requests is not None or session is not None:
            raise ImportFormatError(path, "no 'Average inference time cost: X ms' line (truncated log?)")
        raise ImportFormatError(path, "no 'Average inference time cost' line found: is this onnxruntime_perf_test "
                                "output?")
    settings: dict[str, str | int | float | bool] = {"batch_stated": False}
    name = None
    if command is not None:
        args = command[0].split()
        model_args = [a for a in args if a.endswith(".onnx") or a.endswith(".ort")]
        if model_args:
            name = model_name_from_path(model_args[0])
        for flag, key in (("-e", "execution_provider"), ("-x", "intra_op_threads"), ("-r", "repeats"),
                          ("-m", "test_mode"), ("-t", "duration_s")):
            if flag in args[:-1]:
                value = args[args.index(flag) + 1]
                settings[key] = int(value) if value.isdigit() else value
        if "execution_provider" not in settings:
            settings["execution_provider"] = "cpu"  # the echoed command has no -e: the tool's default provider
    if name is None and opts.architecture is None:
        raise ImportFormatError(path, "the output names no model (no onnxruntime_perf_test command line in the log); "
                                "give --architecture")
    if requests is not None:
        settings["runs"] = requests
    if cpu is not None:
        settings["avg_cpu_usage_pct"] = cpu
    memory_mb = peak / (1024 * 1024) if peak else None
    out.rows.append(SourceRow(
        model=name or opts.architecture or "", runtime=RUNTIME, batch_size=1, input_size=opts.input_size,
        precision=opts.precision, latency_ms=avg[0], memory_mb=memory_mb,
        memory_includes=("onnxruntime_perf_test 'Peak working set size' of the process (bytes / 2^20)"
                         if memory_mb else None),
        settings=settings, stats=stats,
        note=(f"session creation {session:g} ms" if session is not None else None), origin=f"{path}:{avg[1]}"))
    out.fact("runtime", "ONNX Runtime onnxruntime_perf_test, execution provider "
                        + str(settings.get("execution_provider", "not printed")))
    out.fact("timing", "'Average inference time cost' over the timed requests after one warm-up run "
                       "(performance_runner.cc); session creation excluded; percentiles in stats (ms)")
    if memory_mb:
        out.fact("memory", "peak working set of the process")
    out.fact("batch", "not printed (the test data's shape); stored as batch 1 with settings.batch_stated: false")
