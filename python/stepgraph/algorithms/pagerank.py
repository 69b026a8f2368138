"""PageRank and personalized PageRank as step programs, with native.pagerank's arithmetic
in the same order, so results agree bit for bit with the native twins."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import numpy as np

from stepgraph.builder import Builder
from stepgraph.errors import ConvergenceError, ParameterError
from stepgraph.graph import Graph
from stepgraph.native._params import alpha_param, as_graph, dtype_name, int_param, node_id, node_vector, tol_param
from stepgraph.program import Program
from stepgraph.result import Result

__all__ = ["pagerank_program", "pagerank", "personalized_pagerank_program", "personalized_pagerank"]


def _check_vector(name: str, vec: np.ndarray) -> None:
    bad = np.flatnonzero(~np.isfinite(vec) | (vec < 0))
    if bad.size:
        raise ParameterError(f"{name}[{bad[0]}] = {vec[bad[0]]} must be finite and non-negative")
    if vec.size and not vec.sum() > 0:  # an empty graph takes an empty vector (as native.pagerank does)
        raise ParameterError(f"{name} sums to zero; it needs a positive entry")


def _validator(weighted: bool) -> Any:
    """What native.pagerank checks, checked at every init/run of a PageRank program."""

    def check(g: Graph, params: Dict[str, float], inputs: Dict[str, np.ndarray]) -> None:
        alpha_param(params["alpha"])
        tol_param(params["tol"])
        if "source" in params:
            s = params["source"]
            if not 0 <= s < g.num_nodes:
                raise ParameterError(f"source {s:.0f} is out of range for a graph with {g.num_nodes} nodes")
        for name, vec in inputs.items():
            _check_vector(name, vec)
        if weighted and g.weighted and g._native.has_negative_weights:
            raise ParameterError("pagerank needs non-negative edge weights; this graph has negative weights")

    return check


def _build(
    name: str,
    teleport: str,
    dangling: bool,
    nstart: bool,
    alpha: float,
    max_iter: int,
    tol: float,
    weighted: bool,
    dtype: Any,
    opt_level: int,
    exact: bool,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """teleport: "uniform" (1/n), "input" (a personalization vector) or "source" (one node)."""
    alpha = alpha_param(alpha)
    tol = tol_param(tol)
    dtype = dtype_name(dtype)
    max_iter = int_param(max_iter, "max_iter")
    # Written the way the math reads: the invariants (1 / out-degree, the sink mask, the
    # teleport term) sit inside the loop, and the optimizer hoists them (O2+) by itself.
    b = Builder(name)
    a = b.param("alpha", alpha, dtype)
    tolerance = b.param("tol", tol)
    personalization_in = b.input("personalization", dtype) if teleport == "input" else None
    dangling_in = b.input("dangling", dtype) if dangling else None
    source = b.param("source", 0, "int64") if teleport == "source" else None
    n0 = b.num_nodes(dtype)
    x0 = b.normalize(b.input("nstart", dtype)) if nstart else b.broadcast(1.0 / n0)
    with b.loop(max_iter=max_iter) as loop:
        x = loop.carry("rank", x0)
        n = b.num_nodes(dtype)
        deg = b.out_degree(weighted=weighted, dtype=dtype)
        sink = deg == 0
        inv = b.where(sink, 0.0, b.recip(deg))  # 1 / out-degree, 0 for sinks
        if personalization_in is not None:
            p = b.normalize(personalization_in)
        elif source is not None:
            p = b.where(b.node_id() == source, 1.0, 0.0)
        else:
            p = 1.0 / n
        dw = b.normalize(dangling_in) if dangling_in is not None else p
        teleport_mass = (1.0 - a) * p
        gathered = b.neighbor_agg(x * inv, "sum", "in", edge="mul_weight" if weighted else None)
        dangling_sum = b.sum(b.where(sink, x, 0.0))
        new = a * (gathered + dangling_sum * dw) + teleport_mass
        err = b.norm_l1(new - x)
        loop.update(x, new)
        if b._rec(err).dtype != "f64":
            err = b.cast(err, "float64")
        loop.until(err < b.num_nodes("float64") * tolerance, residual=err)
    b.output("rank", x)
    prog = b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)
    prog._validator = _validator(bool(weighted))
    return prog


def pagerank_program(
    alpha: float = 0.85,
    max_iter: int = 100,
    tol: float = 1e-6,
    personalization: bool = False,
    dangling: bool = False,
    nstart: bool = False,
    weighted: bool = True,
    dtype: Any = "float64",
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """NetworkX-contract PageRank. With ``personalization`` / ``dangling`` / ``nstart`` the
    program takes that node vector as an input at init/run (normalized to sum 1). ``disable`` /
    ``enable``: passes or features switched off / opt-in features (``("in_place",)``: rank
    updated in place), see :class:`stepgraph.Program`."""
    return _build(
        "pagerank",
        "input" if personalization else "uniform",
        dangling,
        nstart,
        alpha,
        max_iter,
        tol,
        weighted,
        dtype,
        opt_level,
        exact,
        disable,
        enable,
    )


def personalized_pagerank_program(
    alpha: float = 0.85,
    max_iter: int = 100,
    tol: float = 1e-6,
    dangling: bool = False,
    weighted: bool = True,
    dtype: Any = "float64",
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """PageRank teleporting to the node given by the int ``source`` parameter."""
    return _build(
        "personalized_pagerank",
        "source",
        dangling,
        False,
        alpha,
        max_iter,
        tol,
        weighted,
        dtype,
        opt_level,
        exact,
        disable,
        enable,
    )


def _checked_vector(g: Graph, value: Any, name: str) -> Optional[np.ndarray]:
    vec = node_vector(g, value, name)
    if vec is not None:
        _check_vector(name, vec)
    return vec


def pagerank(
    g: Graph,
    alpha: float = 0.85,
    personalization: Any = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    nstart: Any = None,
    dangling: Any = None,
    weighted: bool = True,
    dtype: Any = "float64",
    raise_on_failure: bool = True,
) -> Result:
    """Run :func:`pagerank_program` on ``g`` (one native call for the whole loop)."""
    g = as_graph(g)
    inputs: Dict[str, Any] = {}
    for name, value in (("personalization", personalization), ("dangling", dangling), ("nstart", nstart)):
        vec = _checked_vector(g, value, name)
        if vec is not None:
            inputs[name] = vec
    prog = pagerank_program(
        alpha, max_iter, tol, personalization is not None, dangling is not None, nstart is not None, weighted, dtype
    )
    res = prog.run(g, **inputs)
    if raise_on_failure and not res.converged:
        raise ConvergenceError(f"pagerank did not converge within max_iter = {max_iter} iterations", res)
    return res


def personalized_pagerank(
    g: Graph,
    sources: Any,
    alpha: float = 0.85,
    max_iter: int = 100,
    tol: float = 1e-6,
    dangling: Any = None,
    weighted: bool = True,
    dtype: Any = "float64",
    raise_on_failure: bool = True,
) -> Result:
    """One PageRank per source (values of shape (len(sources), n)), one program run each."""
    g = as_graph(g)
    if np.isscalar(sources) or isinstance(sources, (str, bytes)):
        sources = [sources]
    ids = [node_id(g, s, "source") for s in sources]
    inputs: Dict[str, Any] = {}
    vec = _checked_vector(g, dangling, "dangling")
    if vec is not None:
        inputs["dangling"] = vec
    prog = personalized_pagerank_program(alpha, max_iter, tol, dangling is not None, weighted, dtype)
    runs = [prog.run(g, source=s, **inputs) for s in ids]
    values = np.stack([r["rank"] for r in runs]) if runs else np.zeros((0, g.num_nodes))
    iters = np.array([r.iterations for r in runs], dtype=np.int64)
    res = Result(
        {"rank": values},
        "rank",
        int(iters.max()) if runs else 0,
        all(r.converged for r in runs),
        graph=g,
        extra={"iterations_per_source": iters, "sources": ids},
    )
    if raise_on_failure and not res.converged:
        raise ConvergenceError(f"personalized_pagerank did not converge within max_iter = {max_iter} iterations", res)
    return res
