"""PageRank as a step program; the same arithmetic, in the same order, as native.pagerank."""

from __future__ import annotations

from typing import Any

import numpy as np

from stepgraph.builder import Builder
from stepgraph.errors import ConvergenceError
from stepgraph.graph import Graph
from stepgraph.native._params import as_graph, node_vector
from stepgraph.program import Program
from stepgraph.result import Result

__all__ = ["pagerank_program", "pagerank"]


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
) -> Program:
    """NetworkX-contract PageRank. With ``personalization`` / ``dangling`` / ``nstart`` the
    program takes that node vector as an input at init/run (normalized to sum 1)."""
    b = Builder("pagerank")
    a = b.param("alpha", alpha, dtype)
    tolerance = b.param("tol", tol)
    n = b.num_nodes(dtype)
    deg = b.out_degree(weighted=weighted, dtype=dtype)
    sink = deg == 0
    inv = b.where(sink, 0.0, b.recip(deg))  # hoistable: 1 / out-degree, 0 for sinks
    p = b.normalize(b.input("personalization", dtype)) if personalization else 1.0 / n
    teleport = (1.0 - a) * p
    dw = b.normalize(b.input("dangling", dtype)) if dangling else p
    x0 = b.normalize(b.input("nstart", dtype)) if nstart else b.broadcast(1.0 / n)
    with b.loop(max_iter=max_iter) as loop:
        x = loop.carry("rank", x0)
        contrib = x * inv
        gathered = b.neighbor_agg(contrib, "sum", "in", edge="mul_weight" if weighted else None)
        dangling_sum = b.sum(b.where(sink, x, 0.0))
        new = a * (gathered + dangling_sum * dw) + teleport
        err = b.norm_l1(new - x)
        loop.update(x, new)
        if b._rec(err).dtype != "f64":
            err = b.cast(err, "float64")
        loop.until(err < b.num_nodes("float64") * tolerance, residual=err)
    b.output("rank", x)
    return b.build(opt_level=opt_level, exact=exact)


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
    inputs = {}
    for name, value in (("personalization", personalization), ("dangling", dangling), ("nstart", nstart)):
        vec = node_vector(g, value, name)
        if vec is not None:
            if not np.all(np.isfinite(vec)) or (vec < 0).any() or not vec.sum() > 0:
                from stepgraph.errors import ParameterError

                raise ParameterError(f"{name} must be finite, non-negative and not all zero")
            inputs[name] = vec
    prog = pagerank_program(alpha, max_iter, tol, personalization is not None, dangling is not None,
                            nstart is not None, weighted, dtype)
    res = prog.run(g, **inputs)
    if raise_on_failure and not res.converged and g.num_nodes > 0:
        raise ConvergenceError(f"pagerank did not converge within max_iter = {max_iter} iterations", res)
    return res
