#!/usr/bin/env python3
"""Native PageRank ms/iteration vs a scipy CSR power iteration, same graphs, same run.

Per graph: both run a fixed number of iterations (tol=0, so neither stops early),
trials interleaved, best and median of N reported, and the ratio scipy / native.
Verdict: native must be >= 2.5x faster per iteration (issue #2).

    python3 benchmarks/native_vs_scipy.py [--trials 7] [--iters 20] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np
import scipy.sparse as sp

import stepgraph as sg

TARGET = 2.5


def scipy_pagerank_setup(g: sg.Graph):
    """What a careful scipy user would precompute: the row-normalized transpose as CSR."""
    A = g.to_scipy()
    out_w = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros_like(out_w)
    nz = out_w != 0
    inv[nz] = 1.0 / out_w[nz]
    AT = (sp.diags(inv) @ A).T.tocsr()
    dangling = np.flatnonzero(~nz)
    return AT, dangling


def scipy_pagerank(AT, dangling, n: int, iters: int, alpha: float = 0.85) -> np.ndarray:
    x = np.full(n, 1.0 / n)
    teleport = (1.0 - alpha) / n
    for _ in range(iters):
        y = AT @ x
        y *= alpha
        y += alpha * x[dangling].sum() / n + teleport
        err = np.abs(y - x).sum()  # the convergence check every real loop makes
        x = y
    del err
    return x


def bench_graph(name: str, g: sg.Graph, trials: int, iters: int) -> dict:
    AT, dangling = scipy_pagerank_setup(g)
    n = g.num_nodes
    native_t, scipy_t = [], []
    x_native = x_scipy = None
    for _ in range(trials):  # interleaved so drift on a shared machine hits both alike
        t0 = time.perf_counter()
        res = sg.native.pagerank(g, tol=0.0, max_iter=iters, raise_on_failure=False)
        native_t.append((time.perf_counter() - t0) / iters)
        x_native = res.values
        t0 = time.perf_counter()
        x_scipy = scipy_pagerank(AT, dangling, n, iters)
        scipy_t.append((time.perf_counter() - t0) / iters)
    diff = float(np.abs(x_native - x_scipy).max())
    m = g._native.nnz(True)
    bytes_per_iter = 4 * m + 8 * m + 4 * (n + 1) + 8 * n * 4  # indices, gathers, offsets, x r/w + c w + 1/deg
    best_native, best_scipy = min(native_t), min(scipy_t)
    return {
        "graph": name,
        "nodes": n,
        "edges": m,
        "native_ms_best": best_native * 1e3,
        "native_ms_median": statistics.median(native_t) * 1e3,
        "scipy_ms_best": best_scipy * 1e3,
        "scipy_ms_median": statistics.median(scipy_t) * 1e3,
        "speedup_best": best_scipy / best_native,
        "speedup_median": statistics.median(scipy_t) / statistics.median(native_t),
        "native_effective_GBps": bytes_per_iter / best_native / 1e9,
        "max_abs_diff": diff,
        "threads": sg.get_num_threads(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=7)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="tiny graphs (CI smoke run; no verdict)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    if args.quick:
        graphs = [
            ("rmat(10)", lambda: sg.generators.rmat(10, seed=1)),
            ("uniform(2k, 20k)", lambda: sg.generators.uniform(2_000, 20_000, seed=1)),
        ]
    else:
        graphs = [
            ("rmat(18)", lambda: sg.generators.rmat(18, seed=1)),
            ("uniform(200k, 2M)", lambda: sg.generators.uniform(200_000, 2_000_000, seed=1)),
        ]
    rows = []
    print(
        f"{'graph':<20}{'nodes':>10}{'edges':>11}{'native ms/it':>14}{'scipy ms/it':>13}"
        f"{'speedup':>9}{'GB/s':>7}{'max|diff|':>11}"
    )
    for name, make in graphs:
        r = bench_graph(name, make(), args.trials, args.iters)
        rows.append(r)
        print(
            f"{name:<20}{r['nodes']:>10,}{r['edges']:>11,}{r['native_ms_best']:>14.3f}{r['scipy_ms_best']:>13.3f}"
            f"{r['speedup_best']:>8.2f}x{r['native_effective_GBps']:>7.1f}{r['max_abs_diff']:>11.1e}"
        )
    medians = ", ".join(f"{r['speedup_median']:.2f}x" for r in rows)
    print(
        f"(best of {args.trials} interleaved trials of {args.iters} iterations; "
        f"median speedups: {medians}; {rows[0]['threads']} threads)"
    )
    ok = all(r["max_abs_diff"] < 1e-12 for r in rows)
    if not args.quick:
        ok = ok and all(r["speedup_median"] >= TARGET for r in rows)
        print(f"VERDICT native >= {TARGET}x scipy per iteration: {'PASS' if ok else 'FAIL'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
