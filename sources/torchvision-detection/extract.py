"""Extract torchvision's COCO detection weight metadata (WeightsEnum entries with _metrics["COCO-val2017"])
into detection_weights.csv by parsing the source (nothing imported or run).

Usage: python extract.py <torchvision package dir from the wheel named in PROVENANCE.md>
"""

from __future__ import annotations

import ast
import csv
import sys
from pathlib import Path

MODULES = ("faster_rcnn", "fcos", "keypoint_rcnn", "mask_rcnn", "retinanet", "ssd", "ssdlite")
FIELDS = ("weight_name", "module", "box_map", "mask_map", "keypoint_map", "ops_gflops", "params", "file_size_mb", "recipe")


def literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def weights(path: Path) -> list[dict[str, str]]:
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for cls in [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith("_Weights")]:
        for stmt in cls.body:
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
                continue
            kw = {k.arg: k.value for k in stmt.value.keywords}
            meta = kw.get("meta")
            if not isinstance(meta, ast.Dict):
                continue
            m = {}
            for k, v in zip(meta.keys, meta.values):
                key = literal(k) if k is not None else None
                if key is not None:
                    m[key] = v
            metrics = literal(m["_metrics"]) if "_metrics" in m else {}
            coco = (metrics or {}).get("COCO-val2017", {})
            out.append({"weight_name": f"{cls.name}.{stmt.targets[0].id}", "module": path.stem,
                        "box_map": coco.get("box_map", ""), "mask_map": coco.get("mask_map", ""),
                        "keypoint_map": coco.get("kp_map", ""), "ops_gflops": literal(m["_ops"]) if "_ops" in m else "",
                        "params": literal(m["num_params"]) if "num_params" in m else "",
                        "file_size_mb": literal(m["_file_size"]) if "_file_size" in m else "",
                        "recipe": literal(m["recipe"]) if "recipe" in m else ""})
    return out


if __name__ == "__main__":
    det = Path(sys.argv[1]) / "models" / "detection"
    rows = [r for mod in MODULES for r in weights(det / f"{mod}.py")]
    with open(Path(__file__).resolve().parent / "detection_weights.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(len(rows), "weights")
