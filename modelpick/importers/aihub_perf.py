"""Qualcomm AI Hub Models ``perf.yaml`` -> rows (one per runtime for the chosen device).

Format (quic/ai-hub-models qai_hub_models/models/<model_id>/perf.yaml): ``precisions: <precision>: components:
<name>: performance_metrics: <device name>: <runtime>: {inference_time_milliseconds, estimated_peak_memory_range_mb:
{min, max}, primary_compute_unit, job_status, tool_versions}``. The model is the folder name (``mobilenet_v2``),
mapped through the reviewed ``qualcomm-aihub`` alias section; the file holds many devices, so ``source_device``
picks one. Input sizes are not in the file (``--input-size``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .base import ImportFormatError, ParseOptions, Parsed, number
from .rows import SourceRow

FORMAT = "aihub-perf"
ALIAS_SECTION = "qualcomm-aihub"
RUNTIMES = {"tflite": "tflite", "qnn_dlc": "qnn-dlc", "onnx": "onnxruntime", "qnn_context_binary": "qnn-context-binary",
            "precompiled_qnn_onnx": "precompiled-qnn-onnx"}
PRECISIONS = {"float": "float"}


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i
    return None


def parse(path: Path, text: str, opts: ParseOptions) -> Parsed:
    out = Parsed()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ImportFormatError(path, f"not valid YAML: {getattr(exc, 'problem', exc)} (truncated file?)",
                                mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or not isinstance(data.get("precisions"), dict):
        raise ImportFormatError(path, "no 'precisions:' mapping: is this an AI Hub Models perf.yaml (2025 layout)?")
    model_id = path.parent.name

    def mapping(value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ImportFormatError(path, f"{where} should be a mapping, found {type(value).__name__} "
                                    "(truncated or not an AI Hub perf.yaml?)", _line_of(text, where.rsplit(".", 1)[-1] + ":"))
        return value

    found: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for precision, pdata in data["precisions"].items():
        components = mapping(mapping(pdata, f"precisions.{precision}").get("components"), f"{precision}.components")
        for component, cdata in components.items():
            metrics_by_device = mapping(mapping(cdata, f"components.{component}").get("performance_metrics"),
                                        f"{component}.performance_metrics")
            for device, ddata in metrics_by_device.items():
                for runtime, metrics in mapping(ddata, f"performance_metrics.{device}").items():
                    found.setdefault(str(device), []).append(
                        (str(precision), str(runtime), mapping(metrics, f"{device}.{runtime}")))
    if not found:
        raise ImportFormatError(path, "no performance_metrics entries")
    if opts.source_device is None and len(found) > 1:
        raise ImportFormatError(path, f"the file holds {len(found)} devices; choose one with --source-device. Valid: "
                                + ", ".join(sorted(found)))
    device = opts.source_device or next(iter(found))
    if device not in found:
        raise ImportFormatError(path, f"device {device!r} is not in the file. Valid: {', '.join(sorted(found))}")
    for precision, runtime, m in found[device]:
        line = _line_of(text, str(m["job_id"])) if m.get("job_id") else None
        if m.get("job_status") not in (None, "Passed"):
            continue
        if "inference_time_milliseconds" not in m:
            raise ImportFormatError(path, f"{device} {runtime} {precision}: no inference_time_milliseconds", line)
        if runtime not in RUNTIMES:
            raise ImportFormatError(path, f"unknown runtime {runtime!r}; this parser knows {', '.join(RUNTIMES)}", line)
        ms = number(str(m["inference_time_milliseconds"]), path, line, "inference_time_milliseconds")
        peak = mapping(m.get("estimated_peak_memory_range_mb"), f"{device}.{runtime}.estimated_peak_memory_range_mb")
        versions = mapping(m.get("tool_versions"), f"{device}.{runtime}.tool_versions")
        note = (f"peak memory range {peak.get('min')}-{peak.get('max')} MB; "
                + ", ".join(f"{k} {v}" for k, v in versions.items()))
        out.rows.append(SourceRow(
            model=model_id, runtime=RUNTIMES[runtime], batch_size=1, input_size=opts.input_size,
            precision=precision.replace("_", "-"), latency_ms=ms,
            settings={"compute_unit": str(m.get("primary_compute_unit", "")).lower() or "unstated",
                      "batch_stated": False},
            note=note, origin=f"{path}:{line}" if line else str(path)))
        out.fact("runtime", f"AI Hub {runtime} on {device} ({', '.join(f'{k} {v}' for k, v in versions.items())})")
    if not out.rows:
        raise ImportFormatError(path, f"no passed jobs for {device!r}")
    out.fact("timing", "inference_time_milliseconds as published by the AI Hub profiling job")
    out.fact("memory", "peak-memory range of the profiling job kept in each row's note (not used as memory_mb)")
    out.fact("batch", "not stated (AI Hub default batch 1); stored with settings.batch_stated: false")
    return out
