"""Tests for the catalog build (scripts/build_catalog.py, code in scripts/build_catalog/) and data/benchmarks.yaml.

The rebuild and raw-CSV spot checks need the public source tables. They are found
via $MODELPICK_SOURCES (the sources folder; seeds next to it in ../seeds or via
$MODELPICK_SEEDS) or at <repo>/../shared/sources; when absent (e.g. a clean CI
clone) those tests are skipped. The structural checks on the committed file
always run.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CATALOG = REPO / "data" / "benchmarks.yaml"


def _sources_dir() -> Path | None:
    env = os.environ.get("MODELPICK_SOURCES")
    cand = Path(env) if env else REPO.parent / "shared" / "sources"
    return cand if (cand / "README-public.md").is_file() else None


def _seeds_dir(sources: Path) -> Path | None:
    env = os.environ.get("MODELPICK_SEEDS")
    cand = Path(env) if env else sources.parent / "seeds"
    return cand if any(cand.glob("003_*.txt")) else None


SOURCES = _sources_dir()
SEEDS = _seeds_dir(SOURCES) if SOURCES else None
needs_sources = pytest.mark.skipif(
    SOURCES is None or SEEDS is None,
    reason="public source tables not found (set MODELPICK_SOURCES or provide <repo>/../shared/sources and ../shared/seeds)",
)


@lru_cache(maxsize=1)
def catalog() -> dict:
    from modelpick.catalog import parse_json_lines

    doc = parse_json_lines(CATALOG.read_text(encoding="utf-8"))
    assert doc is not None, "data/benchmarks.yaml left the JSON-lines subset of YAML (rebuild it)"
    return doc


def test_the_table_reads_the_same_as_yaml_and_as_json_lines():
    """The fast reader and PyYAML agree on the whole embedded table (the subset's promise)."""
    with open(CATALOG, encoding="utf-8") as fh:
        assert yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == catalog()


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_catalog", REPO / "scripts" / "build_catalog.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def _csv(name: str) -> list[dict[str, str]]:
    assert SOURCES is not None
    with open(SOURCES / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------------------
# always-on structural checks


def test_committed_catalog_validates():
    from modelpick.schema import CatalogFile

    CatalogFile.model_validate(catalog())


def test_references_resolve_and_ids_unique():
    cat = catalog()
    src = [s["id"] for s in cat["sources"]]
    dev = [d["id"] for d in cat["devices"]]
    arch = [a["id"] for a in cat["architectures"]]
    ck = [c["id"] for c in cat["checkpoints"]]
    for ids in (src, dev, arch, ck):
        assert len(ids) == len(set(ids))
    src_s, dev_s, arch_s = set(src), set(dev), set(arch)
    for m in cat["measurements"]:
        assert m["source"] in src_s, m
        assert m["device"] in dev_s, m
        assert m["architecture"] in arch_s, m
    for c in cat["checkpoints"]:
        assert c["source"] in src_s, c
        assert c["architecture"] in arch_s, c
    for fam, d in cat["device_families"].items():
        assert d in dev_s
        dev = next(x for x in cat["devices"] if x["id"] == d)
        assert dev.get("family") == fam or fam in dev.get("tags", [])


def test_number_fields_have_sources():
    cat = catalog()
    src = {s["id"] for s in cat["sources"]}
    for a in cat["architectures"]:
        for field in ("params_m", "gmacs", "activations_m"):
            if a.get(field) is not None:
                assert a.get("sources", {}).get(field) in src, (a["id"], field)
    for d in cat["devices"]:
        if d.get("memory_gb") is not None:
            assert d.get("source") in src, d["id"]


def test_device_aliases_unique_case_insensitive():
    seen: dict[str, str] = {}
    for d in catalog()["devices"]:
        for a in [d["id"], *d.get("aliases", [])]:
            k = a.lower()
            assert seen.setdefault(k, d["id"]) == d["id"], f"{a!r} on {seen[k]} and {d['id']}"


def test_compact_flow_style_and_size():
    text = CATALOG.read_text(encoding="utf-8")
    assert CATALOG.stat().st_size < 15_000_000
    lines = text.splitlines()
    start = lines.index("measurements:")
    body = lines[start + 1 :]
    assert body and all(line.startswith("- {") and line.endswith("}") for line in body)
    cstart = lines.index("checkpoints:")
    assert all(line.startswith("- {") for line in lines[cstart + 1 : start])


def test_no_excluded_tables_leak():
    cat = catalog()
    ids = {s["id"] for s in cat["sources"]}
    assert "zhao2023-colab" not in ids
    assert not any("train" in i for i in ids if i.startswith("timm-"))
    # Keras times are per batch of 32
    for m in cat["measurements"]:
        if m["source"] == "keras-applications":
            assert m["batch_size"] == 32 and "batch_latency_ms" in m and "latency_ms" not in m


def test_bianco_text_values():
    cat = catalog()
    ms = [m for m in cat["measurements"] if m["source"] == "bianco2018-paper-text"]
    got = {(m["device"], m["architecture"]): m for m in ms}
    assert got[("titan-xp", "nasnetalarge")]["fps"] == 30.96
    assert got[("titan-xp", "nasnetalarge")]["input_size"] == 331
    assert got[("jetson-tx1", "resnet50")]["fps"] == 18.83
    assert got[("jetson-tx1", "legacy_seresnext101_32x4d")]["fps"] == 7.16
    assert got[("jetson-tx1", "nasnetalarge")]["fps"] == 2.29 and got[("jetson-tx1", "nasnetalarge")]["note"]
    assert got[("titan-xp", "squeezenet1_0")]["memory_mb"] == 943
    ck = {c["id"]: c for c in cat["checkpoints"]}
    assert ck["bianco2018-paper/nasnetalarge"]["top1"] == 82.50
    assert ck["bianco2018-paper/legacy_xception"]["input_size"] == 299
    tx1 = next(d for d in cat["devices"] if d["id"] == "jetson-tx1")
    assert tx1["memory_gb"] == 4 and tx1["source"] == "bianco2018-paper-text"


def test_loads_with_modelpick_loader(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPICK_CACHE_DIR", str(tmp_path))
    from modelpick import load_catalog

    load_catalog(CATALOG, embedded=False, use_env=False)


# ---------------------------------------------------------------------------
# rebuild + raw CSV spot checks


@needs_sources
def test_rebuild_is_byte_identical(tmp_path):
    mod = _load_builder()
    out = tmp_path / "benchmarks.yaml"
    log = tmp_path / "build_log.txt"
    assert mod.main(["--sources", str(SOURCES), "--seeds", str(SEEDS), "-o", str(out), "--log", str(log)]) == 0
    assert out.read_bytes() == CATALOG.read_bytes()
    assert log.read_bytes() == (REPO / "data" / "build_log.txt").read_bytes()
    # the certificate of the checked table (modelpick.catalog._trusted)
    assert (tmp_path / "benchmarks.sha256").read_bytes() == (REPO / "data" / "benchmarks.sha256").read_bytes()


@needs_sources
def test_torch2trt_nano_resnet18_matches_csv():
    row = next(r for r in _csv("torch2trt_jetson.csv")
               if r["model"] == "resnet18" and r["device"] == "Jetson Nano" and "TensorRT" in r["framework"])
    m = next(m for m in catalog()["measurements"]
             if m["source"] == "torch2trt-jetson" and m["device"] == "jetson-nano"
             and m["architecture"] == "resnet18" and m["runtime"] == "tensorrt")
    assert m["latency_ms"] == float(row["latency_ms"])
    assert m["fps"] == float(row["fps"])
    assert m["precision"] == "fp16" and m["batch_size"] == 1 and m["input_size"] == 224


@needs_sources
def test_torchvision_resnet50_v2_top1():
    row = next(r for r in _csv("torchvision_weights.csv") if r["weight_name"] == "ResNet50_Weights.IMAGENET1K_V2")
    ck = {c["id"]: c for c in catalog()["checkpoints"]}["torchvision/ResNet50_Weights.IMAGENET1K_V2"]
    assert ck["top1"] == float(row["acc1"]) == 80.858
    assert ck["input_size"] == int(row["crop_size"]) and ck["architecture"] == "resnet50"
    arch = {a["id"]: a for a in catalog()["architectures"]}["resnet50"]
    assert arch["params_m"] == int(row["params"]) / 1e6
    assert arch["gmacs"] == float(row["gflops"])


@needs_sources
def test_timm_rows_match_csv():
    rows = {(r["model"], r["infer_img_size"]): r for r in _csv("timm/benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv")}
    r = rows[("resnet50", "224")]
    m = next(m for m in catalog()["measurements"]
             if m["source"] == "timm-benchmark-infer-amp-nchw-pt240-cu124-rtx3090" and m["name"] == "resnet50"
             and m["input_size"] == 224)
    assert m["architecture"] == "resnet50"  # timm resnet50 folded into the torchvision id
    assert m["fps"] == float(r["infer_samples_per_sec"])
    assert m["batch_latency_ms"] == float(r["infer_step_time"])
    assert m["batch_size"] == int(r["infer_batch_size"])
    assert m["precision"] == "amp-fp16" and m["runtime"] == "pytorch" and m["device"] == "rtx-3090"
    # a timm-only architecture takes params/gmacs/macts from the fixed file at its own input size
    arch = {a["id"]: a for a in catalog()["architectures"]}["resnet50d"]
    fr = rows[("resnet50d", str(arch["input_size"]))]
    assert arch["gmacs"] == float(fr["infer_gmacs"]) and arch["params_m"] == float(fr["param_count"])
    assert arch["activations_m"] == float(fr["infer_macts"])


@needs_sources
def test_ncnn_and_paddleclas_spot_checks():
    cat = catalog()
    row = next(r for r in _csv("ncnn_benchncnn.csv")
               if r["model"] == "mobilenet_v2" and r["device"] == "NVIDIA Jetson Nano" and r["gpu_device"] == "0")
    m = next(m for m in cat["measurements"] if m["source"] == "ncnn-benchncnn"
             and m["settings"].get("readme_line") == int(row["readme_line"]))
    assert m["latency_ms"] == float(row["latency_ms"]) and m["device"] == "jetson-nano"
    assert m["settings"]["backend"] == "vulkan" and m["precision"] == "auto"
    prow = next(r for r in _csv("paddleclas_latency.csv")
                if r["model"] == "ResNet50" and r["device"] == "NVIDIA Tesla T4" and r["precision"] == "FP16" and r["batch_size"] == "8")
    pm = next(m for m in cat["measurements"] if m["source"] == "paddleclas" and m["name"] == "ResNet50"
              and m["device"] == "tesla-t4" and m["precision"] == "fp16" and m["batch_size"] == 8)
    assert pm["batch_latency_ms"] == float(prow["latency_ms"]) and pm["runtime"] == "tensorrt"


@needs_sources
def test_every_source_name_is_reviewed():
    """Every model name of a mapped table is in data/aliases.yaml (else the log lists it as UNMAPPED)."""
    log = (REPO / "data" / "build_log.txt").read_text(encoding="utf-8")
    section = log.split("== UNMAPPED source model names")[1].split("==")[0]
    aliases = yaml.safe_load(open(REPO / "data" / "aliases.yaml", encoding="utf-8"))
    listed = [line for line in section.splitlines() if line.strip().startswith("[")]
    for line in listed:
        sid = line.strip()[1:].split("]")[0]
        assert sid in aliases["sources"]  # reported, never silently dropped
