"""Random graph families shared by the differential tests (sinks, self-loops, multi-edges, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import networkx as nx
import numpy as np

import stepgraph as sg


@dataclass
class GraphCase:
    name: str
    src: np.ndarray
    dst: np.ndarray
    num_nodes: int
    directed: bool
    weights: Optional[np.ndarray] = None

    def graph(self, **kwargs) -> sg.Graph:
        return sg.Graph.from_edges(self.src, self.dst, self.num_nodes, self.weights, self.directed, **kwargs)

    def networkx(self) -> nx.Graph:
        """The same graph as a NetworkX Multi(Di)Graph: parallel edges kept, nodes 0..n-1."""
        G = nx.MultiDiGraph() if self.directed else nx.MultiGraph()
        G.add_nodes_from(range(self.num_nodes))
        for i, (u, v) in enumerate(zip(self.src.tolist(), self.dst.tolist())):
            if self.weights is None:
                G.add_edge(u, v)
            else:
                G.add_edge(u, v, weight=float(self.weights[i]))
        return G

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"<{self.name}: n={self.num_nodes} m={len(self.src)} {kind}{' weighted' if self.weights is not None else ''}>"


def _edges(rng: np.random.Generator, n: int, m: int):
    return rng.integers(0, n, m), rng.integers(0, n, m)


def random_cases(count: int = 60, seed: int = 12345, weighted: Optional[bool] = None) -> Iterator[GraphCase]:
    """``count`` graphs cycling through the families; ``weighted`` None mixes both."""
    rng = np.random.default_rng(seed)
    fixed = [
        GraphCase("empty", np.zeros(0, np.int64), np.zeros(0, np.int64), 0, True),
        GraphCase("single", np.zeros(0, np.int64), np.zeros(0, np.int64), 1, True),
        GraphCase("single-self-loop", np.array([0]), np.array([0]), 1, False),
        GraphCase("isolated-only", np.zeros(0, np.int64), np.zeros(0, np.int64), 7, False),
        GraphCase("path-with-sink", np.array([0, 1, 2]), np.array([1, 2, 3]), 4, True),
    ]
    for i in range(count):
        if i < len(fixed):
            case = fixed[i]
            if weighted:
                case.weights = rng.uniform(0.1, 2.0, len(case.src))
            yield case
            continue
        family = i % 6
        n = int(rng.integers(2, 60))
        directed = bool(rng.integers(0, 2)) if family != 0 else True
        if family == 0:  # sparse directed with many sinks
            m = int(rng.integers(1, n + 1))
            s, d = _edges(rng, n, m)
        elif family == 1:  # dense-ish with self-loops
            m = int(rng.integers(n, 4 * n))
            s, d = _edges(rng, n, m)
            k = max(1, n // 5)
            s = np.concatenate([s, np.arange(k)])
            d = np.concatenate([d, np.arange(k)])
        elif family == 2:  # parallel edges
            m = int(rng.integers(n, 3 * n))
            s, d = _edges(rng, n, m)
            s, d = np.concatenate([s, s[: m // 2]]), np.concatenate([d, d[: m // 2]])
        elif family == 3:  # isolated nodes: edges only among the first half
            half = max(1, n // 2)
            m = int(rng.integers(1, 3 * half))
            s, d = _edges(rng, half, m)
        elif family == 4:  # several components
            parts = []
            base = 0
            while base < n:
                size = int(rng.integers(1, 10))
                size = min(size, n - base)
                m = int(rng.integers(0, 2 * size + 1))
                ps, pd = _edges(rng, size, m)
                parts.append((ps + base, pd + base))
                base += size
            s = np.concatenate([p[0] for p in parts])
            d = np.concatenate([p[1] for p in parts])
        else:  # star-ish hub
            m = int(rng.integers(n, 3 * n))
            s, d = _edges(rng, n, m)
            d[: m // 2] = 0
        w = None
        use_w = weighted if weighted is not None else bool(rng.integers(0, 2))
        if use_w:
            w = rng.uniform(0.05, 3.0, len(s))
        yield GraphCase(f"family{family}-{i}", s.astype(np.int64), d.astype(np.int64), n, directed, w)
