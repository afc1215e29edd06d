#!/usr/bin/env python3
"""Load test of the REST service: gunicorn on loopback, wrk against /healthz and a mix of real /recommend queries.

    python bench/bench_service.py                 # ~1 minute: 2 servers x 3 rounds x 2 phases of 5 s
    python bench/bench_service.py --rounds 1 --duration 3 --check

For each server configuration (the default, then the per-worker answer cache turned off) the script
starts the README's production command (``gunicorn -c service/gunicorn.conf.py "service:create_app()"``)
on a free loopback port, checks every query once, then runs wrk (Debian package ``wrk``) for
``--duration`` seconds against ``/healthz`` (the ceiling of the Flask/gunicorn stack) and against
``/recommend`` cycling through the query mix (a wrk Lua script), on the same server, alternating
for ``--rounds`` rounds. It reports requests/s (all requests over all phases), p50 (median over
rounds), p99 (worst round) and errors, and the /recommend : /healthz ratio.
Target: /recommend >= 60 % of /healthz throughput with 0 errors (``--check`` exits 1 otherwise).

The query mix is built from the catalog: for the devices with the most candidates, plain,
FPS-, memory-, accuracy- and throughput-mode queries, keeping only those that have an answer (200),
so that "0 errors" means no socket error, no timeout and no non-2xx status.
Everything runs on loopback, bounded in time; servers are always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from _gunicorn import REPO, gunicorn  # bench/ is on sys.path when run as a script

sys.path.insert(0, str(REPO))

#: wrk's report as one JSON line (a %-format fragment, as the scripts that end with it).
WRK_REPORT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""
WRK_SCRIPT = r"""
local paths = {%(paths)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end""" + WRK_REPORT


def query_mix(catalog, n_devices: int = 8) -> list[str]:
    """Real queries over the devices with the most candidates; only those that have an answer."""
    from modelpick import NoFeasibleModel

    import numpy as np

    codes, counts = np.unique(catalog.columns["device"], return_counts=True)
    by_size = [catalog.decode("device", int(c)) for c in codes[np.argsort(-counts, kind="stable")]]
    shapes = [
        {},
        {"min_fps": 30},
        {"max_mem_gb": 1},
        {"min_fps": 10, "max_mem_gb": 2},
        {"batch_size": "best", "min_top1": 80},
        {"objective": "fps", "min_top1": 70},
        {"objective": "memory", "min_top1": 75, "limit": 3},
        {"max_latency_ms": 50, "limit": 5},
    ]
    paths = []
    for dev in by_size[:n_devices]:
        runtime = catalog.runtimes(dev)[0]
        for shape in [*shapes, {"runtime": runtime, "min_fps": 10}]:
            args = {"device": dev, **shape}
            kwargs = {k: (None if v == "best" else v) for k, v in shape.items() if k != "limit"}
            try:
                catalog.best(dev, **kwargs)
            except NoFeasibleModel:
                continue
            paths.append("/recommend?" + urllib.parse.urlencode(args))
    return paths


def check_all(base: str, paths: list[str]) -> None:
    for p in paths:
        for _ in range(2):  # the second time from the answer cache where it is on
            with urllib.request.urlopen(base + p, timeout=30) as r:
                assert r.status == 200, (p, r.status)
                json.loads(r.read())


def wrk(base: str, paths: list[str], duration: float, threads: int, connections: int, tmp: Path) -> dict:
    script = tmp / "mix.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s", "-s", str(script), base]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
    res = json.loads(line)
    res["rps"] = res["requests"] / (res["duration_us"] / 1e6)
    res["errors"] = sum(res[k] for k in ("connect", "read", "write", "status", "timeout"))
    return res


def combine(rounds: list[dict]) -> dict:
    """Rounds of one endpoint: total requests over total time; median p50, worst p99."""
    import statistics

    total = {k: sum(r[k] for r in rounds) for k in ("requests", "duration_us", "bytes", "connect", "read", "write",
                                                    "status", "timeout", "errors")}
    total["rps"] = total["requests"] / (total["duration_us"] / 1e6)
    total["p50_us"] = statistics.median(r["p50_us"] for r in rounds)
    total["p90_us"] = statistics.median(r["p90_us"] for r in rounds)
    total["p99_us"] = max(r["p99_us"] for r in rounds)
    total["max_us"] = max(r["max_us"] for r in rounds)
    total["rounds_rps"] = [round(r["rps"], 1) for r in rounds]
    return total


def fmt(name: str, r: dict) -> str:
    return (f"  {name:<11} {r['rps']:9.0f} req/s   p50 {r['p50_us'] / 1000:6.2f} ms   p99 {r['p99_us'] / 1000:6.2f} ms   "
            f"{r['requests']:>7} requests   errors {r['errors']} (non-2xx {r['status']}, timeouts {r['timeout']}, "
            f"socket {r['connect'] + r['read'] + r['write']})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per wrk phase (default 5)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternating /healthz, /recommend phases per server (default 3), so that background load "
                         "on a shared machine hits both alike")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (default: cores)")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    ap.add_argument("--mini", action="store_true", help="serve tests/fixtures/mini.yaml instead of the embedded table")
    ap.add_argument("--no-uncached", action="store_true", help="skip the run with the answer cache off")
    ap.add_argument("--check", action="store_true", help="exit 1 unless /recommend >= 60%% of /healthz with 0 errors")
    ap.add_argument("-o", "--output", default=str(REPO / "bench" / "out" / "service.json"))
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2

    import modelpick

    env = {"MODELPICK_LOG_LEVEL": "warning"}
    if args.mini:
        data = str(REPO / "tests" / "fixtures" / "mini.yaml")
        env.update(MODELPICK_EMBEDDED="0", MODELPICK_DATA=data)
        cat = modelpick.load_catalog(data, embedded=False, use_env=False)
    else:
        env["MODELPICK_DATA"] = ""
        cat = modelpick.load_catalog(use_env=False)  # also fills the cache the workers load from
    paths = query_mix(cat)
    if not paths:
        raise SystemExit("no feasible query in the mix")
    print(f"catalog {cat.version}: {len(cat)} candidates; {len(paths)} distinct /recommend queries; "
          f"gunicorn {args.workers} sync workers; wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s "
          f"x {args.rounds} rounds; "
          f"{os.cpu_count()} cores shared by server and load generator")

    configs = [("default (answer cache on)", {})]
    if not args.no_uncached:
        configs.append(("answer cache off", {"MODELPICK_ANSWER_CACHE_MB": "0"}))
    results = {"catalog": cat.version, "candidates": len(cat), "queries": paths, "workers": args.workers,
               "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                       "rounds": args.rounds},
               "cores": os.cpu_count(), "runs": {}}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for name, extra in configs:
            with gunicorn({**env, **extra}, tmp_path / "gunicorn.log", args.workers) as (base, _, _):
                check_all(base, paths)
                h_rounds, r_rounds = [], []
                for _ in range(args.rounds):
                    h_rounds.append(wrk(base, ["/healthz"], args.duration, args.threads, args.connections, tmp_path))
                    r_rounds.append(wrk(base, paths, args.duration, args.threads, args.connections, tmp_path))
                health, rec = combine(h_rounds), combine(r_rounds)
            ratio = rec["rps"] / health["rps"]
            print(f"{name}:")
            print(fmt("/healthz", health))
            print(fmt("/recommend", rec))
            print(f"  /recommend : /healthz throughput = {ratio:.0%}")
            results["runs"][name] = {"healthz": health, "recommend": rec, "ratio": ratio}
            if not extra:
                ok = ratio >= 0.6 and rec["errors"] == 0 and health["errors"] == 0
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"target (default config): /recommend >= 60% of /healthz with 0 errors: {'met' if ok else 'NOT met'}; "
          f"details in {out}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
