"""Native twins of HITS, eigenvector and Katz centrality, and core numbers.

Same contracts as :mod:`stepgraph.algorithms.centrality` and :mod:`stepgraph.algorithms.cores`
(NetworkX's); one native call each, the GIL released.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional

import numpy as np

from stepgraph import _core
from stepgraph.errors import ParameterError
from stepgraph.native._params import as_graph, float_param, int_param, node_vector, tol_param
from stepgraph.result import Result, check_converged

__all__ = ["hits", "eigenvector_centrality", "katz_centrality", "core_number"]


def _finite(value: Any, name: str) -> float:
    x = float_param(value, name)
    if not math.isfinite(x):
        raise ParameterError(f"{name} must be finite, got {x}")
    return x


def _start(g: Any, value: Any) -> Optional[np.ndarray]:
    vec = node_vector(g, value, "nstart")
    if vec is not None and vec.size and np.isfinite(vec).all() and vec.sum() == 0:
        raise ParameterError("nstart sums to zero; it needs a nonzero sum (an all-zero start has no direction)")
    return vec


def _result(raw: Any, name: str, main: str, max_iter: int, g: Any, raise_on_failure: bool, **outputs: Any) -> Result:
    res = Result(outputs, main, raw["iterations"], raw["converged"], np.asarray(raw["residuals"]), graph=g)
    return check_converged(res, name, max_iter, raise_on_failure)


def hits(
    g: Any,
    max_iter: int = 100,
    tol: float = 1e-8,
    nstart: Any = None,
    normalized: bool = True,
    weighted: bool = True,
    raise_on_failure: bool = True,
) -> Result:
    """HITS by power iteration on ``A^T A``: authorities ``x <- A^T A x / max``, until
    ``sum(|x - x_prev|) < tol``; hubs ``A x``; ``normalized``: both divided by their sums, else
    x at unit L2 norm. Main output ``"hubs"``, also ``"authorities"``. Not converged within
    ``max_iter`` (always for 0): :class:`ConvergenceError`."""
    g = as_graph(g)
    max_iter = int_param(max_iter, "max_iter")
    raw = _core.hits(g._native, max_iter, tol_param(tol), _start(g, nstart), bool(normalized), bool(weighted))
    return _result(raw, "hits", "hubs", max_iter, g, raise_on_failure, hubs=raw["hubs"], authorities=raw["authorities"])


def eigenvector_centrality(
    g: Any,
    max_iter: int = 100,
    tol: float = 1e-6,
    nstart: Any = None,
    weighted: bool = True,
    raise_on_failure: bool = True,
) -> Result:
    """Eigenvector centrality: ``x <- (x + A^T x) / ||.||_2`` from ``nstart / sum`` (default
    uniform) until ``sum(|x - x_prev|) < n * tol``. Output ``"centrality"``. No nodes:
    :class:`GraphError`; not converged: :class:`ConvergenceError`."""
    g = as_graph(g)
    max_iter = int_param(max_iter, "max_iter")
    start = _start(g, nstart)
    raw = _core.eigenvector_centrality(g._native, max_iter, tol_param(tol), start, bool(weighted))
    return _result(raw, "eigenvector_centrality", "centrality", max_iter, g, raise_on_failure, centrality=raw["values"])


def katz_centrality(
    g: Any,
    alpha: float = 0.1,
    beta: Any = 1.0,
    max_iter: int = 1000,
    tol: float = 1e-6,
    nstart: Any = None,
    normalized: bool = True,
    weighted: bool = True,
    raise_on_failure: bool = True,
) -> Result:
    """Katz centrality: ``x <- alpha * A^T x + beta`` from zeros (or ``nstart``) until
    ``sum(|x - x_prev|) < n * tol``, then (``normalized``) scaled to unit L2 norm. ``beta``: a
    number or a value for every node. Output ``"centrality"``."""
    g = as_graph(g)
    max_iter = int_param(max_iter, "max_iter")
    beta_vec = None
    scalar = 1.0
    if isinstance(beta, (int, float, np.integer, np.floating)) and not isinstance(beta, (bool, np.bool_)):
        scalar = _finite(beta, "beta")
    else:
        if isinstance(beta, Mapping) and len(beta) != g.num_nodes:
            raise ParameterError(f"beta has values for {len(beta)} nodes; it needs one for each of the {g.num_nodes}")
        beta_vec = node_vector(g, beta, "beta")
        if beta_vec is None:
            raise ParameterError("beta must be a finite number or a finite value per node")
    raw = _core.katz_centrality(
        g._native,
        _finite(alpha, "alpha"),
        scalar,
        beta_vec,
        max_iter,
        tol_param(tol),
        node_vector(g, nstart, "nstart"),
        bool(normalized),
        bool(weighted),
    )
    return _result(raw, "katz_centrality", "centrality", max_iter, g, raise_on_failure, centrality=raw["values"])


def core_number(g: Any) -> Result:
    """Core numbers (int64 output ``"core"``) by Batagelj-Zaversnik peeling; degree = in + out
    for directed graphs, parallel edges counted each. Self-loops: :class:`GraphError`."""
    g = as_graph(g)
    return Result({"core": _core.core_number(g._native)}, "core", graph=g)
