"""Command line of the build: parse arguments, build, re-validate the text, write catalog and log atomically."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


from modelpick._fileio import write_atomic
from modelpick.catalog import parse_json_lines
from modelpick.catalog._merge import merge_files
from modelpick.catalog._trusted import CERTIFICATE_NAME, certificate_text
from modelpick.schema import CatalogFile

from .build import build

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build data/benchmarks.yaml from the public benchmark tables.")
    ap.add_argument("--sources", type=Path, required=True)
    ap.add_argument("--seeds", type=Path, required=True)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--log", type=Path, default=None, help="build log path (default: build_log.txt next to the output)")
    ap.add_argument("--data-dir", type=Path, default=REPO / "data", help="folder holding aliases.yaml and devices_map.yaml")
    ap.add_argument("--fit", type=Path, default=None,
                    help="fitted predictor written for the table (default: predict_fit.npz next to the output; see "
                         "modelpick.predict.shipped)")
    ap.add_argument("--no-fit", action="store_true", help="write the table only, not its fitted predictor")
    args = ap.parse_args(argv)
    text, log = build(args.sources, args.seeds, args.data_dir)
    # re-validate what will be written, read the way modelpick reads it (the JSON-lines subset of YAML)
    doc = parse_json_lines(text)
    if doc is None:
        raise SystemExit("internal error: the rendered catalog left the JSON-lines subset of YAML")
    validated = CatalogFile.model_validate(doc)
    # ... and merged alone with every check (references, repeated rows): only then is its sha256 certified, which
    # lets a load of this table read its rows without re-validating them (modelpick.catalog._trusted)
    merge_files([(args.output, validated)], "")
    write_atomic(args.output, text)
    write_atomic(args.output.parent / CERTIFICATE_NAME, certificate_text(text.encode("utf-8")))
    write_atomic(args.log or args.output.parent / "build_log.txt", log)
    if not args.no_fit:
        from modelpick.predict.shipped import write_shipped

        write_shipped(args.output, args.fit)  # the first estimates="include" loads it instead of fitting
    sys.stderr.write(log)
    return 0
