"""The ``modelpick`` command line: the parser, the entry point ``main`` and its exit codes.

Exit codes: 0 an answer, 2 bad usage or input (including invalid catalog files),
3 no feasible model, 1 an unexpected internal error.

Each command group is one module with ``register(subparsers, parents)``: the core groups
(``recommend``, ``data``) always load; the others load only when the command line needs them,
which keeps a cold ``modelpick best`` fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from typing import Callable, Sequence

from ..errors import CatalogWarning
from .toolkit import EXIT_ERROR, EXIT_INFEASIBLE, EXIT_OK, EXIT_USAGE, print_json

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_INFEASIBLE"]

#: Command groups every invocation loads (their modules import no heavy library module at import time).
_CORE_MODULES: list[str] = ["modelpick.cli.recommend", "modelpick.cli.data"]
#: Command groups loaded only when the command is not a core one.
_COMMAND_MODULES: list[str] = ["modelpick.cli.frontiers", "modelpick.cli.measure", "modelpick.cli.predict",
                                "modelpick.cli.imports"]
_CORE_COMMANDS = frozenset({"best", "recommend", "devices", "models", "show", "export", "validate"})


class _Parser(argparse.ArgumentParser):
    """No prefix matching (``--max-mem 1`` is not silently ``--max-mem-gb``); an unknown option is an error
    that suggests the close ones."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        parsed, extra = super().parse_known_args(args, namespace)
        unknown = [a.split("=", 1)[0] for a in extra if a.startswith("-") and len(a) > 1]
        if unknown:
            import difflib

            options = sorted(o for o in self._option_string_actions if o.startswith("--"))
            hints = []
            for flag in unknown:
                close = [o for o in options if o.startswith(flag)] or difflib.get_close_matches(flag, options, n=3)
                if close:
                    hints.append(f"{flag}: did you mean {' or '.join(close[:3])}?")
            if hints:
                self.error(f"unrecognized arguments: {' '.join(extra)} ({'; '.join(hints)})")
        return parsed, extra


def _print_note(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning as the command line's one-line note: no library path, no source line."""
    text = " ".join(str(message).split())
    if not issubclass(category, CatalogWarning):
        text = f"{category.__name__}: {text}"
    print(f"modelpick: note: {text}", file=sys.stderr)


def build_parser(*, with_plugins: bool = True) -> argparse.ArgumentParser:
    from .._version import __version__

    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("--data", action="append", metavar="FILE",
                        help="extra catalog YAML file to merge (repeatable; also MODELPICK_DATA)")
    common.add_argument("--json", action="store_true", help="machine-readable JSON output")

    parser = _Parser(
        prog="modelpick",
        description="Pick the most accurate pretrained image classifier that fits a device's memory and speed limits.",
        epilog="exit codes: 0 answer, 2 bad usage or input, 3 no feasible model",
    )
    parser.add_argument("--version", action="version", version=f"modelpick {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    for module_name in _CORE_MODULES + (_COMMAND_MODULES if with_plugins else []):
        importlib.import_module(module_name).register(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (``argv``: the arguments; None: this process's own, ``sys.argv[1:]``)."""
    code = _main(argv)
    if argv is None:
        # The process exits next (console script, python -m modelpick): move what it holds out of the collector's
        # reach, or its final collection walks every object of a first catalog load (~1M: about 0.2 s of CPU). The
        # objects are still freed as the interpreter tears down; only cycles among them stay uncollected.
        import gc

        gc.freeze()
    return code


def _main(argv: Sequence[str] | None) -> int:
    from ..errors import CatalogError, InvalidQuery, ModelpickError, NoFeasibleModel

    argv = list(sys.argv[1:] if argv is None else argv)
    # A core command does not need the other commands' modules: skipping them keeps a cold `best` fast.
    parser = build_parser(with_plugins=not (argv and argv[0] in _CORE_COMMANDS))
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    want_json = getattr(args, "json", False)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _print_note
            return func(args)
    except NoFeasibleModel as exc:
        if want_json:
            print_json({"error": "no-feasible-model", "detail": str(exc), "diagnosis": exc.diagnosis})
        print(f"modelpick: no feasible model: {exc}", file=sys.stderr)
        coverage = exc.diagnosis.get("coverage") if isinstance(exc.diagnosis, dict) else None
        if coverage:
            print(f"modelpick: {coverage['text']}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except InvalidQuery as exc:
        if want_json:
            print_json({"error": "invalid-query", "detail": str(exc), **exc.to_dict()})
        print(f"modelpick: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogError as exc:
        if want_json:
            print_json({"error": "invalid-catalog", "detail": str(exc), "errors": exc.errors})
        print(f"modelpick: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ModelpickError as exc:
        print(f"modelpick: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a file the command line names cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        if want_json:
            print_json({"error": "os-error", "detail": f"{where}{exc.strerror or exc}"})
        print(f"modelpick: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
