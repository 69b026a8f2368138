"""Shared helpers of the centrality and core number tests: simple (deduplicated) graph cases for
NetworkX, NetworkX graphs built from them, and path and grid cases."""

from __future__ import annotations

from typing import Optional

import networkx as nx
import numpy as np

from graphs import GraphCase


def simple(case: GraphCase, self_loops: bool = True) -> GraphCase:
    """The case without parallel edges (the first of each kept) and optionally without self-loops."""
    s, d = case.src, case.dst
    if not case.directed:
        s, d = np.minimum(case.src, case.dst), np.maximum(case.src, case.dst)
    keep = np.ones(len(s), bool) if self_loops else s != d
    pairs = s[keep] * max(case.num_nodes, 1) + d[keep]
    _, first = np.unique(pairs, return_index=True)
    idx = np.flatnonzero(keep)[np.sort(first)]
    w: Optional[np.ndarray] = None if case.weights is None else case.weights[idx]
    return GraphCase(case.name + "-simple", case.src[idx], case.dst[idx], case.num_nodes, case.directed, w)


def path(n: int, directed: bool) -> GraphCase:
    """The path 0 - 1 - ... - n-1 (edges i -> i+1 when directed)."""
    return GraphCase(f"path{n}", np.arange(n - 1), np.arange(1, n), n, directed)


def grid(rows: int, cols: int) -> GraphCase:
    """An undirected rows x cols grid, nodes row-major."""
    v = np.arange(rows * cols).reshape(rows, cols)
    s = np.concatenate([v[:, :-1].ravel(), v[:-1, :].ravel()])
    d = np.concatenate([v[:, 1:].ravel(), v[1:, :].ravel()])
    return GraphCase(f"grid{rows}x{cols}", s, d, rows * cols, False)


def to_nx(case: GraphCase) -> nx.Graph:
    """A simple case as nx.Graph / nx.DiGraph with nodes 0..n-1 (weights as "weight")."""
    G = nx.DiGraph() if case.directed else nx.Graph()
    G.add_nodes_from(range(case.num_nodes))
    for i, (u, v) in enumerate(zip(case.src.tolist(), case.dst.tolist())):
        G.add_edge(u, v, weight=1.0 if case.weights is None else float(case.weights[i]))
    return G


def dense(case: GraphCase) -> np.ndarray:
    """The adjacency matrix: A[u, v] sums u -> v's weights (both ways when undirected, a self-loop once)."""
    n = case.num_nodes
    a = np.zeros((n, n))
    w = np.ones(len(case.src)) if case.weights is None else case.weights
    np.add.at(a, (case.src, case.dst), w)
    if not case.directed:
        off = case.src != case.dst
        np.add.at(a, (case.dst[off], case.src[off]), w[off])
    return a
