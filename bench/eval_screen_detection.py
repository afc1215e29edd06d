"""How often the suspect screen (modelpick.screen) catches a broken detector row: each of ``--n`` seeded-random
detector rows with a latency is made ``--factor`` times too fast, alone, and screened against the embedded table.

Run:  python bench/eval_screen_detection.py [--n 30] [--factor 30]   (about 15 s per row)
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from modelpick import load_catalog  # noqa: E402
from modelpick.catalog._screen import arch_infos  # noqa: E402
from modelpick.screen import per_image_latency_ms, screen_rows  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--factor", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    table = load_catalog(use_env=False)._m
    rows = [{k: v for k, v in m.items() if k != "suspect"} for m in table.measurements]
    archs, kinds = arch_infos(table), {d.id: d.kind for d in table.devices.values()}
    detectors = {a for a, arch in table.architectures.items() if arch.task == "detection"}
    pool = [i for i, m in enumerate(rows) if m["architecture"] in detectors and per_image_latency_ms(m)]
    print(f"{len(pool)} detector rows with a latency; {sum(1 for m in table.measurements if m.get('suspect') and m['architecture'] in detectors)} "
          "are suspects in the table")
    hits: Counter = Counter()
    for i in random.Random(args.seed).sample(pool, args.n):
        broken = dict(rows[i])
        for key in ("latency_ms", "batch_latency_ms"):
            if broken.get(key):
                broken[key] = broken[key] / args.factor
        if broken.get("fps"):
            broken["fps"] = broken["fps"] * args.factor
        got = screen_rows([*rows[:i], broken, *rows[i + 1:]], archs, kinds, judge=[i]).get(i)
        test = "rate" if got and got.startswith("implausibly fast") else "run" if got else "missed"
        hits[test] += 1
        m = rows[i]
        print(f"  {test:6s} {m['source']} {m['device']} {m['architecture']} {m['runtime']} {m['precision']}")
    print(f"flagged {hits['run'] + hits['rate']} of {args.n} ({hits['run']} by the run test, {hits['rate']} by the "
          f"device-rate test), missed {hits['missed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
