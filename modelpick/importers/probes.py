"""Probes for ``calibrate()`` from imported files and tool names: the bridge from importers to latency prediction.

``calibrate()`` takes measured probes (architecture, runtime, precision, batch size, per-image latency). People hold
them as benchmark-tool output, so this module turns an imported catalog file (``modelpick import ... -o FILE``) into
probe dicts, and maps a tool's own model name (ncnn's ``mobilenet``) through the reviewed alias section of the tool
that runtime's numbers come from. It imports no prediction code, so predict can use it without a cycle.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from ..errors import InvalidQuery
from .rows import AliasTable

#: Runtime -> the importer alias section whose tool reports that runtime's numbers.
RUNTIME_SECTIONS = {"ncnn": "ncnn-benchncnn", "tflite": "tflite-benchmark", "onnxruntime": "onnxruntime-perf-test",
                    "openvino": "openvino-benchmark-app", "tensorrt": "trtexec"}


@functools.lru_cache(maxsize=1)
def _aliases() -> AliasTable:
    return AliasTable.load()


def source_architecture(name: str, runtime: str) -> dict[str, Any] | None:
    """A tool's model name -> {architecture, input_size?, precision?} from the reviewed section of ``runtime``'s tool.

    None when the section does not list the name or leaves it out on purpose. Input sizes come from the entry, or
    for benchncnn from the sizes benchncnn.cpp feeds its bundled models (ncnn's ``squeezenet`` is 227x227).
    """
    section = RUNTIME_SECTIONS.get(str(runtime).strip().lower())
    if section is None:
        return None
    entry = _aliases().entry(section, name)
    if entry is None or entry.arch is None:
        return None
    out: dict[str, Any] = {"architecture": entry.arch}
    size = entry.input_size
    if size is None and section == "ncnn-benchncnn":
        from .benchncnn import INPUT_SIZES

        size = INPUT_SIZES.get(name)
    if size is not None:
        out["input_size"] = size
    if entry.precision:
        out["precision"] = entry.precision
    return out


def probes_from_file(path: str | os.PathLike[str], device: str | None = None) -> list[dict[str, Any]]:
    """The latency measurements of a catalog file (e.g. one ``modelpick import`` wrote) as calibrate() probes.

    With several devices in the file, ``device`` picks one (an error lists them when it is missing or unknown).
    """
    from ..catalog._files import read_catalog_file
    from ..errors import CatalogError

    p = Path(path)
    try:  # the catalog's bounded reader: regular files only, size cap, nesting and alias limits
        cf = read_catalog_file(p)
    except CatalogError as exc:
        first = exc.errors[0].removeprefix(f"{p}: ")
        if first.startswith("cannot read") or first.startswith("is ") or "bytes" in first:
            raise InvalidQuery("probes", str(p), first[:300]) from None
        raise InvalidQuery("probes", str(p), f"not a valid catalog file: {first[:300]}") from None
    ids = sorted({m.device for m in cf.measurements})
    if device is not None and device in ids:
        chosen = device
    elif len(ids) == 1:
        chosen = ids[0]
    else:
        raise InvalidQuery("device", device, f"{p} holds measurements of several devices; name one", ids)
    probes = []
    for m in cf.measurements:
        latency = m.per_image_latency_ms
        if m.device != chosen or latency is None:
            continue
        probes.append({"architecture": m.architecture, "input_size": m.input_size, "runtime": m.runtime,
                       "precision": m.precision, "batch_size": m.batch_size, "latency_ms": latency,
                       "settings": dict(m.settings)})
    if not probes:
        raise InvalidQuery("probes", str(p), "the file holds no latency measurements")
    # calibrate() fits one row per runtime/precision/batch: two runs with other settings (CPU and Vulkan, 1 and 4
    # threads) in one row would mix different speeds, so such a file must be split
    runs: dict[tuple, set[str]] = {}
    for pr in probes:
        runs.setdefault((pr["runtime"], pr["precision"], pr["batch_size"]), set()).add(
            ", ".join(f"{k}={v}" for k, v in sorted(pr["settings"].items())))
    for (runtime, precision, batch), groups in sorted(runs.items()):
        if len(groups) > 1:
            raise InvalidQuery("probes", str(p), f"holds {len(groups)} runs of {runtime}/{precision} batch {batch} "
                               f"with different settings ({'; '.join(sorted(groups))}); import one run per file "
                               "to calibrate from it")
    return probes


__all__ = ["probes_from_file", "source_architecture", "RUNTIME_SECTIONS"]
