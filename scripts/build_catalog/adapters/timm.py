"""timm (huggingface/pytorch-image-models): inference benchmark files (throughput) and results-imagenet.csv (accuracy)."""

from __future__ import annotations

import collections
import re
from typing import Any

from modelpick.importers.rows import AliasEntry, SourceRow

from ..base import SourceAdapter
from ..cells import fnum, intnum

# the one benchmark file whose rows give timm-only architectures their params / GMACs / activations
FIXED_TIMM_FILE = "benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv"
#: timm's test_* networks (test_vit, test_efficientnet, ...) are tiny models for its own unit tests, trained briefly
#: (about 41-46 % top-1 at 300k FPS); nobody deploys them, and in answers and plots they only crowd the fast end.
TEST_NETWORK_REASON = "timm's own test network (test_*: for timm's unit tests, not a deployable model), left out"


def is_test_network(model: str) -> bool:
    return model.split(".")[0].startswith("test_")


class TimmAdapter(SourceAdapter):
    source_id = "timm-results-imagenet"
    tables = ("timm_benchmark_files.csv", "timm/benchmark-*.csv", "timm/results-*.csv")
    meta = {
        "title": "timm results-imagenet.csv (ImageNet-1k validation accuracy of timm pretrained weights)",
        "published": {"repo": "huggingface/pytorch-image-models", "commit": "aa4b5850c1543fa488abf260f18390eda46cf85d", "path": "results/results-imagenet.csv"},
        "accuracy": "top1/top5 % on the ImageNet-1k val set (50k images) at the eval img_size and crop_pct given per row",
        "caveats": [
            "param_count is in millions; five values use a thousands separator (\"1,013.01\"), stripped before parsing",
            "results-*.csv files for other eval sets (ImageNet-ReaL, -V2, -Sketch, -A, -R) are not used as top1",
        ],
    }

    def table_status(self, table: str) -> str:
        if table.startswith("timm/benchmark-train-"):
            return "EXCLUDED - training throughput, not inference"
        if table.startswith("timm/results-") and table != "timm/results-imagenet.csv":
            return "EXCLUDED - other evaluation set (not ImageNet-1k val); not used as top1"
        return "read"

    def build(self) -> None:
        self.build_benchmarks()
        self.build_results()

    def build_benchmarks(self) -> None:
        ctx, facts = self.ctx, self.ctx.facts
        files = self.read("timm_benchmark_files.csv")
        facts.timm_fixed_source = "timm-" + FIXED_TIMM_FILE[: -len(".csv")]
        for f in sorted(files, key=lambda r: r["file"]):
            fname = f["file"]
            if f["kind"] != "infer":
                ctx.exclude("timm", f"{fname}: training throughput (benchmark-train), not inference", int(f["rows"]))
                continue
            sid = "timm-" + fname[: -len(".csv")]
            rows = self.read(f"timm/{fname}")
            m = re.search(r"-(fp32|amp|amp_bf16|bf16)-(nchw|nhwc)-pt(\d+)", fname)
            prec = {"fp32": "fp32", "amp": "amp-fp16", "amp_bf16": "amp-bf16", "bf16": "bf16"}[m.group(1)]
            layout = m.group(2)
            torch_ver = re.search(r"PyTorch ([\d.]+)", f["pytorch"]).group(1)
            compiled = f["dynamo_compile"].startswith("yes")
            runtime = "pytorch-compile" if compiled else "pytorch"
            dev = self.mapping.device("timm", f["device"])
            if dev is None:
                continue
            ctx.add_source(sid, {
                "title": f"timm inference benchmark {fname} ({f['device']})",
                "published": {"repo": "huggingface/pytorch-image-models", "commit": f["last_commit"], "path": f"results/{fname}"},
                "runtime": f"{f['pytorch']}, {f['cuda']}, torch.compile: {f['dynamo_compile']} (timm benchmark.py)",
                "precision": f["precision"],
                "batch": f"per-row infer_batch_size (most common {f['most_common_batch_size']}; benchmark.py lowers it after OOM); throughput numbers, not batch-1 latency" if f["cuda"] != "CPU" else "batch 1 (CPU file)",
                "timing": "infer_samples_per_sec (images/s) -> fps; infer_step_time = 1000 x total time / steps, ms per batch step -> batch_latency_ms",
                "caveats": [f"memory layout {f['memory_layout']}", f"last commit to the file {f['last_commit']} ({f['last_commit_date']})"]
                + (["the RTX Pro 6000 / 5090 / 4090 pt291 files were run with PyTorch 2.9.1 (repo README 2026-01-05/06); device name for pro6000maxq comes only from the file name"] if "pt291" in fname else [])
                + (["this file has no gmacs/macts columns"] if "infer_gmacs" not in (rows[0].keys() if rows else []) else []),
            })
            kept = 0
            for r in rows:
                if is_test_network(r["model"]):
                    ctx.exclude(sid, f"row {r['model']}: {TEST_NETWORK_REASON}")
                    continue
                bs = r.get("infer_batch_size", "")
                if bs == "" or r.get("infer_samples_per_sec", "") == "":
                    ctx.exclude(sid, f"row {r['model']}: empty batch size / throughput")
                    continue
                # timm names are catalog ids (or merged into torchvision's): a stated architecture, no alias lookup
                arch = self.mapping.canon_timm(r["model"])
                settings: dict[str, Any] = {"torch": torch_ver}
                if layout == "nhwc":
                    settings["memory_layout"] = "channels_last"
                self.add_row(SourceRow(model=r["model"], architecture=arch, device=f["device"], runtime=runtime,
                                       precision=prec, batch_size=intnum(bs), input_size=intnum(r["infer_img_size"]),
                                       fps=fnum(r["infer_samples_per_sec"]),
                                       batch_latency_ms=fnum(r["infer_step_time"]), settings=settings),
                             AliasEntry(arch=arch), dev, sid)
                kept += 1
                if fname == FIXED_TIMM_FILE:
                    facts.timm_fixed.setdefault(r["model"], {})[intnum(r["infer_img_size"])] = r
                facts.timm_bench_size.setdefault(r["model"], intnum(r["infer_img_size"]))
                if r.get("infer_gmacs"):
                    facts.timm_sized.setdefault(r["model"], {}).setdefault(intnum(r["infer_img_size"]), (r, sid))
            ctx.stat(sid, len(rows), kept)

    def build_results(self) -> None:
        ctx, facts = self.ctx, self.ctx.facts
        sid = self.register()
        rows = self.read("timm/results-imagenet.csv")
        tests = [r for r in rows if is_test_network(r["model"])]
        if tests:
            ctx.exclude(sid, f"{len(tests)} rows of timm's test_* networks: {TEST_NETWORK_REASON}", len(tests))
        rows = [r for r in rows if not is_test_network(r["model"])]
        multi = collections.Counter(r["model"] for r in rows)
        for r in rows:
            base = r["model"].split(".")[0]
            arch = self.mapping.canon_timm(base)
            cid = f"timm/{r['model']}" if multi[r["model"]] == 1 else f"timm/{r['model']}:{r['img_size']}"
            ctx.add_checkpoint({"id": cid, "architecture": arch, "source": sid, "top1": fnum(r["top1"]),
                                "top5": fnum(r["top5"]), "input_size": intnum(r["img_size"]), "precision": "fp32",
                                "name": r["model"]})
            facts.timm_results_params.setdefault(base, fnum(r["param_count"]))
            facts.timm_results_sizes[base][intnum(r["img_size"])] += 1
        ctx.stat(sid, len(rows), len(rows))
        ctx.exclude(sid, f"note: {sum(1 for n in multi.values() if n > 1)} weights are evaluated at two image sizes; "
                         "their checkpoint ids get a ':<img_size>' suffix", 0)
        for path in sorted(ctx.sources_dir.glob("timm/results-*.csv")):
            if path.name != "results-imagenet.csv":
                ctx.exclude("timm", f"{path.name}: other eval set (not ImageNet-1k val top1), not used",
                            len(self.read(f"timm/{path.name}")))
