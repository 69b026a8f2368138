"""``stepgraph explain ALGORITHM``: the plan the optimizer makes for one algorithm."""

from __future__ import annotations

import argparse
from typing import Any

from stepgraph.cli._common import EXIT_OK
from stepgraph.cli.run import discover


def add_parser(sub: Any) -> None:
    algos = discover()
    p = sub.add_parser(
        "explain",
        help="print an algorithm's plan (prologue, kernels, fused ops, buffers)",
        description="Build ALGORITHM's program and print its plan (Program.explain).",
    )
    p.add_argument("algorithm", choices=sorted(algos), metavar="ALGORITHM", help=", ".join(sorted(algos)))
    p.add_argument("--opt-level", type=int, choices=(0, 1, 2, 3), default=3, help="optimization level (default 3)")
    p.add_argument("--exact", action="store_true", help="no FMA contraction: bitwise the native twin's arithmetic")
    p.add_argument("--passes", action="store_true", help="also what each optimizer pass changed, and its IR")
    p.add_argument("--dot", action="store_true", help="print the plan as Graphviz DOT instead")
    p.set_defaults(verb=main)


def main(args: argparse.Namespace) -> int:
    alg = discover()[args.algorithm]
    assert alg.program is not None
    prog = alg.program(opt_level=args.opt_level, exact=args.exact)
    print(prog.to_dot() if args.dot else prog.explain(passes=args.passes), end="")
    return EXIT_OK
