"""Label propagation, BFS, SSSP and degree centrality as step programs.

Each ``*_program`` returns a :class:`Program`; each convenience function checks its
arguments, runs the program on a graph (one native call) and returns a :class:`Result`.
Integer results equal the native twins' exactly.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Optional, Sequence

import numpy as np

from stepgraph.builder import Builder
from stepgraph.errors import ParameterError
from stepgraph.graph import Graph
from stepgraph.native._params import as_graph, int_param, node_id
from stepgraph.program import Program
from stepgraph.result import Result

__all__ = [
    "label_propagation_program",
    "label_propagation",
    "bfs_program",
    "bfs",
    "sssp_program",
    "sssp",
    "degree_centrality_program",
    "degree_centrality",
]

UNTIL_CONVERGED = None  # fixed points stop by their predicate; run() guards them (convergence_guard)


def _check_source(g: Graph, params: Dict[str, float], inputs: Dict[str, np.ndarray]) -> None:
    """The ``source`` parameter must name a node of the graph (as native.bfs / native.sssp check)."""
    s = params["source"]
    if not 0 <= s < g.num_nodes:
        raise ParameterError(f"source {s:.0f} is out of range for a graph with {g.num_nodes} nodes")


def _check_sssp(g: Graph, params: Dict[str, float], inputs: Dict[str, np.ndarray]) -> None:
    _check_source(g, params, inputs)
    if g._native.has_negative_weights:
        raise ParameterError("sssp needs non-negative edge weights; this graph has negative weights")


def label_propagation_program(
    max_iter: int = 100,
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """Synchronous label propagation: most frequent neighbor label, ties to the smallest."""
    max_iter = int_param(max_iter, "max_iter")
    b = Builder("label_propagation")
    has_neighbors = (b.in_degree(weighted=False) + b.out_degree(weighted=False)) > 0
    ids = b.node_id("int64")
    with b.loop(max_iter=max_iter) as loop:
        label = loop.carry("label", ids)
        new = b.where(has_neighbors, b.neighbor_agg(label, "mode", "both"), label)
        changed = b.count(new != label)
        loop.update(label, new)
        loop.until(changed == 0, residual=changed)
    b.output("label", label)
    return b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)


def _distances(name: str, weighted: bool, order: Any = False) -> Any:
    """Bellman-Ford from a source: the fixed point every correct SSSP reaches. It runs over the
    nodes that changed (a frontier); with ``order`` (True or a bucket width), nearest first."""
    b = Builder(name)
    source = b.param("source", 0, "int64")
    start = b.where(b.node_id("int64") == source, 0.0, float("inf"))
    with b.loop(max_iter=UNTIL_CONVERGED) as loop:
        dist = loop.carry("distance", start)
        if weighted:
            reached = b.neighbor_agg(dist, "min", "in", edge="add_weight")
        else:
            reached = b.neighbor_agg(dist, "min", "in") + 1.0
        new = b.minimum(dist, reached)
        if order is not False:
            loop.in_order(None if order is True else order)
        changed = b.count(new != dist)
        loop.update(dist, new)
        loop.until(changed == 0, residual=changed)
    return b, dist


def bfs_program(
    opt_level: int = 3, exact: bool = False, disable: Sequence[str] = (), enable: Sequence[str] = ()
) -> Program:
    """Hop levels along out-edges from the ``source`` parameter; -1 where unreachable."""
    b, dist = _distances("bfs", False)
    level = b.where(dist == float("inf"), -1, b.cast(dist, "int64"))
    b.output("level", level)
    prog = b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)
    prog._validator = _check_source
    return prog


def sssp_program(
    delta: Optional[float] = None,
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """Shortest-path distances along out-edges (edge weights, 1 when unweighted); inf unreachable.

    The frontier is relaxed nearest first, in buckets of width ``delta`` (delta-stepping; None:
    chosen from the graph's weights). Only the speed depends on delta, never the distances."""
    b, dist = _distances("sssp", True, True if delta is None else delta)
    b.output("distance", dist)
    prog = b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)
    prog._validator = _check_sssp
    return prog


def degree_centrality_program(
    opt_level: int = 3, exact: bool = False, disable: Sequence[str] = (), enable: Sequence[str] = ()
) -> Program:
    """(in + out degree) / (n - 1) for directed graphs, degree / (n - 1) for undirected; 1 if n == 1."""
    b = Builder("degree_centrality")
    n = b.num_nodes()
    out_deg = b.out_degree(weighted=False)
    degree = b.where(b.directed(), b.in_degree(weighted=False) + out_deg, out_deg)
    b.output("centrality", b.where(n <= 1.0, 1.0, degree * (1.0 / (n - 1.0))))  # NetworkX's arithmetic
    return b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)


def label_propagation(g: Graph, max_iter: int = 100) -> Result:
    return label_propagation_program(int_param(max_iter, "max_iter")).run(as_graph(g))


def bfs(g: Graph, source: Any) -> Result:
    g = as_graph(g)
    return bfs_program().run(g, source=node_id(g, source))


def sssp(g: Graph, source: Any, delta: Optional[float] = None) -> Result:
    g = as_graph(g)
    s = node_id(g, source)
    if g._native.has_negative_weights:
        raise ParameterError("sssp needs non-negative edge weights; this graph has negative weights")
    if delta is not None and not (isinstance(delta, (int, float)) and math.isfinite(delta) and delta > 0):
        raise ParameterError(f"sssp's delta must be a finite number > 0 (or None), got {delta!r}")
    return sssp_program(delta).run(g, source=s)


def degree_centrality(g: Graph) -> Result:
    return degree_centrality_program().run(as_graph(g))
