"""Issue 21: a public function must not be replaced by the submodule of the same name once some call has imported
that submodule (``modelpick.coverage`` turned into the ``coverage`` module after ``best()``).

Runs in a fresh interpreter: in the test process other tests have already imported every submodule."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

SCRIPT = textwrap.dedent("""
    import sys, tempfile, types
    import modelpick

    before = {name: getattr(modelpick, name) for name in modelpick.__all__}
    out = tempfile.mkdtemp()
    # every public function, called once (what a user's first session does)
    modelpick.best("jetson")
    modelpick.recommend("jetson-nano", limit=3)
    modelpick.coverage("jetson-nano")
    modelpick.devices("jetson")
    modelpick.architectures("resnet")
    modelpick.checkpoints("resnet18")
    modelpick.estimate_memory("vgg16", "snapdragon-675", runtime="ncnn", precision="auto")
    modelpick.catalog()
    modelpick.load_catalog()
    modelpick.validate_files([sys.argv[2]])
    modelpick.embedded_table_path()
    modelpick.import_results("benchncnn", [sys.argv[1]], device_id="my-board", output=out + "/my.yaml")
    modelpick.upper_bound("jetson-nano")
    modelpick.pareto("raspberry-pi-4")
    modelpick.efficiency("jetson-nano")
    modelpick.memory_model("samsung-galaxy-s24", runtime="tflite", precision="float")
    modelpick.grid("jetson-nano")
    modelpick.complexity.conv_time([(3, 64, 3, 224)])
    modelpick.suggest_probes(2, runtime="ncnn")
    modelpick.predict("raspberry-pi-4", "resnet18", runtime="ncnn")
    modelpick.calibrate("my-board", [
        {"architecture": "vgg16", "runtime": "ncnn", "precision": "auto", "batch_size": 1, "latency_ms": 547.09},
        {"architecture": "squeezenet1_1", "runtime": "ncnn", "precision": "auto", "batch_size": 1,
         "latency_ms": 46.65},
    ]).predict("mobilenet_v2")
    import modelpick.measure, modelpick.plot, modelpick.client  # noqa: E401  (the lazy submodules, loaded)

    changed = [name for name in modelpick.__all__ if getattr(modelpick, name) is not before[name]]
    print("changed:", changed)
    sys.exit(1 if changed else 0)
""")


def test_every_public_name_is_the_same_object_after_every_public_function_ran():
    bench = FIXTURES / "import" / "benchncnn" / "threadripper_3970x_and_quadro_rtx8000.txt"
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(bench), str(FIXTURES / "mini.yaml")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]


def test_coverage_stays_callable_after_best():
    run = subprocess.run([sys.executable, "-c",
                          "import modelpick; modelpick.best('jetson'); print(modelpick.coverage('jetson-nano').text)"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip()
