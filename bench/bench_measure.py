"""Benchmark: modelpick measure's per-image latency vs torch.utils.benchmark.Timer on the same models, same run.

For each model and batch size, alternates ROUNDS times: one ``modelpick.measure.run``
(worker process, Bianco protocol: 10 warm-up + 10 timed runs) and one
``torch.utils.benchmark.Timer.blocked_autorange`` in this process with the same
thread count, input and ``torch.no_grad()``. Reports per-image ms (median over
rounds), the run-to-run spread (min-max over rounds) and the ratio
modelpick / Timer (1.0 = same number; > 1 = modelpick reports slower).

    python bench/bench_measure.py [--rounds 3] [--threads 1] [--batch-sizes 1,8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the test models, as factories

MODELS = {
    "tiny_cnn": "measure_models:tiny_cnn",
    "tiny_mlp": "measure_models:tiny_mlp",
    "small_resnet": "bench_measure_models:small_resnet",
}


def timer_ms_per_image(factory: str, batch_size: int, threads: int) -> float:
    import importlib

    import torch
    import torch.utils.benchmark as tb

    mod, _, fn = factory.partition(":")
    model = getattr(importlib.import_module(mod), fn)().eval()
    size = model.input_size if isinstance(model.input_size, int) else model.input_size[-1]
    x = torch.randn(batch_size, 3, size, size)
    with torch.no_grad():
        for _ in range(10):  # same warm-up as the measurement
            model(x)
        t = tb.Timer(stmt="model(x)", globals={"model": model, "x": x}, num_threads=threads)
        m = t.blocked_autorange(min_run_time=1.0)
    return m.median * 1e3 / batch_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-sizes", default="1,8")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))

    import torch
    import yaml

    from modelpick import measure

    torch.set_num_threads(args.threads)
    sizes = measure.parse_batch_sizes(args.batch_sizes)
    results: dict[tuple[str, int], dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            out = Path(tmp) / f"round{r}.yaml"
            measure.run(list(f"{k}={v}" for k, v in MODELS.items()), device_id="bench-box", output=out,
                        batch_sizes=sizes, threads=args.threads, embedded=False, progress=False)
            doc = yaml.safe_load(out.read_text())
            for row in doc["measurements"]:
                cell = results.setdefault((row["architecture"], row["batch_size"]), {"mp": [], "mp_median": [], "timer": []})
                cell["mp"].append(row["latency_ms"])
                cell["mp_median"].append(row["stats"]["median"])
            for name, factory in MODELS.items():
                for bs in sizes:
                    results[(name, bs)]["timer"].append(timer_ms_per_image(factory, bs, args.threads))

    print(f"torch {torch.__version__}, {args.threads} thread(s), {args.rounds} rounds; ms per image")
    print(f"{'model':14s} {'bs':>3s} {'modelpick mean':>15s} {'(spread)':>19s} {'modelpick median':>17s} "
          f"{'Timer median':>13s} {'(spread)':>19s} {'ratio':>6s}")
    for (name, bs), cell in sorted(results.items()):
        mp, mpm, tm = cell["mp"], cell["mp_median"], cell["timer"]
        ratio = statistics.median(mpm) / statistics.median(tm)
        print(f"{name:14s} {bs:3d} {statistics.median(mp):15.4f} {f'({min(mp):.4f}-{max(mp):.4f})':>19s} "
              f"{statistics.median(mpm):17.4f} {statistics.median(tm):13.4f} {f'({min(tm):.4f}-{max(tm):.4f})':>19s} "
              f"{ratio:6.2f}")
    print("ratio = median over rounds of modelpick's per-image median / Timer's per-image median")
    return 0


if __name__ == "__main__":
    sys.exit(main())
