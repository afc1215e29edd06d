#!/usr/bin/env python3
"""Build data/benchmarks.yaml from the public benchmark tables.

Usage (from the repository root):

    python scripts/build_catalog.py --sources ../shared/sources --seeds ../shared/seeds \
        -o data/benchmarks.yaml

Inputs: every CSV in --sources (see README-public.md / README-bianco2018.md there),
the values stated in the Bianco et al. 2018 text (--seeds/003_*.txt, checked here
against the text), and the reviewed mapping tables data/aliases.yaml and
data/devices_map.yaml. Output: one catalog YAML that validates against
modelpick.schema.CatalogFile, plus a deterministic build log (data/build_log.txt,
also printed to stderr).

Rules: numbers are copied from source cells (parsed, never rounded or derived,
apart from unit conversions the schema names, e.g. params/1e6); names not in the
alias table are reported as UNMAPPED and kept out; nothing is guessed.
"""

from __future__ import annotations

import argparse
import collections
import csv
import functools
import glob
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader when present (parsing the 10 MB output with the pure-Python loader takes minutes);
# emitting always uses the pure-Python SafeDumper so the bytes do not depend on libyaml.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from modelpick.schema import CatalogFile  # noqa: E402

FIXED_TIMM_FILE = "benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv"

# ---------------------------------------------------------------------------
# Source descriptions (provenance and meaning of the numbers; from the READMEs)

SOURCE_META: dict[str, dict[str, Any]] = {
    "timm-results-imagenet": {
        "title": "timm results-imagenet.csv (ImageNet-1k validation accuracy of timm pretrained weights)",
        "published": {"repo": "huggingface/pytorch-image-models", "commit": "aa4b5850c1543fa488abf260f18390eda46cf85d", "path": "results/results-imagenet.csv"},
        "accuracy": "top1/top5 % on the ImageNet-1k val set (50k images) at the eval img_size and crop_pct given per row",
        "caveats": [
            "param_count is in millions; five values use a thousands separator (\"1,013.01\"), stripped before parsing",
            "results-*.csv files for other eval sets (ImageNet-ReaL, -V2, -Sketch, -A, -R) are not used as top1",
        ],
    },
    "torchvision-weights": {
        "title": "torchvision 0.29.2 classification weight metadata (WeightsEnum _metrics/_ops/num_params)",
        "published": {"repo": "pytorch/vision", "commit": "f12281517f1b2f6255904639b027c9436f3e5008", "path": "torchvision/models/*.py, torchvision/models/quantization/*.py"},
        "accuracy": "acc1/acc5 % on ImageNet-1K val at the weight's crop_size (resize_size per row)",
        "caveats": [
            "gflops is torchvision's _ops field: for float weights it is labelled GFLOPS but counts multiply-adds (per README-bianco2018 it equals the GMAC count, e.g. ResNet-50 4.089); used here as gmacs",
            "quantized weights (fbgemm/qnnpack) publish GIPS; their accuracy is for int8 inference",
            "VGG16_Weights.IMAGENET1K_FEATURES has no accuracy (features-only weights)",
        ],
    },
    "torch2trt-jetson": {
        "title": "torch2trt Jetson benchmarks (JETSON_NANO.md, JETSON_XAVIER.md)",
        "published": {"repo": "NVIDIA-AI-IOT/torch2trt", "commit": "4e820ae31b4e35d59685935223b05b2e11d47b03", "path": "benchmarks/JETSON_NANO.md, benchmarks/JETSON_XAVIER.md"},
        "runtime": "PyTorch eager (CUDA) vs TensorRT via torch2trt",
        "precision": "float16 (fp16_mode: True) for the TensorRT engine; the PyTorch rows are listed with the same precision column",
        "batch": "input (1, 3, 224, 224), batch 1",
        "timing": "per torch2trt/test.py (commit 03131b0): 50 synchronized runs; fps = 50 / time, latency = per-call ms",
        "caveats": [
            "the README summary table's Xavier fps differ slightly from JETSON_XAVIER.md; the per-run file was used",
            "'Jetson Xavier' is as published (presumably AGX Xavier; kept as device jetson-xavier)",
        ],
    },
    "ncnn-benchncnn": {
        "title": "ncnn benchncnn results (benchmark/README.md)",
        "published": {"repo": "Tencent/ncnn", "commit": "a4d2ea1d4422c9e849f166fd7a4aefb52f942f6a", "path": "benchmark/README.md"},
        "runtime": "ncnn benchncnn; CPU (gpu_device -1) or Vulkan GPU (gpu_device >= 0)",
        "precision": "ncnn defaults (fp16 storage/arithmetic where supported, else fp32) -> 'auto'; *_int8 models -> int8",
        "batch": "single image (ncnn::Mat(w,h,3)), batch 1",
        "timing": "avg ms over loop_count runs (min/max in stats); num_threads and powersave recorded per run",
        "caveats": [
            "weights are random (speed test only); input sizes per benchncnn.cpp: 227 for squeezenet/alexnet, 384 for vision_transformer, 224 otherwise",
            "sections come from different ncnn versions whose defaults may differ",
            "names are ncnn's ('mobilenet' = v1, 'shufflenet' = v1); resnet50 is the Caffe ResNet-50 v1 graph",
            "a few device sections are held out of the shared copy for latency-prediction evaluation",
            "readme_line in settings identifies the exact README row (some devices have several sections with the same settings)",
        ],
    },
    "qualcomm-aihub": {
        "title": "Qualcomm AI Hub Models perf.yaml (ImageNet classifiers)",
        "published": {"repo": "quic/ai-hub-models", "commit": "52c080d245d2d20c634459208ff2548ce10b3c9f", "path": "qai_hub_models/models/<id>/perf.yaml"},
        "runtime": "tflite, qnn_dlc, onnx (onnxruntime), qnn_context_binary, precompiled_qnn_onnx; primary compute unit per row",
        "precision": "float (unquantized), w8a8, w8a16, w8a16_mixed_int16, w8a8_mixed_int16",
        "batch": "batch 1 (default of get_input_spec(batch_size=1); perf.yaml does not state it)",
        "timing": "inference_time_milliseconds as published",
        "memory": "memory_mb = the upper end of AI Hub's on-device peak-memory range (MB) of the profiling job, i.e. process memory as AI Hub's profiler reports it; the full range is in each row's note. Kept as memory_mb only where that upper end is at least the model's weight size at the row's precision (params x 1 byte for w8*, x 2 bytes for float, which runs in fp16 on the NPU); below that the profiler cannot be counting the weights (often 0-4 MB on the NPU, where weights live in NPU/shared memory), so the value stays in the note only",
        "caveats": ["tool versions differ between rows (see note)", "every job_status was Passed"],
    },
    "paddleclas": {
        "title": "PaddleClas model-zoo inference speed tables (docs/zh_CN/models/ImageNet1k/*.md)",
        "published": {"repo": "PaddlePaddle/PaddleClas", "commit": "d178931fca432204e6b7422bac4f92e09ff22fa4", "path": "docs/zh_CN/models/ImageNet1k/*.md"},
        "runtime": "Paddle Inference; V100/T4 with TensorRT (8.0.3.4 per most table notes), Xeon with MKLDNN",
        "precision": "per table note: FP32 (V100, T4) and FP16 (T4)",
        "batch": "bs 1/4/8; the Latency(ms) columns are ms per batch",
        "timing": "overview doc: GPU speed = FP32+TensorRT, 2100 runs with the first 100 as warm-up",
        "caveats": [
            "rows whose table gives no input size are excluded (exact input size is required for joins)",
            "three CSPDarkNet53 V100 rows have no runtime/precision note and are excluded",
            "the ConvNeXt and SwinTransformerV2 V100 sections hold no table",
            "the V100 variant is not stated",
        ],
    },
    "paddlelite": {
        "title": "Paddle Lite v2.11 benchmark (docs/performance/benchmark.md)",
        "published": {"repo": "PaddlePaddle/Paddle-Lite", "commit": "07b851a839dabc1a7f8fa63fccff4824329ed5f2", "path": "docs/performance/benchmark.md"},
        "runtime": "Paddle Lite release/v2.11 (commit 4a3bdbe); CPU 1 thread on a big core (armv7/armv8), or GPU with auto-tune",
        "precision": "fp32, fp16, int8 (*_quant), fp32 sparse models; GPU precision not stated",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms, mean over 600 repeats after 20 warm-ups, inputs set to 1.f",
        "caveats": [
            "batch size not stated by the source (single-image mobile benchmark); stored as batch 1 with batch_stated: false",
            "input size not stated in the table; 224 (standard ImageNet input of these models) is recorded with settings.input_size_stated: false",
            "only the MobileNetV1/V2/V3 and ResNet50 rows were extracted",
        ],
    },
    "tflite-hosted-pixel3": {
        "title": "TensorFlow Lite hosted models (guide/hosted_models.md)",
        "published": {"repo": "tensorflow/tensorflow", "commit": "0406598a59a78fd428b74fdd5e1ee704d17ce05a", "path": "tensorflow/lite/g3doc/guide/hosted_models.md"},
        "runtime": "TensorFlow Lite on Pixel 3 (Android 10): CPU 4 threads, GPU delegate, or NNAPI",
        "precision": "float models -> fp32, quantized models -> int8 (as stated per section)",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "accuracy": "top-1/top-5 % as published with each hosted model",
        "caveats": [
            "batch size not stated by the source; stored as batch 1 with batch_stated: false",
            "'---' (no GPU) cells dropped",
            "the GPU delegate may compute float models in fp16; the table states only the model precision",
            "input size from the model name, else the hosted model's published input shape (settings.input_size_stated: false)",
        ],
    },
    "tflite-perf": {
        "title": "TensorFlow Lite performance benchmarks (performance/benchmarks.md)",
        "published": {"repo": "tensorflow/tensorflow", "commit": "00f0938ae85c7dd68b44b4d80a873f42b1dca16a", "path": "tensorflow/lite/g3doc/performance/benchmarks.md"},
        "runtime": "TFLite benchmark_model: Android CPU 4 threads / GPU / NNAPI; iOS CPU 2 threads / GPU",
        "precision": "float / quant for MobileNet v1; not stated for the other models (unspecified)",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "caveats": ["batch size not stated by the source; stored as batch 1 with batch_stated: false",
                    "input size from the model name or the model's published input shape (settings.input_size_stated: false)"],
    },
    "efficientnet-lite-pixel4": {
        "title": "EfficientNet-Lite README (Pixel 4 latency and accuracy)",
        "published": {"repo": "tensorflow/tpu", "commit": "07e173cc1597883918f5d1229b771b96f1c4c211", "path": "models/official/efficientnet/lite/README.md"},
        "runtime": "TFLite on Pixel 4: CPU 4 threads, GPU (fp32 without precision loss / default fp16), Edge TPU (Pixel 4)",
        "precision": "FP32, FP16, INT8 per row",
        "batch": "batch 1 (stated)",
        "timing": "ms as published",
        "accuracy": "top-1 % for FP32 or INT8 matching each row's precision",
        "caveats": ["the lite4 INT8 Edge TPU cell is '-' and was dropped",
                    "input sizes are the EfficientNet-Lite default resolutions (settings.input_size_stated: false)"],
    },
    "tf-slim-mobilenet": {
        "title": "TF-slim MobileNet README (MobileNetV3 Pixel 1/2/3, MobileNetV2 Pixel 1)",
        "published": {"repo": "tensorflow/models", "commit": "0ba83cf0211401a8505505276c59418f15338d31", "path": "research/slim/nets/mobilenet/README.md"},
        "runtime": "V3: TF-Lite, large core; V2: 'Mobile CPU (ms) Pixel 1' (framework not stated in that table)",
        "precision": "V3: float / 8-bit; V2: not stated (unspecified)",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "accuracy": "top-1 (and top-5 for V2) % as published",
        "caveats": ["batch size not stated by the source; stored as batch 1 with batch_stated: false",
                    "the V2 table does not state framework or precision"],
    },
    "tnn": {
        "title": "TNN benchmark data (doc/benchmark_data.md)",
        "published": {"repo": "Tencent/TNN", "commit": "540b13d2ef3caf0eb4fdb442ede82ec1a93b7bf3", "path": "doc/benchmark_data.md"},
        "runtime": "TNN v0.3 (CPU 1 thread fp16, GPU) and v0.1 (CPU single thread)",
        "precision": "v0.3 CPU fp16; GPU precision not stated (unspecified); v0.1 _int8 rows int8, other v0.1 rows not stated",
        "batch": "not stated; stored as batch_size 1 with settings.batch_stated: false",
        "timing": "ms as published",
        "caveats": ["batch size not stated by the source; stored as batch 1 with batch_stated: false",
                    "input size not stated; 224 (299 for Inception) recorded with settings.input_size_stated: false; SqueezeNet rows left out (224 vs 227 unknown)",
                    "the Xeon and TITAN Xp rows (ResNet50/YOLO/BERT) were not extracted"],
    },
    "coral-edgetpu": {
        "title": "Coral Edge TPU benchmarks (archived copy of coral.ai/docs/edgetpu/benchmarks)",
        "published": {"url": "https://coral.ai/docs/edgetpu/benchmarks"},
        "runtime": "TensorFlow Lite models; Edge TPU rows via the Edge TPU runtime/delegate",
        "precision": "int8: the table does not state it, but the Edge TPU executes only fully 8-bit quantized TFLite models (coral.ai/docs/edgetpu/models-intro, 'Model requirements'), so every kept (Edge TPU) row is an 8-bit model",
        "batch": "one inference, batch 1",
        "timing": "time per inference, model execution only (excludes input pre-processing), C++ benchmark",
        "caveats": [
            "archived copy is incomplete: it ends before the EfficientNet-EdgeTpu-L row and the footnotes that name the desktop and embedded CPUs",
            "the Desktop CPU and Embedded CPU rows are excluded (CPU model unknown); the USB Accelerator's host CPU is also unknown",
        ],
    },
    "keras-applications": {
        "title": "Keras Applications table (templates/api/applications/index.md)",
        "published": {"repo": "keras-team/keras-io", "commit": "e7be306b7cad4726760a753c5bed90824e096b81", "path": "templates/api/applications/index.md"},
        "runtime": "TensorFlow/Keras",
        "precision": "not stated (unspecified)",
        "batch": "batch size 32; the times are ms per inference step (batch of 32)",
        "timing": "average of 30 batches and 10 repetitions; CPU: AMD EPYC Processor (with IBPB) (92 core), GPU: Tesla A100",
        "accuracy": "top-1/top-5 % as published (ImageNet val)",
        "caveats": ["input sizes are the Keras default input_shape of each model (table has no input-size column)",
                    "EfficientNetV2 rows publish '-' for the times; the legacy table's ambiguous CPU/GPU time column is not used"],
    },
    "bianco2018-repo": {
        "title": "Bianco et al. 2018 authors' repo accuracies (CeLuigi/models-comparison.pytorch README) and model settings",
        "published": {"repo": "CeLuigi/models-comparison.pytorch", "commit": "66e1626ffaf94f28e3c7b52ec1a7b66b9ccac85c", "path": "README.md"},
        "accuracy": "top-1/top-5 % of the PyTorch weights the repo loads (Cadene 'Our porting' or torchvision rows); MobileNet-v2 and ShuffleNet from the ericsun99 repos; input sizes from pretrainedmodels settings (HEAD 51388f0)",
        "caveats": [
            "not the paper's table: the paper computed its own accuracies (may differ in the 2nd decimal)",
            "MobileNet-v1 accuracy is empty (marvis/pytorch-mobilenet not available)",
            "params_m/gmacs_3rdparty are third-party (torchvision, timm pt240 rtx3090, imgclsmob); used only for architectures with no torchvision/timm numbers",
        ],
    },
    "bianco2018-paper-text": {
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
    },
}

EXCLUDED_TABLES = {
    "keras_applications_legacy.csv": "older Keras table: its single time column is not stated to be CPU or GPU and gives no batch size, so its latencies are excluded; its accuracies are superseded by keras_applications.csv",
    "zhao2023_colab_latency.csv": "Zhao et al. 2023 Colab times: CIFAR-100 32x32 models (likely CIFAR-adapted graphs, not the ImageNet architectures), timings include data loading, GPU not stated by the repo; names cannot be mapped to the ImageNet architectures with confidence, so the table is excluded",
    "bianco2018_repo_readme_accuracy.csv": "full README accuracy table incl. original-framework rows and ImageNet-5k DPNs; the rows the repo loads are already in bianco2018_models.csv",
    "timm/model_metadata-in1k.csv": "pretrain tags only (no numbers used)",
    "device_specs.csv": "device memory capacities with vendor pages; not read yet (the device-memory step of issue 9 reads them)",
}

# ---------------------------------------------------------------------------
# helpers


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def num(text: str) -> int | float | None:
    """Parse a published cell; keep integers as int. Empty -> None."""
    t = (text or "").strip().replace(",", "")
    if t == "" or t.lower() == "nan":
        return None
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    return float(t)


def fnum(text: str) -> float | None:
    v = num(text)
    return None if v is None else float(v)


def intnum(text: str) -> int | None:
    v = num(text)
    if v is None:
        return None
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError(f"not an integer: {text!r}")
        return int(v)
    return v


def family_of(arch: str) -> str:
    a = re.sub(r"^(tf_|legacy_|bvlc_)", "", arch)
    m = re.match(r"[a-z]+", a)
    head = m.group(0) if m else a
    if head.endswith("v") and re.match(r"[a-z]+v\d", a):
        head = head[:-1]  # aimv2 -> aim, convnextv2 -> convnext, swinv2 -> swin
    table = {
        "wide": "resnet", "resnext": "resnext", "fbresnet": "resnet", "seresnet": "senet", "seresnext": "senet",
        "senet": "senet", "mobilenetv": "mobilenet", "mobilenetv": "mobilenet", "efficientnetv": "efficientnet",
        "regnetx": "regnet", "regnety": "regnet", "regnetz": "regnet", "bninception": "inception",
        "nasnetalarge": "nasnet", "pnasnet": "nasnet", "deit": "vit", "vit": "vit", "googlenet": "googlenet",
        "squeezenet": "squeezenet", "swin": "swin", "swinv": "swin",
    }
    if arch.startswith("bvlc_googlenet"):
        return "googlenet"
    if head.startswith("mobilenet"):
        return "mobilenet"
    if head.startswith("efficientnet"):
        return "efficientnet"
    if head.startswith("inception"):
        return "inception"
    return table.get(head, head)


def safe_id(text: str) -> str:
    """Checkpoint-id-safe form of a source's model name (spaces -> '_', other odd characters dropped)."""
    return re.sub(r"[^A-Za-z0-9._+/:-]", "", text.replace(" ", "_"))


@functools.lru_cache(maxsize=None)
def _yaml_str(text: str) -> str:
    """A string as a YAML flow scalar, exactly as PyYAML's SafeDumper writes it inside a flow mapping."""
    out = yaml.safe_dump({"k": text}, default_flow_style=True, width=1 << 30, allow_unicode=True).strip()
    assert out.startswith("{k: ") and out.endswith("}")
    return out[4:-1]


def _yaml_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        r = repr(v).lower()  # same rule as yaml.SafeRepresenter.represent_float for finite values
        if "." not in r and "e" in r:
            r = r.replace("e", ".0e", 1)
        return r
    if isinstance(v, str):
        return _yaml_str(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_yaml_str(k)}: {_yaml_scalar(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def dump_flow(d: dict[str, Any]) -> str:
    """One-line YAML flow mapping (same bytes as yaml.safe_dump(default_flow_style=True), but fast)."""
    return _yaml_scalar(d)


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# ---------------------------------------------------------------------------
# the builder


class Builder:
    def __init__(self, sources: Path, seeds: Path, data_dir: Path) -> None:
        self.src = sources
        self.seeds = seeds
        self.aliases = yaml.load(open(data_dir / "aliases.yaml", encoding="utf-8"), Loader=_Loader)
        self.devmap = yaml.load(open(data_dir / "devices_map.yaml", encoding="utf-8"), Loader=_Loader)
        self.log = Log()
        self.sources: dict[str, dict[str, Any]] = {}
        self.measurements: list[dict[str, Any]] = []
        self.checkpoints: dict[str, dict[str, Any]] = {}
        self.arch_refs: set[str] = set()
        self.unmapped: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.left_out: dict[str, dict[str, str]] = collections.defaultdict(dict)
        self.stats: dict[str, dict[str, int]] = {}
        self.exclusions: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.used_device_strings: set[str] = set()
        # device string -> id
        self.device_by_string: dict[str, str] = {}
        for dev in self.devmap["devices"]:
            for a in dev.get("aliases", []):
                if a in self.device_by_string:
                    raise SystemExit(f"alias {a!r} on two devices")
                self.device_by_string[a] = dev["id"]
        self.timm_to_canon: dict[str, str] = {k: v["to"] for k, v in self.aliases["timm_to_canonical"].items()}

    # -- mapping helpers -------------------------------------------------
    def add_source(self, sid: str, extra: dict[str, Any] | None = None) -> None:
        meta = dict(SOURCE_META[sid]) if sid in SOURCE_META else {}
        if extra:
            meta.update(extra)
        meta["id"] = sid
        self.sources[sid] = meta

    def device(self, sid: str, text: str) -> str | None:
        if text in self.device_by_string:
            self.used_device_strings.add(text)
            return self.device_by_string[text]
        excl = self.devmap.get("excluded_device_strings", {})
        if text in excl:
            self.exclusions[sid][f"device '{text}': {excl[text]}"] += 1
            return None
        self.exclusions[sid][f"UNMAPPED device string '{text}'"] += 1
        return None

    def model(self, sid: str, name: str) -> dict[str, Any] | None:
        table = self.aliases["sources"].get(sid) or {}
        if name not in table:
            self.unmapped[sid][name] += 1
            return None
        entry = table[name]
        if isinstance(entry, str):
            entry = {"arch": entry}
        if entry.get("arch") is None:
            self.left_out[sid][name] = entry.get("reason", "no reason given")
            return None
        return entry

    def mapped_rows(self, sid: str, rows: list[dict[str, str]], model_column: str = "model"):
        """Rows whose model and device both map (unmapped or left-out names are logged by model()/device())."""
        for r in rows:
            entry = self.model(sid, r[model_column])
            dev = self.device(sid, r["device"])
            if entry is not None and dev is not None:
                yield r, entry, dev

    def canon_timm(self, arch: str) -> str:
        return self.timm_to_canon.get(arch, arch)

    def add_meas(self, m: dict[str, Any]) -> None:
        order = ["architecture", "input_size", "device", "runtime", "precision", "batch_size", "latency_ms",
                 "batch_latency_ms", "fps", "memory_mb", "memory_includes", "source", "settings", "stats", "name", "note",
                 "_peak_mem_max_mb"]
        out = {k: m[k] for k in order if k in m and m[k] is not None and m[k] != {}}
        if "settings" in out:
            out["settings"] = dict(sorted(out["settings"].items()))
        if "stats" in out:
            out["stats"] = dict(sorted(out["stats"].items()))
        self.arch_refs.add(out["architecture"])
        self.measurements.append(out)

    def add_ckpt(self, c: dict[str, Any]) -> None:
        order = ["id", "architecture", "source", "top1", "top5", "input_size", "precision", "name"]
        out = {k: c[k] for k in order if k in c and c[k] is not None}
        if out["id"] in self.checkpoints:
            if self.checkpoints[out["id"]] != out:
                raise SystemExit(f"checkpoint {out['id']} defined twice with different values")
            return
        self.arch_refs.add(out["architecture"])
        self.checkpoints[out["id"]] = out

    def stat(self, sid: str, read: int, kept: int) -> None:
        s = self.stats.setdefault(sid, {"read": 0, "kept": 0})
        s["read"] += read
        s["kept"] += kept

    # -- timm ---------------------------------------------------------------
    def build_timm(self) -> None:
        files = read_csv(self.src / "timm_benchmark_files.csv")
        self.timm_fixed: dict[str, dict[str, str]] = {}
        self.timm_bench_size: dict[str, int] = {}
        for f in sorted(files, key=lambda r: r["file"]):
            fname = f["file"]
            if f["kind"] != "infer":
                self.exclusions["timm"][f"{fname}: training throughput (benchmark-train), not inference"] += int(f["rows"])
                continue
            sid = "timm-" + fname[: -len(".csv")]
            rows = read_csv(self.src / "timm" / fname)
            m = re.search(r"-(fp32|amp|amp_bf16|bf16)-(nchw|nhwc)-pt(\d+)", fname)
            prec = {"fp32": "fp32", "amp": "amp-fp16", "amp_bf16": "amp-bf16", "bf16": "bf16"}[m.group(1)]
            layout = m.group(2)
            torch_ver = re.search(r"PyTorch ([\d.]+)", f["pytorch"]).group(1)
            compiled = f["dynamo_compile"].startswith("yes")
            runtime = "pytorch-compile" if compiled else "pytorch"
            dev = self.device("timm", f["device"])
            if dev is None:
                continue
            self.add_source(sid, {
                "title": f"timm inference benchmark {fname} ({f['device']})",
                "published": {"repo": "huggingface/pytorch-image-models", "commit": f["last_commit"], "path": f"results/{fname}"},
                "runtime": f"{f['pytorch']}, {f['cuda']}, torch.compile: {f['dynamo_compile']} (timm benchmark.py)",
                "precision": f["precision"],
                "batch": f"per-row infer_batch_size (most common {f['most_common_batch_size']}; benchmark.py lowers it after OOM); throughput numbers, not batch-1 latency" if f["cuda"] != "CPU" else "batch 1 (CPU file)",
                "timing": "infer_samples_per_sec (images/s) -> fps; infer_step_time = 1000 x total time / steps, ms per batch step -> batch_latency_ms",
                "caveats": [f"memory layout {f['memory_layout']}", f"last commit to the file {f['last_commit']} ({f['last_commit_date']})"]
                + (["the RTX Pro 6000 / 5090 / 4090 pt291 files were run with PyTorch 2.9.1 (repo README 2026-01-05/06); device name for pro6000maxq comes only from the file name"] if "pt291" in fname else [])
                + (["this file has no gmacs/macts columns"] if "gmacs" not in (rows[0].keys() if rows else []) else []),
            })
            kept = 0
            for r in rows:
                bs = r.get("infer_batch_size", "")
                if bs == "" or r.get("infer_samples_per_sec", "") == "":
                    self.exclusions[sid][f"row {r['model']}: empty batch size / throughput"] += 1
                    continue
                arch = self.canon_timm(r["model"])
                settings: dict[str, Any] = {"torch": torch_ver}
                if layout == "nhwc":
                    settings["memory_layout"] = "channels_last"
                self.add_meas({
                    "architecture": arch, "input_size": intnum(r["infer_img_size"]), "device": dev,
                    "runtime": runtime, "precision": prec, "batch_size": intnum(bs),
                    "fps": fnum(r["infer_samples_per_sec"]), "batch_latency_ms": fnum(r["infer_step_time"]),
                    "source": sid, "settings": settings, "name": r["model"],
                })
                kept += 1
                if fname == FIXED_TIMM_FILE:
                    self.timm_fixed.setdefault(r["model"], {})[intnum(r["infer_img_size"])] = r
                self.timm_bench_size.setdefault(r["model"], intnum(r["infer_img_size"]))
            self.stat(sid, len(rows), kept)
        # results
        sid = "timm-results-imagenet"
        self.add_source(sid)
        rows = read_csv(self.src / "timm" / "results-imagenet.csv")
        self.timm_results_params: dict[str, float] = {}
        self.timm_results_sizes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        multi = collections.Counter(r["model"] for r in rows)
        for r in rows:
            base = r["model"].split(".")[0]
            arch = self.canon_timm(base)
            cid = f"timm/{r['model']}" if multi[r["model"]] == 1 else f"timm/{r['model']}:{r['img_size']}"
            self.add_ckpt({"id": cid, "architecture": arch, "source": sid, "top1": fnum(r["top1"]),
                           "top5": fnum(r["top5"]), "input_size": intnum(r["img_size"]), "precision": "fp32", "name": r["model"]})
            self.timm_results_params.setdefault(base, fnum(r["param_count"]))
            self.timm_results_sizes[base][intnum(r["img_size"])] += 1
        self.stat(sid, len(rows), len(rows))
        self.exclusions[sid][f"note: {sum(1 for n in multi.values() if n > 1)} weights are evaluated at two image sizes; their checkpoint ids get a ':<img_size>' suffix"] += 0
        for f in sorted(glob.glob(str(self.src / "timm" / "results-*.csv"))):
            n = os.path.basename(f)
            if n != "results-imagenet.csv":
                self.exclusions["timm"][f"{n}: other eval set (not ImageNet-1k val top1), not used"] += len(read_csv(Path(f)))

    # -- torchvision --------------------------------------------------------
    def build_torchvision(self) -> None:
        sid = "torchvision-weights"
        self.add_source(sid)
        rows = read_csv(self.src / "torchvision_weights.csv")
        self.tv_arch: dict[str, dict[str, Any]] = {}
        kept = 0
        for r in rows:
            builder = r["model_builder"].split(".")[-1]
            quant = ".quantization." in r["model_builder"]
            if not quant and builder not in self.tv_arch:
                self.tv_arch[builder] = {"input_size": intnum(r["crop_size"]), "params_m": intnum(r["params"]) / 1e6,
                                         "gmacs": fnum(r["gflops"]) if r["ops_unit"] == "GFLOPS" else None,
                                         "weight": r["weight_name"]}
            if r["acc1"] == "":
                self.exclusions[sid][f"{r['weight_name']}: no published accuracy (features-only weights)"] += 1
                continue
            self.add_ckpt({"id": f"torchvision/{r['weight_name']}", "architecture": builder, "source": sid,
                           "top1": fnum(r["acc1"]), "top5": fnum(r["acc5"]), "input_size": intnum(r["crop_size"]),
                           "precision": "int8" if quant else "fp32", "name": r["weight_name"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    # -- torch2trt ----------------------------------------------------------
    def build_torch2trt(self) -> None:
        sid = "torch2trt-jetson"
        self.add_source(sid)
        rows = read_csv(self.src / "torch2trt_jetson.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            rt = "tensorrt" if "TensorRT" in r["framework"] else "pytorch"
            size = int(r["input_shape"].split("x")[-1].strip())
            self.add_meas({"architecture": e["arch"], "input_size": size, "device": dev, "runtime": rt,
                           "precision": {"float16": "fp16"}[r["precision"]], "batch_size": intnum(r["batch_size"]),
                           "latency_ms": fnum(r["latency_ms"]), "fps": fnum(r["fps"]), "source": sid, "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    # -- ncnn ---------------------------------------------------------------
    def build_ncnn(self) -> None:
        sid = "ncnn-benchncnn"
        self.add_source(sid)
        rows = read_csv(self.src / "ncnn_benchncnn.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            if r["gpu_device"] == "":
                self.exclusions[sid][f"{r['device']}: row without backend/gpu_device (CPU vs GPU unknown)"] += 1
                continue
            gpu = int(r["gpu_device"])
            settings: dict[str, Any] = {"backend": "cpu" if gpu < 0 else "vulkan", "threads": intnum(r["num_threads"]),
                                        "powersave": intnum(r["powersave"]), "gpu_device": gpu,
                                        "readme_line": intnum(r["readme_line"])}
            if r["loop_count"]:
                settings["loop_count"] = intnum(r["loop_count"])
            if r["cooling_down"]:
                settings["cooling_down"] = intnum(r["cooling_down"])
            prec = e.get("precision") or ("int8" if r["precision"] == "int8" else "auto")
            stats = {}
            if r["min_ms"]:
                stats["min"] = fnum(r["min_ms"])
            if r["max_ms"]:
                stats["max"] = fnum(r["max_ms"])
            self.add_meas({"architecture": e["arch"], "input_size": int(r["input_whc"].split("x")[0]), "device": dev,
                           "runtime": "ncnn", "precision": prec, "batch_size": intnum(r["batch_size"]),
                           "latency_ms": fnum(r["latency_ms"]), "source": sid, "settings": settings, "stats": stats,
                           "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    # -- qualcomm -----------------------------------------------------------
    def build_qualcomm(self) -> None:
        sid = "qualcomm-aihub"
        self.add_source(sid)
        rows = read_csv(self.src / "qualcomm_aihub_latency.csv")
        rt_map = {"tflite": "tflite", "qnn_dlc": "qnn-dlc", "onnx": "onnxruntime",
                  "qnn_context_binary": "qnn-context-binary", "precompiled_qnn_onnx": "precompiled-qnn-onnx"}
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model_id"):
            size = int(re.findall(r"\d+", r["input_resolution"])[-1])
            m = {"architecture": e["arch"], "input_size": size, "device": dev, "runtime": rt_map[r["framework"]],
                 "precision": r["precision"].replace("_", "-"), "batch_size": intnum(r["batch_size"]),
                 "latency_ms": fnum(r["latency_ms"]), "source": sid,
                 "settings": {"compute_unit": r["primary_compute_unit"].lower()}, "name": r["model"],
                 "note": f"peak memory range {r['peak_mem_min_mb']}-{r['peak_mem_max_mb']} MB; input {r['input_resolution']}; {r['tool_versions']}"}
            peak_max = fnum(r["peak_mem_max_mb"]) if r["peak_mem_max_mb"] else None
            if peak_max:
                m["_peak_mem_max_mb"] = peak_max  # checked against the weight size once params are known
            self.add_meas(m)
            kept += 1
        self.stat(sid, len(rows), kept)

    def qualcomm_memory(self, archs: list[dict[str, Any]]) -> None:
        """Promote AI Hub's peak-memory upper end to memory_mb where it can be counting the weights."""
        params = {a["id"]: a.get("params_m") for a in archs}
        kept = dropped = 0
        for i, m in enumerate(self.measurements):
            peak = m.pop("_peak_mem_max_mb", None)
            if peak is None:
                continue
            bytes_per_param = 1.0 if m["precision"].startswith("w8") else 2.0
            p = params.get(m["architecture"])
            if p is not None and peak >= p * bytes_per_param:
                m["memory_mb"] = peak
                m["memory_includes"] = ("AI Hub profiler: upper end of the peak-memory range of the on-device "
                                        "inference job (process memory as AI Hub reports it)")
                self.measurements[i] = {}
                self.add_meas(m)  # re-insert so the keys keep the file's order
                self.measurements[i] = self.measurements.pop()
                kept += 1
            else:
                dropped += 1
        self.qualcomm_memory_counts = (kept, dropped)

    # -- paddleclas ---------------------------------------------------------
    def build_paddleclas(self) -> None:
        sid = "paddleclas"
        self.add_source(sid)
        rows = read_csv(self.src / "paddleclas_latency.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            if r["input_size"] == "":
                self.exclusions[sid][f"{r['device']}: row without input size (table gives none)"] += 1
                continue
            if r["framework"] == "" or r["precision"] == "":
                self.exclusions[sid][f"{r['device']}: row without runtime/precision note"] += 1
                continue
            fw = r["framework"]
            settings: dict[str, Any] = {"doc": r["source"].rsplit("/", 1)[-1]}
            if "TensorRT" in fw:
                runtime = "tensorrt"
                settings["host"] = "paddle-inference"
                mv = re.search(r"TensorRT-([\d.]+)", fw)
                if mv:
                    settings["tensorrt"] = mv.group(1)
            elif "MKLDNN" in fw:
                runtime = "paddle-inference"
                settings["backend"] = "mkldnn"
            else:
                runtime = "paddle-inference"
            if r["threads"]:
                settings["threads"] = intnum(r["threads"])
            self.add_meas({"architecture": e["arch"], "input_size": intnum(r["input_size"]), "device": dev,
                           "runtime": runtime, "precision": r["precision"].lower(), "batch_size": intnum(r["batch_size"]),
                           "batch_latency_ms": fnum(r["latency_ms"]), "source": sid, "settings": settings,
                           "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    # -- Paddle-Lite ----------------------------------------------------------
    def build_paddlelite(self) -> None:
        sid = "paddlelite"
        self.add_source(sid)
        rows = read_csv(self.src / "paddlelite_benchmark.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            p = r["precision"]
            settings: dict[str, Any] = {"batch_stated": False, "input_size_stated": False,
                                        "backend": "gpu" if r["backend"] == "GPU" else "cpu"}
            if r["backend"].startswith("CPU"):
                settings["core"] = "big"
            if p.startswith("fp32 (sparse"):
                p = "fp32"
                settings["sparse"] = True
            prec = e.get("precision") or (p if p else "unspecified")
            if r["abi"]:
                settings["abi"] = r["abi"]
            if r["threads"]:
                settings["threads"] = intnum(r["threads"])
            self.add_meas({"architecture": e["arch"], "input_size": e["input_size"], "device": dev,
                           "runtime": "paddle-lite", "precision": prec, "batch_size": 1,
                           "latency_ms": fnum(r["latency_ms"]), "source": sid, "settings": settings, "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    # -- TNN ----------------------------------------------------------------
    def build_tnn(self) -> None:
        sid = "tnn"
        self.add_source(sid)
        rows = read_csv(self.src / "tnn_benchmark.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            settings = {"batch_stated": False, "input_size_stated": False,
                        "backend": "gpu" if r["backend"] == "GPU" else "cpu", "tnn_version": r["tnn_version_section"]}
            if r["backend"].startswith("CPU"):
                settings["threads"] = 1
            prec = e.get("precision") or (r["precision"] or "unspecified")
            self.add_meas({"architecture": e["arch"], "input_size": e["input_size"], "device": dev, "runtime": "tnn",
                           "precision": prec, "batch_size": 1, "latency_ms": fnum(r["latency_ms"]), "source": sid,
                           "settings": settings, "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    # -- Coral --------------------------------------------------------------
    def build_coral(self) -> None:
        sid = "coral-edgetpu"
        self.add_source(sid)
        rows = read_csv(self.src / "coral_edgetpu_benchmarks.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            settings: dict[str, Any] = {"backend": "edgetpu"}
            if r["input_size"]:
                size = int(r["input_size"].split("x")[0])
            else:
                size = e["input_size"]
                settings["input_size_stated"] = False
            # Edge TPU runs only 8-bit quantized models (see the source entry), so these latencies are int8 ones
            # and pair only with the same quantized weights, never with float checkpoints.
            self.add_meas({"architecture": e["arch"], "input_size": size, "device": dev, "runtime": "edgetpu",
                           "precision": "int8", "batch_size": intnum(r["batch_size"]),
                           "latency_ms": fnum(r["latency_ms"]), "source": sid, "settings": settings, "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    # -- TFLite family --------------------------------------------------------
    @staticmethod
    def tfl_backend(text: str) -> dict[str, Any]:
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

    def build_tflite_hosted(self) -> None:
        sid = "tflite-hosted-pixel3"
        self.add_source(sid)
        rows = read_csv(self.src / "tflite_hosted_models_pixel3.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            prec = e.get("precision") or {"float": "fp32", "quantized": "int8"}[r["precision"]]
            settings = {"batch_stated": False, **self.tfl_backend(r["backend"])}
            if not re.search(r"_\d+(_quant)?$", r["model"]):
                settings["input_size_stated"] = False
            self.add_meas({"architecture": e["arch"], "input_size": e["input_size"], "device": dev, "runtime": "tflite",
                           "precision": prec, "batch_size": 1, "latency_ms": fnum(r["latency_ms"]), "source": sid,
                           "settings": settings, "name": r["model"]})
            kept += 1
            if r["top1_pct"]:
                self.add_ckpt({"id": f"tflite-hosted/{safe_id(r['model'])}", "architecture": e["arch"], "source": sid,
                               "top1": fnum(r["top1_pct"]), "top5": fnum(r["top5_pct"]), "input_size": e["input_size"],
                               "precision": prec, "name": r["model"]})
        self.stat(sid, len(rows), kept)

    def build_tflite_perf(self) -> None:
        sid = "tflite-perf"
        self.add_source(sid)
        rows = read_csv(self.src / "tflite_perf_benchmarks.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            prec = e.get("precision") or {"float": "fp32", "quant": "int8", "": "unspecified"}[r["precision"]]
            settings = {"batch_stated": False, "os": r["os"], **self.tfl_backend(r["backend"])}
            if "_224" not in r["model"]:
                settings["input_size_stated"] = False
            self.add_meas({"architecture": e["arch"], "input_size": e["input_size"], "device": dev, "runtime": "tflite",
                           "precision": prec, "batch_size": 1, "latency_ms": fnum(r["latency_ms"]), "source": sid,
                           "settings": settings, "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)

    def build_efficientnet_lite(self) -> None:
        sid = "efficientnet-lite-pixel4"
        self.add_source(sid)
        rows = read_csv(self.src / "efficientnet_lite_pixel4.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            prec = r["precision"].lower()
            settings = {"input_size_stated": False, **self.tfl_backend(r["backend"])}
            self.add_meas({"architecture": e["arch"], "input_size": e["input_size"], "device": dev, "runtime": "tflite",
                           "precision": prec, "batch_size": intnum(r["batch_size"]), "latency_ms": fnum(r["latency_ms"]),
                           "source": sid, "settings": settings, "name": r["model"]})
            kept += 1
            if r["top1_pct"] and prec in ("fp32", "int8"):
                self.add_ckpt({"id": f"efficientnet-lite/{r['model']}-{prec}", "architecture": e["arch"], "source": sid,
                               "top1": fnum(r["top1_pct"]), "input_size": e["input_size"], "precision": prec,
                               "name": f"{r['model']} ({r['precision']})"})
        self.stat(sid, len(rows), kept)

    def build_tf_slim(self) -> None:
        sid = "tf-slim-mobilenet"
        self.add_source(sid)
        rows = read_csv(self.src / "tf_slim_mobilenet_pixel.csv")
        kept = 0
        for r, e, dev in self.mapped_rows(sid, rows, model_column="model"):
            prec = e.get("precision") or {"float": "fp32", "8-bit": "int8", "": "unspecified"}[r["precision"]]
            settings: dict[str, Any] = {"batch_stated": False, "backend": "cpu"}
            if r["cpu_note"]:
                settings["core"] = r["cpu_note"].replace(" core", "")
            size = intnum(r["input_size"])
            self.add_meas({"architecture": e["arch"], "input_size": size, "device": dev,
                           "runtime": "tflite" if r["framework"] == "TF-Lite" else "unspecified",
                           "precision": prec, "batch_size": 1, "latency_ms": fnum(r["latency_ms"]), "source": sid,
                           "settings": settings, "name": r["model"]})
            kept += 1
            if r["top1_pct"]:
                cprec = "int8" if prec == "int8" else "fp32"
                self.add_ckpt({"id": f"tf-slim/{safe_id(r['model'])}",
                               "architecture": e["arch"], "source": sid, "top1": fnum(r["top1_pct"]),
                               "top5": fnum(r["top5_pct"]), "input_size": size, "precision": cprec, "name": r["model"]})
        self.stat(sid, len(rows), kept)

    # -- Keras ----------------------------------------------------------------
    def build_keras(self) -> None:
        sid = "keras-applications"
        self.add_source(sid)
        rows = read_csv(self.src / "keras_applications.csv")
        kept = 0
        for r in rows:
            e = self.model(sid, r["model"])
            if e is None:
                continue
            self.add_ckpt({"id": f"keras/{r['model']}", "architecture": e["arch"], "source": sid,
                           "top1": fnum(r["top1_pct"]), "top5": fnum(r["top5_pct"]), "input_size": e["input_size"],
                           "precision": "fp32", "name": r["model"]})
            kept += 1
            for col, devcol in (("cpu_ms_per_inference_step", "cpu"), ("gpu_ms_per_inference_step", "gpu")):
                if r[col] == "":
                    self.exclusions[sid][f"{r['model']} {devcol} time '-' (not published)"] += 1
                    continue
                dev = self.device(sid, r[devcol])
                if dev is None:
                    continue
                self.add_meas({"architecture": e["arch"], "input_size": e["input_size"], "device": dev,
                               "runtime": "tensorflow", "precision": "unspecified", "batch_size": intnum(r["batch_size"]),
                               "batch_latency_ms": fnum(r[col]), "source": sid,
                               "settings": {"backend": devcol, "input_size_stated": False}, "name": r["model"]})
        self.stat(sid, len(rows), kept)

    # -- Bianco ---------------------------------------------------------------
    def build_bianco(self) -> None:
        sid = "bianco2018-repo"
        self.add_source(sid)
        rows = read_csv(self.src / "bianco2018_models.csv")
        self.bianco_rows = {}
        kept = 0
        for r in rows:
            e = self.model(sid, r["pretrainedmodels_key"])
            if e is None:
                continue
            self.bianco_rows[e["arch"]] = r
            if r["top1"] == "":
                self.exclusions[sid][f"{r['model']}: no top1 (weights from marvis/pytorch-mobilenet not available)"] += 1
                continue
            self.add_ckpt({"id": f"bianco2018/{r['pretrainedmodels_key']}", "architecture": e["arch"], "source": sid,
                           "top1": fnum(r["top1"]), "top5": fnum(r["top5"]), "input_size": intnum(r["input_size"]),
                           "precision": "fp32", "name": r["model"]})
            kept += 1
        self.stat(sid, len(rows), kept)
        self.build_bianco_text()

    def build_bianco_text(self) -> None:
        sid = "bianco2018-paper-text"
        self.add_source(sid)
        paths = sorted(self.seeds.glob("003_*.txt"))
        if not paths:
            raise SystemExit("seed text 003_*.txt not found")
        text = re.sub(r"\s+", " ", paths[0].read_text(encoding="utf-8"))

        def need(snippet: str) -> None:
            if snippet not in text:
                raise SystemExit(f"seed text does not contain {snippet!r}; refusing to store the value")

        size = {a: intnum(self.bianco_rows[a]["input_size"]) for a in self.bianco_rows}
        mem_inc = ("total GPU memory used by the process incl. model and batch processing "
                   "(GPUtil memoryUsed minus the pre-load empty-GPU baseline)")
        items = [
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
        for name, arch, dev, vals, snippet, note in items:
            need(snippet)
            m = {"architecture": arch, "input_size": size[arch], "device": dev, "runtime": "pytorch", "precision": "fp32",
                 "batch_size": 1, "source": sid, "name": name, "note": note, **vals,
                 "settings": {"cudnn": "5.1", "cuda": "9.0"}}
            if "memory_mb" in vals:
                m["memory_includes"] = mem_inc
            self.add_meas(m)
        accs = [("ResNet-34", "resnet34", 73.27, "ResNet-34, with 73.27% Top-1"),
                ("Xception", "legacy_xception", 78.79, "Xception, with 78,79% Top-1"),
                ("SE-ResNeXt-50 (32x4d)", "legacy_seresnext50_32x4d", 79.11, "SE-ResNeXt-50 (32x4d), with 79,11% Top-1"),
                ("NASNet-A-Large", "nasnetalarge", 82.50, "NASNet-A-Large, with 82,50% Top-1"),
                ("MobileNet-v2", "mobilenet_v2", 71.81, "MobileNet-v2, with a Top-1 accuracy of 71.81%"),
                ("DPN-68", "dpn68", 75.95, "at most 75.95% by using the DPN-68"),
                ("MobileNet-v1", "mobilenet_v1", 69.52, "at most 69.52% by using the MobileNet-v1"),
                ("ResNet-50", "resnet50", 76.01, "with a recognition accuracy of 76.01%")]
        for name, arch, top1, snippet in accs:
            need(snippet)
            self.add_ckpt({"id": f"bianco2018-paper/{arch}", "architecture": arch, "source": sid, "top1": top1,
                           "input_size": size[arch], "precision": "fp32", "name": name})
        self.stat(sid, len(items) + len(accs), len(items) + len(accs))
        self.claims = [
            "Titan Xp: '>250 FPS' -> ResNet-34 best (73.27%); '>125 FPS' -> Xception; '>62.5 FPS' -> SE-ResNeXt-50 (32x4d); '>30 FPS' -> NASNet-A-Large (inequalities, not numbers)",
            "Titan Xp: all models super real-time at batch 1 except SENet-154 (qualitative)",
            "Jetson TX1: only SqueezeNets, MobileNets, ResNet-18, GoogLeNet and AlexNet super real-time at batch 1 (qualitative)",
            "memory at batch 1: most models < 1GB, none > 1.5GB (bounds, not values)",
            "linear fits: upper-bound intercepts ~83.3 (Titan Xp) / ~83.0 (TX1); memory-vs-complexity slopes 1.10/1.15, intercepts 910/639 (fit parameters, not measurements)",
            "Table 3 constraint analysis (<=1.4/1.0/0.7 GB, 15/30/60 FPS): model choices, not measurements",
        ]

    # -- architectures --------------------------------------------------------
    def architectures(self) -> list[dict[str, Any]]:
        # aliases: timm names folded into canonical ids
        alias_of: dict[str, list[str]] = collections.defaultdict(list)
        for t, c in self.timm_to_canon.items():
            if t != c:
                alias_of[c].append(t)
        out = []
        for arch in sorted(self.arch_refs):
            a: dict[str, Any] = {"id": arch, "family": family_of(arch)}
            srcs: dict[str, str] = {}
            if arch in self.tv_arch:
                tv = self.tv_arch[arch]
                a["input_size"] = tv["input_size"]
                a["params_m"] = tv["params_m"]
                srcs["params_m"] = "torchvision-weights"
                if tv["gmacs"] is not None:
                    a["gmacs"] = tv["gmacs"]
                    srcs["gmacs"] = "torchvision-weights"
                # torchvision publishes no activation count; timm's benchmark does, for the same network
                # (same name or a reviewed alias) at the same input size. Take it only when timm's parameter
                # count agrees with torchvision's within 1%, i.e. it really is the same graph.
                for name in [arch] + sorted(alias_of.get(arch, [])):
                    row = self.timm_fixed.get(name, {}).get(a["input_size"])
                    macts, params = (fnum(row.get("infer_macts", "")), fnum(row.get("param_count", ""))) if row else (None, None)
                    if macts and params and abs(params - a["params_m"]) <= 0.01 * a["params_m"]:
                        a["activations_m"] = macts
                        srcs["activations_m"] = "timm-" + FIXED_TIMM_FILE[:-4]
                        break
            else:
                timm_names = [arch] + alias_of.get(arch, [])
                by_size = next((self.timm_fixed[n] for n in timm_names if n in self.timm_fixed), None)
                fsid = "timm-" + FIXED_TIMM_FILE[:-4]
                fixed = None
                if by_size:
                    # the arch's default input size: the fixed-file size used most by its ImageNet checkpoints,
                    # else the smallest benchmarked size (ties -> smaller)
                    ck_sizes = collections.Counter()
                    for n in timm_names:
                        ck_sizes.update(self.timm_results_sizes.get(n, {}))
                    size = sorted(by_size, key=lambda z: (-ck_sizes.get(z, 0), z))[0]
                    fixed = by_size[size]
                if fixed is not None:
                    a["input_size"] = intnum(fixed["infer_img_size"])
                    for fld, col in (("params_m", "param_count"), ("gmacs", "infer_gmacs"), ("activations_m", "infer_macts")):
                        v = fnum(fixed.get(col, ""))
                        if v:
                            a[fld] = v
                            srcs[fld] = fsid
                elif arch in self.timm_bench_size:
                    a["input_size"] = self.timm_bench_size[arch]
                elif arch in self.timm_results_sizes:
                    cnt = self.timm_results_sizes[arch]
                    a["input_size"] = sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                if "params_m" not in a and arch in self.timm_results_params and self.timm_results_params[arch]:
                    a["params_m"] = self.timm_results_params[arch]
                    srcs["params_m"] = "timm-results-imagenet"
                if "params_m" not in a and arch in self.bianco_rows and self.bianco_rows[arch]["params_m"]:
                    br = self.bianco_rows[arch]
                    a.setdefault("input_size", intnum(br["input_size"]))
                    a["params_m"] = fnum(br["params_m"])
                    srcs["params_m"] = "bianco2018-repo"
                    if br["gmacs_3rdparty"] and br["gmacs_input"] == br["input_size"] and int(br["input_size"]) == a["input_size"]:
                        a["gmacs"] = fnum(br["gmacs_3rdparty"])
                        srcs["gmacs"] = "bianco2018-repo"
            if "input_size" not in a:
                sizes = collections.Counter(m["input_size"] for m in self.measurements if m["architecture"] == arch)
                sizes.update(c["input_size"] for c in self.checkpoints.values() if c["architecture"] == arch)
                a["input_size"] = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if srcs:
                a["sources"] = dict(sorted(srcs.items()))
            if alias_of.get(arch):
                a["aliases"] = sorted(alias_of[arch])
            order = ["id", "family", "input_size", "params_m", "gmacs", "activations_m", "sources", "aliases"]
            out.append({k: a[k] for k in order if k in a})
        return out

    # -- devices --------------------------------------------------------------
    def devices(self) -> list[dict[str, Any]]:
        used = {m["device"] for m in self.measurements}
        self.omitted_devices: list[str] = []
        out = []
        for d in sorted(self.devmap["devices"], key=lambda d: d["id"]):
            if d["id"] not in used:
                self.omitted_devices.append(d["id"])
                continue
            dev = {"id": d["id"], "name": d["name"], "kind": d["kind"]}
            if d.get("memory_gb") is not None:
                dev["memory_gb"] = d["memory_gb"]
            if d.get("family"):
                dev["family"] = d["family"]
            dev["aliases"] = list(d.get("aliases", []))
            if d.get("description"):
                dev["description"] = d["description"]
            if d.get("memory_source"):
                dev["source"] = d["memory_source"]
            out.append(dev)
        return out

    # -- run ------------------------------------------------------------------
    def run(self) -> tuple[str, str]:
        L = self.log
        csvs = sorted(str(Path(p).relative_to(self.src)) for p in glob.glob(str(self.src / "**" / "*.csv"), recursive=True))
        self.build_timm()
        self.build_torchvision()
        self.build_torch2trt()
        self.build_ncnn()
        self.build_qualcomm()
        self.build_paddleclas()
        self.build_paddlelite()
        self.build_tnn()
        self.build_coral()
        self.build_tflite_hosted()
        self.build_tflite_perf()
        self.build_efficientnet_lite()
        self.build_tf_slim()
        self.build_keras()
        self.build_bianco()
        handled = {"timm_benchmark_files.csv", "torchvision_weights.csv", "torch2trt_jetson.csv", "ncnn_benchncnn.csv",
                   "qualcomm_aihub_latency.csv", "paddleclas_latency.csv", "paddlelite_benchmark.csv", "tnn_benchmark.csv",
                   "coral_edgetpu_benchmarks.csv", "tflite_hosted_models_pixel3.csv", "tflite_perf_benchmarks.csv",
                   "efficientnet_lite_pixel4.csv", "tf_slim_mobilenet_pixel.csv", "keras_applications.csv",
                   "bianco2018_models.csv", "timm/results-imagenet.csv"}
        for c in csvs:
            if c.startswith("timm/benchmark-") or c.startswith("timm/results-"):
                handled.add(c)
        for c in csvs:
            if c not in handled and c not in EXCLUDED_TABLES:
                raise SystemExit(f"source table {c} is neither read nor excluded with a reason")

        # exact duplicate measurements
        seen: set[str] = set()
        uniq = []
        dups: collections.Counter = collections.Counter()
        for m in self.measurements:
            key = json.dumps(m, sort_keys=True)
            if key in seen:
                dups[m["source"]] += 1
                continue
            seen.add(key)
            uniq.append(m)
        self.measurements = uniq

        def mkey(m: dict[str, Any]) -> tuple:
            return (m["source"], m["device"], m["architecture"], m["input_size"], m["runtime"], m["precision"],
                    m["batch_size"], json.dumps(m.get("settings", {}), sort_keys=True), m.get("name") or "",
                    json.dumps(m, sort_keys=True))
        self.measurements.sort(key=mkey)

        archs = self.architectures()
        self.qualcomm_memory(archs)
        devices = self.devices()
        ckpts = [self.checkpoints[k] for k in sorted(self.checkpoints)]
        sources = [self.sources[k] for k in sorted(self.sources)]
        src_order = ["id", "title", "published", "runtime", "precision", "batch", "timing", "memory", "accuracy", "caveats"]
        sources = [{k: s[k] for k in src_order if k in s} for s in sources]
        used_fams = {d.get("family") for d in devices}
        families = {}
        for fam, default in sorted(self.devmap["device_families"].items()):
            if fam in used_fams:
                families[fam] = default
        catalog = {
            "schema_version": 1,
            "description": "modelpick curated benchmark catalog, built by scripts/build_catalog.py from public tables (see sources); do not edit by hand",
            "sources": sources,
            "device_families": families,
            "devices": devices,
            "architectures": archs,
            "checkpoints": ckpts,
            "measurements": self.measurements,
        }
        self.validate(catalog)
        text = self.render(catalog)

        # ---- log
        L("modelpick catalog build log (deterministic; regenerate with scripts/build_catalog.py)")
        L("")
        L("== Source tables")
        for c in csvs:
            if c in EXCLUDED_TABLES:
                status = "EXCLUDED - " + EXCLUDED_TABLES[c]
            elif c.startswith("timm/benchmark-train-"):
                status = "EXCLUDED - training throughput, not inference"
            elif c.startswith("timm/results-") and c != "timm/results-imagenet.csv":
                status = "EXCLUDED - other evaluation set (not ImageNet-1k val); not used as top1"
            else:
                status = "read"
            L(f"  {c}: {status}")
        L("")
        L("== Per source: rows read / kept (measurements or checkpoints) / excluded")
        for sid in sorted(self.stats):
            s = self.stats[sid]
            L(f"  {sid}: read {s['read']}, kept {s['kept']}, excluded {s['read'] - s['kept']}")
        L("  (ncnn: rows of names left out or unmapped count as excluded; timm train files and other eval sets are listed below)")
        L("")
        kept_mem, dropped_mem = getattr(self, "qualcomm_memory_counts", (0, 0))
        L("== Qualcomm AI Hub peak memory")
        L(f"  kept as memory_mb (upper end >= weight size): {kept_mem}; left in the note only (upper end below the "
          f"weight size, or no parameter count): {dropped_mem}")
        L("")
        L("== Exact duplicate measurement rows dropped")
        for sid, n in sorted(dups.items()):
            L(f"  {sid}: {n}")
        if not dups:
            L("  none")
        L("")
        L("== Excluded rows / row groups (reason: rows)")
        for sid in sorted(self.exclusions):
            for reason, n in sorted(self.exclusions[sid].items()):
                L(f"  [{sid}] {reason}: {n}")
        L("")
        L("== UNMAPPED source model names (not in data/aliases.yaml; kept out)")
        any_unmapped = False
        for sid in sorted(self.unmapped):
            for name, n in sorted(self.unmapped[sid].items()):
                any_unmapped = True
                L(f"  [{sid}] {name!r}: {n} rows")
        if not any_unmapped:
            L("  none")
        L("")
        L("== Names deliberately left out (arch: null in data/aliases.yaml)")
        for sid in sorted(self.left_out):
            for name, reason in sorted(self.left_out[sid].items()):
                L(f"  [{sid}] {name!r}: {reason}")
        L("")
        L("== Devices in devices_map.yaml with no kept measurement (omitted from the catalog)")
        L("  " + (", ".join(self.omitted_devices) or "none"))
        L("")
        L("== Unused device strings in devices_map.yaml aliases (short forms are expected here)")
        L(f"  {len(set(self.device_by_string) - self.used_device_strings)} aliases not seen in any table (short forms)")
        L("")
        L("== Bianco 2018 text: stated claims not stored (not numbers)")
        for c in self.claims:
            L(f"  - {c}")
        L("")
        L("== Input sizes filled from the model definition (sources that do not state them)")
        for sid, basis in sorted(self.aliases["input_size_basis"].items()):
            L(f"  [{sid}] {basis}")
        L("")
        L("== Batch size not stated (stored as batch_size 1 with settings.batch_stated: false)")
        L("  tflite-hosted-pixel3, tflite-perf, tf-slim-mobilenet, tnn, paddlelite")
        L("")
        L("== timm -> torchvision merges (data/aliases.yaml timm_to_canonical) and reviewed non-merges")
        for t, v in sorted(self.aliases["timm_to_canonical"].items()):
            L(f"  {t} -> {v['to']}: {v['reason']}")
        for t, why in sorted(self.aliases["timm_not_merged"].items()):
            L(f"  {t}: not merged - {why}")
        L("")
        L("== device_families defaults")
        for fam, d in families.items():
            L(f"  {fam}: {d}")
        L("  (jetson -> jetson-nano, the most common small Jetson; raspberry-pi -> raspberry-pi-4; pixel -> pixel-4, newest Pixel with data; titan -> titan-xp (only Titan); rtx -> rtx-4090)")
        L("")
        L("== Architectures with latency but no checkpoint (no accuracy join possible)")
        ck_arch = {(c["architecture"], c["input_size"]) for c in ckpts}
        no_ck = sorted({m["architecture"] for m in self.measurements} - {c["architecture"] for c in ckpts})
        L(f"  {len(no_ck)}: " + ", ".join(no_ck[:400]))
        L("")
        # joins
        by_arch_size: dict[tuple, int] = collections.Counter((c["architecture"], c["input_size"]) for c in ckpts)
        joined: collections.Counter = collections.Counter()
        for m in self.measurements:
            k = (m["architecture"], m["input_size"])
            if k in by_arch_size and (m.get("latency_ms") or m.get("fps") or m.get("batch_latency_ms")):
                joined[m["device"]] += by_arch_size[k]
        L("== Summary")
        L(f"  sources: {len(sources)}")
        L(f"  devices: {len(devices)}")
        L(f"  architectures: {len(archs)}")
        L(f"  checkpoints: {len(ckpts)}")
        L(f"  measurements: {len(self.measurements)}")
        L(f"  joined candidates (checkpoint x latency measurement, same architecture and input size): {sum(joined.values())}")
        L("  per device:")
        for dev, n in sorted(joined.items(), key=lambda kv: (-kv[1], kv[0])):
            L(f"    {dev}: {n}")
        no_join = sorted({d['id'] for d in devices} - set(joined))
        L(f"  devices with no joined candidate: {len(no_join)}: " + ", ".join(no_join))
        return text, L.text()

    # -- validation / rendering ----------------------------------------------
    def validate(self, cat: dict[str, Any]) -> None:
        CatalogFile.model_validate(cat)
        errs = []
        for kind in ("sources", "devices", "architectures", "checkpoints"):
            ids = [x["id"] for x in cat[kind]]
            d = [i for i, n in collections.Counter(ids).items() if n > 1]
            if d:
                errs.append(f"duplicate {kind} ids: {d[:5]}")
        src = {s["id"] for s in cat["sources"]}
        dev = {d["id"] for d in cat["devices"]}
        arch = {a["id"] for a in cat["architectures"]}
        seen_alias: dict[str, str] = {}
        for d in cat["devices"]:
            for a in [d["id"]] + d.get("aliases", []):
                k = a.lower()
                if k in seen_alias and seen_alias[k] != d["id"]:
                    errs.append(f"device alias {a!r} on {seen_alias[k]} and {d['id']}")
                seen_alias[k] = d["id"]
            if d.get("source") and d["source"] not in src:
                errs.append(f"device {d['id']} source {d['source']} unknown")
            if d.get("memory_gb") is not None and not d.get("source"):
                errs.append(f"device {d['id']} has memory_gb without source")
        for fam, d in cat["device_families"].items():
            if d not in dev:
                errs.append(f"family default {fam} -> {d} unknown")
            elif next(x for x in cat["devices"] if x["id"] == d).get("family") != fam:
                errs.append(f"family default {fam} -> {d} is not in that family")
        for a in cat["architectures"]:
            for f, s in a.get("sources", {}).items():
                if s not in src:
                    errs.append(f"architecture {a['id']} {f} source {s} unknown")
        for c in cat["checkpoints"]:
            if c["architecture"] not in arch or c["source"] not in src:
                errs.append(f"checkpoint {c['id']} bad reference")
        for m in cat["measurements"]:
            if m["architecture"] not in arch or m["source"] not in src or m["device"] not in dev:
                errs.append(f"measurement bad reference {m}")
        if errs:
            raise SystemExit("validation failed:\n" + "\n".join(errs[:50]))

    @staticmethod
    def render(cat: dict[str, Any]) -> str:
        parts = ["# Generated by scripts/build_catalog.py - do not edit by hand.\n"]
        head = {k: cat[k] for k in ("schema_version", "description")}
        parts.append(yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=120))
        for key in ("sources", "device_families", "devices", "architectures"):
            parts.append(yaml.safe_dump({key: cat[key]}, sort_keys=False, allow_unicode=True, width=120,
                                        default_flow_style=False))
        for key in ("checkpoints", "measurements"):
            parts.append(f"{key}:\n")
            parts.append("".join(f"- {dump_flow(x)}\n" for x in cat[key]))
        return "".join(parts)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, required=True)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--log", type=Path, default=None, help="build log path (default: build_log.txt next to the output)")
    ap.add_argument("--data-dir", type=Path, default=REPO / "data", help="folder holding aliases.yaml and devices_map.yaml")
    args = ap.parse_args(argv)
    b = Builder(args.sources, args.seeds, args.data_dir)
    text, log = b.run()
    # re-validate what will be written
    CatalogFile.model_validate(yaml.load(text, Loader=_Loader))
    write_atomic(args.output, text)
    write_atomic(args.log or args.output.parent / "build_log.txt", log)
    sys.stderr.write(log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
