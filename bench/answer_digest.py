"""Digest of the service's uncached ``/recommend`` answers over a never-repeating query mix.

``python bench/answer_digest.py -o OUT.json [--n 3000]`` writes, per query of bench_speed.py's wrk mix (plus
include_suspect / strict / runtime variants) and a detection mix (``task=detection`` over the devices with the most
detection candidates, with FPS, memory, latency, score, objective and throughput-mode limits), the status, the
headers (``Date`` left out) and a sha256 of the body.
Run it on two versions of the code and compare the files: a speed-up of the answer path must leave every byte of
every answer unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from modelpick._fileio import write_atomic  # noqa: E402


def queries(devices: list[dict], n: int) -> list[str]:
    from bench_speed import mix_path

    out = []
    for i in range(1, n + 1):
        p = mix_path(devices, i)
        variant = (i // 7) % 5
        if variant == 1:
            p += "&include_suspect=true"
        elif variant == 2:
            p += "&strict=true"
        elif variant == 3:
            p += "&objective=memory" if "objective" not in p else "&limit=3"
        elif variant == 4 and "batch_size" not in p:
            p += "&batch_size=best"
        out.append(p)
    return out


def detection_devices(catalog, n: int = 10) -> list[dict]:
    """Per device with detection candidates (most first), limit ranges inside which most queries have an answer."""
    import numpy as np

    cols = catalog.columns
    det = cols["task"] == catalog._code["task"]["detection"]
    codes, counts = np.unique(cols["device"][det], return_counts=True)
    out = []
    for code in codes[np.argsort(-counts, kind="stable")][:n]:
        sel = det & (cols["device"] == code)
        mem = cols["memory_mb"][sel]
        mem = mem[~np.isnan(mem)]
        out.append({"id": catalog.decode("device", int(code)), "fps": float(np.quantile(cols["fps"][sel], 0.9)),
                    "score": float(np.nanquantile(cols["score"][sel], 0.9)),
                    "mem_hi": float(mem.max()) / 1024 * 1.01 if len(mem) else 64.0,
                    "lat_hi": float(cols["latency_ms"][sel].max())})
    return out


def detection_queries(devices: list[dict], n: int) -> list[str]:
    out = []
    for i in range(1, n + 1):
        d = devices[i % len(devices)]
        u = ((i * 7919) % 1_000_003) / 1_000_003
        s = (i // len(devices)) % 6
        p = f"/recommend?device={d['id']}&task=detection"
        if s == 0:
            p += f"&min_fps={d['fps'] * u:.7f}"
        elif s == 1:
            p += f"&max_mem_gb={d['mem_hi'] * (0.2 + 0.8 * u):.7f}"
        elif s == 2:
            p += f"&min_score={d['score'] * u:.7f}&limit=3"
        elif s == 3:
            p += f"&objective=fps&min_score={d['score'] * u:.7f}"
        elif s == 4:
            p += f"&max_latency_ms={d['lat_hi'] * (0.1 + u):.7f}&batch_size=best"
        else:
            p += f"&min_fps={d['fps'] * u * 0.5:.7f}&include_suspect=true&limit=5"
        out.append(p)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--n-detection", type=int, default=1000)
    ap.add_argument("--data", type=Path, default=None,
                    help="table to load instead of the embedded one (give both runs the same file: the catalog "
                         "hash, in every answer and ETag, depends on where the table lies)")
    ap.add_argument("--picks", type=Path, default=None,
                    help="also write, per query, the status and the answers picked (checkpoint, runtime, precision, "
                         "batch size) or the error's title: compare two such files to count the answers a change "
                         "alters, whatever the catalog version in the bodies")
    ap.add_argument("--fixed-code-hash", action="store_true",
                    help="leave the code out of the catalog digest (it hashes catalog/, schema.py ... so that a cache "
                         "never outlives the code that built it): two versions of the code that build the same table "
                         "then give the same catalog version, hash and ETags. Needs MODELPICK_CACHE=0")
    args = ap.parse_args(argv)
    import modelpick
    if args.fixed_code_hash:
        import os

        from modelpick.catalog import _load

        if os.environ.get("MODELPICK_CACHE") != "0":
            raise SystemExit("--fixed-code-hash needs MODELPICK_CACHE=0 (a cached table of other code must not be read)")
        _load.code_fingerprint = lambda: b"answer-digest"
    from bench_speed import mix_devices
    from service import create_app

    cat = (modelpick.load_catalog(args.data, embedded=False, use_env=False) if args.data
           else modelpick.load_catalog(use_env=False))
    client = create_app({"MODELPICK_CATALOG": cat, "MODELPICK_ANSWER_CACHE_MB": 0}).test_client()
    out, picks = {}, {}
    paths = queries(mix_devices(cat), args.n) + detection_queries(detection_devices(cat), args.n_detection)
    for p in paths:
        resp = client.get(p)
        headers = sorted((k, v) for k, v in resp.headers.items() if k != "Date")
        out[p] = [resp.status_code, headers, hashlib.sha256(resp.get_data()).hexdigest()]
        if args.picks:
            body = resp.get_json(silent=True) or {}
            rows = [body["best"], *body["alternatives"]] if body.get("best") else []
            picks[p] = [resp.status_code, [[r["checkpoint"], r["runtime"], r["precision"], r["batch_size"]]
                                           for r in rows] or body.get("detail")]
    write_atomic(args.output, json.dumps(out, indent=0))
    if args.picks:
        write_atomic(args.picks, json.dumps(picks, indent=0))
    for label, keep in (("classification", lambda p: "task=detection" not in p), ("detection", lambda p: "task=detection" in p)):
        statuses = [v[0] for p, v in out.items() if keep(p)]
        print(f"{len(statuses)} {label} queries: " + ", ".join(f"{s}: {statuses.count(s)}" for s in sorted(set(statuses))))
    total = hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest()
    print(f"digest of every answer: {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
