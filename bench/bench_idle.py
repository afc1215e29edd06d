"""Idle connections under gunicorn (issue 22): /healthz latency with 0, 10 and 40 sockets that connect and send
nothing, on the README's gunicorn command, with gunicorn 27's own first-byte wait (MODELPICK_FIRST_BYTE_WAIT_S=5,
the code before the fix) and with service/gunicorn.conf.py's (10 ms), direct and through nginx
(service/nginx/modelpick.conf) where nginx is installed. Ratios against the 0-socket baseline of the same
server in the same run.

    python bench/bench_idle.py [--rounds 5] [--json bench/results/idle.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import gunicorn  # noqa: E402
from _idle import healthz_s, open_idle  # noqa: E402
from _nginx import NGINX, nginx  # noqa: E402
from modelpick._fileio import write_atomic  # noqa: E402

IDLE_COUNTS = (0, 10, 40)


def measure(port: int, rounds: int) -> dict[int, dict[str, float]]:
    out = {}
    for n in IDLE_COUNTS:
        samples = []
        for _ in range(rounds):
            idle = open_idle(port, n, settle_s=0.1)  # 0.1 s: let the worker accept them
            try:
                samples.append(healthz_s(port))
            finally:
                for s in idle:
                    s.close()
            time.sleep(0.3)
        out[n] = {"median_ms": statistics.median(samples) * 1e3, "max_ms": max(samples) * 1e3}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    # one worker: every idle socket lands on the worker that /healthz reaches (with more, which worker accepts
    # what is a race, and the before-fix delay shows in some rounds only)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = []
    env = {"MODELPICK_EMBEDDED": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        for label, wait in (("gunicorn 27 first-byte wait (5 s, before)", "5"), ("gunicorn.conf.py (10 ms)", None)):
            e = dict(env)
            if wait is not None:
                e["MODELPICK_FIRST_BYTE_WAIT_S"] = wait
            log = Path(tmp) / f"gunicorn-{len(rows)}.log"
            with gunicorn(e, log, workers=args.workers) as (_base, port, _proc):
                rows.append({"setup": label, "via": "direct", "idle": measure(port, args.rounds)})
                if NGINX and wait is None:
                    work = Path(tmp) / "nginx"
                    work.mkdir()
                    with nginx(port, work) as (nport, _):
                        rows.append({"setup": label, "via": "nginx", "idle": measure(nport, args.rounds)})
    print(f"/healthz latency on a new connection, {args.workers} gunicorn workers x 8 threads, "
          f"{args.rounds} rounds per cell (median / max ms; ratio = median / the 0-socket median)")
    for row in rows:
        base = row["idle"][0]["median_ms"]
        cells = "  ".join(f"{n:>2} idle: {v['median_ms']:7.1f} / {v['max_ms']:7.1f} ms ({v['median_ms'] / base:5.1f}x)"
                          for n, v in row["idle"].items())
        print(f"{row['setup']:<42} {row['via']:<6} {cells}")
    if not NGINX:
        print("nginx is not installed: the proxied rows are missing (apt-get install -y nginx)")
    if args.json:
        write_atomic(args.json, json.dumps({"workers": args.workers, "rounds": args.rounds, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
