"""Build data/benchmarks.yaml from the public benchmark tables: one adapter per source on one row contract.

Run it as ``python scripts/build_catalog.py --sources ../shared/sources --seeds ../shared/seeds -o data/benchmarks.yaml``.

Inputs: every CSV in --sources (see README-public.md / README-bianco2018.md there), the values stated in the
Bianco et al. 2018 text (--seeds/003_*.txt, checked here against the text), and the reviewed mapping tables
data/aliases.yaml and data/devices_map.yaml. Output: one catalog YAML that validates against
modelpick.schema.CatalogFile, plus a deterministic build log (data/build_log.txt, also printed to stderr).

Rules: numbers are copied from source cells (parsed, never rounded or derived, apart from unit conversions the
schema names, e.g. params/1e6); names not in the alias table are reported as UNMAPPED and kept out; nothing is
guessed.

Rows: each adapter states a measurement as a modelpick.importers.rows.SourceRow (the contract the benchmark-log
importers share), names map through the same alias table (rows.map_model), and rows.to_measurement writes the row.

Layout: cells (parsing), mapping (names -> ids), context (rows and shared state), base (the adapter contract),
adapters/ (one module per source), tables (read or excluded), steps (cross-source steps), architectures and
devices (the derived tables), validate, emit (YAML), report (build log), build (the pipeline), cli.
"""

from .build import build
from .cli import main

__all__ = ["build", "main"]
