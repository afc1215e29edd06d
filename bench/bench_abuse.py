#!/usr/bin/env python3
"""What each abuse case from issue 11 costs the service now: the README's gunicorn command on the embedded
table, on loopback, one worker (so its memory is one process's), measured from outside.

    python bench/bench_abuse.py                # ~2-4 minutes
    python bench/bench_abuse.py -o bench/results/abuse.json

Cases (each reports status codes, time per request and the worker's RSS growth):

* ``estimates``: ``/recommend?estimates=include`` over batch sizes 1990..2109 on rtx-4090 (the issue's loop
  grew a worker by 651 MB in 100 s); rate limit off, to measure the memory bound itself, then with the
  default rate limit, to count the 429s;
* ``grid``: ``/grid`` with 490 x 490 levels (was: SIGKILL after 30 s) and 400 x 100 (was: 47 MB in 16 s);
* ``inf``: ``mem_levels_gb=1`` followed by 400 zeros (was: a 500 from the error handler);
* ``plot``: ``/plot/accuracy-fps.svg`` first and repeated (was: 0.4-1.2 s each, no cache);
* ``slowloris``: ``/healthz`` latency while 2 (and 6) connections trickle headers into one gthread worker
  (8 threads) of the production config, and 2 into a sync worker as the baseline (was: 31 s with sync).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from _gunicorn import REPO, gunicorn, rss_mb, workers_of  # bench/ is on sys.path when run as a script


def get(url: str, timeout: float = 60) -> tuple[int, int, float]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read()
            return r.status, len(body), time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return e.code, len(e.read()), time.perf_counter() - t0
    except OSError:
        return -1, 0, time.perf_counter() - t0


def statuses(results) -> dict[str, int]:
    out: dict[str, int] = {}
    for status, _, _ in results:
        out[str(status)] = out.get(str(status), 0) + 1
    return out


def estimates_case(base: str, proc, batches: range) -> dict:
    worker = workers_of(proc.pid)[0]
    before = rss_mb(worker)
    results = [get(f"{base}/recommend?device=rtx-4090&estimates=include&batch_size={b}&limit=1") for b in batches]
    after = rss_mb(worker)
    times = [t for _, _, t in results]
    return {"requests": len(results), "statuses": statuses(results), "rss_before_mb": round(before, 1),
            "rss_after_mb": round(after, 1), "rss_growth_mb": round(after - before, 1),
            "median_s": round(statistics.median(times), 4), "max_s": round(max(times), 3),
            "total_s": round(sum(times), 1)}


def slowloris_case(port: int, base: str, n_slow: int, rounds: int = 3) -> dict:
    slow = []
    for _ in range(n_slow):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
    try:
        times = []
        for _ in range(rounds):
            for s in slow:
                try:
                    s.sendall(b"X-a: b\r\n")
                except OSError:
                    pass
            status, _, t = get(base + "/healthz", timeout=40)
            times.append(t if status == 200 else 40.0)
            time.sleep(0.2)
        return {"slow_connections": n_slow, "healthz_worst_s": round(max(times), 3),
                "healthz_median_s": round(statistics.median(times), 3)}
    finally:
        for s in slow:
            s.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", default=str(REPO / "bench" / "out" / "abuse.json"))
    args = ap.parse_args(argv)
    tmp = Path(args.output).parent
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / "abuse-gunicorn.log"
    out: dict = {}
    import modelpick

    modelpick.load_catalog(use_env=False)  # warm the shared cache so the worker boots from it
    with gunicorn({"MODELPICK_RATE_LIMIT": "off"}, log) as (base, port, proc):
        get(f"{base}/recommend?device=rtx-4090&estimates=include&batch_size=64&limit=1", timeout=120)  # fit models
        out["estimates_no_rate_limit"] = estimates_case(base, proc, range(1990, 2110))
        print("estimates (rate limit off):", out["estimates_no_rate_limit"], flush=True)
        mem = ",".join(["1"] * 490)
        out["grid_490x490"] = dict(zip(("status", "bytes", "seconds"), get(
            f"{base}/grid/rtx-4090?mem_levels_gb={mem}&fps_levels={mem}")))
        lv400 = ",".join(str(0.1 * (i + 1)) for i in range(400))[:1900]
        out["grid_400x100"] = dict(zip(("status", "bytes", "seconds"), get(
            f"{base}/grid/rtx-4090?mem_levels_gb={lv400}&fps_levels=" + ",".join(str(i + 1) for i in range(100)))))
        out["grid_20x20"] = dict(zip(("status", "bytes", "seconds"), get(
            f"{base}/grid/rtx-4090?mem_levels_gb=" + ",".join(str(0.5 * (i + 1)) for i in range(20))
            + "&fps_levels=" + ",".join(str(10 * (i + 1)) for i in range(20)))))
        out["inf_level"] = dict(zip(("status", "bytes", "seconds"), get(
            f"{base}/grid/rtx-4090?mem_levels_gb=1" + "0" * 400)))
        first = get(f"{base}/plot/accuracy-fps.svg?device=jetson-nano&min_fps=30")
        again = [get(f"{base}/plot/accuracy-fps.svg?device=jetson-nano&min_fps=30") for _ in range(5)]
        out["plot"] = {"first_s": round(first[2], 3), "status": first[0],
                       "cached_median_s": round(statistics.median(t for _, _, t in again), 4)}
        print("grid/inf/plot:", {k: out[k] for k in ("grid_490x490", "grid_400x100", "grid_20x20", "inf_level", "plot")},
              flush=True)
    with gunicorn({}, log) as (base, port, proc):
        out["estimates_default_rate_limit"] = estimates_case(base, proc, range(1990, 2110))
        print("estimates (default rate limit):", out["estimates_default_rate_limit"], flush=True)
    for name, extra, cases in (("gthread", "", ((2, 3), (6, 3))), ("sync", "--worker-class sync --threads 1", ((2, 1),))):
        with gunicorn({"MODELPICK_RATE_LIMIT": "off"}, log, extra_args=extra) as (base, port, proc):
            out[f"slowloris_{name}"] = [slowloris_case(port, base, n, rounds) for n, rounds in cases]
            print(f"slowloris {name}:", out[f"slowloris_{name}"], flush=True)
    Path(args.output).write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
