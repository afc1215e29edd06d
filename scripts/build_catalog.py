#!/usr/bin/env python3
"""Entry point of the catalog build (the code is the scripts/build_catalog/ package next to this file).

    python scripts/build_catalog.py --sources ../shared/sources --seeds ../shared/seeds -o data/benchmarks.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.build_catalog import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
