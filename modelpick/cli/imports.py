"""CLI command ``import``: benchmark-tool outputs (benchncnn, trtexec, ...) -> a catalog file for one device."""

from __future__ import annotations

import argparse
import sys

from .toolkit import int_at_least, print_json

_FORMATS = ("benchncnn", "tflite-benchmark", "openvino-benchmark-app", "trtexec", "onnxruntime-perf-test",
            "timm-benchmark", "aihub-perf")  # the keys of modelpick.importers.api.FORMATS (a test keeps them equal)


def cmd_import(args: argparse.Namespace) -> int:
    from ..importers.api import import_results

    result = import_results(
        args.format, args.files, device_id=args.device_id, device_name=args.device_name, kind=args.kind,
        architecture=args.architecture, input_size=args.input_size, precision=args.precision,
        source_title=args.source_title, source_device=args.source_device, output=args.output, append=args.append,
        data=args.data or [])
    if args.json:
        print_json({"output": str(result.output), "source": result.source_id, "added": result.added,
                    "duplicates": result.duplicates, "tasks": result.tasks, "kept_out": result.kept_out,
                    "notes": result.notes})
    else:
        print(result.summary(), file=sys.stderr if args.output is None else sys.stdout)
    return 0


def register(sub, parents) -> None:
    p = sub.add_parser("import", parents=parents,
                       help="turn benchmark-tool output (benchncnn, TFLite benchmark_model, trtexec, ...) into a "
                            "catalog file for --data")
    p.add_argument("format", choices=_FORMATS, help="the tool whose output FILE holds")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--device-id", required=True, help="kebab-case id of the device the outputs were measured on")
    p.add_argument("--device-name", help="display name (default: the id)")
    p.add_argument("--kind", choices=("soc", "cpu", "gpu", "npu", "tpu"), help="device kind (default soc)")
    p.add_argument("--architecture", help="catalog architecture of a single-model log (overrides the alias table)")
    p.add_argument("--input-size", type=int_at_least(1), help="input size where the output does not state it")
    p.add_argument("--precision", help="precision where the output does not state it (fp32, fp16, int8, ...)")
    p.add_argument("--source-title", help="title of the source entry")
    p.add_argument("--source-device", help="for files with several devices (AI Hub perf.yaml): the one to import")
    p.add_argument("-o", "--output", required=True, help="catalog YAML file to write (atomically); an existing file needs --append")
    p.add_argument("--append", action="store_true", help="add to OUTPUT instead of replacing it; rows already "
                   "present are not duplicated")
    p.set_defaults(func=cmd_import)
