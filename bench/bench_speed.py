#!/usr/bin/env python3
"""First-use speed, module-level API, lean gunicorn workers and a never-repeating query mix (issue 10).

    python bench/bench_speed.py                  # every row, about 4 minutes on 2 cores
    python bench/bench_speed.py --only first_run,module_api --quick

Each row is measured next to a baseline taken in the same run, and reported as a ratio, because the
machines here are shared and noisy; nothing is pass/fail (``--check`` only sets the exit status).

Rows (``--only`` names):

``first_run``     first ``modelpick best --device jetson --max-mem-gb 1 --min-fps 30`` with an empty cache
                  (a fresh install), against a bare ``python -c "import numpy, pydantic, yaml"`` process;
                  also the same command with a warm cache (the cold CLI that must not get slower).
``module_api``    warm ``modelpick.best(...)`` against ``Catalog.best(...)`` on the same catalog, in one process.
``gunicorn``      the README's gunicorn command with 2 workers and an empty cache: start to first ``/healthz``,
                  worker and master RSS/PSS, then a 1-worker server whose worker is killed: time until
                  ``/healthz`` answers again (respawn). Baseline: a minimal Flask app under the same gunicorn.
``rss``           worker RSS (and PSS) of the production config, 2 workers, after 10,000 mixed queries (``rss_mix``:
                  never-repeating classification and detection queries, catalog reads, typos, health checks, 1 %
                  ``estimates=include``), sent 4 at a time; baseline: a minimal Flask app's worker under the same gunicorn.
``wrk``           never-repeating ``/recommend`` queries (a wrk Lua script that varies device, constraint and
                  limit) against ``/healthz`` on the same server, 2 workers of the production config, answer
                  cache off and on.
``typo_404``      ``/models/<typo>`` (a different typo each time) against ``/healthz``, in process.
``estimates``     first ``estimates="include"`` query in a fresh process, with the fitted models cached on disk
                  and without, against the same process's first plain query.
``disk_cache``    the cache folder after loading 24 distinct user files: bytes, files, pickle files.

Raw results go to ``bench/out/speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from _gunicorn import free_port, workers_of  # noqa: E402  (bench/ on sys.path)
from bench_service import WRK_REPORT  # noqa: E402

PY = sys.executable
BEST = ["-m", "modelpick", "best", "--device", "jetson", "--max-mem-gb", "1", "--min-fps", "30"]
MB = 2**20


LAST_CPU_S = [0.0]  # CPU seconds (user + system) of the last run_timed child


def run_timed(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([PY, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU_S[0] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"{args} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed, proc


def base_env(cache_dir: Path | str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MODELPICK_DATA", "MODELPICK_CACHE")}
    env["MODELPICK_CACHE_DIR"] = str(cache_dir)
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    return env


def row(what: str, value: float, unit: str, baseline: float | None, baseline_what: str, goal: str, met: bool | None,
        **extra) -> dict:
    out = {"what": what, "value": value, "unit": unit, "baseline": baseline, "baseline_what": baseline_what,
           "ratio": (value / baseline) if baseline else None, "goal": goal, "met": met}
    out.update(extra)
    return out


# ---------------------------------------------------------------------------
# first run and cold CLI


def bench_first_run(tmp: Path, runs: int) -> list[dict]:
    firsts, cpus, stderr_lines = [], [], []
    for i in range(runs):
        cache = tmp / f"first-{i}"
        elapsed, proc = run_timed(BEST, base_env(cache))
        firsts.append(elapsed)
        cpus.append(LAST_CPU_S[0])
        stderr_lines.append(proc.stderr.strip().splitlines())
    floor = statistics.median(run_timed(["-c", "import numpy, pydantic, yaml"], base_env(tmp / "none"))[0]
                              for _ in range(max(3, runs)))
    warm_cache = tmp / "first-0"
    warm = statistics.median(run_timed(BEST, base_env(warm_cache))[0] for _ in range(max(5, runs * 2)))
    first = statistics.median(firsts)
    silent = all(not lines for lines in stderr_lines)
    return [
        row("first `modelpick best`, empty cache (median)", first, "s", floor, "`python -c 'import numpy, pydantic, yaml'`",
            "<= 1.5 s", first <= 1.5, runs=firsts, stderr=stderr_lines[0][:3], silent=silent,
            cpu_s=statistics.median(cpus), cpu_runs=cpus),
        row("cold `modelpick best`, warm cache (median)", warm, "s", floor, "`python -c 'import numpy, pydantic, yaml'`",
            "no slower than 0.37-0.58 s", warm <= 0.58),
    ]


# ---------------------------------------------------------------------------
# module-level API


MODULE_API = r"""
import json, statistics, sys, time
import modelpick
q = dict(max_mem_gb=1.0, min_fps=30)
cat = modelpick.load_catalog()
modelpick.best("jetson", **q); cat.best("jetson", **q)
def med(fn, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return statistics.median(times)
mod, ref = [], []
for _ in range(5):  # interleaved, so background load hits both alike
    mod.append(med(lambda: modelpick.best("jetson", **q), int(sys.argv[1])))
    ref.append(med(lambda: cat.best("jetson", **q), int(sys.argv[1])))
print(json.dumps({"module_ms": statistics.median(mod) * 1e3, "catalog_ms": statistics.median(ref) * 1e3}))
"""


def bench_module_api(warm_cache: Path, repeat: int) -> list[dict]:
    _, proc = run_timed(["-c", MODULE_API, str(repeat)], base_env(warm_cache))
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    ratio = res["module_ms"] / res["catalog_ms"]
    return [row("warm `modelpick.best()` (median)", res["module_ms"], "ms", res["catalog_ms"],
                "`Catalog.best()` on the same catalog", "within 1.5x of `Catalog.best`", ratio <= 1.5)]


# ---------------------------------------------------------------------------
# gunicorn: start, memory, respawn


HELLO_APP = """
from flask import Flask, jsonify
app = Flask(__name__)
@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
"""


def memory_mb(pid: int) -> dict[str, float]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                out[name.lower()] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    if "private_clean" in out:
        out["uss"] = out.pop("private_clean") + out.pop("private_dirty")
    return out


class Gunicorn:
    """A gunicorn server started in the background; ``ready_s`` is start to first 200 from /healthz."""

    def __init__(self, app: str, env: dict[str, str], workers: int, log: Path, cwd: Path = REPO,
                 conf: str | None = "service/gunicorn.conf.py"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [PY, "-m", "gunicorn", *(["-c", conf] if conf else []), "-b", f"127.0.0.1:{self.port}", "-w",
               str(workers), app]
        self.log = log
        t0 = time.perf_counter()
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.ready_s = self.wait_ready(t0)

    def get(self, path: str, timeout: float = 5) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def wait_ready(self, t0: float, deadline_s: float = 240) -> float:
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                if self.get("/healthz", timeout=2)[0] == 200:
                    return time.perf_counter() - t0
            except OSError:
                pass
            if time.perf_counter() - t0 > deadline_s:
                raise SystemExit(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.01)

    def respawn_s(self) -> float:
        """Kill the (single) worker; seconds until /healthz answers again from a new one."""
        old = workers_of(self.proc.pid)
        assert len(old) == 1, old
        t0 = time.perf_counter()
        os.kill(old[0], signal.SIGKILL)
        while workers_of(self.proc.pid) == old:
            time.sleep(0.001)
        return self.wait_ready(t0, deadline_s=120)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def bench_gunicorn(tmp: Path, runs: int) -> list[dict]:
    hello_dir = tmp / "hello"
    hello_dir.mkdir(exist_ok=True)
    (hello_dir / "hello_app.py").write_text(HELLO_APP)
    log = tmp / "gunicorn.log"
    starts, hello_starts, rss, hello_rss, respawns, hello_respawns = [], [], [], [], [], []
    for i in range(runs):
        env = base_env(tmp / f"gunicorn-empty-{i}")
        env["MODELPICK_LOG_LEVEL"] = "warning"
        with Gunicorn("hello_app:app", env, 2, log, cwd=hello_dir, conf=None) as g:
            hello_starts.append(g.ready_s)
            for _ in range(20):
                g.get("/healthz")
            hello_rss.extend(memory_mb(p) for p in workers_of(g.proc.pid))
        with Gunicorn("service:create_app()", env, 2, log) as g:
            starts.append(g.ready_s)
            for path in ("/recommend?device=jetson&max_mem_gb=1&min_fps=30", "/models/resnet5O", "/devices"):
                for _ in range(5):
                    g.get(path)
            workers = workers_of(g.proc.pid)
            rss.append({"master": memory_mb(g.proc.pid), "workers": [memory_mb(p) for p in workers]})
        # respawn: one worker, killed; warm cache (the cache from the run above) as a restart would have
        with Gunicorn("hello_app:app", env, 1, log, cwd=hello_dir, conf=None) as g:
            hello_respawns.append(g.respawn_s())
        with Gunicorn("service:create_app()", env, 1, log) as g:
            respawns.append(g.respawn_s())
        # and a cold start with the cache from the first start warm
        with Gunicorn("service:create_app()", env, 2, log) as g:
            rss[-1]["warm_cache_workers"] = [memory_mb(p) for p in workers_of(g.proc.pid)]
            rss[-1]["warm_cache_start_s"] = g.ready_s
    worker_rss = max(w.get("rss", 0) for r in rss for w in r["workers"] + r["warm_cache_workers"])
    worker_pss = max(w.get("pss", 0) for r in rss for w in r["workers"] + r["warm_cache_workers"])
    hello_w = max(w.get("rss", 0) for w in hello_rss)
    start, hello_start = statistics.median(starts), statistics.median(hello_starts)
    respawn, hello_respawn = statistics.median(respawns), statistics.median(hello_respawns)
    return [
        row("gunicorn (2 workers) start to first `/healthz`, empty cache (median)", start, "s", hello_start,
            "same gunicorn serving a minimal Flask app", "<= 3 s", start <= 3.0, runs=starts,
            warm_cache_start_s=[r["warm_cache_start_s"] for r in rss]),
        row("worker RSS, largest of every worker (empty and warm cache)", worker_rss, "MB", hello_w,
            "minimal Flask app worker RSS", "<= 200 MB", worker_rss <= 200, worker_pss_mb=worker_pss, detail=rss),
        row("worker respawn: SIGKILL to `/healthz` answering again, 1 worker (median)", respawn, "s", hello_respawn,
            "minimal Flask app respawn", "milliseconds", respawn < 0.1, runs=respawns),
    ]


# ---------------------------------------------------------------------------
# worker memory after many mixed queries


def rss_mix(catalog, n: int) -> list[str]:
    """``n`` mixed requests: never-repeating classification (80 %) and detection (10 %) queries, catalog reads,
    typos and health checks, and 1 in 100 an ``estimates=include`` query over a few devices and batch sizes."""
    from answer_digest import detection_devices, detection_queries

    devices = mix_devices(catalog)
    det = detection_queries(detection_devices(catalog), n // 10 + 1)
    reads = ["/healthz", "/devices", "/models/resnet50", "/models/resnet5O", f"/devices/{devices[0]['id']}"]
    out = []
    for i in range(1, n + 1):
        if i % 100 == 0:
            d = devices[(i // 100) % len(devices)]["id"]
            out.append(f"/recommend?device={d}&estimates=include&batch_size={1 + (i // 800) % 4}&limit=3")
        elif i % 10 == 1:
            out.append(det[i // 10])
        elif i % 10 == 2:
            out.append(reads[(i // 10) % len(reads)])
        else:
            out.append(mix_path(devices, PRIME - i))  # far from the wrk row's offsets: never the same queries
    return out


def send_all(base: str, paths: list[str], threads: int = 4) -> dict[int, int]:
    """GET every path (``threads`` at a time); status counts."""
    from concurrent.futures import ThreadPoolExecutor

    def get(path: str) -> int:
        try:
            with urllib.request.urlopen(base + path, timeout=60) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as exc:
            exc.read()
            return exc.code
        except OSError:
            return -1

    counts: dict[int, int] = {}
    with ThreadPoolExecutor(threads) as pool:
        for status in pool.map(get, paths, chunksize=64):
            counts[status] = counts.get(status, 0) + 1
    return counts


def bench_rss(tmp: Path, warm_cache: Path, n: int) -> list[dict]:
    sys.path.insert(0, str(REPO))
    os.environ["MODELPICK_CACHE_DIR"] = str(warm_cache)
    import modelpick

    paths = rss_mix(modelpick.load_catalog(use_env=False), n)
    hello_dir = tmp / "hello"
    hello_dir.mkdir(exist_ok=True)
    (hello_dir / "hello_app.py").write_text(HELLO_APP)
    env = {**base_env(warm_cache), "MODELPICK_LOG_LEVEL": "warning"}
    with Gunicorn("hello_app:app", env, 2, tmp / "gunicorn-rss.log", cwd=hello_dir, conf=None) as g:
        send_all(g.base, ["/healthz"] * 200)
        hello = max(memory_mb(p).get("rss", 0) for p in workers_of(g.proc.pid))
    t0 = time.perf_counter()
    with Gunicorn("service:create_app()", env, 2, tmp / "gunicorn-rss.log") as g:
        send_all(g.base, paths[:20])
        start = [memory_mb(p) for p in workers_of(g.proc.pid)]
        statuses = send_all(g.base, paths)
        after = [memory_mb(p) for p in workers_of(g.proc.pid)]
    worker = max(w.get("rss", 0) for w in after)
    return [row(f"worker RSS after {n:,} mixed queries (largest worker)", worker, "MB", hello,
                "minimal Flask app worker RSS, same gunicorn", "<= 200 MB", worker <= 200,
                at_start=start, after=after, statuses=statuses, seconds=time.perf_counter() - t0,
                worker_pss_mb=max(w.get("pss", 0) for w in after))]


# ---------------------------------------------------------------------------
# wrk: never-repeating query mix


WRK_MIX = r"""
-- Never-repeating /recommend queries: device, constraint shape and limit all vary with a counter,
-- and the limit's value is a permutation of the counter (mod a prime), so no query string repeats
-- within %(prime)d requests.
local devices = {%(devices)s}
local counter = 0
local prime = %(prime)d
local shapes = %(nshapes)d
function limits(i)
  local d = devices[(i %% #devices) + 1]
  local u = ((i * 7919) %% prime) / prime
  local s = math.floor(i / #devices) %% shapes
  local p = "/recommend?device=" .. d.id
  if s == 0 then return p .. string.format("&min_fps=%%.7f", d.fps * u)
  elseif s == 1 then return p .. string.format("&max_mem_gb=%%.7f", d.mem_lo + (d.mem_hi - d.mem_lo) * u)
  elseif s == 2 then return p .. string.format("&min_fps=%%.7f&max_mem_gb=%%.7f", d.fps * u * 0.5, d.mem_hi)
  elseif s == 3 then return p .. string.format("&min_top1=%%.7f&batch_size=best", d.top1 * u)
  elseif s == 4 then return p .. string.format("&objective=fps&min_top1=%%.7f", d.top1 * u)
  else return p .. string.format("&max_latency_ms=%%.7f&limit=5", d.lat_lo + (d.lat_hi - d.lat_lo) * u) end
end
request = function()
  counter = counter + 1
  return wrk.format("GET", limits(counter + %(offset)d))
end""" + WRK_REPORT
PRIME = 1_000_003
N_SHAPES = 6


def mix_devices(catalog, n: int = 8) -> list[dict]:
    """Per device, limit ranges inside which (nearly) every query has an answer (classification rows only: a
    detection row has no top-1, and the mix's queries are classification ones)."""
    import numpy as np

    cols = catalog.columns
    codes, counts = np.unique(cols["device"], return_counts=True)
    classification = cols["task"] == catalog._code["task"]["classification"] if "task" in cols else True
    out = []
    for code in codes[np.argsort(-counts, kind="stable")][:n]:
        sel = (cols["device"] == code) & classification
        b1 = sel & (cols["batch_size"] == 1)
        if not b1.any():
            continue
        mem = cols["memory_mb"][b1]
        mem = mem[~np.isnan(mem)]
        if not len(mem):
            continue
        out.append({"id": catalog.decode("device", int(code)),
                    "fps": float(np.quantile(cols["fps"][b1], 0.9)),
                    "mem_lo": float(np.quantile(mem, 0.1)) / 1024, "mem_hi": float(mem.max()) / 1024 * 1.01,
                    "top1": float(np.quantile(cols["top1"][sel], 0.9)),
                    "lat_lo": float(np.quantile(cols["latency_ms"][b1], 0.1)),
                    "lat_hi": float(cols["latency_ms"][b1].max())})
    return out


def mix_path(devices: list[dict], i: int) -> str:
    """The Lua generator's query number ``i``, in Python (to check the mix and count repeats)."""
    d = devices[i % len(devices)]
    u = ((i * 7919) % PRIME) / PRIME
    s = (i // len(devices)) % N_SHAPES
    p = f"/recommend?device={d['id']}"
    if s == 0:
        return p + f"&min_fps={d['fps'] * u:.7f}"
    if s == 1:
        return p + f"&max_mem_gb={d['mem_lo'] + (d['mem_hi'] - d['mem_lo']) * u:.7f}"
    if s == 2:
        return p + f"&min_fps={d['fps'] * u * 0.5:.7f}&max_mem_gb={d['mem_hi']:.7f}"
    if s == 3:
        return p + f"&min_top1={d['top1'] * u:.7f}&batch_size=best"
    if s == 4:
        return p + f"&objective=fps&min_top1={d['top1'] * u:.7f}"
    return p + f"&max_latency_ms={d['lat_lo'] + (d['lat_hi'] - d['lat_lo']) * u:.7f}&limit=5"


def lua_table(devices: list[dict]) -> str:
    return ", ".join("{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in d.items()) + "}" for d in devices)


def bench_wrk(tmp: Path, warm_cache: Path, duration: float, rounds: int) -> list[dict]:
    from bench_service import combine, wrk

    if shutil.which("wrk") is None:
        return [row("never-repeating `/recommend` vs `/healthz`", float("nan"), "%", None, "", ">= 60 %", None,
                    skipped="wrk not found: apt-get install -y wrk")]
    sys.path.insert(0, str(REPO))
    import modelpick

    os.environ["MODELPICK_CACHE_DIR"] = str(warm_cache)
    cat = modelpick.load_catalog(use_env=False)
    devices = mix_devices(cat)
    # Check a sample of the mix in process: every query valid; count those with no feasible model (422).
    from service import create_app

    client = create_app({"MODELPICK_CATALOG": cat, "MODELPICK_ANSWER_CACHE_MB": 0}).test_client()
    sample = [mix_path(devices, i) for i in range(1, 601)]
    statuses = [client.get(p).status_code for p in sample]
    bad = [(p, s) for p, s in zip(sample, statuses) if s not in (200, 422)]
    if bad:
        raise SystemExit(f"the query mix has invalid queries: {bad[:5]}")
    infeasible = statuses.count(422) / len(statuses)
    out = []
    offset = 0
    for name, extra in (("answer cache off", {"MODELPICK_ANSWER_CACHE_MB": "0"}), ("answer cache on", {})):
        env = {**base_env(warm_cache), "MODELPICK_LOG_LEVEL": "warning", **extra}
        h_rounds, r_rounds = [], []
        cpu = {"healthz": 0.0, "recommend": 0.0}  # the workers' CPU seconds (user + system) in each kind of phase
        with Gunicorn("service:create_app()", env, 2, tmp / "gunicorn-wrk.log") as g:
            for _ in range(rounds):
                c0 = workers_cpu_s(g.proc.pid)
                h_rounds.append(wrk(g.base, ["/healthz"], duration, 1, 8, tmp))
                c1 = workers_cpu_s(g.proc.pid)
                script = tmp / "mix.lua"
                # each phase starts where the last one ended: no query repeats within the run
                script.write_text(WRK_MIX % {"devices": lua_table(devices), "prime": PRIME, "nshapes": N_SHAPES,
                                             "offset": offset})
                res = wrk_script(g.base, script, duration)
                cpu["healthz"] += c1 - c0
                cpu["recommend"] += workers_cpu_s(g.proc.pid) - c1
                offset += res["requests"] + 100
                r_rounds.append(res)
        health, rec = combine(h_rounds), combine(r_rounds)
        ratio = rec["rps"] / health["rps"]
        # CPU per request is what the load on a shared machine distorts least (req/s moves with the other jobs)
        health["cpu_ms_per_request"] = cpu["healthz"] / health["requests"] * 1e3
        rec["cpu_ms_per_request"] = cpu["recommend"] / rec["requests"] * 1e3
        # a 422 (no feasible model) is an answer too, but wrk counts it under "status"
        socket_errors = sum(rec[k] for k in ("connect", "read", "write", "timeout"))
        out.append(row(f"never-repeating `/recommend` req/s, 2 workers, {name}", rec["rps"], "req/s",
                       health["rps"], "`/healthz` req/s, same server, alternating phases", ">= 60 % of `/healthz`",
                       ratio >= 0.6 and socket_errors == 0 and health["errors"] == 0,
                       recommend=rec, healthz=health, share_422=infeasible, queries_sent=offset,
                       cpu_ms_per_request=rec["cpu_ms_per_request"],
                       healthz_cpu_ms_per_request=health["cpu_ms_per_request"],
                       cpu_ratio=health["cpu_ms_per_request"] / rec["cpu_ms_per_request"]))
    return out


def workers_cpu_s(master_pid: int) -> float:
    """User + system CPU seconds of a gunicorn master's worker processes so far (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in workers_of(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def wrk_script(base: str, script: Path, duration: float) -> dict:
    cmd = ["wrk", "-t1", "-c8", f"-d{duration:g}s", "--timeout", "5s", "-s", str(script), base]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    res = json.loads([ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1])
    res["rps"] = res["requests"] / (res["duration_us"] / 1e6)
    res["errors"] = sum(res[k] for k in ("connect", "read", "write", "status", "timeout"))
    return res


# ---------------------------------------------------------------------------
# typo 404


def bench_typo(warm_cache: Path, repeat: int) -> list[dict]:
    sys.path.insert(0, str(REPO))
    os.environ["MODELPICK_CACHE_DIR"] = str(warm_cache)
    import modelpick
    from service import create_app

    cat = modelpick.load_catalog(use_env=False)
    client = create_app({"MODELPICK_CATALOG": cat}).test_client()
    names = [c.id for c in cat.checkpoints()][:: max(1, len(cat.checkpoints()) // 400)]

    def typo(i: int) -> str:  # a different misspelling each time: one letter swapped for 'q', plus a counter
        name = names[i % len(names)]
        k = (i * 7) % len(name)
        return f"{name[:k]}q{name[k + 1:]}{i}"

    assert client.get("/models/" + typo(1)).status_code == 404
    health, miss, answer = [], [], []
    rec_paths = [mix_path(mix_devices(cat), i) for i in range(repeat * 5)]
    for rnd in range(5):
        for i in range(repeat):
            t0 = time.perf_counter()
            client.get("/healthz")
            health.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            client.get("/models/" + typo(rnd * repeat + i))
            miss.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            client.get(rec_paths[rnd * repeat + i])
            answer.append(time.perf_counter() - t0)
    h, m, a = (statistics.median(x) * 1e3 for x in (health, miss, answer))
    return [row("`/models/<typo>` 404 with close matches, in process (median)", m, "ms", h, "`/healthz`, in process",
                "within 5 ms of `/healthz`", m - h <= 5, difference_ms=m - h, recommend_uncached_ms=a)]


# ---------------------------------------------------------------------------
# first estimates="include" query


ESTIMATES = r"""
import json, time
import modelpick
cat = modelpick.load_catalog()
t0 = time.perf_counter(); cat.best("jetson", max_mem_gb=1.0, min_fps=30); plain = time.perf_counter() - t0
t0, c0 = time.perf_counter(), time.process_time()
cat.best("jetson", max_mem_gb=1.0, min_fps=30, estimates="include")
inc, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"plain_s": plain, "include_s": inc, "include_cpu_s": cpu}))
"""


def bench_estimates(tmp: Path) -> list[dict]:
    cache = tmp / "estimates"
    run_timed(["-c", "import modelpick; modelpick.load_catalog()"], base_env(cache))  # catalog cached, models not
    _, cold = run_timed(["-c", ESTIMATES], base_env(cache))
    _, warm = run_timed(["-c", ESTIMATES], base_env(cache))
    cold, warm = (json.loads(p.stdout.strip().splitlines()[-1]) for p in (cold, warm))
    return [
        row("first `estimates=\"include\"` query, fitted models not cached", cold["include_s"], "s", cold["plain_s"],
            "first plain query, same process", "<= 1 s", cold["include_s"] <= 1.0, cpu_s=cold.get("include_cpu_s")),
        row("first `estimates=\"include\"` query, fitted models cached", warm["include_s"], "s", warm["plain_s"],
            "first plain query, same process", "<= 1 s", warm["include_s"] <= 1.0, cpu_s=warm.get("include_cpu_s")),
    ]


# ---------------------------------------------------------------------------
# disk cache


DISK_CACHE = r"""
import sys, pathlib
import modelpick
for path in sys.argv[1:]:
    modelpick.load_catalog(path, use_env=False)
"""

USER_FILE = """devices:
- {{id: bench-device-{i}, name: Bench device {i}, kind: cpu}}
"""


def folder_stats(folder: Path) -> dict:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {"bytes": sum(p.stat().st_size for p in files), "files": len(files),
            "catalog_entries": len({p.name.split(".")[0] for p in files if p.name.startswith("catalog-")}),
            "pickle_files": sum(1 for p in files if p.suffix == ".pickle" or b"\x80\x04\x95" == p.read_bytes()[:3])}


def bench_disk_cache(tmp: Path, n_files: int) -> list[dict]:
    cache = tmp / "disk-cache"
    run_timed(["-c", "import modelpick; modelpick.load_catalog()"], base_env(cache))
    one = folder_stats(cache)
    paths = []
    for i in range(n_files):
        p = tmp / f"user-{i}.yaml"
        p.write_text(USER_FILE.format(i=i))
        paths.append(str(p))
    run_timed(["-c", DISK_CACHE, *paths], base_env(cache))
    after = folder_stats(cache)
    bounded = after["catalog_entries"] <= 8 and after["bytes"] <= 512 * MB  # modelpick.catalog._cache's bounds
    return [row(f"cache folder after {n_files} distinct user files", after["bytes"] / MB, "MB", one["bytes"] / MB,
                "the same folder after loading the embedded table once", "bounded, no pickle",
                bounded and after["pickle_files"] == 0, files=after["files"], pickle_files=after["pickle_files"],
                catalog_entries=after["catalog_entries"])]


# ---------------------------------------------------------------------------


ROWS = ("first_run", "module_api", "gunicorn", "rss", "wrk", "typo_404", "estimates", "disk_cache")


def fmt_value(v: float, unit: str) -> str:
    if v != v:
        return "n/a"
    if unit == "s":
        return f"{v:.3f} s" if v < 10 else f"{v:.1f} s"
    if unit == "ms":
        return f"{v:.3f} ms"
    if unit == "MB":
        return f"{v:.1f} MB"
    return f"{v:,.0f} {unit}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(ROWS), help=f"comma-separated rows (default all: {', '.join(ROWS)})")
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per wrk phase (default 5)")
    ap.add_argument("--rss-queries", type=int, default=10_000, help="mixed queries before the RSS reading (default 10,000)")
    ap.add_argument("--check", action="store_true", help="exit 1 unless every goal is met")
    ap.add_argument("-o", "--output", default=str(REPO / "bench" / "out" / "speed.json"))
    args = ap.parse_args(argv)
    only = [r.strip() for r in args.only.split(",") if r.strip()]
    unknown = sorted(set(only) - set(ROWS))
    if unknown:
        ap.error(f"--only: unknown row(s) {', '.join(unknown)}; choose from {', '.join(ROWS)}")
    quick = args.quick
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp_name:
        tmp = Path(tmp_name)
        warm_cache = tmp / "warm"
        run_timed(["-c", "import modelpick; modelpick.load_catalog()"], base_env(warm_cache))
        for name in only:
            t0 = time.perf_counter()
            if name == "first_run":
                rows += bench_first_run(tmp, 1 if quick else 3)
            elif name == "module_api":
                rows += bench_module_api(warm_cache, 50 if quick else 300)
            elif name == "gunicorn":
                rows += bench_gunicorn(tmp, 1 if quick else 2)
            elif name == "rss":
                rows += bench_rss(tmp, warm_cache, 2_000 if quick else args.rss_queries)
            elif name == "wrk":
                rows += bench_wrk(tmp, warm_cache, 2.0 if quick else args.duration, 1 if quick else 3)
            elif name == "typo_404":
                rows += bench_typo(warm_cache, 40 if quick else 200)
            elif name == "estimates":
                rows += bench_estimates(tmp)
            elif name == "disk_cache":
                rows += bench_disk_cache(tmp, 6 if quick else 24)
            print(f"[{name}: {time.perf_counter() - t0:.0f} s]", file=sys.stderr, flush=True)
    print(f"{'row':<78} {'value':>14} {'baseline':>14} {'ratio':>8}  goal / met")
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        base = fmt_value(r["baseline"], r["unit"]) if r["baseline"] is not None else "-"
        met = {True: "met", False: "NOT met", None: "-"}[r["met"]]
        print(f"{r['what']:<78} {fmt_value(r['value'], r['unit']):>14} {base:>14} {ratio:>8}  {r['goal']} / {met}")
        print(f"{'':<4}baseline: {r['baseline_what']}")
        if "cpu_s" in r and r["cpu_s"] is not None:
            print(f"{'':<4}CPU time (user + system): {r['cpu_s']:.3f} s")
        if "cpu_ms_per_request" in r:
            print(f"{'':<4}worker CPU per request: {r['cpu_ms_per_request']:.3f} ms vs `/healthz` "
                  f"{r['healthz_cpu_ms_per_request']:.3f} ms (ratio {r['cpu_ratio']:.2f})")
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cores": os.cpu_count(), "load_avg": os.getloadavg(), "rows": rows}, indent=2,
                              default=str) + "\n")
    print(f"details in {out}")
    return 1 if args.check and not all(r["met"] for r in rows if r["met"] is not None) else 0


if __name__ == "__main__":
    sys.exit(main())
