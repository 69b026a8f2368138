"""``stepgraph bench``: the benchmark ladder's quick form (benchmarks/ladder.py --quick) in seconds.

PageRank with a fixed number of iterations (tol=0) on small embedded graphs, each execution mode
timed in interleaved trials (the native twin, ``run`` at O3, ``apply_batch`` at O3..O0,
``apply_step`` at O0), ms per iteration with setup included (the twin cannot be timed without its
own), the median's ratio to the twin, and a check that every mode's ranks agree with the twin's.
Timings on tiny graphs are noise-prone; the full ladder (benchmarks/ladder.py) judges speed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from typing import Any, Callable, Dict, List, Tuple

import numpy as np

import stepgraph as sg
from stepgraph.cli._common import EXIT_ERROR, EXIT_OK, UsageError

DEFAULT_GRAPHS = "uniform(1k),uniform(5k),rmat(10)"
_SEED = 1
_AGREE = 1e-12  # the builder at its default FMA contraction is within this of the twin

Runner = Callable[[], np.ndarray]


def graph(name: str) -> sg.Graph:
    """``uniform(5k)``: G(n, 10 n); ``rmat(10)``: 2^10 nodes, edge factor 16 (the ladder's graphs)."""
    m = re.fullmatch(r"uniform\((\d+)([kM]?)\)", name)
    if m:
        n = int(m.group(1)) * {"": 1, "k": 1000, "M": 1000000}[m.group(2)]
        return sg.generators.uniform(n, 10 * n, seed=_SEED)
    m = re.fullmatch(r"rmat\((\d+)\)", name)
    if m:
        return sg.generators.rmat(int(m.group(1)), edge_factor=16, seed=_SEED)
    raise UsageError(f"unknown graph {name!r}: expected uniform(<n>[k|M]) or rmat(<scale>)")


def _modes(g: sg.Graph, iters: int) -> Dict[str, Runner]:
    def native() -> np.ndarray:
        return sg.native.pagerank(g, tol=0.0, max_iter=iters, raise_on_failure=False).values

    def run(prog: sg.Program) -> Runner:
        return lambda: prog.run(g, max_iter=iters, tol=0.0)["rank"]

    def batch(prog: sg.Program) -> Runner:
        def go() -> np.ndarray:
            state = prog.init(g)
            for _ in range(iters):
                prog.apply_batch(state)  # one native call = one iteration
            return np.array(state["rank"])

        return go

    def step(prog: sg.Program) -> Runner:
        def go() -> np.ndarray:
            state = prog.init(g)
            for _ in range(iters):
                for i in range(prog.num_steps):
                    prog.apply_step(state, i)  # one native call per step
            return np.array(state["rank"])

        return go

    progs = {lvl: sg.algorithms.pagerank_program(tol=0.0, max_iter=iters, opt_level=lvl) for lvl in (0, 1, 2, 3)}
    modes: Dict[str, Runner] = {"native twin": native, "run O3": run(progs[3])}
    for lvl in (3, 2, 1, 0):
        modes[f"apply_batch O{lvl}"] = batch(progs[lvl])
    modes["apply_step O0"] = step(progs[0])
    return modes


def measure(g: sg.Graph, iters: int, trials: int) -> Tuple[Dict[str, List[float]], Dict[str, float]]:
    """Seconds per iteration of each mode, trials interleaved; each mode's max |ranks - twin's|."""
    modes = _modes(g, iters)
    ref = modes["native twin"]()
    diffs = {name: float(np.max(np.abs(fn() - ref), initial=0.0)) for name, fn in modes.items()}  # warm-up too
    times: Dict[str, List[float]] = {name: [] for name in modes}
    for _ in range(trials):
        for name, fn in modes.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) / max(iters, 1))
    return times, diffs


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="a quick benchmark: builder PageRank modes vs the native twin on small graphs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--graphs", default=DEFAULT_GRAPHS, help=f"comma-separated (default {DEFAULT_GRAPHS})")
    p.add_argument("--iters", type=int, default=5, help="PageRank iterations per run (default 5)")
    p.add_argument("--trials", type=int, default=3, help="timed trials per mode (default 3)")
    p.add_argument("--threads", type=int, metavar="N", help="worker threads (default: all cores)")
    p.set_defaults(verb=main)


def main(args: argparse.Namespace) -> int:
    if args.iters < 1 or args.trials < 1:
        raise UsageError(f"--iters and --trials must be >= 1, got {args.iters} and {args.trials}")
    if args.threads is not None and args.threads < 1:
        raise UsageError(f"--threads must be >= 1, got {args.threads}")
    names = [s.strip() for s in args.graphs.split(",") if s.strip()]
    graphs = [(name, graph(name)) for name in names]  # every name checked before any timing
    worst = 0.0
    with sg.num_threads(args.threads or sg.get_num_threads()):
        print(f"PageRank, {args.iters} iterations (tol=0), median of {args.trials}, {sg.get_num_threads()} thread(s)")
        for name, g in graphs:
            times, diffs = measure(g, args.iters, args.trials)
            base = statistics.median(times["native twin"])
            print(f"\n{name}: {g.num_nodes:,} nodes, {g.num_edges:,} edges")
            print(f"  {'mode':<16} {'ms/iteration':>12} {'/ native':>9} {'max |diff|':>11}")
            for mode, ts in times.items():
                med = statistics.median(ts)
                print(f"  {mode:<16} {med * 1e3:>12.4f} {med / base:>9.2f} {diffs[mode]:>11.2g}")
            worst = max(worst, *diffs.values())
    if worst > _AGREE:
        print(f"\nFAIL: a mode's ranks differ from the native twin's by {worst:.3g} (> {_AGREE:g})")
        return EXIT_ERROR
    print(f"\nevery mode agrees with the native twin within {_AGREE:g}")
    return EXIT_OK
