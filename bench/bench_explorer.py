#!/usr/bin/env python3
"""Cold load of the explorer page: bytes transferred and time to the first answer, in Debian's chromium.

    python bench/bench_explorer.py                # 5 cold loads per page, ~1 minute with the server's start
    python bench/bench_explorer.py --rounds 3 --check

Starts the README's production command (``gunicorn -c service/gunicorn.conf.py "service:create_app()"``) on a
free loopback port with the embedded table, then for each page URL opens it ``--rounds`` times in a fresh browser
context (empty cache: a cold load) and reads from the browser's own Performance API:

* bytes: every transfer of the load (the page, its files, the data), ``transferSize`` (headers + encoded body);
* first answer: when the answer card or the diagnosis is on screen (the page's ``modelpick-first-answer`` mark),
  from the start of navigation.

Same-run baseline: the ``/candidates`` request the page makes, timed with ``requests`` from Python (warm server
cache not used: each round's query string is new to the server), so the page's own cost is the ratio. Target:
a cold load transfers < 300 KB (``--check`` exits 1 otherwise). Times vary with the machine; the ratio less so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from test_service_gunicorn import gunicorn  # noqa: E402  (the tests' server harness: always stopped)

PAGES = {
    "jetson, 1 GB, 30 FPS": "device=jetson&max_mem_gb=1&min_fps=30",
    "rtx-4090 best batch (1697 points)": "device=rtx-4090&batch_size=best&max_mem_gb=4",
}
LIMIT_BYTES = 300 * 1024
CHROMIUM = os.environ.get("MODELPICK_CHROMIUM", "/usr/bin/chromium")

MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const mark = performance.getEntriesByName('modelpick-first-answer')[0];
  return {bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0), requests: 1 + res.length,
          first_answer_ms: mark ? mark.startTime : null};
}"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--check", action="store_true", help="exit 1 if a cold load transfers 300 KB or more")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    log = Path(os.environ.get("TMPDIR", "/tmp")) / "bench_explorer_gunicorn.log"
    failed = False
    with gunicorn({"MODELPICK_EMBEDDED": "1"}, log, workers=1) as (base, _proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox"] if os.geteuid() == 0 else [])
        print(f"{'page':<36} {'KB':>7} {'reqs':>5} {'first answer ms':>16} {'/candidates ms':>15} {'ratio':>6}")
        for name, query in PAGES.items():
            kb, firsts, direct, reqs = [], [], [], 0
            for i in range(args.rounds):
                # a query no cache has seen, with the same answers (a parameter limit nothing reaches)
                fresh = f"{query}&max_params_m={100_000 + i}"
                t = time.perf_counter()
                requests.get(f"{base}/candidates?{fresh}", headers={"Accept-Encoding": "gzip"}, timeout=60)
                direct.append((time.perf_counter() - t) * 1000)
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(f"{base}/?{query}&max_params_m={200_000 + i}")
                page.wait_for_selector("[data-testid=best-checkpoint], [data-testid=diagnosis]", timeout=60_000)
                page.wait_for_load_state("networkidle")
                m = page.evaluate(MEASURE)
                context.close()
                kb.append(m["bytes"] / 1024)
                firsts.append(m["first_answer_ms"])
                reqs = m["requests"]
            worst = max(kb)
            failed |= worst * 1024 >= LIMIT_BYTES
            med_first, med_direct = statistics.median(firsts), statistics.median(direct)
            print(f"{name:<36} {worst:>7.1f} {reqs:>5} {med_first:>16.0f} {med_direct:>15.0f} "
                  f"{med_first / med_direct:>6.1f}")
        browser.close()
    print(f"(KB: the largest of {args.rounds} cold loads; times: medians; limit {LIMIT_BYTES // 1024} KB)")
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
