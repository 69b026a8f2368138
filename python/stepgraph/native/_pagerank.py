"""Native PageRank twins with NetworkX's contract (``stepgraph.native.pagerank``)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

import numpy as np

from stepgraph import _core
from stepgraph.errors import ConvergenceError
from stepgraph.native._params import as_graph, dtype_name, float_param, int_param, node_id, node_vector
from stepgraph.result import Result

__all__ = ["pagerank", "personalized_pagerank"]

NodeValues = Union[Mapping[Any, float], Sequence[float], np.ndarray, None]


def pagerank(
    g: Any,
    alpha: float = 0.85,
    personalization: NodeValues = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    nstart: NodeValues = None,
    dangling: NodeValues = None,
    weighted: bool = True,
    dtype: Any = "float64",
    raise_on_failure: bool = True,
) -> Result:
    """PageRank by power iteration, exactly NetworkX's contract.

    ``personalization``, ``nstart`` and ``dangling`` are {node: value} mappings (nodes
    left out count 0) or arrays of length n; each is normalized to sum 1. Dangling mass
    goes to ``dangling`` if given, else to the personalization (uniform if none).
    Converged when ``sum(|x - x_prev|) < n * tol``; otherwise :class:`ConvergenceError`
    (or ``converged=False`` with ``raise_on_failure=False``). Output ``"rank"``.
    """
    g = as_graph(g)
    raw = _core.pagerank(
        g._native,
        float_param(alpha, "alpha"),
        int_param(max_iter, "max_iter"),
        float_param(tol, "tol"),
        node_vector(g, personalization, "personalization"),
        node_vector(g, nstart, "nstart"),
        node_vector(g, dangling, "dangling"),
        bool(weighted),
        dtype_name(dtype),
    )
    result = Result(
        {"rank": raw["values"]}, "rank", raw["iterations"], raw["converged"], np.asarray(raw["residuals"]), graph=g
    )
    if raise_on_failure and not result.converged:
        raise ConvergenceError(f"pagerank did not converge within max_iter = {max_iter} iterations", result)
    return result


def personalized_pagerank(
    g: Any,
    sources: Any,
    alpha: float = 0.85,
    max_iter: int = 100,
    tol: float = 1e-6,
    nstart: NodeValues = None,
    dangling: NodeValues = None,
    weighted: bool = True,
    dtype: Any = "float64",
    raise_on_failure: bool = True,
) -> Result:
    """One personalized PageRank per source, all computed in one pass over the graph per iteration.

    ``values[j]`` is the PageRank with personalization concentrated on ``sources[j]``
    (equal to ``pagerank(g, personalization={sources[j]: 1})``); shape (len(sources), n).
    ``extra["iterations_per_source"]`` holds each source's iteration count.
    """
    g = as_graph(g)
    if np.isscalar(sources) or isinstance(sources, (str, bytes)):
        sources = [sources]
    ids = [node_id(g, s, "source") for s in sources]
    raw = _core.personalized_pagerank(
        g._native,
        ids,
        float_param(alpha, "alpha"),
        int_param(max_iter, "max_iter"),
        float_param(tol, "tol"),
        node_vector(g, nstart, "nstart"),
        node_vector(g, dangling, "dangling"),
        bool(weighted),
        dtype_name(dtype),
    )
    values = raw["values"].reshape(len(ids), g.num_nodes)
    result = Result(
        {"rank": values},
        "rank",
        raw["iterations"],
        raw["converged"],
        np.asarray(raw["residuals"]),
        graph=g,
        extra={"iterations_per_source": np.asarray(raw["iterations_per_source"], dtype=np.int64), "sources": ids},
    )
    if raise_on_failure and not result.converged:
        raise ConvergenceError(
            f"personalized_pagerank did not converge within max_iter = {max_iter} iterations", result
        )
    return result
