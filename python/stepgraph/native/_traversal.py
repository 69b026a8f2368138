"""Native twins other than PageRank: components, label propagation, BFS, SSSP, degree centrality.

Each function makes one native call (GIL released) over the graph's CSR arrays and returns a
:class:`stepgraph.Result` whose main output is named after what it holds: ``component``,
``label``, ``level``, ``distance`` or ``centrality``.
"""

from __future__ import annotations

import logging
from typing import Any, Hashable

from stepgraph import _core
from stepgraph.native._params import as_graph, int_param, node_id
from stepgraph.result import Result

__all__ = ["connected_components", "label_propagation", "bfs", "sssp", "degree_centrality"]

logger = logging.getLogger(__name__)


def connected_components(g: Any) -> Result:
    """Weak connected components.

    ``result["component"]`` (int64) labels every node with the smallest node id of its
    component (edge directions are ignored).
    """
    g = as_graph(g)
    labels = _core.connected_components(g._native)
    return Result({"component": labels}, "component", graph=g)


def label_propagation(g: Any, max_iter: int = 100) -> Result:
    """Synchronous label propagation (community detection), output ``"label"`` (int64).

    Every node starts with its own id as label. In each iteration every node with at least
    one neighbor takes the most frequent label among its neighbors, counted as a multiset:
    parallel edges once per edge, a self-loop as the node's own label (twice for a directed
    self-loop, which is an in- and an out-edge); ties go to the smallest label. Directed
    graphs use in- and out-neighbors together; weights are ignored. All nodes update from
    the previous iteration's labels, so the result is deterministic.

    Stops when an iteration changes no label (``converged=True``, that iteration counted in
    ``iterations``) or after ``max_iter`` iterations (``converged=False``, no exception:
    synchronous propagation can oscillate, e.g. on bipartite graphs). ``max_iter=0``
    returns the initial labels with ``converged=False``.
    """
    g = as_graph(g)
    raw = _core.label_propagation(g._native, int_param(max_iter, "max_iter"))
    if not raw["converged"]:
        logger.debug("label_propagation: no fixed point within max_iter = %d iterations", raw["iterations"])
    return Result({"label": raw["values"]}, "label", raw["iterations"], raw["converged"], graph=g)


def bfs(g: Any, source: Hashable) -> Result:
    """Breadth-first search levels along out-edges, output ``"level"`` (int64).

    The hop distance from ``source`` (a node label when the graph has labels, else a node
    id), -1 for unreachable nodes. Direction-optimizing (top-down / bottom-up) and parallel;
    the levels do not depend on the thread count.
    """
    g = as_graph(g)
    levels = _core.bfs(g._native, node_id(g, source, "source"))
    return Result({"level": levels}, "level", graph=g)


def sssp(g: Any, source: Hashable) -> Result:
    """Single-source shortest path distances along out-edges, output ``"distance"`` (float64).

    Uses the edge weights (1.0 each when the graph is unweighted; the lightest of parallel
    edges counts); ``inf`` for unreachable nodes. The values equal Dijkstra's (scipy,
    NetworkX) bit for bit, for any thread count. Negative weights raise
    :class:`stepgraph.ParameterError`.
    """
    g = as_graph(g)
    dist = _core.sssp(g._native, node_id(g, source, "source"))
    return Result({"distance": dist}, "distance", graph=g)


def degree_centrality(g: Any) -> Result:
    """Degree centrality ``degree / (n - 1)``, output ``"centrality"`` (float64).

    Computed as NetworkX does (``degree * (1 / (n - 1))``), so the values match it bit for
    bit. Directed graphs use in-degree + out-degree. Deviation from NetworkX: in an
    undirected graph a self-loop counts once (it is one entry of the adjacency row), where
    NetworkX counts it twice. A single-node graph gives ``[1.0]``, an empty graph an empty
    array.
    """
    g = as_graph(g)
    values = _core.degree_centrality(g._native)
    return Result({"centrality": values}, "centrality", graph=g)
