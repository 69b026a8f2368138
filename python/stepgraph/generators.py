"""Native graph generators: RMAT, uniform random G(n, m) and 2-D grids, parallel and seed-deterministic.

Every edge is a pure function of ``(seed, edge index)`` (a counter-based Philox RNG), so
the same seed gives a bitwise identical graph (CSR and weights) for any number of
threads, and different seeds give different graphs. Edges are generated and the CSR is
built natively with the GIL released; no edge array crosses into Python.
"""

from __future__ import annotations

import logging
import numbers
import time
from typing import Any

import numpy as np

from stepgraph import _core
from stepgraph.errors import ParameterError
from stepgraph.graph import Graph

__all__ = ["rmat", "uniform", "grid"]

logger = logging.getLogger(__name__)

_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1


def _integer(value: Any, name: str, lo: int = -_INT64_MAX - 1, hi: int = _INT64_MAX) -> int:
    """``value`` as a Python int, or a ParameterError naming ``name`` (bools and floats are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ParameterError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    v = int(value)
    if not lo <= v <= hi:
        raise ParameterError(f"{name} = {v} is out of range [{lo}, {hi}]")
    return v


def _real(value: Any, name: str) -> float:
    """``value`` as a float, or a ParameterError naming ``name`` (bools are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def _seed(value: Any) -> int:
    return _integer(value, "seed", 0, _UINT64_MAX)


def _log(what: str, g: Graph, start: float) -> None:
    logger.debug("%s: %d nodes, %d edges in %.3f s", what, g.num_nodes, g.num_edges, time.perf_counter() - start)


def rmat(
    scale: int,
    edge_factor: int = 16,
    a: float = 0.57,
    b: float = 0.19,
    c: float = 0.19,
    seed: int = 0,
    directed: bool = True,
    weighted: bool = False,
    permute: bool = True,
) -> Graph:
    """A recursive-matrix (RMAT / Kronecker) graph with ``2**scale`` nodes and ``edge_factor * 2**scale`` edges.

    Each edge descends ``scale`` levels of the adjacency matrix, picking at each level the
    top-left / top-right / bottom-left / bottom-right quadrant with probability
    ``a`` / ``b`` / ``c`` / ``d = 1 - a - b - c`` (the defaults are Graph500's and GAP's).
    Self-loops and duplicate edges are kept: they are part of the model.

    Args:
        scale: log2 of the number of nodes, in ``[0, 30]`` (node ids are 32-bit).
        edge_factor: edges per node, ``>= 0``.
        a, b, c: quadrant probabilities, each ``>= 0`` with ``a + b + c <= 1``.
        seed: any integer in ``[0, 2**64)``; the same seed gives the same graph.
        directed: build a directed graph (else each edge is undirected).
        weighted: give each edge a float64 weight uniform in ``(0, 1]``.
        permute: relabel node ids by a seeded random permutation (as the GAP benchmark
            suite does) so that degree does not correlate with id; with ``False`` node 0
            is the heaviest when ``a`` is the largest probability.

    Raises:
        ParameterError: a parameter out of range, or of the wrong type.
    """
    args = (
        _integer(scale, "scale"),
        _integer(edge_factor, "edge_factor"),
        _real(a, "a"),
        _real(b, "b"),
        _real(c, "c"),
        _seed(seed),
        bool(directed),
        bool(weighted),
        bool(permute),
    )
    start = time.perf_counter()
    g = Graph(_core.generate_rmat(*args))
    _log(f"rmat(scale={args[0]}, edge_factor={args[1]}, seed={args[5]})", g, start)
    return g


def uniform(
    num_nodes: int,
    num_edges: int,
    seed: int = 0,
    directed: bool = True,
    weighted: bool = False,
) -> Graph:
    """A uniform random graph: Erdős–Rényi G(n, m) with replacement.

    Both endpoints of each of the ``num_edges`` edges are drawn independently and without
    bias from ``[0, num_nodes)``; self-loops and duplicate edges are kept.

    Args:
        num_nodes: number of nodes, in ``[0, 2**31 - 1]``.
        num_edges: number of edges, ``>= 0`` (and 0 when ``num_nodes`` is 0).
        seed: any integer in ``[0, 2**64)``; the same seed gives the same graph.
        directed: build a directed graph (else each edge is undirected).
        weighted: give each edge a float64 weight uniform in ``(0, 1]``.

    Raises:
        ParameterError: a parameter out of range, or of the wrong type.
    """
    args = (
        _integer(num_nodes, "num_nodes"),
        _integer(num_edges, "num_edges"),
        _seed(seed),
        bool(directed),
        bool(weighted),
    )
    start = time.perf_counter()
    g = Graph(_core.generate_uniform(*args))
    _log(f"uniform(num_nodes={args[0]}, num_edges={args[1]}, seed={args[2]})", g, start)
    return g


def grid(rows: int, cols: int, weighted: bool = False, seed: int = 0) -> Graph:
    """The undirected 4-neighbour lattice of ``rows x cols`` nodes; node ``(r, c)`` has id ``r * cols + c``.

    The same graph as ``networkx.grid_2d_graph(rows, cols)`` with that relabelling.

    Args:
        rows, cols: grid sides, ``>= 0``, with ``rows * cols <= 2**31 - 1``.
        weighted: give each edge a float64 weight uniform in ``(0, 1]``.
        seed: the weights' seed, any integer in ``[0, 2**64)`` (the structure is fixed).

    Raises:
        ParameterError: a parameter out of range, or of the wrong type.
    """
    args = (_integer(rows, "rows"), _integer(cols, "cols"), bool(weighted), _seed(seed))
    start = time.perf_counter()
    g = Graph(_core.generate_grid(*args))
    _log(f"grid(rows={args[0]}, cols={args[1]})", g, start)
    return g
