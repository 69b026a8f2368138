"""PageRank and the degree centralities with NetworkX's signatures, results and exceptions."""

from __future__ import annotations

from typing import Any, Dict, Hashable, Mapping, Optional

import networkx as nx
import numpy as np

from stepgraph.nx import programs
from stepgraph.nx.common import backend_graph, node_vector

__all__ = ["pagerank", "degree_centrality", "in_degree_centrality", "out_degree_centrality"]


def pagerank(
    G: Any,
    alpha: float = 0.85,
    personalization: Optional[Mapping[Hashable, float]] = None,
    max_iter: int = 100,
    tol: float = 1.0e-6,
    nstart: Optional[Mapping[Hashable, float]] = None,
    weight: Optional[str] = "weight",
    dangling: Optional[Mapping[Hashable, float]] = None,
) -> Dict[Hashable, float]:
    """NetworkX's pagerank (its power iteration and its test ``err < N * tol`` on the L1
    change) as ``stepgraph.algorithms.pagerank_program``."""
    G = backend_graph(G, weight)
    N = len(G)
    if N == 0:
        return {}
    weighted = weight is not None and G.graph.weighted
    if weighted and G.negative_weights:
        raise NotImplementedError("pagerank with negative edge weights")
    inputs: Dict[str, Any] = {}
    if personalization is not None:
        p = node_vector(G, personalization)
        if p.sum() == 0:
            raise ZeroDivisionError
        inputs["personalization"] = p
    for name, values in (("nstart", nstart), ("dangling", dangling)):
        if values is not None:
            vec = node_vector(G, values)
            if vec.sum() == 0:  # NetworkX divides by the zero sum: NaN ranks that never converge
                raise nx.PowerIterationFailedConvergence(max_iter)
            inputs[name] = vec
    for vec in inputs.values():
        if (vec < 0).any() or not np.isfinite(vec).all():
            raise NotImplementedError("pagerank with negative or non-finite personalization, nstart or dangling")
    prog = programs.pagerank(personalization is not None, dangling is not None, nstart is not None, weighted)
    res = prog.run(G.graph, max_iter=max_iter, alpha=alpha, tol=tol, **inputs)
    if not res.converged:
        raise nx.PowerIterationFailedConvergence(max_iter)
    return dict(zip(G.nodes, res["rank"].tolist()))


def _degree_centrality(G: Any, kind: str) -> Dict[Hashable, float]:
    G = backend_graph(G)
    if len(G) <= 1:
        return {n: 1 for n in G}  # NetworkX's special case (an int)
    loops = G.self_loops if kind == "both" and not G.is_directed() else None
    inputs = {"loops": loops.astype(np.float64)} if loops is not None else {}
    res = programs.degree(kind, loops is not None).run(G.graph, **inputs)
    return dict(zip(G.nodes, res["centrality"].tolist()))


def degree_centrality(G: Any) -> Dict[Hashable, float]:
    return _degree_centrality(G, "both")


@nx.utils.not_implemented_for("undirected")
def in_degree_centrality(G: Any) -> Dict[Hashable, float]:
    return _degree_centrality(G, "in")


@nx.utils.not_implemented_for("undirected")
def out_degree_centrality(G: Any) -> Dict[Hashable, float]:
    return _degree_centrality(G, "out")
