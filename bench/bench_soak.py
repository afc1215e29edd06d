"""Soak (issue 22): never-repeating ``estimates=include`` queries over random devices x batch sizes against the
README's gunicorn command, the workers' RSS sampled over time. The goal: RSS flat after warm-up (every per-worker
store bounded, within MODELPICK_MEMORY_MB).

    python bench/bench_soak.py --minutes 10 [--clients 4] [--workers 2] [--json bench/results/soak_issue22.json]

Each client loops: a random catalog device (one an estimate reaches), a random batch size of 1-256 within its
reach, a random min_fps (never repeating), estimates=include; 4 % of the requests ask a plot of the device. Prints one
line per sample: seconds, requests so far, each worker's RSS in MB; then the RSS at the end of warm-up (the first
fifth) and at the end, and the slope after warm-up (MB per minute).

The service runs under bench/_soak_conf.py (service/gunicorn.conf.py unchanged, plus a thread in each worker that
logs its stores' sizes and glibc's mallinfo2 every sample period), so each sample also shows how full the estimate
views, answers and plots are (MB of their byte budget) and the allocator's in-use and free bytes: caches filling
to their budget tell apart from allocator growth. ``--malloc-tune 0`` runs the service without the config's
mallopt tuning (MODELPICK_MALLOC_TUNE=0), for the before/after. The load average is recorded with each sample.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import gunicorn, rss_mb, rss_parts_mb, workers_of  # noqa: E402
from modelpick._fileio import write_atomic  # noqa: E402

BATCH_SIZES = (1, 2, 3, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)


def devices() -> dict[str, int]:
    """Device id -> the largest batch size an estimate there reaches (devices with none are left out: every
    query of theirs would be a 400)."""
    import modelpick
    from modelpick.predict.estimates import PredictedCells

    cat = modelpick.load_catalog(use_env=False)
    cells = PredictedCells()
    reach = {d.id: cells.max_batch_size(cat, d.id) for d in cat.devices()}
    return {d: m for d, m in sorted(reach.items()) if m}


def client(base: str, devs: dict[str, int], seed: int, stop: threading.Event, counts: dict, lock: threading.Lock):
    rng = random.Random(seed)
    names = list(devs)
    while not stop.is_set():
        dev = rng.choice(names)
        q = {"device": dev, "batch_size": rng.choice([b for b in BATCH_SIZES if b <= devs[dev]])}
        if rng.random() < 0.04:  # a plot of the same device (plots take no estimates)
            path = "/plot/accuracy-fps.svg?" + urllib.parse.urlencode(q)
        else:
            q.update(estimates="include", min_fps=f"{rng.uniform(0.1, 60):.9f}")
            path = "/recommend?" + urllib.parse.urlencode(q)
        try:
            with urllib.request.urlopen(base + path, timeout=120) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as exc:
            exc.read()
            status = exc.code
        except OSError:
            status = 0
        with lock:
            counts[status] = counts.get(status, 0) + 1


def last_stores(folder: Path, pid: int) -> dict:
    """The last line a worker's store reporter (bench/_soak_conf.py) wrote, {} before its first."""
    try:
        lines = (folder / f"{pid}.jsonl").read_text().splitlines()
    except OSError:
        return {}
    return json.loads(lines[-1]) if lines else {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample-s", type=float, default=15)
    ap.add_argument("--memory-mb", help="MODELPICK_MEMORY_MB for the service (default: the service's own)")
    ap.add_argument("--malloc-tune", choices=("1", "0"), default="1",
                    help="MODELPICK_MALLOC_TUNE for the service (0: glibc's malloc defaults)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    devs = devices()
    env = {"MODELPICK_RATE_LIMIT": "1000000 per second",  # one client machine: the limit would answer 429s
           "MODELPICK_MALLOC_TUNE": args.malloc_tune, "MODELPICK_SOAK_STORES_S": str(args.sample_s)}
    if args.memory_mb:
        env["MODELPICK_MEMORY_MB"] = args.memory_mb
    samples = []
    counts: dict[int, int] = {}
    lock = threading.Lock()
    tmp_dir = tempfile.TemporaryDirectory()
    tmp = Path(tmp_dir.name)
    env["MODELPICK_SOAK_STORES_DIR"] = str(tmp)
    with tmp_dir, gunicorn(env, tmp / "g.log", workers=args.workers, config="bench/_soak_conf.py") as (base, _, proc):
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(base, devs, i, stop, counts, lock), daemon=True)
                   for i in range(args.clients)]
        t0 = time.monotonic()
        pids = workers_of(proc.pid)
        samples.append({"s": 0.0, "requests": 0, "rss_mb": [round(rss_mb(p), 1) for p in pids]})
        print(f"{len(devs)} devices, {len(BATCH_SIZES)} batch sizes, {args.clients} clients, {args.workers} workers "
              f"(pids {pids}), {args.minutes:g} min", flush=True)
        for t in threads:
            t.start()
        end = t0 + args.minutes * 60
        while time.monotonic() < end:
            time.sleep(min(args.sample_s, max(0.0, end - time.monotonic())))
            now_pids = workers_of(proc.pid)
            if now_pids != pids:
                print(f"workers changed: {pids} -> {now_pids}", flush=True)
                pids = now_pids
            with lock:
                n = sum(counts.values())
            row = {"s": round(time.monotonic() - t0, 1), "requests": n, "rss_mb": [round(rss_mb(p), 1) for p in pids],
                   "rss_parts_mb": [rss_parts_mb(p) for p in pids], "stores": [last_stores(tmp, p) for p in pids],
                   "loadavg_1min": round(os.getloadavg()[0], 2)}
            samples.append(row)
            parts = "  ".join("/".join(f"{v:.0f}" for v in d.values()) for d in row["rss_parts_mb"])
            stores = "  ".join(f"{d.get('views_mb', '?')}/{d.get('answers_mb', '?')}/{d.get('plots_mb', '?')} MB, "
                               f"malloc {d.get('malloc_inuse_mb', '?')}+{d.get('malloc_free_mb', '?')} free"
                               for d in row["stores"])
            print(f"{row['s']:7.1f} s  {n:7d} requests  RSS {' '.join(f'{r:7.1f}' for r in row['rss_mb'])} MB"
                  f"  (heap/anon/file {parts})  views/answers/plots {stores}  load {row['loadavg_1min']}",
                  flush=True)
        stop.set()
        for t in threads:
            t.join(timeout=150)
    warm = samples[max(1, len(samples) // 5)]
    last = samples[-1]
    minutes = (last["s"] - warm["s"]) / 60 or 1
    slope = [(b - a) / minutes for a, b in zip(warm["rss_mb"], last["rss_mb"])]
    peak = [max(s["rss_mb"][i] for s in samples[samples.index(warm):]) for i in range(len(last["rss_mb"]))]
    print(f"statuses: {dict(sorted(counts.items()))}")
    print(f"after warm-up ({warm['s']:.0f} s): RSS {warm['rss_mb']} MB; at the end ({last['s']:.0f} s): "
          f"{last['rss_mb']} MB; peak after warm-up {peak} MB; slope {[round(x, 2) for x in slope]} MB/min")
    if args.json:
        write_atomic(args.json, json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "devices": len(devs),
                                         "statuses": counts, "samples": samples, "slope_mb_per_min": slope},
                                        indent=1) + "\n")


if __name__ == "__main__":
    main()
