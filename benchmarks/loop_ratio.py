"""Loop-only PageRank time per iteration: native twin vs builder plans, interleaved.

A developer's probe for the speed targets (the ladder is the reference): it times only the
iterations (no init / setup), wall clock and process CPU time, best and median of --trials,
every plan in every trial in turn. Plans: native, O3 (apply_batch, the default: compiled row
loop measured per State, rank in place), run (the same, one run call), O2 (apply_batch),
O3b (two rank buffers: disable=("in_place",)), O3-chunks / O3-rows / O3-interpreted (that
row loop forced), O3-fresh (a new Program per trial: the row loop measured again, its cost
included), native2 (the twin again: an A/A pair shows the noise floor).

    python3 benchmarks/loop_ratio.py --graphs 'uniform(200k),rmat(18)' --threads 1,2
"""

from __future__ import annotations

import argparse
import time
from typing import Callable, Dict, List

import numpy as np

import stepgraph as sg
from sgbench import graphs as G
from stepgraph.algorithms.pagerank import pagerank_program


def native_loop(g: sg.Graph, iters: int) -> Callable[[], float]:
    """The twin's per-iteration time with its setup subtracted (a 1-iteration call)."""

    def once() -> float:
        t0 = time.perf_counter()
        sg.native.pagerank(g, tol=0.0, max_iter=1, raise_on_failure=False)
        t1 = time.perf_counter()
        sg.native.pagerank(g, tol=0.0, max_iter=iters + 1, raise_on_failure=False)
        t2 = time.perf_counter()
        return ((t2 - t1) - (t1 - t0)) / iters

    return once


def batch_loop(g: sg.Graph, prog: sg.Program, iters: int) -> Callable[[], float]:
    def once() -> float:
        st = prog.init(g)
        prog.apply_batch(st)  # iteration 1 allocates
        t0 = time.perf_counter()
        for _ in range(iters):
            prog.apply_batch(st)
        return (time.perf_counter() - t0) / iters

    return once


def run_loop(g: sg.Graph, prog: sg.Program, iters: int) -> Callable[[], float]:
    def once() -> float:
        st = prog.init(g)
        prog.apply_batch(st)
        t0 = time.perf_counter()
        prog.run(st, max_iter=iters + 1)
        return (time.perf_counter() - t0) / iters

    return once


def fresh_loop(g: sg.Graph, iters: int) -> Callable[[], float]:
    def once() -> float:
        prog = pagerank_program(tol=0.0, max_iter=10**6)  # cached kernel: no compile
        return batch_loop(g, prog, iters)()

    return once


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graphs", default="uniform(200k),rmat(18)")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--trials", type=int, default=9)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--plans", default="native,O3,run,O2")
    a = ap.parse_args()
    plans = a.plans.split(",")
    for name in a.graphs.split(","):
        g = G.spec(name).build()
        for nt in (int(t) for t in a.threads.split(",")):
            sg.set_num_threads(nt)
            fns: Dict[str, Callable[[], float]] = {}
            for p in plans:
                if p.startswith("native"):  # native2, ...: A/A copies show the noise floor
                    fns[p] = native_loop(g, a.iters)
                elif p == "run":
                    fns[p] = run_loop(g, pagerank_program(tol=0.0, max_iter=10**6), a.iters)
                elif p == "O3-fresh":
                    fns[p] = fresh_loop(g, a.iters)
                elif p.startswith("O3-"):
                    prog = pagerank_program(tol=0.0, max_iter=10**6)
                    prog.row_loop = p[3:]
                    fns[p] = batch_loop(g, prog, a.iters)
                elif p == "O3b":
                    fns[p] = batch_loop(g, pagerank_program(tol=0.0, max_iter=10**6, disable=("in_place",)), a.iters)
                else:
                    fns[p] = batch_loop(g, pagerank_program(tol=0.0, max_iter=10**6, opt_level=int(p[1])), a.iters)
            times: Dict[str, List[float]] = {p: [] for p in plans}
            for _ in range(a.trials):
                for p in plans:
                    times[p].append(fns[p]())
            nat = times.get("native")
            cells = []
            for p in plans:
                med, best = float(np.median(times[p])), float(np.min(times[p]))
                rel = (
                    f" ({med / float(np.median(nat)):.3f} / {best / float(np.min(nat)):.3f})"
                    if nat and p != "native"
                    else ""
                )
                cells.append(f"{p} {med * 1e3:.3f}/{best * 1e3:.3f} ms{rel}")
            print(f"{name:14s} t={nt}: " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
