"""What service/gunicorn.conf.py's allocator tuning costs per request (issue 22): glibc's defaults
(MODELPICK_MALLOC_TUNE=0, the baseline), two arenas only (MALLOC_ARENA_MAX=2 from the environment, glibc's
dynamic mmap threshold) and the config's default (two arenas and the fixed 256 KiB mmap threshold, under which a
view's few-MB arrays and the solve's large temporaries are fresh mappings each time, faulted in page by page).

    python bench/bench_malloc.py [--requests 300] [--rounds 3] [--json bench/results/malloc_issue22.json]

The three servers (one gthread worker each, the README's command) run side by side and are asked in turn, the same
never-repeating queries in each round, so that the machine's load is the same for all three. Two workloads: the
soak's (a random device and batch size, a random min_fps, estimates=include) and a plain /recommend (random
device and min_fps, measured rows only). Per request: the worker's CPU time (utime+stime from /proc, which load
from other processes does not inflate), wall time on one keep-alive connection, and the worker's minor page
faults. Ratios are against the untuned server in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import gunicorn, workers_of  # noqa: E402
from bench_soak import BATCH_SIZES, devices  # noqa: E402
from modelpick._fileio import write_atomic  # noqa: E402

SETUPS = {"untuned (MODELPICK_MALLOC_TUNE=0)": {"MODELPICK_MALLOC_TUNE": "0"},
          "arena max 2 only (MALLOC_ARENA_MAX=2)": {"MALLOC_ARENA_MAX": "2"},
          "gunicorn.conf.py default (arenas 2 + mmap 256 KiB)": {}}
TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> tuple[float, int]:
    """(CPU seconds, minor faults) of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S, int(fields[7])


def queries(devs: dict[str, int], n: int, seed: int, workload: str) -> list[str]:
    rng = random.Random(seed)
    names = list(devs)
    out = []
    for _ in range(n):
        dev = rng.choice(names)
        q = {"device": dev, "min_fps": f"{rng.uniform(0.1, 60):.9f}"}
        if workload == "estimates":
            q.update(batch_size=rng.choice([b for b in BATCH_SIZES if b <= devs[dev]]), estimates="include")
        out.append("/recommend?" + urllib.parse.urlencode(q))
    return out


def run(port: int, pid: int, paths: list[str]) -> dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    cpu0, faults0 = proc_stat(pid)
    t0 = time.perf_counter()
    for p in paths:
        conn.request("GET", p)
        r = conn.getresponse()
        r.read()
        if r.status >= 500:
            raise RuntimeError(f"{p}: {r.status}")
    wall = time.perf_counter() - t0
    cpu1, faults1 = proc_stat(pid)
    conn.close()
    n = len(paths)
    return {"cpu_ms": (cpu1 - cpu0) / n * 1e3, "wall_ms": wall / n * 1e3, "minor_faults": (faults1 - faults0) / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300, help="estimates=include requests per server and round")
    ap.add_argument("--plain-requests", type=int, default=1500, help="plain /recommend requests per server and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    for name in ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MODELPICK_MALLOC_TUNE"):
        os.environ.pop(name, None)  # the servers inherit this environment: only SETUPS sets these
    devs = devices()
    base_env = {"MODELPICK_RATE_LIMIT": "off", "MODELPICK_THREADS": "8"}
    results: dict[str, dict[str, list[dict]]] = {s: {"estimates": [], "plain": []} for s in SETUPS}
    load = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        servers = {}
        for i, (label, env) in enumerate(SETUPS.items()):
            full = {**base_env, **env}
            _, port, proc = stack.enter_context(gunicorn(full, Path(tmp) / f"g{i}.log", workers=1))
            servers[label] = (port, workers_of(proc.pid)[0])
        for label, (port, pid) in servers.items():  # warm-up: first views, imports, caches of the catalog
            run(port, pid, queries(devs, 100, 999, "estimates") + queries(devs, 100, 998, "plain"))
        for rnd in range(args.rounds):
            order = list(servers)[rnd % 3:] + list(servers)[:rnd % 3]  # who goes first rotates
            for workload in ("estimates", "plain"):
                n = args.requests if workload == "estimates" else args.plain_requests
                paths = queries(devs, n, rnd * 2 + (workload == "plain"), workload)
                for label in order:
                    port, pid = servers[label]
                    results[label][workload].append(run(port, pid, paths))
            load.append(round(os.getloadavg()[0], 2))
            print(f"round {rnd + 1}/{args.rounds} done, load average {load[-1]}", flush=True)
    base_label = next(iter(SETUPS))
    summary = {}
    print(f"per request, median of {args.rounds} rounds ({args.requests} estimates=include, {args.plain_requests} "
          f"plain never-repeating queries per server and round); ratio = the median over rounds of this server's / "
          f"the untuned server's in the same round [lowest-highest round]")
    for workload in ("estimates", "plain"):
        base = results[base_label][workload]
        for label in SETUPS:
            rows = results[label][workload]
            med = {k: statistics.median(r[k] for r in rows) for k in ("cpu_ms", "wall_ms", "minor_faults")}
            ratios = {k: sorted(r[k] / b[k] for r, b in zip(rows, base)) for k in ("cpu_ms", "wall_ms")}
            summary.setdefault(workload, {})[label] = {
                **med, **{f"{k[:-3]}_ratio": statistics.median(v) for k, v in ratios.items()},
                **{f"{k[:-3]}_ratio_range": [v[0], v[-1]] for k, v in ratios.items()}}
            c, w = ratios["cpu_ms"], ratios["wall_ms"]
            print(f"{workload:<9} {label:<52} CPU {med['cpu_ms']:6.2f} ms ({statistics.median(c):.3f}x "
                  f"[{c[0]:.2f}-{c[-1]:.2f}])  wall {med['wall_ms']:6.2f} ms ({statistics.median(w):.3f}x "
                  f"[{w[0]:.2f}-{w[-1]:.2f}])  minor faults {med['minor_faults']:7.1f}")
    print(f"load average after each round: {load}")
    if args.json:
        write_atomic(args.json, json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "devices": len(devs),
                                            "loadavg_1min": load, "summary": summary, "rounds": results},
                                           indent=1) + "\n")


if __name__ == "__main__":
    main()
