"""Qualcomm AI Hub numerics.yaml: on-device ImageNet top-1 of the quantized (w8a8, w8a16, ...) classifiers, on a
1000-image subset, so the quantized AI Hub latencies (qualcomm-aihub, the same commit) have their own accuracy."""

from __future__ import annotations

import collections

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum

TABLE = REPO_PREFIX + "qualcomm_aihub_numerics/numerics.csv"
LATENCY_SOURCE = "qualcomm-aihub"  # its toolchain, and the alias section both tables share (same model ids)


class QualcommNumericsAdapter(SourceAdapter):
    source_id = "qualcomm-aihub-numerics"
    tables = (TABLE,)
    meta = {
        "title": "Qualcomm AI Hub Models numerics.yaml (on-device ImageNet accuracy of the classifiers)",
        "published": {"repo": "quic/ai-hub-models", "commit": "52c080d245d2d20c634459208ff2548ce10b3c9f",
                      "path": "qai_hub_models/models/<id>/numerics.yaml"},
        "toolchain": LATENCY_SOURCE,
        "precision": "w8a8, w8a16, w8a16_mixed_int16, w8a8_mixed_int16 (float figures are in the raw extract only)",
        "accuracy": ("top-1 % of the quantized model run on a Samsung Galaxy S25 (the only device numerics.yaml "
                     "lists), per runtime (tflite, qnn_dlc, onnx), on num_partial_samples = 1000 images of the "
                     "ImageNet validation split, not the full 50,000; one checkpoint per model and precision "
                     "carries the lowest of its runtimes' figures (every runtime the latency table times at that "
                     "precision has one; the checkpoint name lists them all)"),
        "caveats": [
            "1000 images, not the 50,000-image validation set: one image is 0.1 points, and the figure's sampling "
            "error is about 1.4 points at 70 % top-1 (one binomial standard error, computed); the PyTorch figure on "
            "the same images "
            "(partial_torch_metric) is in the raw extract",
            "premise of the pairing (toolchain qualcomm-aihub): AI Hub quantizes a model once per precision and "
            "compiles that model for every device, so the accuracy measured on the Galaxy S25 stands for the same "
            "quantized model timed on the other devices of perf.yaml",
            "the runtimes' figures differ by up to 1.8 points (convnext_tiny w8a16: qnn_dlc 80.5, onnx 82.3); the "
            "catalog pairs by toolchain and precision, not runtime, so the lowest figure is the one every runtime's "
            "run carries",
            "float figures are not made checkpoints: the 50,000-image torchvision/timm accuracy of the same "
            "weights is already in the catalog",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        figures: dict[tuple[str, str], list[dict[str, str]]] = collections.defaultdict(list)
        for r in rows:
            if r["precision"] == "float":
                self.ctx.exclude(sid, "float figure (the full-set float accuracy is already in the catalog)")
                continue
            if r["dataset_name"] != "imagenet":
                self.ctx.exclude(sid, f"dataset {r['dataset_name']!r} (not the ImageNet-1k validation split)")
                continue
            figures[(r["model_id"], r["precision"])].append(r)
        kept = 0
        for (mid, precision), group in sorted(figures.items()):
            entry = self.mapping.model(LATENCY_SOURCE, mid)
            if entry is None:
                self.ctx.exclude(sid, "model id not mapped (see the qualcomm-aihub alias section)", len(group))
                continue
            assert {r["device"] for r in group} == {"Samsung Galaxy S25"} and len({r["num_partial_samples"] for r in group}) == 1
            lowest = min(group, key=lambda r: fnum(r["partial_metric"]))
            listed = " / ".join(f"{r['runtime']} {r['partial_metric']}" for r in group)
            token = precision.replace("_", "-")  # the latency table's precision token
            self.ctx.add_checkpoint({
                "id": f"qualcomm-aihub/{mid}:{token}", "architecture": entry.arch, "source": sid,
                "top1": fnum(lowest["partial_metric"]), "input_size": int(lowest["input_resolution"].split("x")[-1]),
                "precision": token,
                "name": (f"AI Hub {mid} {precision}: on-device top-1 on {group[0]['num_partial_samples']} ImageNet val "
                         f"images (Samsung Galaxy S25; lowest of {listed})")})
            kept += len(group)
        self.ctx.stat(sid, len(rows), kept)
