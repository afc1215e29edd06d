"""Issue 21, check against physics: peak compute per device (vendor figures with provenance), rows above peak are
suspects, the Ingenic T40XP's CPU runs, ViT-H/14's published GMACs at 224 px, and which torch2trt figure is used."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from modelpick import CatalogError, load_catalog
from modelpick.screen import ArchInfo, peak_limit, screen_rows

REPO = Path(__file__).resolve().parents[1]
A100 = {"fp32": 19.5, "tf32": 156, "fp16": 312, "int8": 624}


def _row(arch, latency_ms, precision="fp32", runtime="pytorch", batch=1, device="gpu-a"):
    return {"architecture": arch, "input_size": 224, "device": device, "runtime": runtime, "precision": precision,
            "batch_size": batch, "batch_latency_ms": latency_ms * batch, "source": "s", "settings": {}}


def test_peak_limit_follows_the_rows_precision_and_runtime_default():
    assert peak_limit(A100, "fp32") == (156.0, "dense tf32 peak 156 TFLOPS")  # fp32 runs on TF32 tensor cores
    assert peak_limit(A100, "unspecified", "tensorflow")[0] == 156.0  # Keras/TF default dtype: float32
    assert peak_limit(A100, "unspecified", "tensorrt")[0] == 312.0  # TensorRT engines: mostly fp16
    assert peak_limit(A100, "auto")[0] == peak_limit(A100, "amp-fp16")[0] == 312.0
    assert peak_limit(A100, "int8") == (624.0, "dense int8 peak 624 TOPS")
    assert peak_limit({"fp32": 8.1}, "fp16") is None  # no fp16 figure: the test cannot judge an fp16 row


def test_a_row_above_its_devices_peak_is_a_suspect_and_one_below_is_not():
    archs = {"vgg": ArchInfo(15.5, 224), "tiny": ArchInfo(0.3, 224)}
    rows = [_row("vgg", 4.2 / 32, "unspecified", "tensorflow", batch=32),  # 236 TFLOPS: above 156
            _row("vgg", 4.2 / 32, "fp16", "tensorrt", batch=32),  # the same speed at fp16: 76 % of 312, fine
            _row("tiny", 0.01, "int8", "tensorrt"),  # 60 TOPS of 624
            _row("vgg", 0.05, "fp32", device="gpu-unknown")]  # no peak known for that device: not judged
    verdicts = screen_rows(rows, archs, {"gpu-a": "gpu", "gpu-unknown": "gpu"}, device_peaks={"gpu-a": A100})
    assert list(verdicts) == [0]
    assert verdicts[0].startswith("above the device's peak: 15.5 GMACs x 2 x 32 in 4.2 ms per batch of 32 is 236 "
                                  "TFLOPS, 1.5x its dense tf32 peak 156 TFLOPS")
    assert "taken as tensorflow's default, fp32 (even fp16, 312 TFLOPS, would need 76% of peak)" in verdicts[0]
    assert screen_rows(rows, archs, {"gpu-a": "gpu"}) == {}  # without peaks the test does not run


def test_the_keras_a100_vgg_rows_are_suspects_above_the_datasheet_peak(full_catalog):
    a100 = full_catalog.device("a100")
    assert a100.peak_tops == A100 and a100.peak_source == "peak-nvidia-a100-datasheet"
    src = full_catalog.sources["peak-nvidia-a100-datasheet"]
    assert src.published.url.endswith("nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf")
    assert full_catalog.device("tesla-t4").peak_tops == {"fp16": 65, "fp32": 8.1, "int8": 130}
    suspects = {(s.architecture, s.runtime): s.suspect for s in full_catalog.suspects("a100")}
    assert set(suspects) == {("vgg16", "tensorflow"), ("vgg19", "tensorflow")}
    assert "236 TFLOPS, 1.5x its dense tf32 peak 156" in suspects[("vgg16", "tensorflow")]
    assert "286 TFLOPS, 1.8x its dense tf32 peak 156" in suspects[("vgg19", "tensorflow")]
    assert not full_catalog.suspects("tesla-t4") and not full_catalog.suspects("a100-sxm-80gb")
    # the MLPerf A100-PCIe-80GB runs (TensorRT int8, up to 36905 images/s at batch 2048) sit under the same peak
    assert full_catalog.device("a100-pcie-80gb").peak_tops == A100 and not full_catalog.suspects("a100-pcie-80gb")
    fastest = full_catalog.best("a100", batch_size=None, objective="fps", runtime="tensorflow")
    assert fastest.architecture not in ("vgg16", "vgg19")
    # the raw extract and its provenance are committed; every figure in the CSV is in the stored excerpt
    peaks = list(csv.DictReader(open(REPO / "sources/device_peaks/peak_compute.csv", encoding="utf-8")))
    excerpt = (REPO / "sources/device_peaks/excerpt.md").read_text(encoding="utf-8")
    assert {r["device"] for r in peaks} == {"A100", "A100-SXM-80GB", "A100-PCIe-80GB", "A100-SXM4-40GB", "NVIDIA Tesla T4"}
    for r in peaks:
        assert all(f": {r[c]} " in excerpt for c in ("fp32_tflops", "fp16_tflops", "int8_tops") if r[c])
    assert "2026-12-07" in (REPO / "sources/device_peaks/PROVENANCE.md").read_text(encoding="utf-8")


def test_a_users_row_above_peak_is_screened_against_the_embedded_peaks(tmp_path):
    from modelpick.catalog import screen_files

    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({
        "schema_version": 1,
        "sources": [{"id": "mine", "title": "my run", "published": {"url": "https://example.invalid/m"}}],
        "measurements": [{"architecture": "resnet50", "input_size": 224, "device": "a100", "runtime": "pytorch",
                          "precision": "fp16", "batch_size": 256, "batch_latency_ms": 5.0, "source": "mine"}],
    }))
    warnings = screen_files([path])
    assert len(warnings) == 1 and "above the device's peak" in warnings[0] and "dense fp16 peak 312" in warnings[0]


def test_peak_tops_must_name_a_precision_class(tmp_path):
    path = tmp_path / "dev.yaml"
    path.write_text(yaml.safe_dump({"schema_version": 1, "devices": [
        {"id": "card-x", "name": "Card X", "kind": "gpu", "peak_tops": {"fp8": 100}}]}))
    with pytest.raises(CatalogError, match="unknown precision class 'fp8'"):
        load_catalog(path, embedded=False, use_env=False)


def test_ingenic_t40xp_and_axera_ax620a_ran_on_the_cpu(full_catalog):
    for device in ("ingenic-t40xp", "axera-ax620a"):
        runs = full_catalog.coverage(device).measured
        assert runs and {r.backend for r in runs} == {"cpu"}, device
    caveats = " ".join(full_catalog.sources["ncnn-benchncnn"].caveats)
    assert "Ingenic T40XP and AXERA AX620A" in caveats and "print no Vulkan device" in caveats
    rows = [r for r in full_catalog.to_records("ingenic-t40xp")]
    assert rows and all(r["settings"]["backend"] == "cpu" and r["settings"]["gpu_device"] == 0 for r in rows)


def test_vit_h_14_at_224_px_carries_torchvisions_published_gmacs(full_catalog):
    arch = full_catalog.architecture("vit_h_14")
    size = next(z for z in arch.sizes if z.input_size == 224)
    assert size.gmacs == 167.295 and "gmacs" not in size.computed  # was 190.1, scaled from 518 px
    vit_b = next(z for z in full_catalog.architecture("vit_b_16").sizes if z.input_size == 384)
    assert vit_b.gmacs == 55.484 and "gmacs" not in vit_b.computed


def test_torch2trt_answers_use_the_per_call_latency_and_say_why(full_catalog):
    caveats = " ".join(full_catalog.sources["torch2trt-jetson"].caveats)
    assert "answers use latency_ms" in caveats and "up to 24 %" in caveats
    rec = full_catalog.best("jetson-nano", runtime="tensorrt", min_fps=1)
    rows = [r for r in full_catalog.to_records("jetson-nano") if r["sources"]["latency"] == "torch2trt-jetson"]
    assert rows and all(abs(r["fps"] - 1000.0 / r["latency_ms"]) < 1e-9 for r in rows)
    assert rec.fps == pytest.approx(1000.0 / rec.latency_ms)
