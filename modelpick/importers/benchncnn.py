"""benchncnn (ncnn's benchmark tool) console output -> rows.

Format (Tencent/ncnn benchmark/benchncnn.cpp and benchmark/README.md): each run prints a header
``loop_count = N``, ``num_threads = N``, ``powersave = N``, ``gpu_device = N``, ``cooling_down = N`` and then one
``name  min = x  max = y  avg = z`` line per model, in ms. Several runs can share a file; each header starts one.
Vulkan runs print ``[0 GPU name]  ...`` device lines first. ``*_int8`` models are int8; the rest run with ncnn's
defaults (fp16 storage/arithmetic where supported), recorded as precision ``auto``.
"""

from __future__ import annotations

import re
from pathlib import Path

import dataclasses

from .base import ImportFormatError, ParseOptions, Parsed, number, numbered_lines
from .rows import SourceRow

FORMAT = "benchncnn"
ALIAS_SECTION = "ncnn-benchncnn"
#: benchncnn runs its bundled classifiers and detection graphs in one loop; the catalog reviews their names in two
#: sections (the detection graphs came with the detection sources), read here as one.
ALIAS_SECTIONS = ("ncnn-benchncnn", "ncnn-benchncnn-detection")
RUNTIME = "ncnn"

#: Input sizes benchncnn.cpp feeds each bundled model (ncnn::Mat(w, h, 3)); other names need --input-size.
INPUT_SIZES = {
    "squeezenet": 227, "squeezenet_int8": 227, "alexnet": 227, "mobilenet": 224, "mobilenet_int8": 224,
    "mobilenet_v2": 224, "mobilenet_v3": 224, "shufflenet": 224, "shufflenet_v2": 224, "mnasnet": 224,
    "proxylessnasnet": 224, "efficientnet_b0": 224, "efficientnetv2_b0": 224, "regnety_400m": 224,
    "blazeface": 128, "googlenet": 224, "googlenet_int8": 224, "resnet18": 224, "resnet18_int8": 224,
    "vgg16": 224, "vgg16_int8": 224, "resnet50": 224, "resnet50_int8": 224, "squeezenet_ssd": 300,
    "squeezenet_ssd_int8": 300, "mobilenet_ssd": 300, "mobilenet_ssd_int8": 300, "mobilenet_yolo": 416,
    "mobilenetv2_yolov3": 352, "yolov4-tiny": 416, "nanodet_m": 320, "yolo-fastest-1.1": 320,
    "yolo-fastestv2": 352, "vision_transformer": 384, "FastestDet": 352,
}

_HEADER_KEYS = ("loop_count", "num_threads", "powersave", "gpu_device", "cooling_down")
_HEADER = re.compile(r"^\s*(loop_count|num_threads|powersave|gpu_device|cooling_down)\s*=\s*(-?\d+)\s*$")
_RESULT = re.compile(r"^\s*(\S+)\s+min\s*=\s*(\S+)\s+max\s*=\s*(\S+)\s+avg\s*=\s*(\S+)\s*$")
_GPU = re.compile(r"^\[(\d+) ([^\]]+)\]\s+queueC=")


def parse(path: Path, text: str, opts: ParseOptions) -> Parsed:
    out = Parsed()
    header: dict[str, int] = {}
    header_line: int | None = None
    results_in_run = 0
    gpus: dict[int, str] = {}
    run_of: list[int] = []  # each row's run header line

    def close_run(at: int | None) -> None:
        if header_line is not None and results_in_run == 0:
            raise ImportFormatError(path, "run header with no result lines after it (truncated log?)", header_line)

    for no, line in numbered_lines(text):
        if m := _GPU.match(line):
            gpus[int(m.group(1))] = m.group(2).strip()
            continue
        if m := _HEADER.match(line):
            key, value = m.group(1), int(m.group(2))
            if key == "loop_count":
                close_run(no)
                header, header_line, results_in_run = {}, no, 0
            elif header_line is None:
                raise ImportFormatError(path, f"{key} before loop_count: not a benchncnn run header", no)
            header[key] = value
            continue
        if "min =" in line or "avg =" in line:
            m = _RESULT.match(line)
            if m is None:
                raise ImportFormatError(path, f"malformed or truncated result line {line.strip()!r}; expected "
                                        "'name  min = x  max = y  avg = z'", no)
            if header_line is None:
                raise ImportFormatError(path, "result line before any run header (loop_count = ...): not benchncnn "
                                        "output, or the header was cut off", no)
            missing = [k for k in _HEADER_KEYS if k not in header]
            if missing:
                raise ImportFormatError(path, f"run header is missing {', '.join(missing)}", header_line)
            name = m.group(1)
            lo, hi, avg = (number(m.group(i), path, no, f"{name} {w}") for i, w in ((2, "min"), (3, "max"), (4, "avg")))
            results_in_run += 1
            gpu = header["gpu_device"]
            size = INPUT_SIZES.get(name, opts.input_size)
            settings = {"backend": "cpu" if gpu < 0 else "vulkan", "threads": header["num_threads"],
                        "powersave": header["powersave"], "gpu_device": gpu, "loop_count": header["loop_count"],
                        "cooling_down": header["cooling_down"]}
            out.rows.append(SourceRow(
                model=name, runtime=RUNTIME, batch_size=1, input_size=size,
                precision="int8" if name.endswith("_int8") else (opts.precision or "auto"),
                latency_ms=avg, settings=settings, stats={"min": lo, "max": hi},
                origin=f"{path}:{no}"))
            run_of.append(header_line)
            if gpu < 0:
                out.fact("runtime", f"ncnn benchncnn, CPU (gpu_device -1), {header['num_threads']} threads, "
                                    f"powersave {header['powersave']}")
            else:
                gname = f" ({gpus[gpu]})" if gpu in gpus else ""
                out.fact("runtime", f"ncnn benchncnn, Vulkan GPU device {gpu}{gname}")
            out.fact("timing", f"avg ms over loop_count={header['loop_count']} timed runs (min/max in stats); "
                               f"cooling_down={header['cooling_down']}; benchncnn.cpp runs 8 warm-up loops on CPU, "
                               "10 on Vulkan (not printed); each timed run creates an extractor, feeds the input and "
                               "extracts the output")
    close_run(None)
    _number_repeated_runs(out, run_of)
    if not out.rows:
        raise ImportFormatError(path, "no result lines ('name  min = x  max = y  avg = z') found: is this benchncnn "
                                "output?")
    out.fact("precision", "ncnn defaults (fp16 storage/arithmetic where supported) -> 'auto'; *_int8 models -> int8")
    out.fact("batch", "single image (ncnn::Mat(w, h, 3)), batch 1")
    return out


def _number_repeated_runs(out: Parsed, run_of: list[int]) -> None:
    """Runs repeated with the same header (a log that runs ``benchncnn 8 4 0`` twice) give each model one row per
    run; ``settings.run`` (1, 2, ... in file order) tells them apart, as readme_line does in the catalog build."""
    starts: dict[tuple, list[int]] = {}
    for row, start in zip(out.rows, run_of):
        runs = starts.setdefault(tuple(sorted(row.settings.items())), [])
        if start not in runs:
            runs.append(start)
    numbered = []
    for row, start in zip(out.rows, run_of):
        runs = starts[tuple(sorted(row.settings.items()))]
        numbered.append(dataclasses.replace(row, settings={**row.settings, "run": runs.index(start) + 1})
                        if len(runs) > 1 else row)
    out.rows = numbered
