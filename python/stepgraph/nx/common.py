"""Helpers shared by the backend's functions: the graph argument, node vectors, results."""

from __future__ import annotations

from typing import Any, Dict, Hashable, Mapping, Optional

import numpy as np

from stepgraph.nx.graph import NxGraph, convert_from_nx

__all__ = ["backend_graph", "node_vector", "ordered_dict", "start_vector"]


def backend_graph(G: Any, weight: Optional[str] = None) -> NxGraph:
    """``G`` as the backend's graph holding ``weight`` (NetworkX graphs are converted here when
    a function is called directly rather than through dispatch)."""
    if not isinstance(G, NxGraph):
        return convert_from_nx(G, edge_attrs={weight: 1} if weight is not None else None)
    if weight is not None and G.weight_attr != weight and G.graph.num_edges:
        raise NotImplementedError(f"graph was converted with edge attribute {G.weight_attr!r}, not {weight!r}")
    return G


def node_vector(G: NxGraph, values: Mapping[Hashable, Any]) -> np.ndarray:
    """NetworkX's ``np.array([values.get(n, 0) for n in G], dtype=float)``, reading only the
    mapping's own entries (keys not in G are ignored, as there)."""
    vec = np.zeros(len(G), dtype=np.float64)
    index = G.index
    for key, value in values.items():
        i = index.get(key)
        if i is not None:
            vec[i] = value
    return vec


def start_vector(G: NxGraph, ids: Any) -> np.ndarray:
    """0 at ``ids``, inf elsewhere: the start of a BFS-levels program."""
    start = np.full(len(G), np.inf)
    start[ids] = 0.0
    return start


def ordered_dict(G: NxGraph, ids: np.ndarray, values: np.ndarray, integer: bool) -> Dict[Hashable, Any]:
    """{label: value} for ``ids`` in order of value (ties by node order), as NetworkX's
    searches produce them; values as Python ints when ``integer``, else floats."""
    order = ids[np.argsort(values[ids], kind="stable")]
    vals = values[order]
    out = vals.astype(np.int64).tolist() if integer else vals.tolist()
    return dict(zip(G.labels_of(order), out))
