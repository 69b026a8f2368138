"""Checking and converting user parameters before they cross to native code."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np

from stepgraph.errors import GraphError, ParameterError
from stepgraph.graph import Graph

__all__ = ["as_graph", "node_vector", "node_id", "int_param", "float_param", "alpha_param", "tol_param", "dtype_name"]


def as_graph(g: Any) -> Graph:
    if not isinstance(g, Graph):
        raise ParameterError(f"expected a stepgraph.Graph, got {type(g).__name__}")
    return g


def node_vector(g: Graph, value: Any, name: str) -> Optional[np.ndarray]:
    """A dense float64 per-node vector from a {node: value} mapping or an array of length n."""
    if value is None:
        return None
    n = g.num_nodes
    if isinstance(value, Mapping):
        vec = np.zeros(n, dtype=np.float64)
        for key, val in value.items():
            try:
                i = g.node_index(key)
            except GraphError:
                raise ParameterError(f"{name} names node {key!r}, which is not in the graph") from None
            try:
                vec[i] = float(val)
            except (TypeError, ValueError):
                raise ParameterError(f"{name}[{key!r}] = {val!r} is not a number") from None
        return vec
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a mapping or a numeric array") from None
    if arr.shape != (n,):
        raise ParameterError(f"{name} has shape {arr.shape}, expected ({n},) for a graph with {n} nodes")
    return np.ascontiguousarray(arr)


def node_id(g: Graph, node: Any, name: str = "source") -> int:
    """The node id of ``node`` (a label when the graph has labels), or ParameterError."""
    if g.node_labels is None:
        if isinstance(node, bool) or not isinstance(node, (int, np.integer)):
            raise ParameterError(f"{name} must be an integer node id, got {type(node).__name__}")
        if not 0 <= int(node) < g.num_nodes:
            raise ParameterError(f"{name} {int(node)} is out of range for a graph with {g.num_nodes} nodes")
        return int(node)
    try:
        return g.node_index(node)
    except GraphError:
        raise ParameterError(f"{name} {node!r} is not a node of the graph") from None


_INT64_MAX = 2**63 - 1


def int_param(value: Any, name: str, minimum: int = 0) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ParameterError(f"{name} must be >= {minimum}, got {value}")
    if value > _INT64_MAX:
        raise ParameterError(f"{name} must be at most 2**63 - 1, got {value}")
    return int(value)


def float_param(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise ParameterError(f"{name} is an integer too large for a float64") from None


def alpha_param(value: Any) -> float:
    """PageRank's damping factor, in [0, 1) (the native twins' range)."""
    alpha = float_param(value, "alpha")
    if not 0.0 <= alpha < 1.0:
        raise ParameterError(f"alpha must be in [0, 1), got {alpha}")
    return alpha


def tol_param(value: Any) -> float:
    """A convergence tolerance: finite and >= 0."""
    tol = float_param(value, "tol")
    if not (np.isfinite(tol) and tol >= 0.0):
        raise ParameterError(f"tol must be finite and >= 0, got {tol}")
    return tol


def dtype_name(dtype: Any) -> str:
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise ParameterError(f"dtype must be float64 or float32, got {dtype!r}") from None
    if name not in ("float64", "float32"):
        raise ParameterError(f"dtype must be float64 or float32, got {name}")
    return name
