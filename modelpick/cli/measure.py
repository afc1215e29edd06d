"""CLI command ``measure``: measure architectures on this machine and write a catalog file for it."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from .toolkit import EXIT_OK, EXIT_USAGE, int_at_least, positive_float, print_json

EXIT_INTERRUPTED = 130


_positive_int = int_at_least(1)
_non_negative_int = int_at_least(0)


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def register(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "measure", parents=parents, help="measure models on this machine and write a catalog file for it",
        description=("Measure architectures on this machine with Bianco et al. 2018's protocol (batch sizes 1-64, "
                     "random input, warm-up then timed runs, per-image ms) and write a catalog file that makes it a "
                     "queryable device: modelpick best --data FILE --device ID. Each model runs in its own process; "
                     "the file is valid after every batch size, and rerunning skips rows already there."),
        epilog=("models: torchvision/timm names (when installed), torchvision:NAME, timm:NAME, package.module:function "
                "factories, or .onnx files; prefix ID= to set the architecture id. --data FILE catalogs resolve names "
                "to their canonical architectures."))
    p.add_argument("--device-id", required=True, help="catalog id for this machine, kebab-case (e.g. my-orin)")
    p.add_argument("--models", "-m", required=True, help="comma-separated models (see below)")
    p.add_argument("--output", "-o", required=True, help="the catalog YAML file to write (resumed when it exists)")
    p.add_argument("--backend", "-b", default="torch", help="measurement backend: torch (default), onnxruntime, or a plugin")
    p.add_argument("--backend-device", "--on", dest="backend_device",
                   help="where the backend runs: cpu (default), cuda, cuda:1, mps; for onnxruntime an execution provider "
                        "(cpu, cuda, tensorrt, openvino, ...)")
    p.add_argument("--batch-sizes", default="1,2,4,8,16,32,64", help="comma-separated batch sizes (default 1,2,4,8,16,32,64)")
    p.add_argument("--precision", help="torch: fp32 (default), fp16, bf16, amp-fp16, amp-bf16; onnxruntime: the file's type")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (compilation happens in warm-up)")
    p.add_argument("--compile-mode", help="torch.compile mode, e.g. max-autotune")
    p.add_argument("--channels-last", action="store_true", help="channels_last memory format (torch)")
    p.add_argument("--threads", type=_positive_int, help="CPU intra-op threads (default: the runtime's default)")
    p.add_argument("--warmup", type=_non_negative_int, default=10, help="warm-up runs per batch size (default 10)")
    p.add_argument("--runs", type=_positive_int, default=10, help="timed runs per batch size (default 10)")
    p.add_argument("--train", action="store_true", help="also time one training step (forward, backward, SGD step)")
    p.add_argument("--input-size", type=_positive_int, help="input height = width (default: the catalog's or the model's)")
    p.add_argument("--backend-option", action="append", type=_key_value, default=[], metavar="KEY=VALUE",
                   help="a plugin/backend-specific option (repeatable)")
    p.add_argument("--device-name", help="display name of the device entry (default: auto-described)")
    p.add_argument("--device-kind", choices=["gpu", "cpu", "npu", "tpu", "soc"], help="device kind (default: auto)")
    p.add_argument("--source-id", help="id of this run's source entry (default: measure.DEVICE.BACKEND....)")
    p.add_argument("--timeout-s", type=positive_float, help="per-model time limit; a model past it is recorded as timeout")
    p.add_argument("--restart", action="store_true", help="replace the output file instead of resuming it")
    p.add_argument("--retry-failed", action="store_true", help="rerun batch sizes recorded as failed (OOM, error, crash)")
    p.add_argument("--no-embedded", action="store_true", help="resolve model names without the embedded table")
    p.add_argument("--force-architecture", action="store_true",
                   help="file a model under the catalog architecture its name resolves to even when its counted params "
                        "or MACs differ from that architecture's by more than 1%% (refused otherwise)")
    p.add_argument("--dry-run", action="store_true", help="list what would run, run nothing")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_measure)


def _print_plan(result: Any) -> None:
    print(f"device {result.device_id}, backend {result.backend}, source {result.source_id} -> {result.output}")
    for pm in result.plan:
        size = f"{pm.input_size}px" if pm.input_size else "input size from the model"
        where = "catalog architecture" if pm.known else "new architecture"
        line = f"  {pm.spec.text:40s} -> {pm.architecture} ({where}, {size})"
        line += f"; run batch {','.join(map(str, pm.to_run))}" if pm.to_run else "; nothing to run"
        if pm.done:
            line += f"; done {','.join(map(str, pm.done))}"
        if pm.failed:
            line += "; failed " + ",".join(f"{bs} ({st})" for bs, st in pm.failed.items())
        print(line)


def cmd_measure(args: argparse.Namespace) -> int:
    from .. import measure

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # a kill stops like Ctrl-C: the worker ends, the file stays valid

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        result = measure.run(
            args.models, device_id=args.device_id, output=args.output, backend=args.backend,
            batch_sizes=args.batch_sizes, device=args.backend_device, precision=args.precision, compile=args.compile,
            compile_mode=args.compile_mode, channels_last=args.channels_last, threads=args.threads,
            warmup=args.warmup, runs=args.runs, train=args.train, input_size=args.input_size,
            backend_options=dict(args.backend_option), data=args.data or [], embedded=not args.no_embedded,
            device_name=args.device_name, device_kind=args.device_kind, source_id=args.source_id,
            restart=args.restart, retry_failed=args.retry_failed, timeout_s=args.timeout_s, dry_run=args.dry_run,
            progress=not args.no_progress and not args.json, force_architecture=args.force_architecture)
    except measure.MeasureInterrupted as exc:
        print(f"modelpick measure: {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    if args.json:
        print_json(result.to_dict())
    elif args.dry_run:
        _print_plan(result)
    else:
        print(f"wrote {result.output}: {result.measured} new row(s), {len(result.failures)} failed or skipped batch "
              f"size(s), {result.skipped_existing} already there", file=sys.stderr)
        for f in result.failures:
            print(f"  {f['architecture']} batch {f['batch_size']}: {f['status']}: {f['reason'][:200]}", file=sys.stderr)
        for m in result.models_failed:
            print(f"  not measured: {m}", file=sys.stderr)
        print(f"query it: modelpick best --data {result.output} --device {result.device_id}", file=sys.stderr)
    return EXIT_USAGE if result.models_failed and not result.measured and not result.skipped_existing else EXIT_OK
