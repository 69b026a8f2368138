"""Breadth-first and shortest-path functions with NetworkX's signatures, results and exceptions.

Levels come from BFS programs (``bfs_program``, or the backend's start-vector program for
several sources and for reversed edges), distances from ``sssp_program``; only NetworkX's
ordering of results is done here, in numpy.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Dict, Hashable, Iterator, List, Optional, Set

import networkx as nx
import numpy as np

from stepgraph.nx import programs
from stepgraph.nx.common import backend_graph, ordered_dict, start_vector
from stepgraph.nx.graph import NxGraph

__all__ = [
    "single_source_shortest_path_length",
    "single_target_shortest_path_length",
    "bfs_layers",
    "descendants",
    "ancestors",
    "descendants_at_distance",
    "single_source_dijkstra_path_length",
    "has_path",
    "is_strongly_connected",
]


def _levels_from(G: NxGraph, source: int, depth: Optional[int] = None) -> np.ndarray:
    """Hop levels along out-edges (-1 unreachable), by ``bfs_program``. With ``depth``, only
    that many iterations: each iteration settles one more level, so the levels up to depth are
    exact and the rest unreached (-1), as NetworkX's search stops there too."""
    return programs.bfs().run(G.graph, source=source, max_iter=depth)["level"]


def _levels_to(G: NxGraph, target: int, depth: Optional[int] = None) -> np.ndarray:
    """Hop levels along reversed edges (the same as forward when undirected); -1 unreachable."""
    if not G.is_directed():
        return _levels_from(G, target, depth)
    dist = programs.levels("out").run(G.graph, start=start_vector(G, [target]), max_iter=depth)["distance"]
    return np.where(np.isinf(dist), -1, dist).astype(np.int64)


def _depth(cutoff: Optional[float]) -> Optional[int]:
    """The deepest level NetworkX's BFS keeps under ``cutoff`` (see _within), None for all."""
    if cutoff is None or not math.isfinite(cutoff):
        return None if cutoff is None or cutoff > 0 else 0
    return max(0, math.ceil(cutoff))


def _within(level: np.ndarray, cutoff: Optional[float]) -> np.ndarray:
    """Reached nodes NetworkX's BFS keeps: it expands level L while L < cutoff, so level L is
    kept when L == 0 or L - 1 < cutoff."""
    keep = level >= 0
    if cutoff is not None:
        keep &= (level == 0) | (level - 1 < cutoff)
    return np.flatnonzero(keep)


def single_source_shortest_path_length(G: Any, source: Hashable, cutoff: Optional[float] = None) -> Dict[Hashable, int]:
    G = backend_graph(G)
    if source not in G:
        raise nx.NodeNotFound(f"Source {source} is not in G")
    level = _levels_from(G, G.index[source], _depth(cutoff))
    return ordered_dict(G, _within(level, cutoff), level, True)


def single_target_shortest_path_length(G: Any, target: Hashable, cutoff: Optional[float] = None) -> Dict[Hashable, int]:
    G = backend_graph(G)
    if target not in G:
        raise nx.NodeNotFound(f"Target {target} is not in G")
    level = _levels_to(G, G.index[target], _depth(cutoff))
    return ordered_dict(G, _within(level, cutoff), level, True)


def _layer_order(G: NxGraph, level: np.ndarray, layer: np.ndarray, k: int) -> np.ndarray:
    """Layer k + 1 in NetworkX's discovery order: scanning layer k's nodes in order and each
    one's neighbors in adjacency order, a node comes at its first appearance."""
    off = G.adj_offsets
    starts, counts = off[layer], off[layer + 1] - off[layer]
    total = int(counts.sum())
    edges = np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
    cand = G.adj_targets[edges]
    cand = cand[level[cand] == k + 1]
    _, first = np.unique(cand, return_index=True)
    return cand[np.sort(first)]


def bfs_layers(G: Any, sources: Any) -> Iterator[List[Hashable]]:
    """NetworkX's layers: the first is ``list(set(sources))``, each next one in discovery order."""
    G = backend_graph(G)
    if sources in G:
        sources = [sources]
    current = list(set(sources))
    for source in current:
        if source not in G:
            raise nx.NetworkXError(f"The node {source} is not in the graph.")
    if not current:
        return
    ids = np.array([G.index[s] for s in current], dtype=np.int64)
    dist = programs.levels("in").run(G.graph, start=start_vector(G, ids))["distance"]
    level = np.where(np.isinf(dist), -1, dist).astype(np.int64)
    yield current
    layer, k = ids, 0
    while True:
        layer = _layer_order(G, level, layer, k)
        if layer.size == 0:
            return
        yield G.labels_of(layer)
        k += 1


def _missing_node(G: NxGraph, node: Hashable) -> nx.NetworkXError:
    kind = "digraph" if G.is_directed() else "graph"  # the message of G.neighbors / successors
    return nx.NetworkXError(f"The node {node} is not in the {kind}.")


def descendants(G: Any, source: Hashable) -> Set[Hashable]:
    G = backend_graph(G)
    if source not in G:
        raise _missing_node(G, source)
    return set(G.labels_of(np.flatnonzero(_levels_from(G, G.index[source]) > 0)))


def ancestors(G: Any, source: Hashable) -> Set[Hashable]:
    G = backend_graph(G)
    if source not in G:
        raise _missing_node(G, source)
    return set(G.labels_of(np.flatnonzero(_levels_to(G, G.index[source]) > 0)))


def descendants_at_distance(G: Any, source: Hashable, distance: Any) -> Set[Hashable]:
    G = backend_graph(G)
    if source not in G:
        raise nx.NetworkXError(f"The node {source} is not in the graph.")
    if not (isinstance(distance, numbers.Real) and math.isfinite(distance)) or distance < 0 or distance % 1:
        return set()  # NetworkX compares layer numbers with it: nothing matches
    depth = int(math.floor(distance))
    level = _levels_from(G, G.index[source], depth)
    return set(G.labels_of(np.flatnonzero(level == depth)))


def single_source_dijkstra_path_length(
    G: Any, source: Hashable, cutoff: Optional[float] = None, weight: Any = "weight"
) -> Dict[Hashable, Any]:
    """Distances by ``sssp_program`` (the same left-to-right path sums NetworkX's Dijkstra
    adds; the minimum over parallel edges as NetworkX's multigraph weight). Ints when every
    weight is an int (NetworkX adds the Python ints), floats otherwise; the source's is 0."""
    if callable(weight):
        raise NotImplementedError("a callable weight is evaluated per edge in Python")
    G = backend_graph(G, weight)
    if source not in G:
        raise nx.NodeNotFound(f"Node {source} not found in graph")
    s = G.index[source]
    if weight is None or not G.graph.weighted:
        dist = _levels_from(G, s).astype(np.float64)
        dist[dist < 0] = np.inf
        integer = True
    else:
        if G.negative_weights:
            raise NotImplementedError("Dijkstra with negative edge weights")
        dist = programs.sssp().run(G.graph, source=s)["distance"]
        integer = G.integer_weights
    keep = np.isfinite(dist)
    if cutoff is not None:
        keep &= dist <= cutoff
    keep[s] = False  # first and 0 (an int): NetworkX checks the cutoff only on edges it relaxes
    out: Dict[Hashable, Any] = {G.nodes[s]: 0}
    out.update(ordered_dict(G, np.flatnonzero(keep), dist, integer))
    return out


def has_path(G: Any, source: Hashable, target: Hashable) -> bool:
    G = backend_graph(G)
    if source not in G:  # NetworkX's bidirectional BFS checks, in this order
        raise nx.NodeNotFound(f"Source {source} is not in G")
    if target not in G:
        raise nx.NodeNotFound(f"Target {target} is not in G")
    return bool(_levels_from(G, G.index[source])[G.index[target]] >= 0)


@nx.utils.not_implemented_for("undirected")
def is_strongly_connected(G: Any) -> bool:
    """Every node reaches the first node and is reached from it (a BFS each way)."""
    G = backend_graph(G)
    if len(G) == 0:
        raise nx.NetworkXPointlessConcept("Connectivity is undefined for the null graph.")
    return bool((_levels_from(G, 0) >= 0).all() and (_levels_to(G, 0) >= 0).all())
