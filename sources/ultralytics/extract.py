"""Turn the Ultralytics docs excerpts (excerpts/*.md, copied from the pages named in PROVENANCE.md) into CSVs.

Cells are kept as published: "56.1 ± 0.8" becomes value 56.1 and spread 0.8 (the page's ± figure), nothing else is
derived. Run from this folder: python extract.py
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
EX = HERE / "excerpts"
LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")

# excerpt -> (page it came from, commit, column of the GPU time and what the page calls its runtime)
MODEL_PAGES = {
    "yolo11_det_perf.md": ("docs/en/macros/yolo-det-perf.md", "c3a9821cdb595c5496b4dab984dd59e4c9f375b7", "T4", "TensorRT10"),
    "yolo26_det_perf.md": ("docs/macros/yolo-det-perf.md", "3efa3ff5709184e21048c9b127ef964a73c9ca5f", "T4", "TensorRT10"),
    "yolov8.md": ("docs/en/models/yolov8.md", "05cd4a2cb7edfeb0d17332f42ba82625a5c66c2b", "A100", "TensorRT"),
    "yolov5.md": ("docs/en/models/yolov5.md", "7db69554030ea8e2d0c4eb60a7edc2c8e25aed35", "A100", "TensorRT"),
}
MODEL_FIELDS = ("page", "commit", "model", "weights", "input_size", "map50_95", "map50_95_e2e", "cpu_onnx_ms",
                "cpu_onnx_pm_ms", "gpu", "gpu_runtime", "gpu_ms", "gpu_pm_ms", "params_m", "flops_b")


def rows(path: Path) -> list[list[str]]:
    """Table rows of an excerpt (header and separator rows included; callers skip them)."""
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]


def spread(cell: str) -> tuple[str, str]:
    value, _, pm = cell.partition("±")
    return value.strip(), pm.strip()


def weights_of(cell: str) -> tuple[str, str]:
    m = LINK.search(cell)
    return (m.group(1), m.group(2).rsplit("/", 1)[-1]) if m else (cell, "")


def model_rows() -> list[dict[str, str]]:
    out = []
    for name, (page, commit, gpu, runtime) in MODEL_PAGES.items():
        for r in rows(EX / name):
            if not LINK.search(r[0]):
                continue  # header / separator
            model, weights = weights_of(r[0])
            e2e = len(r) == 8
            cpu, cpu_pm = spread(r[4 if e2e else 3])
            g, g_pm = spread(r[5 if e2e else 4])
            out.append({"page": page, "commit": commit, "model": model, "weights": weights, "input_size": r[1],
                        "map50_95": r[2], "map50_95_e2e": r[3] if e2e else "", "cpu_onnx_ms": cpu,
                        "cpu_onnx_pm_ms": cpu_pm, "gpu": gpu, "gpu_runtime": runtime, "gpu_ms": g, "gpu_pm_ms": g_pm,
                        "params_m": r[-2], "flops_b": r[-1]})
    # YOLOv10: main table (AP, FLOPs, T4 TensorRT FP16 latency); params from the comparison table (same weights)
    v10 = rows(EX / "yolov10.md")
    params = {r[0].split("]")[0].lstrip("["): r[1] for r in v10 if r[0].endswith("]") and "][" in r[0]}
    for r in v10:
        if LINK.search(r[0]):
            model, weights = weights_of(r[0])
            out.append({"page": "docs/en/models/yolov10.md", "commit": "a6ba6c6ea0624c8317a03b482c25ba1ae69037a3",
                        "model": model, "weights": weights, "input_size": r[1], "map50_95": r[2], "map50_95_e2e": "",
                        "cpu_onnx_ms": "", "cpu_onnx_pm_ms": "", "gpu": "T4", "gpu_runtime": "TensorRT FP16",
                        "gpu_ms": r[4], "gpu_pm_ms": "", "params_m": params.get(model, ""), "flops_b": r[3]})
    # RT-DETR: the "Pretrained Models" list ("RT-DETR-L: 53.0% AP on COCO val2017, ...") and its weights table
    text = (EX / "rtdetr.md").read_text(encoding="utf-8")
    weights = dict(re.findall(r"\[(rtdetr-(\w)\.pt)\]", text)[i][::-1] for i in range(2))
    for size, ap in re.findall(r"- RT-DETR-(\w): ([\d.]+)% AP on COCO val2017", text):
        out.append({"page": "docs/en/models/rtdetr.md", "commit": "9e83e92da61135a775c34cb904302976a3187f82",
                    "model": f"RT-DETR-{size}", "weights": weights[size.lower()], "input_size": "",
                    "map50_95": ap, **{k: "" for k in MODEL_FIELDS[6:]}})
    return out


def guide_rows(name: str) -> list[dict[str, str]]:
    """Device tables: '#### <device>' headings, '=== "<model>"' tabs, rows, 'Benchmarked with Ultralytics X'."""
    out, device, model, pending = [], "", "", []
    for line in (EX / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#### "):
            device = line[5:].strip()
        elif line.startswith("=== "):
            model = line[4:].strip().strip('"')
        elif line.startswith("|") and "Format" not in line:
            f, status, size, m, ms = [c.strip() for c in line.strip().strip("|").split("|")]
            pending.append({"device": device, "model": model, "format": f, "status": status, "size_mb": size,
                            "guide_map50_95_b": m, "latency_ms": ms})
        elif line.startswith("Benchmarked with Ultralytics"):
            version = line.rsplit(" ", 1)[-1]
            out += [{**p, "ultralytics_version": version} for p in pending]
            pending = []
    out += [{**p, "ultralytics_version": ""} for p in pending]
    return out


def write(path: Path, data: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(data)


if __name__ == "__main__":
    write(HERE / "models.csv", model_rows())
    write(HERE / "jetson.csv", guide_rows("nvidia_jetson.md"))
    write(HERE / "raspberry_pi.csv", guide_rows("raspberry_pi.md"))
