"""Peers, each when installed (optional extras; skipped with a note when missing).

Semantics: PageRank with NetworkX's contract (alpha 0.85, uniform teleport, dangling mass
spread uniformly, parallel edges add up), as the native twin computes it.

- scipy: the CSR power iteration of ``benchmarks/native_vs_scipy.py`` (reused), fixed
  iterations; the row-normalized transpose is built once (setup reported, not timed).
- NetworkX: ``networkx.pagerank(G, max_iter=K, tol=0)`` (it stops by raising
  PowerIterationFailedConvergence after exactly K iterations); per-iteration time includes
  its own per-call DiGraph -> scipy conversion, which is also reported alone
  (``setup_ms_per_call``); the sg -> DiGraph conversion is reported separately
  (``convert_ms``). Only up to ``NX_MAX_NODES`` nodes.
- igraph: ``Graph.pagerank(implementation="prpack")`` cannot run a fixed number of
  iterations: PRPACK solves to its own tolerance (1e-10) with its own method (Gauss-Seidel
  on SCCs). So one whole solve is timed (ms per solve) and set next to the native twin's
  whole solve to the same accuracy (L1 residual < 1e-10, i.e. tol = 1e-10 / n).
- python-graphblas (SuiteSparse:GraphBLAS): the same power iteration as scipy, written in
  GraphBLAS (plus_times mxv into a vector preset to the teleport + dangling term), fixed
  iterations, as many threads as stepgraph uses.
"""

from __future__ import annotations

import importlib
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

import stepgraph as sg

from .modes import NativeRunner, Runner, perf

NX_MAX_NODES = 50_000
ALPHA = 0.85
PEER_NAMES = ("scipy", "networkx", "igraph", "graphblas")


def available() -> Dict[str, Optional[str]]:
    """peer -> version, or None when it is not installed."""
    out: Dict[str, Optional[str]] = {}
    for peer, module in (
        ("scipy", "scipy"),
        ("networkx", "networkx"),
        ("igraph", "igraph"),
        ("graphblas", "graphblas"),
    ):
        try:
            out[peer] = str(importlib.import_module(module).__version__)
        except Exception:  # noqa: BLE001 - any import failure means "not available"
            out[peer] = None
    return out


def _scipy_setup(g: sg.Graph) -> Tuple[Any, np.ndarray]:
    from native_vs_scipy import scipy_pagerank_setup  # benchmarks/ is on sys.path (ladder.py)

    return scipy_pagerank_setup(g)


class ScipyRunner(Runner):
    key, label = "scipy", "scipy CSR"

    def __init__(self, g: sg.Graph, iters: int) -> None:
        super().__init__()
        from native_vs_scipy import scipy_pagerank

        self._pr = scipy_pagerank
        self.iters, self.n = iters, g.num_nodes
        t0 = perf()
        self.AT, self.dangling = _scipy_setup(g)
        self.info["setup_ms"] = (perf() - t0) * 1e3
        self.info["threads"] = 1

    def once(self) -> Tuple[float, Optional[float]]:
        t0 = perf()
        x = self._pr(self.AT, self.dangling, self.n, self.iters, ALPHA)
        t = perf() - t0
        self.values = x
        return t, None


class NetworkxRunner(Runner):
    key, label = "networkx", "networkx.pagerank"

    def __init__(self, g: sg.Graph, iters: int) -> None:
        super().__init__()
        import networkx as nx

        self.nx, self.iters = nx, iters
        t0 = perf()
        A = g.to_scipy()
        A.sum_duplicates()  # parallel edges -> one edge of weight = multiplicity (adds up, as ours)
        self.G = nx.from_scipy_sparse_array(A, create_using=nx.DiGraph)
        self.info["convert_ms"] = (perf() - t0) * 1e3
        t0 = perf()
        nx.to_scipy_sparse_array(self.G, weight="weight", dtype=float)
        self.info["setup_ms_per_call"] = (perf() - t0) * 1e3
        self.info["threads"] = 1
        self.info["note"] = "per-iteration time includes networkx's per-call DiGraph->scipy conversion"

    def once(self) -> Tuple[float, Optional[float]]:
        nx = self.nx
        t0 = perf()
        try:
            nx.pagerank(self.G, alpha=ALPHA, max_iter=self.iters, tol=0.0)
        except nx.PowerIterationFailedConvergence:
            pass  # tol=0: stops after exactly max_iter iterations, by raising
        return perf() - t0, None

    def check_values(self, ref: np.ndarray) -> float:
        """Max |networkx - ref| with networkx converged to tol 1e-12 (ref: native, same tol), once, untimed."""
        pr = self.nx.pagerank(self.G, alpha=ALPHA, max_iter=10_000, tol=1e-12)
        vals = np.array([pr[i] for i in range(len(ref))])
        return float(np.abs(vals - ref).max())


class IgraphRunner(Runner):
    key, label = "igraph", "igraph PRPACK"
    unit = "solve"

    def __init__(self, g: sg.Graph) -> None:
        super().__init__()
        import igraph

        t0 = perf()
        off, idx, _ = g.csr("out")
        n = g.num_nodes
        src = np.repeat(np.arange(n, dtype=np.int64), np.diff(off))
        self.G = igraph.Graph(n=n, directed=True)
        self.G.add_edges(np.column_stack([src, idx.astype(np.int64)]))  # 5x faster than Graph(edges=...)
        self.info["convert_ms"] = (perf() - t0) * 1e3
        self.info["note"] = (
            "whole solve to PRPACK's tolerance (1e-10); compared with native solving to L1 residual < 1e-10"
        )

    def once(self) -> Tuple[float, Optional[float]]:
        t0 = perf()
        vals = self.G.pagerank(damping=ALPHA, directed=True, implementation="prpack")
        t = perf() - t0
        self.values = np.asarray(vals)
        return t, None


class GraphblasRunner(Runner):
    key, label = "graphblas", "python-graphblas"

    def __init__(self, g: sg.Graph, iters: int) -> None:
        super().__init__()
        import graphblas as gb

        self.gb, self.iters, self.n = gb, iters, g.num_nodes
        threads = sg.get_num_threads()
        try:
            gb.ss.config["nthreads"] = threads
        except Exception:  # noqa: BLE001 - a backend without the knob: keep its default
            threads = -1
        t0 = perf()
        AT, dangling = _scipy_setup(g)
        self.M = gb.io.from_scipy_sparse(AT)
        self.sinks = gb.Vector.from_coo(dangling, True, size=self.n, dtype=bool)
        self.info["setup_ms"] = (perf() - t0) * 1e3
        self.info["threads"] = threads

    def once(self) -> Tuple[float, Optional[float]]:
        gb, n, M, sinks = self.gb, self.n, self.M, self.sinks
        plus, plus_times, minus = gb.monoid.plus, gb.semiring.plus_times, gb.binary.minus
        t0 = perf()
        x = gb.Vector.from_dense(np.full(n, 1.0 / n))
        y = gb.Vector(float, n)
        teleport = (1.0 - ALPHA) / n
        for _ in range(self.iters):
            dsum = x.dup(mask=sinks.S).reduce(plus).get(0.0)
            y[:] << ALPHA * dsum / n + teleport
            y(gb.binary.plus) << M.mxv(x, plus_times) * ALPHA
            err = gb.unary.abs(y.ewise_mult(x, minus)).new().reduce(plus).get(0.0)  # noqa: F841 - every loop checks
            x, y = y, x
        t = perf() - t0
        self.values = x.to_dense(fill_value=0.0)
        return t, None


def make_peers(
    g: sg.Graph, iters: int, have: Dict[str, Optional[str]], skip: List[str], notes: List[str]
) -> List[Runner]:
    """The runners of the installed peers for this graph (a note for each one left out)."""
    out: List[Runner] = []
    n = g.num_nodes
    for peer in PEER_NAMES:
        if peer in skip:
            continue
        if have.get(peer) is None:
            continue
        if peer == "networkx" and n > NX_MAX_NODES:
            continue
        try:
            if peer == "scipy":
                out.append(ScipyRunner(g, iters))
            elif peer == "networkx":
                out.append(NetworkxRunner(g, iters))
            elif peer == "igraph":
                out.append(IgraphRunner(g))
                solve = NativeRunner(
                    g,
                    1,
                    tol=1e-10 / max(n, 1),
                    key="native_solve",
                    label="native twin, whole solve (L1 < 1e-10)",
                    unit="solve",
                    max_iter=100_000,
                )
                out.append(solve)
            elif peer == "graphblas":
                out.append(GraphblasRunner(g, iters))
        except Exception as exc:  # noqa: BLE001 - a peer that fails to set up is skipped, loudly
            notes.append(f"{peer}: setup failed on this graph ({type(exc).__name__}: {exc}); skipped")
    return out


def skipped_notes(have: Dict[str, Optional[str]]) -> List[str]:
    notes = []
    pip = {"scipy": "scipy", "networkx": "networkx", "igraph": "python-igraph", "graphblas": "python-graphblas"}
    for peer in PEER_NAMES:
        if have.get(peer) is None:
            notes.append(f"{peer}: not installed (pip install {pip[peer]}); skipped")
    notes.append(f"networkx: measured only up to {NX_MAX_NODES:,} nodes")
    return notes
