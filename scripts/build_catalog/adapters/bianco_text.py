"""Bianco et al. 2018 paper text: the FPS, memory and top-1 values it states as numbers, each checked against the text."""

from __future__ import annotations

import re

from modelpick.importers.rows import AliasEntry, SourceRow

from ..base import SourceAdapter
from ..cells import intnum

MEMORY_INCLUDES = ("total GPU memory used by the process incl. model and batch processing "
                   "(GPUtil memoryUsed minus the pre-load empty-GPU baseline)")

# (model as the paper names it, canonical arch, device, stored values, snippet the text must contain, note)
SPEED_AND_MEMORY = [
    ("NASNet-A-Large", "nasnetalarge", "titan-xp", {"fps": 30.96}, "super real-time performance (30.96 FPS) on the Titan Xp", None),
    ("SqueezeNet-v1.0", "squeezenet1_0", "titan-xp", {"memory_mb": 943}, "have a 943MB and 921MB memory footprint", None),
    ("SqueezeNet-v1.1", "squeezenet1_1", "titan-xp", {"memory_mb": 921}, "have a 943MB and 921MB memory footprint", None),
    ("MobileNet-v1", "mobilenet_v1", "titan-xp", {"memory_mb": 650}, "equal to 650MB and 648MB respectively", None),
    ("MobileNet-v2", "mobilenet_v2", "titan-xp", {"memory_mb": 648}, "equal to 650MB and 648MB respectively", None),
    ("ResNet-50", "resnet50", "jetson-tx1", {"fps": 18.83}, "ResNet-50 (18,83 FPS)", None),
    ("SE-ResNeXt-101 (32x4d)", "legacy_seresnext101_32x4d", "jetson-tx1", {"fps": 7.16}, "SE-ResNeXt-101 (32x4d) (7,16 FPS)", None),
    ("NASNet-A-Large", "nasnetalarge", "jetson-tx1", {"fps": 2.29}, "the throughput achievable is 2,29 FPS",
     "text: 'targeting the highest Top-1 accuracy in the state of the art the throughput achievable is 2,29 FPS'; attributed to NASNet-A-Large, which the same section names as the most accurate model"),
]

# (model as the paper names it, canonical arch, top-1 %, snippet the text must contain)
ACCURACIES = [
    ("ResNet-34", "resnet34", 73.27, "ResNet-34, with 73.27% Top-1"),
    ("Xception", "legacy_xception", 78.79, "Xception, with 78,79% Top-1"),
    ("SE-ResNeXt-50 (32x4d)", "legacy_seresnext50_32x4d", 79.11, "SE-ResNeXt-50 (32x4d), with 79,11% Top-1"),
    ("NASNet-A-Large", "nasnetalarge", 82.50, "NASNet-A-Large, with 82,50% Top-1"),
    ("MobileNet-v2", "mobilenet_v2", 71.81, "MobileNet-v2, with a Top-1 accuracy of 71.81%"),
    ("DPN-68", "dpn68", 75.95, "at most 75.95% by using the DPN-68"),
    ("MobileNet-v1", "mobilenet_v1", 69.52, "at most 69.52% by using the MobileNet-v1"),
    ("ResNet-50", "resnet50", 76.01, "with a recognition accuracy of 76.01%"),
]

CLAIMS_NOT_STORED = [
    "Titan Xp: '>250 FPS' -> ResNet-34 best (73.27%); '>125 FPS' -> Xception; '>62.5 FPS' -> SE-ResNeXt-50 (32x4d); '>30 FPS' -> NASNet-A-Large (inequalities, not numbers)",
    "Titan Xp: all models super real-time at batch 1 except SENet-154 (qualitative)",
    "Jetson TX1: only SqueezeNets, MobileNets, ResNet-18, GoogLeNet and AlexNet super real-time at batch 1 (qualitative)",
    "memory at batch 1: most models < 1GB, none > 1.5GB (bounds, not values)",
    "linear fits: upper-bound intercepts ~83.3 (Titan Xp) / ~83.0 (TX1); memory-vs-complexity slopes 1.10/1.15, intercepts 910/639 (fit parameters, not measurements)",
    "Table 3 constraint analysis (<=1.4/1.0/0.7 GB, 15/30/60 FPS): model choices, not measurements",
]


class BiancoTextAdapter(SourceAdapter):
    """Reads the seed text (--seeds/003_*.txt), not a table; needs BiancoRepoAdapter's rows for input sizes."""

    source_id = "bianco2018-paper-text"
    meta = {
        "title": "Bianco, Cadene, Celona, Napoletano (2018), Benchmark Analysis of Representative Deep Neural Network Architectures, IEEE Access 6:64270-64277 (values stated in the text)",
        "published": {"url": "https://arxiv.org/abs/1810.00736"},
        "runtime": "PyTorch (cuDNN 5.1, CUDA 9.0 per the text)",
        "precision": "fp32",
        "batch": "batch 1 for every stored value",
        "timing": "repo scripts: 10 dry runs then mean of 10 timed forward passes under no_grad with cuda synchronize; FPS values as stated in the text",
        "memory": "GPUtil memoryUsed minus the empty-GPU baseline measured before loading the model (total GPU memory of the process incl. model and batch processing)",
        "accuracy": "Top-1 % as stated in the text (paper's own evaluation)",
        "caveats": [
            "only values stated as numbers in the text are stored; inequalities (e.g. '>250 FPS') are not",
            "the Jetson TX1 2.29 FPS value is attributed to NASNet-A-Large: the text gives it as the throughput 'targeting the highest Top-1 accuracy', and the same section names NASNet-A-Large as the most accurate model",
        ],
    }

    def build(self) -> None:
        ctx = self.ctx
        sid = self.register()
        paths = sorted(ctx.seeds_dir.glob("003_*.txt"))
        if not paths:
            raise SystemExit("seed text 003_*.txt not found")
        text = re.sub(r"\s+", " ", paths[0].read_text(encoding="utf-8"))

        def need(snippet: str) -> None:
            if snippet not in text:
                raise SystemExit(f"seed text does not contain {snippet!r}; refusing to store the value")

        bianco_rows = ctx.facts.bianco_rows
        size = {a: intnum(bianco_rows[a]["input_size"]) for a in bianco_rows}
        for name, arch, dev, vals, snippet, note in SPEED_AND_MEMORY:
            need(snippet)
            # the paper names its models and devices itself: stated architecture and device id, no alias lookup
            row = SourceRow(model=name, architecture=arch, runtime="pytorch", precision="fp32", batch_size=1,
                            input_size=size[arch], note=note, settings={"cudnn": "5.1", "cuda": "9.0"},
                            memory_includes=MEMORY_INCLUDES if "memory_mb" in vals else None, **vals)
            self.add_row(row, AliasEntry(arch=arch), dev)
        for name, arch, top1, snippet in ACCURACIES:
            need(snippet)
            ctx.add_checkpoint({"id": f"bianco2018-paper/{arch}", "architecture": arch, "source": sid, "top1": top1,
                                "input_size": size[arch], "precision": "fp32", "name": name})
        n = len(SPEED_AND_MEMORY) + len(ACCURACIES)
        ctx.stat(sid, n, n)
        ctx.claims_not_stored.extend(CLAIMS_NOT_STORED)
