"""modelpick measure: backends, worker processes, failures, resume, interruption, plugins, end to end.

Runs real measurements on tiny models with few runs: the numbers are never asserted, only
their presence, shape and labelling (speed is checked in bench/bench_measure.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

pytest.importorskip("torch")

from modelpick import InvalidQuery, load_catalog, measure  # noqa: E402
from modelpick.catalog import read_catalog_file, validate_files  # noqa: E402
from modelpick.cli import main as cli_main  # noqa: E402

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # measure_models / measure_plugin are importable here and in the workers

import measure_models  # noqa: E402

DEVICE = "mp-test-box"
FAST = dict(warmup=1, runs=3, threads=1, embedded=False, progress=False)
MODELS = ["measure_models:tiny_cnn", "measure_models:tiny_mlp", "measure_models:fails_from_batch8",
          "measure_models:oom_from_batch4", "measure_models:crash_at_batch2"]


def _rows(doc, arch):
    return {m["batch_size"]: m for m in doc["measurements"] if m["architecture"] == arch}


def _failures(doc, arch):
    return {f["batch_size"]: f for f in doc["failures"] if f["architecture"] == arch}


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    out = tmp_path_factory.mktemp("measure") / "box.yaml"
    result = measure.run(MODELS, device_id=DEVICE, output=out, batch_sizes="1,2,4,8", train=True, **FAST)
    return out, result, yaml.safe_load(out.read_text())


def test_file_validates_standalone_and_through_cli(measured, capsys):
    out, _, _ = measured
    read_catalog_file(out)
    assert validate_files([out], with_embedded=False) == []
    assert cli_main(["validate", "--standalone", str(out)]) == 0
    assert "OK" in capsys.readouterr().out


def test_rows_have_bianco_statistics_memory_and_train_time(measured):
    _, result, doc = measured
    rows = _rows(doc, "tiny_cnn")
    assert sorted(rows) == [1, 2, 4, 8]
    for bs, row in rows.items():
        assert row["device"] == DEVICE and row["runtime"] == "pytorch" and row["precision"] == "fp32"
        assert row["input_size"] == 32  # declared by the module
        assert {"mean", "median", "std", "min", "max", "batch_mean", "batch_median", "batch_std"} <= set(row["stats"])
        assert row["latency_ms"] == row["stats"]["mean"]
        assert row["batch_latency_ms"] == pytest.approx(row["latency_ms"] * bs, rel=1e-4)
        assert row["memory_mb"] > 0 and "peak RSS increase" in row["memory_includes"]
        assert row["memory_details_mb"]["host_peak_rss_increase"] == row["memory_mb"]
        assert row["settings"] == {"execution": "eager", "channels_last": False, "threads": 1}
        assert {"train_step_batch_mean", "train_step_batch_median", "train_step_batch_std"} <= set(row["stats"])
    assert _rows(doc, "tiny_mlp")[1]["input_size"] == 16  # (C, H, W) declaration
    assert result.measured == 4 + 4 + 3 + 2 + 1


def test_a_model_that_raises_at_batch_8_keeps_its_smaller_rows(measured):
    _, _, doc = measured
    assert sorted(_rows(doc, "fails_from_batch8")) == [1, 2, 4]
    fail = _failures(doc, "fails_from_batch8")
    assert fail[8]["status"] == "error" and "deliberate failure at batch size 8" in fail[8]["reason"]
    assert 16 not in fail  # not asked for


def test_out_of_memory_is_recorded_and_larger_batches_skipped(measured):
    _, _, doc = measured
    assert sorted(_rows(doc, "oom_from_batch4")) == [1, 2]
    fail = _failures(doc, "oom_from_batch4")
    assert fail[4]["status"] == "oom"
    assert fail[8]["status"] == "skipped" and "batch size 4" in fail[8]["reason"]


def test_a_crashing_worker_loses_one_model_not_the_run(measured):
    _, result, doc = measured
    assert sorted(_rows(doc, "crash_at_batch2")) == [1]
    fail = _failures(doc, "crash_at_batch2")
    assert fail[2]["status"] == "crash" and "exited with code 139" in fail[2]["reason"]
    assert fail[4]["status"] == fail[8]["status"] == "skipped"
    assert result.models_failed == []


def test_architectures_are_counted_with_the_torch_flop_counter(measured):
    _, result, doc = measured
    archs = {a["id"]: a for a in doc["architectures"]}
    cnn, mlp = archs["tiny_cnn"], archs["tiny_mlp"]
    assert cnn["params_m"] == pytest.approx(sum(p.numel() for p in measure_models.tiny_cnn().parameters()) / 1e6)
    assert cnn["gmacs"] > cnn["gmacs_conv"] > 0  # the linear head is not a convolution
    assert "gmacs_conv" not in mlp and mlp["gmacs"] == pytest.approx((768 * 64 + 64 * 10) / 1e9)
    assert set(cnn["sources"].values()) == {result.source_id}
    source = next(s for s in doc["sources"] if s["id"] == result.source_id)
    assert "1 warm-up runs, then 3 timed runs" in source["timing"]
    assert source["accuracy"].startswith("not measured")
    assert "VmHWM" in source["memory"]
    dev = doc["devices"][0]
    assert dev["id"] == DEVICE and dev["kind"] == "cpu" and "torch 2." in dev["description"]


def test_end_to_end_measured_device_is_queryable(measured, tmp_path):
    out, _, _ = measured
    fixture = tmp_path / "checkpoints.yaml"
    fixture.write_text(yaml.safe_dump({
        "schema_version": 1,
        "sources": [{"id": "mp-test-weights", "title": "test checkpoints", "published": {"url": "https://example.invalid/w"}}],
        "checkpoints": [
            {"id": "tiny_cnn.test", "architecture": "tiny_cnn", "source": "mp-test-weights", "top1": 50.0, "input_size": 32},
            {"id": "tiny_mlp.test", "architecture": "tiny_mlp", "source": "mp-test-weights", "top1": 40.0, "input_size": 16},
        ]}))
    cat = load_catalog(out, fixture, embedded=False, use_env=False)
    rec = cat.best(DEVICE)
    assert rec.architecture in {"tiny_cnn", "tiny_mlp"} and rec.sources["latency"].startswith("measure.")
    assert rec.memory_estimated is False
    try:
        from modelpick.catalog import embedded_table_path

        embedded_table_path()
    except Exception:
        pytest.skip("the embedded table is not built in this checkout; the API path above covered the join")
    proc = subprocess.run([sys.executable, "-m", "modelpick", "best", "--data", str(fixture), "--data", str(out),
                           "--device", DEVICE, "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    best = json.loads(proc.stdout)["best"]
    assert best["architecture"] in {"tiny_cnn", "tiny_mlp"} and best["device"] == DEVICE


def test_resume_skips_finished_rows_and_runs_only_new_ones(measured, tmp_path):
    src, _, before = measured
    out = tmp_path / "box.yaml"
    shutil.copy(src, out)
    again = measure.run(MODELS, device_id=DEVICE, output=out, batch_sizes="1,2,4,8", train=True, **FAST)
    assert again.measured == 0 and again.failures == [] and again.skipped_existing == 20
    assert yaml.safe_load(out.read_text())["measurements"] == before["measurements"]
    more = measure.run(["measure_models:tiny_mlp"], device_id=DEVICE, output=out, batch_sizes="1,2,4,8,16",
                       train=True, **FAST)
    assert [p.to_run for p in more.plan] == [[16]] and more.measured == 1
    assert sorted(_rows(yaml.safe_load(out.read_text()), "tiny_mlp")) == [1, 2, 4, 8, 16]
    # A different protocol under the same source id is refused, not mixed in.
    with pytest.raises(InvalidQuery, match="different"):
        measure.run(["measure_models:tiny_mlp"], device_id=DEVICE, output=out, batch_sizes="32",
                    **{**FAST, "runs": 4})
    read_catalog_file(out)


def test_dry_run_lists_the_plan_and_writes_nothing(measured, tmp_path, capsys):
    src, _, _ = measured
    res = measure.run(MODELS[:2], device_id=DEVICE, output=src, batch_sizes="1,2,4,8,16", dry_run=True, **FAST)
    assert [p.to_run for p in res.plan] == [[16], [16]] and [p.done for p in res.plan] == [[1, 2, 4, 8]] * 2
    new = tmp_path / "new.yaml"
    code = cli_main(["measure", "--device-id", DEVICE, "-m", "measure_models:tiny_cnn", "-o", str(new), "--dry-run",
                     "--no-embedded"])
    assert code == 0 and not new.exists()
    assert "tiny_cnn (new architecture, input size from the model); run batch 1,2,4,8,16,32,64" in capsys.readouterr().out


def test_onnx_file_through_onnxruntime(tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    model = measure_models.tiny_onnx(str(tmp_path / "tiny.onnx"))
    out = tmp_path / "ort.yaml"
    res = measure.run([f"tiny-onnx={model}"], device_id=DEVICE, output=out, backend="onnxruntime",
                      batch_sizes=[1, 2, 4], **FAST)
    doc = yaml.safe_load(out.read_text())
    rows = _rows(doc, "tiny-onnx")
    assert sorted(rows) == [1, 2, 4] and res.models_failed == []
    assert rows[1]["runtime"] == "onnxruntime" and rows[1]["input_size"] == 24 and rows[1]["precision"] == "fp32"
    assert rows[1]["settings"] == {"provider": "CPUExecutionProvider", "threads": 1}
    arch = doc["architectures"][0]
    assert arch["params_m"] == pytest.approx((8 * 27 + 8 + 80 + 10) / 1e6) and "gmacs" not in arch
    assert "onnxruntime" in doc["sources"][0]["runtime"]
    read_catalog_file(out)


def test_unavailable_device_and_bad_input_give_clear_errors(tmp_path):
    out = tmp_path / "x.yaml"
    with pytest.raises(InvalidQuery, match=r"device='cuda'.*Valid choices: cpu"):
        measure.run(["measure_models:tiny_cnn"], device_id=DEVICE, output=out, device="cuda", batch_sizes=[1], **FAST)
    assert not out.exists() or read_catalog_file(out)
    for bad, match in [("1,0", "out of range"), ("1,,2", "not an integer"), ("", "empty"), ("4,4", "listed twice"),
                       ("2.5", "not an integer")]:
        with pytest.raises(InvalidQuery, match=match):
            measure.parse_batch_sizes(bad)
    assert measure.parse_batch_sizes("8,1,2") == [1, 2, 8]
    with pytest.raises(InvalidQuery, match="unknown backend.*Valid choices"):
        measure.run(["measure_models:tiny_cnn"], device_id=DEVICE, output=out, backend="tensorrt", **FAST)
    with pytest.raises(InvalidQuery, match="kebab-case"):
        measure.run(["measure_models:tiny_cnn"], device_id="My Box", output=out, **FAST)
    with pytest.raises(InvalidQuery, match="does not exist"):
        measure.run(["missing.onnx"], device_id=DEVICE, output=out, **FAST)
    with pytest.raises(measure.ModelLoadError, match="neither torchvision nor timm"):
        measure.run(["resnet18"], device_id=DEVICE, output=out, **FAST)
    with pytest.raises(InvalidQuery, match="not importable"):
        measure.run(["no_such_pkg_xyz.models:net"], device_id=DEVICE, output=out, **FAST)


def test_plugin_backend_discovered_through_entry_points(tmp_path, monkeypatch):
    dist = tmp_path / "site" / "mp_dummy_backend-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mp-dummy-backend\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[modelpick.backends]\ndummy = measure_plugin:DummyBackend\n"
                                           "needs-missing = measure_plugin:NeedsMissingModule\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    names = measure.available_backends()
    assert {"torch", "onnxruntime", "dummy", "needs-missing"} <= set(names)
    with pytest.raises(measure.BackendUnavailable, match="pip install modelpick-no-such-module-xyz"):
        measure.get_backend("needs-missing")
    out = tmp_path / "dummy.yaml"
    res = measure.run(["measure_plugin:summer"], device_id=DEVICE, output=out, backend="dummy", batch_sizes="1,2",
                      **FAST)
    doc = yaml.safe_load(out.read_text())
    assert [m["runtime"] for m in doc["measurements"]] == ["dummy-rt", "dummy-rt"] and res.measured == 2
    assert doc["measurements"][0]["input_size"] == 8 and doc["measurements"][0]["settings"] == {"beads": 10}
    with pytest.raises(InvalidQuery, match="Valid choices: abacus"):
        measure.run(["measure_plugin:summer"], device_id=DEVICE, output=tmp_path / "d2.yaml", backend="dummy",
                    device="slide-rule", **FAST)


def test_interrupted_run_leaves_a_valid_file_and_resumes(tmp_path):
    out = tmp_path / "slow.yaml"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
           "MODELPICK_TEST_SLEEP_S": "0.4"}
    cmd = [sys.executable, "-m", "modelpick", "measure", "--device-id", DEVICE, "-m", "measure_models:slow_cnn",
           "-o", str(out), "--batch-sizes", "1,2,4,8", "--warmup", "0", "--runs", "3", "--threads", "1",
           "--no-embedded", "--no-progress"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.exists() and "measurements:" in out.read_text():
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("no row was written in time")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "rerun the same command to resume" in err
    doc = read_catalog_file(out)
    assert 1 <= len(doc.measurements) < 4 and not doc.failures  # the interrupted batch is not a failure
    env["MODELPICK_TEST_SLEEP_S"] = "0"
    done = subprocess.run(cmd + ["--json"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["measured_rows"] == 4 - len(doc.measurements) and summary["skipped_existing"] == len(doc.measurements)
    assert sorted(m.batch_size for m in read_catalog_file(out).measurements) == [1, 2, 4, 8]


def test_import_modelpick_does_not_import_torch():
    code = "import sys, modelpick, modelpick.measure, modelpick.cli.measure; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def _reference_catalog(path, architectures):
    path.write_text(yaml.safe_dump({
        "schema_version": 1,
        "sources": [{"id": "mp-test-counts", "title": "reference counts", "published": {"url": "https://example.invalid/c"}}],
        "architectures": [{"id": arch_id, "family": "ref", "input_size": size, "params_m": params_m, "gmacs": gmacs,
                           "sources": {"params_m": "mp-test-counts", "gmacs": "mp-test-counts"}}
                          for arch_id, size, params_m, gmacs in architectures]}))
    return path


def test_a_model_whose_counts_differ_from_the_catalog_architecture_is_refused(measured, tmp_path, capsys):
    """Issue 9 section 7: a 1,578-parameter module named resnet18 must not be filed as the catalog's ResNet-18."""
    _, _, doc = measured
    cnn = next(a for a in doc["architectures"] if a["id"] == "tiny_cnn")
    ref = _reference_catalog(tmp_path / "ref.yaml", [
        ("resnet18", 224, 11.6895, 1.8193),
        ("tinyref", 32, cnn["params_m"] * 1.008, cnn["gmacs"]),  # within 1 %: the same network
        ("tinywide", 32, cnn["params_m"], cnn["gmacs"] * 1.5),  # same params, 1.5x the MACs: another network
    ])
    out = tmp_path / "guard.yaml"
    with pytest.raises(measure.ArchitectureMismatch) as err:
        measure.run(["resnet18=measure_models:tiny_cnn"], device_id=DEVICE, output=out, batch_sizes=[1], data=[ref],
                    **FAST)
    text = str(err.value)
    assert "resnet18" in text and "params_m counted 0.001578 vs catalog 11.6895" in text
    assert "--force-architecture" in text and "resnet18-custom=measure_models:tiny_cnn" in text
    assert not out.exists() or yaml.safe_load(out.read_text()).get("measurements", []) == []
    with pytest.raises(measure.ArchitectureMismatch, match="gmacs counted .* \\(-33.3%\\)"):
        measure.run(["tinywide=measure_models:tiny_cnn"], device_id=DEVICE, output=out, batch_sizes=[1], data=[ref],
                    **FAST)
    # Within 1 %: filed under the catalog architecture, as before.
    ok = measure.run(["tinyref=measure_models:tiny_cnn"], device_id=DEVICE, output=out, batch_sizes=[1], data=[ref],
                     **FAST)
    assert ok.measured == 1 and ok.plan[0].known
    # The CLI refuses with exit 2 and the same message; --force-architecture files it and says so in the source.
    code = cli_main(["measure", "--device-id", DEVICE, "-m", "resnet18=measure_models:tiny_cnn", "-o", str(out),
                     "--batch-sizes", "1", "--runs", "3", "--warmup", "1", "--threads", "1", "--no-embedded", "--no-progress",
                     "--data", str(ref)])
    assert code == 2 and "is not the catalog's resnet18" in capsys.readouterr().err
    code = cli_main(["measure", "--device-id", DEVICE, "-m", "resnet18=measure_models:tiny_cnn", "-o", str(out),
                     "--batch-sizes", "1", "--runs", "3", "--warmup", "1", "--threads", "1", "--no-embedded", "--no-progress",
                     "--data", str(ref), "--source-id", "forced-run", "--force-architecture"])
    assert code == 0
    forced = yaml.safe_load(out.read_text())
    assert [m["architecture"] for m in forced["measurements"] if m["source"] == "forced-run"] == ["resnet18"]
    caveats = next(s for s in forced["sources"] if s["id"] == "forced-run")["caveats"]
    assert any("with --force-architecture although its counts differ: params_m counted 0.001578" in c for c in caveats)


def test_the_readme_measure_example_runs_as_written_without_torchvision(tmp_path):
    # Issue 21: `pip install 'modelpick[measure]'` brings no torchvision, and the example named torchvision models.
    readme = (TESTS.parent / "README.md").read_text().replace("\\\n", " ")
    command = next(line.strip() for line in readme.splitlines() if line.strip().startswith("modelpick measure "))
    stub = tmp_path / "stub"
    (stub / "torchvision").mkdir(parents=True)
    (stub / "torchvision" / "__init__.py").write_text("raise ImportError('torchvision is not installed')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(stub), str(TESTS.parent)])}
    env.pop("MODELPICK_DATA", None)
    args = command.split()[1:] + ["--batch-sizes", "1", "--runs", "1", "--warmup", "1"]  # last flag wins: quick
    done = subprocess.run([sys.executable, "-m", "modelpick", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = tmp_path / command.split(" -o ")[1].split()[0]
    rows = yaml.safe_load(out.read_text())["measurements"]
    assert {m["architecture"] for m in rows} == {"resnet18"}  # the counts matched the catalog's resnet18


def test_zoo_resnet18_is_torchvision_resnet18():
    from modelpick.measure.zoo import resnet18

    model = resnet18()
    assert sum(p.numel() for p in model.parameters()) == 11_689_512  # torchvision's resnet18 (weights=None)
    assert [n for n, _ in model.named_children()] == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2",
                                                      "layer3", "layer4", "avgpool", "fc"]
