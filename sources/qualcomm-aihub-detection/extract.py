"""Extract on-device latency of Qualcomm AI Hub's COCO detectors from perf.yaml into aihub_detection.csv.

Same columns as the shared qualcomm_aihub_latency.csv (classifiers), so the catalog adapter parses both alike.
Usage: python extract.py <git-dir of quic/ai-hub-models>   (reads the commit below with `git show`, no work tree)
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import yaml

COMMIT = "52c080d245d2d20c634459208ff2548ce10b3c9f"
# info.yaml use_case "Object Detection" models with one component whose checkpoint is a COCO detector.
# Left out: detectron2_detection (two components, proposal generator + ROI head, timed apart),
# bevdet/bevfusion_det/centernet_3d/centerpoint/gkt (3-D / BEV, not COCO), face/hand/foot/gear/eye detectors
# (not COCO).
MODELS = ("yolov3", "yolov5", "yolov6", "yolov7", "yolov8_det", "yolov10_det", "yolov11_det", "yolor", "yolox",
          "rtmdet", "rf_detr", "detr_resnet50", "detr_resnet50_dc5", "detr_resnet101", "detr_resnet101_dc5",
          "conditional_detr_resnet50", "centernet_2d")
FIELDS = ("model", "device", "framework", "precision", "batch_size", "latency_ms", "source", "model_id", "component",
          "primary_compute_unit", "input_resolution", "peak_mem_min_mb", "peak_mem_max_mb", "tool_versions")


def show(git_dir: str, path: str) -> dict:
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:{path}"], check=True,
                          capture_output=True, text=True).stdout
    return yaml.safe_load(text)


def rows(git_dir: str) -> list[dict[str, str]]:
    out = []
    for mid in MODELS:
        base = f"qai_hub_models/models/{mid}"
        info, perf = show(git_dir, f"{base}/info.yaml"), show(git_dir, f"{base}/perf.yaml")
        res = info["technical_details"]["Input resolution"]
        for precision, spec in perf["precisions"].items():
            comps = spec["components"]
            if len(comps) != 1:
                raise SystemExit(f"{mid}: {len(comps)} components")
            (comp, body), = comps.items()
            for device, runtimes in body["performance_metrics"].items():
                for framework, m in runtimes.items():
                    if m.get("job_status") != "Passed" or m.get("inference_time_milliseconds") is None:
                        continue
                    tools = ";".join(f"{k}={v}" for k, v in sorted((m.get("tool_versions") or {}).items()))
                    mem = m.get("estimated_peak_memory_range_mb") or {}
                    out.append({"model": info["name"], "device": device, "framework": framework,
                                "precision": precision, "batch_size": "1",
                                "latency_ms": m["inference_time_milliseconds"],
                                "source": f"github.com/quic/ai-hub-models@{COMMIT} {base}/perf.yaml",
                                "model_id": mid, "component": comp,
                                "primary_compute_unit": m.get("primary_compute_unit", ""), "input_resolution": res,
                                "peak_mem_min_mb": mem.get("min", ""), "peak_mem_max_mb": mem.get("max", ""),
                                "tool_versions": tools})
    return out


if __name__ == "__main__":
    data = rows(sys.argv[1])
    with open(Path(__file__).resolve().parent / "aihub_detection.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(data)
    print(len(data), "rows")
