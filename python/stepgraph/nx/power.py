"""Eigenvector, Katz and HITS centrality and core numbers with NetworkX's signatures, results
and exceptions, by the builder programs of ``stepgraph.algorithms.centrality`` / ``cores``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Dict, Hashable, Optional, Tuple, TypeVar

import networkx as nx
import numpy as np

from stepgraph.algorithms.centrality import check_values, finite_param
from stepgraph.errors import ParameterError
from stepgraph.nx import programs
from stepgraph.nx.common import backend_graph, node_vector
from stepgraph.nx.graph import NxGraph

__all__ = ["eigenvector_centrality", "katz_centrality", "hits", "core_number"]

not_implemented_for = nx.utils.not_implemented_for


_T = TypeVar("_T")


def _declined(check: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """``check``'s value; what stepgraph's own check refuses (ParameterError), the backend
    declines (NotImplementedError, with the same reason)."""
    try:
        return check(*args, **kwargs)
    except ParameterError as exc:
        raise NotImplementedError(str(exc)) from None


def _full_vector(G: NxGraph, values: Mapping[Hashable, Any], name: str, divided: bool = False) -> np.ndarray:
    """A value for every node and no other key (NetworkX indexes the mapping by G's nodes and
    G by its keys), finite, with a nonzero sum when ``divided``: else the backend declines."""
    if len(values) != len(G) or not all(k in G for k in values):
        raise NotImplementedError(f"{name} must have a value for exactly the nodes of G")
    return _declined(check_values, node_vector(G, values), name, divided)


def _weighted(G: NxGraph, weight: Optional[str]) -> bool:
    weighted = bool(weight) and G.graph.weighted
    if weighted and G.negative_weights:
        raise NotImplementedError("negative edge weights")
    return weighted


@not_implemented_for("multigraph")
def eigenvector_centrality(
    G: Any,
    max_iter: int = 100,
    tol: float = 1.0e-6,
    nstart: Optional[Mapping[Hashable, float]] = None,
    weight: Any = None,
) -> Dict[Hashable, float]:
    G = backend_graph(G, weight or None)
    if len(G) == 0:
        raise nx.NetworkXPointlessConcept("cannot compute centrality for the null graph")
    inputs: Dict[str, Any] = {}
    if nstart is not None:
        if all(v == 0 for v in nstart.values()):
            raise nx.NetworkXError("initial vector cannot have all zero values")
        vec = _full_vector(G, nstart, "nstart")
        if vec.sum() == 0:
            raise ZeroDivisionError("nstart sums to zero")  # NetworkX divides by the sum
        inputs["nstart"] = vec
    prog = programs.eigenvector(nstart is not None, _weighted(G, weight))
    res = prog.run(G.graph, max_iter=max_iter, tol=tol, **inputs)
    if not res.converged:
        raise nx.PowerIterationFailedConvergence(max_iter)
    return dict(zip(G.nodes, res["centrality"].tolist()))


@not_implemented_for("multigraph")
def katz_centrality(
    G: Any,
    alpha: float = 0.1,
    beta: Any = 1.0,
    max_iter: int = 1000,
    tol: float = 1.0e-6,
    nstart: Optional[Mapping[Hashable, float]] = None,
    normalized: bool = True,
    weight: Any = None,
) -> Dict[Hashable, float]:
    G = backend_graph(G, weight)
    if len(G) == 0:
        return {}
    inputs: Dict[str, Any] = {}
    params: Dict[str, Any] = {"alpha": alpha}
    try:
        params["beta"] = float(beta)
    except (TypeError, ValueError, AttributeError):
        if set(beta) != set(G):
            raise nx.NetworkXError("beta dictionary must have a value for every node") from None
        if not isinstance(beta, Mapping):
            raise NotImplementedError("beta that is neither a number nor a mapping") from None
        inputs["beta"] = _full_vector(G, beta, "beta")
    if "beta" in params:
        _declined(finite_param, params["beta"], "beta")
    if nstart is not None:
        start = _full_vector(G, nstart, "nstart")
        if start.any():  # all zeros is the default start
            inputs["nstart"] = _declined(check_values, start, "nstart", divided=True)
    prog = programs.katz("nstart" in inputs, "beta" in inputs, bool(normalized), _weighted(G, weight))
    res = prog.run(G.graph, max_iter=max_iter, tol=tol, **params, **inputs)
    if not res.converged:
        raise nx.PowerIterationFailedConvergence(max_iter)
    return dict(zip(G.nodes, res["centrality"].tolist()))


def hits(
    G: Any,
    max_iter: int = 100,
    tol: float = 1.0e-8,
    nstart: Optional[Mapping[Hashable, float]] = None,
    normalized: bool = True,
) -> Tuple[Dict[Hashable, float], Dict[Hashable, float]]:
    """The principal singular vectors by power iteration (NetworkX asks ARPACK for them): the
    same vectors to within the tolerance, not the same bits."""
    G = backend_graph(G, "weight")
    if len(G) == 0:
        return {}, {}
    if max_iter <= 0:
        raise nx.PowerIterationFailedConvergence(max_iter)
    if G.graph.weighted and G.negative_weights:
        raise NotImplementedError("negative edge weights")
    inputs: Dict[str, Any] = {}
    if nstart is not None:
        vec = _full_vector(G, nstart, "nstart", divided=True)
        if (vec < 0).any():
            raise NotImplementedError("an nstart with negative values")
        inputs["nstart"] = vec
    res = programs.hits("nstart" in inputs, bool(normalized)).run(G.graph, max_iter=max_iter, tol=tol, **inputs)
    if not res.converged:  # ARPACK, converging faster, may still succeed: NetworkX's call
        raise NotImplementedError(f"hits: the power iteration did not converge within {max_iter} iterations")
    return dict(zip(G.nodes, res["hubs"].tolist())), dict(zip(G.nodes, res["authorities"].tolist()))


@not_implemented_for("multigraph")
def core_number(G: Any) -> Dict[Hashable, int]:
    G = backend_graph(G)
    if G.self_loops is not None:
        raise nx.NetworkXNotImplemented(
            "Input graph has self loops which is not permitted; "
            "Consider using G.remove_edges_from(nx.selfloop_edges(G))."
        )
    if len(G) == 0:
        return {}
    return dict(zip(G.nodes, programs.core_number().run(G.graph)["core"].tolist()))
