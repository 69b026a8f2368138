"""The ladder's graphs, by name: uniform random G(n, 10 n), RMAT (edge factor 16), and for probes
a k x k grid (short, regular rows: the epilogue's share of the time is large)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

import stepgraph as sg

SEED = 1

# Full ladder (DESIGN.md section 7) and the CI smoke set.
FULL = [
    "uniform(1k)",
    "uniform(5k)",
    "uniform(10k)",
    "uniform(50k)",
    "uniform(200k)",
    "uniform(1M)",
    "rmat(18)",
    "rmat(20)",
]
QUICK = ["uniform(1k)", "uniform(5k)", "rmat(10)"]

_SUFFIX = {"": 1, "k": 1_000, "M": 1_000_000}


@dataclass(frozen=True)
class GraphSpec:
    name: str
    kind: str  # "uniform", "rmat" or "grid"
    nodes: int  # expected node count
    edges: int  # expected edge count (as generated; the in-CSR may hold the same)

    def build(self) -> sg.Graph:
        if self.kind == "uniform":
            return sg.generators.uniform(self.nodes, self.edges, seed=SEED)
        if self.kind == "grid":
            side = int(round(self.nodes**0.5))
            return sg.generators.grid(side, side)
        scale = self.nodes.bit_length() - 1
        return sg.generators.rmat(scale, edge_factor=16, seed=SEED)


def spec(name: str) -> GraphSpec:
    """``uniform(200k)`` (n nodes, 10 n edges), ``rmat(18)`` (2^18 nodes, 16 * 2^18 edges) or
    ``grid(500)`` (500 x 500 nodes)."""
    m = re.fullmatch(r"uniform\((\d+)([kM]?)\)", name)
    if m:
        n = int(m.group(1)) * _SUFFIX[m.group(2)]
        return GraphSpec(name, "uniform", n, 10 * n)
    m = re.fullmatch(r"rmat\((\d+)\)", name)
    if m:
        n = 1 << int(m.group(1))
        return GraphSpec(name, "rmat", n, 16 * n)
    m = re.fullmatch(r"grid\((\d+)\)", name)
    if m:
        k = int(m.group(1))
        return GraphSpec(name, "grid", k * k, 2 * k * (k - 1))
    raise ValueError(f"unknown graph {name!r}: expected uniform(<n>[k|M]), rmat(<scale>) or grid(<side>)")


def specs(names: List[str]) -> List[GraphSpec]:
    return [spec(n) for n in names]
