"""CLI commands that answer a query: ``best`` and ``recommend``."""

from __future__ import annotations

import argparse

from .toolkit import (EXIT_OK, add_query_options, answer_json, catalog_from_args, format_recommendation,
                      format_table, print_json, query_kwargs)


def cmd_best(args: argparse.Namespace, limit: int = 1) -> int:
    cat = catalog_from_args(args)
    per_architecture = getattr(args, "per_architecture", False)
    query = cat.query(args.device, **query_kwargs(args), limit=limit, per_architecture=per_architecture)
    recs = cat.solve(query)
    if args.json:
        print_json(answer_json(cat, recs, query))
    elif limit == 1:
        print(format_recommendation(recs[0], args.device))
    else:
        top = recs[0]
        print(f"device {top.device}" + (f" (resolved from {args.device!r})" if args.device != top.device else "")
              + f"; catalog {cat.version}")
        print(format_table(recs))
        for reason in top.why:
            print(f"why: {reason}")
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace) -> int:
    return cmd_best(args, limit=args.limit)


def _add_memory_bound(p: argparse.ArgumentParser) -> None:
    p.add_argument("--memory-bound", choices=["high", "point"], default="high",
                   help="which end of an estimated memory --max-mem-gb is checked against: high (default; the "
                        "interval's conservative end, chosen from bench/eval_memory.py) or point (the estimate)")


def register(sub, parents) -> None:
    p = sub.add_parser("best", parents=parents, help="the single best model for the constraints")
    add_query_options(p)
    _add_memory_bound(p)
    p.set_defaults(func=cmd_best)

    p = sub.add_parser("recommend", parents=parents,
                       help="a ranked list, one row per architecture (--all-checkpoints: one per checkpoint)")
    add_query_options(p)
    _add_memory_bound(p)
    p.add_argument("--limit", type=int, default=10, help="number of answers (default 10)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--per-architecture", dest="per_architecture", action="store_true", default=True,
                       help="one row per architecture, its best checkpoint (default): real alternatives")
    group.add_argument("--all-checkpoints", dest="per_architecture", action="store_false",
                       help="one row per checkpoint: every source's checkpoints of the same network")
    p.set_defaults(func=cmd_recommend)
