"""CoreML Model Zoo (vladimir-chernykh/coreml-model-zoo): Core ML latency of converted ImageNet classifiers on an
iPhone 11 Pro (CPU, GPU, ANE columns) and an iPhone 7 (CPU, GPU), with the converted models' own top-1 where the
table gives it (repo extract sources/coreml_model_zoo/).

The three columns are the three compute-unit settings of the timing app, vladimir-chernykh/coreml-performance
(CoreMLPerformance/ViewController.swift): "ANE" loads the model with computeUnits = .all, "GPU" with .cpuAndGPU,
"CPU" with .cpuOnly; they are stored as the backend cpu+gpu+ane, cpu+gpu and cpu (Core ML runs a layer the chosen
unit cannot run on the CPU). A latency applies to every float checkpoint of the architecture at that input size
(the catalog's join); the table's "Core ML" top-1 (the converted file evaluated) is a checkpoint of this source,
marked same_weights_as the original weights it was converted from.
"""

from __future__ import annotations

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum

TABLE = REPO_PREFIX + "coreml_model_zoo/coreml_model_zoo.csv"
SOURCE_ID = "coreml-model-zoo"
# (column, device string, compute units the app sets, stored backend)
COLUMNS = (
    ("iphone11pro_cpu_ms", "iPhone 11 Pro", ".cpuOnly", "cpu"),
    ("iphone11pro_gpu_ms", "iPhone 11 Pro", ".cpuAndGPU", "cpu+gpu"),
    ("iphone11pro_ane_ms", "iPhone 11 Pro", ".all", "cpu+gpu+ane"),
    ("iphone7_cpu_ms", "iPhone 7", ".cpuOnly", "cpu"),
    ("iphone7_gpu_ms", "iPhone 7", ".cpuAndGPU", "cpu+gpu"),
)
# Converted file -> the checkpoint of the weights it was converted from. The Model cells link torchvision's
# resnet.py at 7aea80c (2020), when torchvision had one ImageNet weight file per model (IMAGENET1K_V1), and
# keras-applications' resnet_common.py (the Keras Applications weights).
SAME_WEIGHTS = {
    **{f"resnet{d}_v1_torchvision": f"torchvision/ResNet{d}_Weights.IMAGENET1K_V1" for d in (18, 34, 50, 101, 152)},
    **{f"resnet{d}_v1_keras_applications": f"keras/ResNet{d}" for d in (50, 101, 152)},
}


class CoremlModelZooAdapter(SourceAdapter):
    source_id = SOURCE_ID
    tables = (TABLE,)
    meta = {
        "title": "CoreML Model Zoo (vladimir-chernykh/coreml-model-zoo): classification models converted to Core ML, "
                 "latency on iPhone 11 Pro (CPU, GPU, ANE) and iPhone 7 (CPU, GPU)",
        "published": {"repo": "vladimir-chernykh/coreml-model-zoo", "commit": "69a05b30e6bd3cd7a658fdd5be8be36f134e11e7",
                      "path": "vision/classification/*/README.md"},
        "runtime": ("Core ML (iOS 13.5.1, Xcode 11.5, the READMEs' 'Versions'), timed with "
                    "vladimir-chernykh/coreml-performance@b0ec0c4: the 'ANE' column loads the model with "
                    "MLModelConfiguration.computeUnits = .all (backend cpu+gpu+ane), 'GPU' with .cpuAndGPU "
                    "(cpu+gpu), 'CPU' with .cpuOnly (cpu)"),
        "precision": ("float: the .mlmodel files are Core ML neural networks converted from the float weights "
                      "(file sizes match 4-byte weights, e.g. ResNet18 45 MB for 11.7 M parameters); the compute "
                      "precision is Core ML's per compute unit (not stated); stored as 'float'"),
        "batch": "one image per prediction (coreml-performance predicts one preprocessed image at a time)",
        "timing": ("ms as published (whole milliseconds): coreml-performance's mean prediction time over 500 "
                   "iterations after 50 warm-up iterations, the image loaded and preprocessed in advance, the "
                   "device cooled down between models"),
        "accuracy": ("ImageNet-1k top-1/top-5 %: the 'CoreML' columns are the converted files evaluated by the zoo "
                     "(checkpoints of this source); the 'Source' columns repeat the original framework's figures "
                     "and are not stored (those weights are the torchvision/keras checkpoints already here)"),
        "caveats": [
            "'-' in the ANE column: not run on the Neural Engine (AlexNet, ResNeSt); empty cells (ResNeSt200/269): "
            "not measured; both logged as left out",
            "the preprocessing is embedded in each converted model (RGB 0-255 input), so the times include it",
        ],
    }

    def build(self) -> None:
        sid = self.register()
        rows = self.read(TABLE)
        kept = 0
        for r in rows:
            entry = self.mapping.model(sid, r["mlmodel"])
            if entry is None:
                continue
            size = int(r["input_px"])
            used = False
            for column, device_text, units, backend in COLUMNS:
                cell = r[column]
                if cell in ("", "-"):
                    why = "not run on the ANE (cell '-')" if cell == "-" else "latency cell empty (not measured)"
                    self.ctx.exclude(sid, f"{why}: {column}")
                    continue
                device = self.mapping.device(sid, device_text)
                if device is None:
                    continue
                self.add_row(SourceRow(model=r["mlmodel"], device=device_text, runtime="coreml", precision="float",
                                       batch_size=1, input_size=size, latency_ms=fnum(cell),
                                       settings={"backend": backend, "compute_units": units,
                                                 "tool": "coreml-performance", "os": "iOS 13.5.1"}),
                             entry, device, sid)
                used = True
            if r["coreml_top1"]:
                ck = {"id": f"coreml-model-zoo/{r['mlmodel']}", "architecture": entry.arch, "source": sid,
                      "top1": fnum(r["coreml_top1"]), "top5": fnum(r["coreml_top5"]), "input_size": size,
                      "precision": "fp32", "name": f"{r['mlmodel']}.mlmodel (CoreML Model Zoo, converted file evaluated)"}
                same = SAME_WEIGHTS.get(r["mlmodel"])
                if same is not None:
                    if same not in self.ctx.checkpoints:
                        raise SystemExit(f"coreml_model_zoo: {ck['id']}: {same} is not in the build")
                    ck["same_weights_as"] = same
                self.ctx.add_checkpoint(ck)
                used = True
            kept += used
        self.ctx.stat(sid, len(rows), kept)
