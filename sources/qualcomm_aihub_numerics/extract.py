"""Extract Qualcomm AI Hub Models' on-device ImageNet accuracy (numerics.yaml) for the classifiers whose latency
the catalog has (qualcomm_aihub_latency.csv), at the same commit as that table.

One CSV row per (model, device, precision, runtime) figure, cells as published, plus the PyTorch figure on the same
images and the model's input resolution from its info.yaml. Usage:

    python sources/qualcomm_aihub_numerics/extract.py /path/to/ai-hub-models.git /path/to/qualcomm_aihub_latency.csv
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import yaml

COMMIT = "52c080d245d2d20c634459208ff2548ce10b3c9f"  # the commit of qualcomm_aihub_latency.csv's perf.yaml files
COLUMNS = ("model_id", "dataset_name", "dataset_split", "metric_name", "num_partial_samples", "partial_torch_metric",
           "device", "precision", "runtime", "partial_metric", "input_resolution", "path")


def show(repo: Path, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"{COMMIT}:{path}"], check=True, capture_output=True,
                          text=True).stdout


def main(repo: Path, latency_csv: Path) -> None:
    with open(latency_csv, newline="", encoding="utf-8") as fh:
        model_ids = sorted({r["model_id"] for r in csv.DictReader(fh)})
    out = []
    for mid in model_ids:
        path = f"qai_hub_models/models/{mid}/numerics.yaml"
        try:
            numerics = yaml.safe_load(show(repo, path))
        except subprocess.CalledProcessError:
            print(f"{mid}: no numerics.yaml at {COMMIT[:7]}")
            continue
        info = show(repo, f"qai_hub_models/models/{mid}/info.yaml")
        res = re.search(r"Input resolution: ([\dx]+)", info)
        for m in numerics["metrics"]:
            for device, precisions in m.get("device_metric", {}).items():
                for precision, runtimes in precisions.items():
                    for runtime, details in runtimes.items():
                        out.append({"model_id": mid, "dataset_name": m["dataset_name"],
                                    "dataset_split": m["dataset_split_description"], "metric_name": m["metric_name"],
                                    "num_partial_samples": m["num_partial_samples"],
                                    "partial_torch_metric": m["partial_torch_metric"], "device": device,
                                    "precision": precision, "runtime": runtime,
                                    "partial_metric": details["partial_metric"],
                                    "input_resolution": res.group(1) if res else "", "path": path})
    dest = Path(__file__).resolve().parent / "numerics.csv"
    with open(dest, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    print(f"{len(out)} rows from {len({r['model_id'] for r in out})} models")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
