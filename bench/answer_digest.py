"""Digest of the service's uncached ``/recommend`` answers over a never-repeating query mix.

``python bench/answer_digest.py -o OUT.json [--n 3000]`` writes, per query of bench_speed.py's wrk mix (plus
include_suspect / strict / runtime variants), the status, the headers (``Date`` left out) and a sha256 of the body.
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--data", type=Path, default=None,
                    help="table to load instead of the embedded one (give both runs the same file: the catalog "
                         "hash, in every answer and ETag, depends on where the table lies)")
    args = ap.parse_args(argv)
    import modelpick
    from bench_speed import mix_devices
    from service import create_app

    cat = (modelpick.load_catalog(args.data, embedded=False, use_env=False) if args.data
           else modelpick.load_catalog(use_env=False))
    client = create_app({"MODELPICK_CATALOG": cat, "MODELPICK_ANSWER_CACHE_MB": 0}).test_client()
    out = {}
    for p in queries(mix_devices(cat), args.n):
        resp = client.get(p)
        headers = sorted((k, v) for k, v in resp.headers.items() if k != "Date")
        out[p] = [resp.status_code, headers, hashlib.sha256(resp.get_data()).hexdigest()]
    args.output.write_text(json.dumps(out, indent=0))
    statuses = [v[0] for v in out.values()]
    print(f"{len(out)} queries: " + ", ".join(f"{s}: {statuses.count(s)}" for s in sorted(set(statuses))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
