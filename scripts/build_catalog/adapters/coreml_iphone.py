"""Core ML on iPhones: the latency and ImageNet top-1 tables of four model READMEs (repo extract
sources/coreml_iphone/): apple/ml-mobileone and apple/ml-fastvit (iPhone 12 Pro, Apple's ModelBench app),
snap-research/EfficientFormer and THU-MIG/RepViT (iPhone 12, Xcode 14's Core ML performance report; EfficientFormer
V1 with coreml-performance).

One source entry per README. A row's latency is the architecture's (the catalog joins it with every float checkpoint
of the architecture at that input size); its top-1 cells are checkpoints of this source. Where timm hosts the same
weights (timm's own model file names the README's repository as the origin of its weights, and its tag and top-1
agree), this source's checkpoint is marked ``same_weights_as`` timm's, so answers list the weights once (timm's
checkpoint, this one named as its other name) instead of twice.
"""

from __future__ import annotations

import re
from typing import Any

from modelpick.importers.rows import SourceRow

from ..base import SourceAdapter
from ..cells import REPO_PREFIX, fnum

TABLE = REPO_PREFIX + "coreml_iphone/coreml_iphone.csv"
TIMM_SOURCE = "timm-results-imagenet"
# A float Core ML model converted by coremltools without quantization; the compute precision is Core ML's choice
# (fp16 on the Neural Engine and GPU, fp32 on the CPU) and no README states it.
PRECISION = "float"
FLOAT_NOTE = ("float: unquantized Core ML models; the README does not state the compute precision, which Core ML "
              "picks per compute unit (the Neural Engine computes in fp16); stored as 'float' (width not stated). ")
ALL_UNITS = "cpu+gpu+ane"  # MLComputeUnits.all: Core ML places each layer on the Neural Engine, GPU or CPU

SOURCES: dict[str, dict[str, Any]] = {
    "apple/ml-mobileone": {
        "id": "apple-ml-mobileone", "device": "iPhone 12 Pro", "input_size": 224, "org": "ml-mobileone",
        "settings": {"backend": ALL_UNITS, "tool": "ModelBench", "batch_stated": False},
        "export": ("The timed files are the README's mobileone_s*.mlmodel downloads (Core ML neural networks); the "
                   "repository has no export script, and the README publishes the same top-1 for them as for the "
                   "PyTorch checkpoints."),
        "meta": {
            "title": "MobileOne README (apple/ml-mobileone): Model Zoo, ImageNet-1K top-1 and iPhone 12 Pro latency",
            "runtime": ("Core ML: the repository's ModelBench iOS app runs the published .mlmodel files, loaded with "
                        "MLModelConfiguration() (ModelBench/ModelBench/ViewController.swift), whose default compute "
                        "units are .all (Neural Engine, GPU and CPU; stored as backend cpu+gpu+ane)"),
            "timing": ("ms as published ('Latency*', '*Latency measured on iPhone 12 Pro.'): ModelBench's average "
                       "over 20 rounds of 50 inferences after one warm-up inference per round, the 10 lowest and "
                       "10 highest of each round trimmed (ModelBench/README.md defaults)"),
            "input_size": "224: the README does not state it; MobileOne's ImageNet models are 224 px (timm's "
                          "mobileone_* configs, input_size 3x224x224)",
        },
    },
    "apple/ml-fastvit": {
        "id": "apple-ml-fastvit", "device": "iPhone 12 Pro", "input_size": 256, "org": "ml-fastvit",
        "settings": {"backend": ALL_UNITS, "tool": "ModelBench"},
        "export": ("export_model.py converts the reparameterized float checkpoint with coremltools.convert(..., "
                   "convert_to='mlprogram') and no compute_precision argument, whose default for ML programs is "
                   "fp16 since coremltools 6 (requirements.txt does not pin the version); input 1x3x256x256."),
        "meta": {
            "title": "FastViT README (apple/ml-fastvit): Image Classification, ImageNet-1K top-1 and iPhone 12 Pro "
                     "latency",
            "runtime": ("Core ML: 'Latency of all models measured on iPhone 12 Pro using ModelBench app' "
                        "(apple/ml-mobileone's ModelBench, MLModelConfiguration() default compute units .all: "
                        "Neural Engine, GPU and CPU; stored as backend cpu+gpu+ane)"),
            "timing": ("ms as published, 'rounded to the nearest decimal'; each cell links a ModelBench screenshot "
                       "(docs/latency/*.PNG). The distilled table repeats the same latency per model, stored once"),
            "input_size": "256: the README's training commands use --input-size 3 256 256 (timm's fastvit_* "
                          "configs: 3x256x256)",
        },
    },
    "snap-research/EfficientFormer": {
        "id": "snap-efficientformer", "device": "iPhone 12", "input_size": 224, "org": "efficientformer",
        "settings": {"compute_units_stated": False},
        "export": ("toolbox.py --coreml converts the float model with ct.convert(traced_model, "
                   "inputs=[ct.ImageType(shape=(1, 3, 224, 224))]) to an .mlmodel, no quantization (the README: "
                   "CoreML==5.2, Torch==1.11)."),
        "meta": {
            "title": "EfficientFormer README (snap-research/EfficientFormer): Classification on ImageNet-1K, "
                     "EfficientFormerV2 and EfficientFormer (V1) top-1 and iPhone 12 latency",
            "runtime": ("Core ML (models converted with coremltools, toolbox.py); V2: 'The latency reported in "
                        "EffcientFormerV2 for iPhone 12 (iOS 16) uses the benchmark tool from XCode 14'; V1: "
                        "'measured by iPhone 12 with CoreMLTools', timed with vladimir-chernykh/coreml-performance. "
                        "The README does not state the compute units (no backend stored)"),
            "timing": "ms as published (the 'Latency' column, e.g. '1.6ms')",
            "input_size": "224: toolbox.py --resolution default 224 (the README does not repeat it)",
        },
    },
    "THU-MIG/RepViT": {
        "id": "thu-mig-repvit", "device": "iPhone 12", "input_size": 224, "org": "repvit",
        "settings": {"backend": ALL_UNITS, "tool": "Xcode 14 Core ML performance report", "os": "iOS 16"},
        "export": ("export_coreml.py converts the float distilled checkpoint with ct.convert(traced_model, "
                   "inputs=[ct.ImageType(shape=(1, 3, 224, 224))]), no quantization; coremltools' version is "
                   "not stated."),
        "meta": {
            "title": "RepViT README (THU-MIG/RepViT): Classification on ImageNet-1K, top-1 and iPhone 12 latency",
            "runtime": ("Core ML: 'The latency reported in RepViT for iPhone 12 (iOS 16) uses the benchmark tool "
                        "from XCode 14'; the README's example report (figures/repvit_m0_9_latency.png) shows "
                        "'Compute Units Selected: All (CPU, GPU, Neural Engine)', stored as backend cpu+gpu+ane"),
            "timing": "ms as published (the 'Latency' column); the example report gives the median prediction time",
            "input_size": "224: the Core ML files are named *_224.mlmodel and export_coreml.py's --resolution "
                          "default is 224",
        },
    },
}

# Top-1 cells with two figures: which training run each is, as the header or the checkpoint column says.
TWO_RUNS = {"Top-1 (300/450)": ("300e", "450e"), "Top-1 (300 / 450)": ("300e", "450e")}
L1_RUNS = ("300e", "1000e")  # EfficientFormer-L1 '79.2 (80.2)': checkpoints 'L1-300 (L1-1000)'

# (source repo, model, run or None) -> timm checkpoint of the same weights. Verified in
# huggingface/pytorch-image-models@aa4b5850: timm/models/byobnet.py ('Code and weights:
# https://github.com/apple/ml-mobileone'), fastvit.py ('Original implementation and weights from
# https://github.com/apple/ml-fastvit'), repvit.py (dist_300e/dist_450e tags of the official RepViT weights),
# efficientformer.py (first version fba6ecd3: efficientformer_l1_1000d, l3_300d, l7_300d weight files),
# efficientformer_v2.py (one snap_dist_in1k file per model, as the README links one checkpoint per model, the
# 450-epoch run: toolbox.py's example loads weights/eformer_l_450.pth); and each pair's top-1 agrees within 0.25.
SAME_WEIGHTS: dict[tuple[str, str, str | None], str] = {
    **{("apple/ml-mobileone", f"MobileOne-S{i}", None): f"timm/mobileone_s{i}.apple_in1k" for i in range(5)},
    **{("apple/ml-fastvit", f"FastViT-{v}", run): f"timm/fastvit_{v.lower()}.apple_{tag}in1k"
       for v in ("T8", "T12", "S12", "SA12", "SA24", "SA36", "MA36")
       for run, tag in ((None, ""), ("distilled", "dist_"))},
    ("snap-research/EfficientFormer", "EfficientFormer-L1", "1000e"): "timm/efficientformer_l1.snap_dist_in1k",
    ("snap-research/EfficientFormer", "EfficientFormer-L3", None): "timm/efficientformer_l3.snap_dist_in1k",
    ("snap-research/EfficientFormer", "EfficientFormer-L7", None): "timm/efficientformer_l7.snap_dist_in1k",
    **{("snap-research/EfficientFormer", f"EfficientFormerV2-{v}", "450e"): f"timm/efficientformerv2_{v.lower()}"
       ".snap_dist_in1k" for v in ("S0", "S1", "S2", "L")},
    **{("THU-MIG/RepViT", f"M{v}", run): f"timm/repvit_m{v.replace('.', '_')}.dist_{run}_in1k"
       for v in ("0.9", "1.0", "1.1", "1.5", "2.3") for run in ("300e", "450e")},
}
# Top-1 figures with no published weights: kept in the raw extract, not made checkpoints.
NO_WEIGHTS_300E_V2 = ("EfficientFormerV2 300-epoch top-1: the README links one checkpoint per model, the 450-epoch "
                      "run (toolbox.py's example loads weights/eformer_l_450.pth), so no weights carry this figure")


def no_weights(row: dict[str, str], run: str | None) -> str | None:
    """Why a top-1 figure has no checkpoint, or None."""
    if row["model"].startswith("EfficientFormerV2-") and run == "300e":
        return NO_WEIGHTS_300E_V2
    return None


def latency_ms(cell: str) -> float:
    m = re.fullmatch(r"([0-9.]+)\s*(ms)?", cell)
    if m is None:
        raise SystemExit(f"coreml_iphone: latency cell {cell!r} is not a number of ms")
    return float(m.group(1))


def top1_runs(row: dict[str, str]) -> list[tuple[str | None, float]]:
    """The top-1 figures of one cell, each with the training run it belongs to (None: the README's only one)."""
    cell, header = row["top1"], row["top1_header"]
    if header in TWO_RUNS:
        a, _, b = cell.partition("/")
        return list(zip(TWO_RUNS[header], (float(a), float(b))))
    m = re.fullmatch(r"([0-9.]+)\s*\(([0-9.]+)\)", cell)
    if m is not None:
        if row["model"] != "EfficientFormer-L1":
            raise SystemExit(f"coreml_iphone: two top-1 figures for {row['model']} with no stated runs")
        return list(zip(L1_RUNS, (float(m.group(1)), float(m.group(2)))))
    return [(None, float(cell))]


class CoremlIphoneAdapter(SourceAdapter):
    source_id = SOURCES["apple/ml-mobileone"]["id"]  # the first of the four; build() registers each
    tables = (TABLE,)
    meta = {"title": "Core ML iPhone latency tables of model READMEs (one source entry per README)"}

    def build(self) -> None:
        rows = self.read(TABLE)
        latency_of: dict[tuple[str, str], str] = {}  # (repo, model) -> latency cell, stored once per model
        read: dict[str, int] = {}
        kept: dict[str, int] = {}
        statements: dict[str, list[str]] = {}
        for r in rows:
            if r["device_statement"] not in statements.setdefault(r["repo"], []):
                statements[r["repo"]].append(r["device_statement"])
        for r in rows:
            spec = SOURCES[r["repo"]]
            sid = spec["id"]
            if sid not in read:
                self.register(sid, self._meta(r, spec, statements[r["repo"]]))
            read[sid] = read.get(sid, 0) + 1
            entry = self.mapping.model(sid, r["model"])
            device = self.mapping.device(sid, spec["device"])
            if entry is None or device is None:
                continue
            size = spec["input_size"]
            kept[sid] = kept.get(sid, 0) + 1  # every mapped row gives a checkpoint, a latency or both
            distilled = r["repo"] == "apple/ml-fastvit" and r["table"] == "2"  # 'with knowledge distillation'
            for run, top1 in top1_runs(r):
                run = "distilled" if distilled else run
                why = no_weights(r, run)
                if why is not None:
                    self.ctx.exclude(sid, why)
                    continue
                ck = {"id": f"{spec['org']}/{r['model']}" + (f":{run}" if run else ""), "architecture": entry.arch,
                      "source": sid, "top1": top1, "input_size": size, "precision": "fp32",
                      "name": f"{r['model']}" + (f" ({run})" if run else "") + f" ({r['repo']} README)"}
                same = SAME_WEIGHTS.get((r["repo"], r["model"], run))
                if same is not None:
                    if same not in self.ctx.checkpoints:
                        raise SystemExit(f"coreml_iphone: {ck['id']}: the timm checkpoint {same} is not in the build")
                    ck["same_weights_as"] = same
                self.ctx.add_checkpoint(ck)
            key = (r["repo"], r["model"])
            if key in latency_of:  # FastViT's distilled table repeats the latency of the same architecture
                if latency_of[key] != r["latency"]:
                    raise SystemExit(f"coreml_iphone: {r['model']} has two latencies ({latency_of[key]}, {r['latency']})")
                continue
            latency_of[key] = r["latency"]
            self.add_row(SourceRow(model=r["model"], device=spec["device"], runtime="coreml", precision=PRECISION,
                                   batch_size=1, input_size=size, latency_ms=latency_ms(r["latency"]),
                                   settings=self._settings(r, spec)), entry, device, sid)
        for sid in read:
            self.ctx.stat(sid, read[sid], kept.get(sid, 0))

    @staticmethod
    def _settings(row: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
        settings = dict(spec["settings"])
        if row["repo"] == "snap-research/EfficientFormer":
            v2 = row["model"].startswith("EfficientFormerV2")
            settings.update({"tool": "Xcode 14 Core ML performance report", "os": "iOS 16"} if v2
                            else {"tool": "coreml-performance"})
        return settings

    @staticmethod
    def _meta(row: dict[str, str], spec: dict[str, Any], statements: list[str]) -> dict[str, Any]:
        return {
            **spec["meta"],
            "published": {"repo": row["repo"], "commit": row["commit"], "path": row["path"]},
            "precision": FLOAT_NOTE + spec["export"],
            "batch": ("one image per prediction: the export code traces a 1x3xHxW input; MobileOne's .mlmodel files "
                      "have no export code in the repository, so its rows carry settings.batch_stated: false"),
            "accuracy": ("ImageNet-1K top-1 % as the README publishes it for each released checkpoint (its own "
                         "evaluation, fp32 PyTorch weights); where timm hosts the same weights this checkpoint is "
                         "marked same_weights_as timm's"),
            "caveats": [f"device as the README names it: {s!r}" for s in statements],
        }
