"""Connected and weakly connected components (Afforest union-find, the builder's
``connected_components_program``), with NetworkX's results and exceptions."""

from __future__ import annotations

from typing import Any, Hashable, Iterator, List, Set

import networkx as nx
import numpy as np

from stepgraph.nx import programs
from stepgraph.nx.common import backend_graph
from stepgraph.nx.graph import NxGraph

__all__ = [
    "connected_components",
    "number_connected_components",
    "is_connected",
    "node_connected_component",
    "weakly_connected_components",
    "number_weakly_connected_components",
    "is_weakly_connected",
]

not_implemented_for = nx.utils.not_implemented_for


def _labels(G: NxGraph) -> np.ndarray:
    """Each node's component, named by its smallest node id (its first node in G's order)."""
    if len(G) == 0:
        return np.zeros(0, dtype=np.int64)
    return programs.components().run(G.graph)["component"]


def _component_sets(G: NxGraph) -> List[Set[Hashable]]:
    """The components as sets, in NetworkX's order (by each component's first node in G)."""
    comp = _labels(G)
    order = np.argsort(comp, kind="stable")
    bounds = np.flatnonzero(np.diff(comp[order])) + 1
    labels = G.labels_array()
    return [set(labels[group].tolist()) for group in np.split(order, bounds)] if len(G) else []


def _count(G: NxGraph) -> int:
    comp = _labels(G)
    return int(np.count_nonzero(comp == np.arange(comp.shape[0])))


def _is_connected(G: NxGraph) -> bool:
    if len(G) == 0:
        raise nx.NetworkXPointlessConcept("Connectivity is undefined for the null graph.")
    return bool((_labels(G) == 0).all())


def _generate(sets: List[Set[Hashable]]) -> Iterator[Set[Hashable]]:
    yield from sets


@not_implemented_for("directed")
def connected_components(G: Any) -> Iterator[Set[Hashable]]:
    return _generate(_component_sets(backend_graph(G)))


@not_implemented_for("directed")
def number_connected_components(G: Any) -> int:
    return _count(backend_graph(G))


@not_implemented_for("directed")
def is_connected(G: Any) -> bool:
    return _is_connected(backend_graph(G))


@not_implemented_for("directed")
def node_connected_component(G: Any, n: Hashable) -> Set[Hashable]:
    """The component of ``n``: the nodes a BFS from n reaches (``bfs_program``)."""
    G = backend_graph(G)
    source = G.index[n]  # KeyError for a missing node, as NetworkX's BFS raises
    level = programs.bfs().run(G.graph, source=source)["level"]
    return set(G.labels_of(np.flatnonzero(level >= 0)))


@not_implemented_for("undirected")
def weakly_connected_components(G: Any) -> Iterator[Set[Hashable]]:
    return _generate(_component_sets(backend_graph(G)))


@not_implemented_for("undirected")
def number_weakly_connected_components(G: Any) -> int:
    return _count(backend_graph(G))


@not_implemented_for("undirected")
def is_weakly_connected(G: Any) -> bool:
    return _is_connected(backend_graph(G))
