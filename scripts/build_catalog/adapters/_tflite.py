"""Shared by the TFLite-family adapters: a published backend cell ("CPU, 4 threads", "GPU", "NNAPI") as settings."""

from __future__ import annotations

import re
from typing import Any


def tflite_backend(text: str) -> dict[str, Any]:
    t = text.lower()
    if t.startswith("cpu"):
        m = re.search(r"(\d+) threads?", t)
        return {"backend": "cpu", **({"threads": int(m.group(1))} if m else {})}
    if t.startswith("gpu"):
        d: dict[str, Any] = {"backend": "gpu"}
        if "precision_loss_allowed=false" in t:
            d["gpu_precision_loss_allowed"] = False
        return d
    if t.startswith("nnapi"):
        return {"backend": "nnapi"}
    if "edge tpu" in t:
        return {"backend": "edgetpu"}
    raise ValueError(text)
