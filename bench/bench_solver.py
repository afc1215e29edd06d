"""Solver speed: embedded table and a synthetic 1,000,000-measurement table, against baselines in the same run.

Run:  python bench/bench_solver.py            (needs pandas for the pandas baseline: pip install pandas)

Reports medians and ratios; nothing here is a pass/fail test, because the machines are shared and noisy.
Goals (issue 2): cold `modelpick best ...` process <= 0.5 s median; warm in-process best() <= 2 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from modelpick import load_catalog  # noqa: E402
from modelpick.catalog import CatalogTable  # noqa: E402
from modelpick.schema import Checkpoint, Device  # noqa: E402
from modelpick.solver import Catalog  # noqa: E402


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_cold_process(runs: int) -> dict:
    cmd = [sys.executable, "-m", "modelpick", "best", "--device", "jetson", "--max-mem-gb", "1", "--min-fps", "30"]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        env["MODELPICK_CACHE_DIR"] = cache
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        first = time.perf_counter() - t0  # parses YAML and fills the cache
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    baseline = median_time(lambda: subprocess.run([sys.executable, "-c", "import numpy, pydantic"], check=True), runs)
    bare = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs)
    cold = statistics.median(times)
    return {"first_run_s": first, "cold_median_s": cold, "python_startup_s": bare,
            "import_numpy_pydantic_s": baseline, "ratio_cold_over_import_baseline": cold / baseline}


QUERIES = [
    dict(device="jetson", max_mem_gb=1.0, min_fps=30),
    dict(device="raspberry-pi-4", min_fps=5),
    dict(device="rtx-4090", batch_size=None, min_top1=85),
    dict(device="titan-xp"),
    dict(device="jetson-nano", objective="fps", min_top1=70),
]


def bench_warm(cat: Catalog, repeat: int) -> dict:
    out = {}
    for q in QUERIES:
        q = dict(q)
        device = q.pop("device")
        try:
            cat.best(device, **q)
        except Exception as exc:  # a device may be missing in a user's table
            out[f"{device} {q}"] = f"skipped: {exc}"
            continue
        out[f"{device} {q}"] = median_time(lambda: cat.best(device, **q), repeat) * 1e3
    return out


def synthetic_catalog(n_rows: int, n_devices: int = 100, n_checkpoints: int = 2000, seed: int = 0) -> Catalog:
    """A synthetic joined table (random numbers, for timing only), shaped like the real columns."""
    rng = np.random.default_rng(seed)
    ck_ids = [f"ck{i}" for i in range(n_checkpoints)]
    devices = {f"dev-{i}": Device(id=f"dev-{i}", name=f"dev {i}", kind="gpu") for i in range(n_devices)}
    cols = {
        "checkpoint": rng.integers(0, n_checkpoints, n_rows).astype(np.int32),
        "architecture": rng.integers(0, 500, n_rows).astype(np.int32),
        "device": np.sort(rng.integers(0, n_devices, n_rows)).astype(np.int32),
        "runtime": rng.integers(0, 4, n_rows).astype(np.int32),
        "precision": rng.integers(0, 3, n_rows).astype(np.int32),
        "batch_size": rng.choice(np.array([1, 8, 64], dtype=np.int32), n_rows),
        "input_size": np.full(n_rows, 224, np.int32),
        "top1": rng.uniform(50, 90, n_rows),
        "top5": rng.uniform(80, 99, n_rows),
        "latency_ms": rng.lognormal(2, 1, n_rows),
        "memory_mb": rng.uniform(100, 4000, n_rows),
        "memory_estimated": rng.random(n_rows) < 0.5,
        "memory_method": np.zeros(n_rows, np.int32),
        "params_m": rng.uniform(1, 300, n_rows),
        "gmacs": rng.uniform(0.1, 50, n_rows),
        "measurement": np.zeros(n_rows, np.int32),
        "memory_measurement": np.zeros(n_rows, np.int32),
        "accuracy_source": np.zeros(n_rows, np.int32),
        "latency_source": np.zeros(n_rows, np.int32),
        "memory_source": np.zeros(n_rows, np.int32),
    }
    cols["fps"] = 1000.0 / cols["latency_ms"]
    strings = {"checkpoint": ck_ids, "architecture": [f"a{i}" for i in range(500)], "device": list(devices),
               "runtime": ["r0", "r1", "r2", "r3"], "precision": ["fp32", "fp16", "int8"], "memory_method": ["m"],
               "source": ["synthetic"]}
    checkpoints = {c: Checkpoint(id=c, architecture="a0", source="synthetic", top1=70, input_size=224) for c in ck_ids}
    merged = CatalogTable(files=[], digest="synthetic", sources={}, devices=devices, device_families={},
                          architectures={}, checkpoints=checkpoints, measurements=[{"settings": {}}], columns=cols, strings=strings)
    return Catalog(merged)


def bench_synthetic(n_rows: int, repeat: int) -> dict:
    cat = synthetic_catalog(n_rows)
    c = cat._cols
    dev_code, max_mb, min_fps = 42, 1.0 * 1024, 30.0

    def solver():
        return cat.best("dev-42", max_mem_gb=1.0, min_fps=min_fps)

    def numpy_baseline():  # bare mask + argmax over the full columns, same filter
        mask = (c["device"] == dev_code) & (c["batch_size"] == 1) & (c["memory_mb"] <= max_mb) & (c["fps"] >= min_fps)
        idx = np.flatnonzero(mask)
        return idx[np.argmax(c["top1"][idx])]

    result = {"rows": n_rows, "solver_ms": median_time(solver, repeat) * 1e3,
              "numpy_mask_argmax_ms": median_time(numpy_baseline, repeat) * 1e3}
    assert cat.best("dev-42", max_mem_gb=1.0, min_fps=min_fps).top1 == c["top1"][numpy_baseline()]
    try:
        import pandas as pd
    except ImportError:
        result["pandas_ms"] = "skipped (pip install pandas)"
        return result
    df = pd.DataFrame({k: c[k] for k in ("device", "batch_size", "memory_mb", "fps", "top1", "checkpoint")})

    def pandas_baseline():
        sel = df[(df.device == dev_code) & (df.batch_size == 1) & (df.memory_mb <= max_mb) & (df.fps >= min_fps)]
        return sel.top1.idxmax()

    result["pandas_ms"] = median_time(pandas_baseline, repeat) * 1e3
    assert df.top1[pandas_baseline()] == c["top1"][numpy_baseline()]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=10)
    args = parser.parse_args()

    cat = load_catalog(use_env=False)
    report = {"catalog": repr(cat)}
    report["cold_process"] = bench_cold_process(args.cold_runs)
    report["warm_best_ms"] = bench_warm(cat, args.repeat)
    syn = bench_synthetic(args.rows, max(20, args.repeat // 4))
    report["synthetic"] = syn
    if isinstance(syn.get("pandas_ms"), float):
        syn["ratio_pandas_over_solver"] = syn["pandas_ms"] / syn["solver_ms"]
    syn["ratio_numpy_over_solver"] = syn["numpy_mask_argmax_ms"] / syn["solver_ms"]
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
