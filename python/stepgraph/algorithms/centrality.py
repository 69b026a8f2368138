"""HITS, eigenvector and Katz centrality as step programs: power iterations with NetworkX's
contracts (``nx.hits``, ``nx.eigenvector_centrality``, ``nx.katz_centrality``).

Each iteration is one or two pulls and their elementwise epilogue; the native twins
(``stepgraph.native.hits`` ...) compute the same arithmetic in the same order, so the two agree
to rounding (bit for bit with ``exact=True`` apart from the reductions' finishing steps).
Weights: ``weighted=True`` uses the graph's edge weights when it has them (NetworkX's
``weight="weight"`` once the graph was converted with that attribute), ``False`` counts every
edge as 1 (``weight=None``).
"""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional, Sequence

import numpy as np

from stepgraph.builder import Builder
from stepgraph.errors import GraphError, ParameterError
from stepgraph.graph import Graph
from stepgraph.native._params import as_graph, float_param, int_param, node_vector, tol_param
from stepgraph.program import Program
from stepgraph.result import Result, check_converged

__all__ = [
    "hits_program",
    "hits",
    "eigenvector_centrality_program",
    "eigenvector_centrality",
    "katz_centrality_program",
    "katz_centrality",
]


def finite_param(value: Any, name: str) -> float:
    x = float_param(value, name)
    if not math.isfinite(x):
        raise ParameterError(f"{name} must be finite, got {x}")
    return x


def check_values(vec: np.ndarray, name: str, divided: bool = False) -> np.ndarray:
    """``vec`` if every entry is finite and, ``divided`` (the iteration divides by the sum), the
    sum is nonzero; else ParameterError. Also the NetworkX backend's check (it declines these)."""
    bad = np.flatnonzero(~np.isfinite(vec))
    if bad.size:
        raise ParameterError(f"{name}[{bad[0]}] = {vec[bad[0]]} is not finite")
    if divided and vec.size and vec.sum() == 0:
        raise ParameterError(f"{name} sums to zero; it needs a nonzero sum (an all-zero start has no direction)")
    return vec


def start_vector(g: Graph, value: Any, name: str = "nstart") -> Optional[np.ndarray]:
    """A finite start vector with a nonzero sum (it is divided by its sum), or None."""
    vec = node_vector(g, value, name)
    return None if vec is None else check_values(vec, name, divided=True)


def _check_power(g: Graph, params: Dict[str, float], inputs: Dict[str, np.ndarray]) -> None:
    """At every init: what the twins check. HITS and eigenvector divide nstart by its sum."""
    tol_param(params["tol"])
    for name, vec in inputs.items():
        check_values(vec, name, divided=name == "nstart" and "alpha" not in params)
    if "alpha" in params:
        finite_param(params["alpha"], "alpha")
    if "beta" in params:
        finite_param(params["beta"], "beta")


def hits_program(
    max_iter: int = 100,
    tol: float = 1e-8,
    nstart: bool = False,
    normalized: bool = True,
    weighted: bool = True,
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """HITS by power iteration on ``A^T A`` (A the weighted adjacency, ``A[u, v]`` for u -> v).

    From ``1/n`` (or the ``nstart`` input divided by its sum): ``x <- A^T (A x)``, divided by
    its maximum, until ``sum(|x - x_prev|) < tol`` (NetworkX's power-iteration HITS,
    ``_hits_scipy``). Outputs ``"authorities"`` (x) and ``"hubs"`` (``A x``); ``normalized``:
    each divided by its sum, else x scaled to unit L2 norm first (as ``nx.hits`` returns its
    singular vector; ours is non-negative where ARPACK's sign is arbitrary).
    """
    max_iter = int_param(max_iter, "max_iter")
    edge = "mul_weight" if weighted else None
    b = Builder("hits")
    tolerance = b.param("tol", tol_param(tol))
    x0 = b.normalize(b.input("nstart")) if nstart else b.broadcast(1.0 / b.num_nodes())
    with b.loop(max_iter=max_iter) as loop:
        x = loop.carry("x", x0)
        z = b.neighbor_agg(b.neighbor_agg(x, "sum", "out", edge=edge), "sum", "in", edge=edge)  # A^T A x
        new = z / b.max(z)
        err = b.norm_l1(new - x)
        loop.update(x, new)
        loop.until(err < tolerance, residual=err)
    a = x if normalized else x / b.norm_l2(x)
    h = b.neighbor_agg(a, "sum", "out", edge=edge)
    if normalized:
        a, h = a / b.sum(a), h / b.sum(h)
    b.output("authorities", a)
    b.output("hubs", h)
    prog = b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)
    prog._validator = _check_power
    return prog


def eigenvector_centrality_program(
    max_iter: int = 100,
    tol: float = 1e-6,
    nstart: bool = False,
    weighted: bool = True,
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """Eigenvector centrality by power iteration on ``A^T + I`` (NetworkX's contract).

    From ``1/n`` (or ``nstart`` divided by its sum): ``x <- x + A^T x`` (in-neighbors' values,
    times the edge weights), divided by its L2 norm (by 1 if that is 0), until
    ``sum(|x - x_prev|) < n * tol``. Output ``"centrality"``.
    """
    max_iter = int_param(max_iter, "max_iter")
    b = Builder("eigenvector_centrality")
    tolerance = b.param("tol", tol_param(tol))
    x0 = b.normalize(b.input("nstart")) if nstart else b.broadcast(1.0 / b.num_nodes())
    with b.loop(max_iter=max_iter) as loop:
        x = loop.carry("x", x0)
        y = x + b.neighbor_agg(x, "sum", "in", edge="mul_weight" if weighted else None)
        norm = b.norm_l2(y)
        new = y / b.where(norm == 0.0, 1.0, norm)
        err = b.norm_l1(new - x)
        loop.update(x, new)
        loop.until(err < b.num_nodes() * tolerance, residual=err)
    b.output("centrality", x)
    prog = b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)
    prog._validator = _check_power
    return prog


def katz_centrality_program(
    alpha: float = 0.1,
    beta: float = 1.0,
    max_iter: int = 1000,
    tol: float = 1e-6,
    nstart: bool = False,
    beta_vector: bool = False,
    normalized: bool = True,
    weighted: bool = True,
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """Katz centrality by iteration (NetworkX's contract).

    From zeros (or the ``nstart`` input, as given): ``x <- alpha * A^T x + beta`` (beta the
    scalar parameter, or with ``beta_vector`` the per-node input ``"beta"``), until
    ``sum(|x - x_prev|) < n * tol``; then, ``normalized``, ``x * (1 / ||x||_2)`` (1 if the norm
    is 0). Output ``"centrality"``. It converges when ``|alpha| < 1 / lambda_max``.
    """
    max_iter = int_param(max_iter, "max_iter")
    b = Builder("katz_centrality")
    a = b.param("alpha", finite_param(alpha, "alpha"))
    bias = b.input("beta") if beta_vector else b.param("beta", finite_param(beta, "beta"))
    tolerance = b.param("tol", tol_param(tol))
    x0 = b.input("nstart") if nstart else b.fill(0.0)
    with b.loop(max_iter=max_iter) as loop:
        x = loop.carry("x", x0)
        new = a * b.neighbor_agg(x, "sum", "in", edge="mul_weight" if weighted else None) + bias
        err = b.norm_l1(new - x)
        loop.update(x, new)
        loop.until(err < b.num_nodes() * tolerance, residual=err)
    if normalized:
        norm = b.norm_l2(x)
        x = x * b.where(norm == 0.0, 1.0, 1.0 / norm)
    b.output("centrality", x)
    prog = b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)
    prog._validator = _check_power
    return prog


def hits(
    g: Graph,
    max_iter: int = 100,
    tol: float = 1e-8,
    nstart: Any = None,
    normalized: bool = True,
    weighted: bool = True,
    raise_on_failure: bool = True,
) -> Result:
    """Run :func:`hits_program`: main output ``"hubs"``, also ``result["authorities"]``.

    Raises :class:`ConvergenceError` when not converged within ``max_iter`` iterations
    (``max_iter=0`` always: NetworkX raises ``PowerIterationFailedConvergence`` for
    ``max_iter <= 0``), and on a graph without edges (``A^T A x = 0``: no direction). An empty
    graph gives empty vectors.

    ``nx.hits`` computes the same vectors with ARPACK (``svds``), to machine precision where
    the largest singular value of A is simple; this iteration stops within about
    ``tol * r / (1 - r)`` of them (r: the ratio of ``A^T A``'s two largest eigenvalues), so
    ``tol=1e-13`` agrees with ``nx.hits`` to 1e-10 in the tests. Where that singular value is
    repeated (e.g. a bipartite undirected graph) ``nx.hits`` depends on ARPACK's random start;
    this returns the start's projection onto that eigenspace, deterministically.
    """
    g = as_graph(g)
    vec = start_vector(g, nstart)
    prog = hits_program(max_iter, tol, vec is not None, bool(normalized), bool(weighted))
    if g.num_nodes == 0:
        empty = np.zeros(0)
        return Result({"hubs": empty, "authorities": empty.copy()}, "hubs", graph=g)
    inputs: Dict[str, Any] = {} if vec is None else {"nstart": vec}
    res = check_converged(prog.run(g, **inputs), "hits", max_iter, raise_on_failure)
    return Result(
        {"hubs": res["hubs"], "authorities": res["authorities"]},
        "hubs",
        res.iterations,
        res.converged,
        res.residuals,
        graph=g,
    )


def eigenvector_centrality(
    g: Graph,
    max_iter: int = 100,
    tol: float = 1e-6,
    nstart: Any = None,
    weighted: bool = True,
    raise_on_failure: bool = True,
) -> Result:
    """Run :func:`eigenvector_centrality_program`; output ``"centrality"``.

    A graph without nodes raises :class:`GraphError` (NetworkX: ``NetworkXPointlessConcept``);
    no convergence within ``max_iter`` raises :class:`ConvergenceError`.
    """
    g = as_graph(g)
    vec = start_vector(g, nstart)
    prog = eigenvector_centrality_program(max_iter, tol, vec is not None, bool(weighted))
    if g.num_nodes == 0:
        raise GraphError("eigenvector_centrality is not defined for the null graph (no nodes)")
    inputs: Dict[str, Any] = {} if vec is None else {"nstart": vec}
    return check_converged(prog.run(g, **inputs), "eigenvector_centrality", max_iter, raise_on_failure)


def katz_centrality(
    g: Graph,
    alpha: float = 0.1,
    beta: Any = 1.0,
    max_iter: int = 1000,
    tol: float = 1e-6,
    nstart: Any = None,
    normalized: bool = True,
    weighted: bool = True,
    raise_on_failure: bool = True,
) -> Result:
    """Run :func:`katz_centrality_program`; output ``"centrality"``.

    ``beta`` is a number or a per-node mapping / array of length n (every node needs a value:
    a mapping that leaves nodes out is refused, as NetworkX refuses it); ``nstart`` a mapping
    (nodes left out start at 0) or an array. An empty graph gives an empty vector.
    """
    g = as_graph(g)
    inputs: Dict[str, Any] = {}
    scalar_beta = 1.0
    if isinstance(beta, (int, float, np.integer, np.floating)) and not isinstance(beta, (bool, np.bool_)):
        scalar_beta = finite_param(beta, "beta")
    else:
        if isinstance(beta, Mapping) and len(beta) != g.num_nodes:
            raise ParameterError(f"beta has values for {len(beta)} nodes; it needs one for each of the {g.num_nodes}")
        vec = node_vector(g, beta, "beta")
        if vec is None:
            raise ParameterError("beta must be a finite number or a finite value per node")
        inputs["beta"] = check_values(vec, "beta")
    start = node_vector(g, nstart, "nstart")
    if start is not None:
        inputs["nstart"] = check_values(start, "nstart")
    prog = katz_centrality_program(
        alpha, scalar_beta, max_iter, tol, start is not None, "beta" in inputs, bool(normalized), bool(weighted)
    )
    if g.num_nodes == 0:
        return Result({"centrality": np.zeros(0)}, "centrality", graph=g)
    return check_converged(prog.run(g, **inputs), "katz_centrality", max_iter, raise_on_failure)
