"""``stepgraph demo``: builder PageRank by apply_batch next to the native twin: agreement, timing, plan."""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import numpy as np

import stepgraph as sg
from stepgraph.cli._common import EXIT_ERROR, EXIT_OK


def add_parser(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="builder vs native PageRank on an RMAT graph: agreement, timing, plan",
        description="Builder PageRank (one apply_batch call per iteration) next to the native twin on an RMAT graph.",
    )
    demo.add_argument("--scale", type=int, default=18, help="2^SCALE nodes (default 18)")
    demo.add_argument("--edge-factor", type=int, default=16, help="edges per node (default 16)")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--alpha", type=float, default=0.85)
    demo.add_argument("--tol", type=float, default=1e-6)
    demo.add_argument("--trials", type=int, default=3, help="timed runs, the best is shown (default 3)")
    demo.add_argument("--top", type=int, default=10, help="nodes listed by rank (default 10)")
    demo.set_defaults(verb=main)


def _timed(fn: Callable[[], Any], trials: int) -> float:
    best = float("inf")
    for _ in range(trials):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    g = sg.generators.rmat(args.scale, edge_factor=args.edge_factor, seed=args.seed)
    print(
        f"graph    rmat(scale={args.scale}, edge_factor={args.edge_factor}, seed={args.seed}): "
        f"{g.num_nodes:,} nodes, {g.num_edges:,} edges, built in {(time.perf_counter() - t0) * 1e3:.0f} ms"
    )

    ref = sg.native.pagerank(g, alpha=args.alpha, tol=args.tol)
    native_s = _timed(lambda: sg.native.pagerank(g, alpha=args.alpha, tol=args.tol), args.trials)

    prog = sg.algorithms.pagerank_program(alpha=args.alpha, tol=args.tol)
    limit = prog.max_iter or 0
    state = None

    def builder_run() -> None:
        nonlocal state
        state = prog.init(g)
        for _ in range(limit):
            prog.apply_batch(state)  # one native call = one whole iteration
            if state.converged:
                break

    builder_s = _timed(builder_run, args.trials)
    assert state is not None
    ranks = state["rank"]
    diff = float(np.abs(ranks - ref.values).max()) if g.num_nodes else 0.0
    calls = state.stats["native_calls"] / max(state.iteration, 1)
    print(f"native   pagerank: {ref.iterations} iterations, {native_s * 1e3 / max(ref.iterations, 1):.3f} ms/iteration")
    print(
        f"builder  apply_batch: {state.iteration} iterations, {builder_s * 1e3 / max(state.iteration, 1):.3f} "
        f"ms/iteration (init included), {calls:g} native call(s)/iteration, {prog.num_steps} steps/iteration"
    )
    print(f"         max |builder - native| = {diff:.3g}   (best of {args.trials}, {sg.get_num_threads()} threads)")
    top = np.argsort(-ranks, kind="stable")[: args.top]
    indeg = g.in_degree()
    print(f"top {len(top)} nodes by rank:")
    for i, v in enumerate(top, 1):
        print(f"  {i:2d}. node {int(v):>9d}  rank {ranks[v]:.6e}  in-degree {int(indeg[v])}")
    print("\nthe plan:")
    print(prog.explain())
    return EXIT_OK if diff <= 1e-12 else EXIT_ERROR
