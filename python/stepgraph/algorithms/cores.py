"""Core numbers as the iterated h-index fixed point (Lü, Zhou, Zhang and Stanley, 2016).

Start from every node's degree and repeatedly replace each node's value by the h-index of its
neighbors' values (the largest h such that at least h neighbors have a value >= h). The values
never increase and reach the core number, the largest k of a k-core holding the node. Each
iteration is one pull, ``neighbor_agg(x, "h_index", "both")``; the loop stops when no value
changed. It needs as many iterations as the slowest value takes to settle (a path of n nodes:
about n / 2); the twin, ``stepgraph.native.core_number``, peels in O(n + m) (Batagelj and
Zaversnik).

Neighbors are counted as NetworkX's ``all_neighbors``: the undirected adjacency, or in- and
out-neighbors together for a directed graph (degree = in + out, so a reciprocal pair counts
twice), a parallel edge once per edge. NetworkX refuses self-loops (``NetworkXNotImplemented``);
so does this, with :class:`stepgraph.GraphError`.
"""

from __future__ import annotations

from typing import Dict, Sequence

import numpy as np

from stepgraph.algorithms.traversal import UNTIL_CONVERGED
from stepgraph.builder import Builder
from stepgraph.errors import GraphError
from stepgraph.graph import Graph
from stepgraph.native._params import as_graph
from stepgraph.program import Program
from stepgraph.result import Result

__all__ = ["core_number_program", "core_number", "count_self_loops"]


def count_self_loops(g: Graph) -> int:
    """The number of edges u -> u (each stored once)."""
    off, idx, _ = g.csr("out")
    rows = np.repeat(np.arange(g.num_nodes, dtype=idx.dtype), np.diff(off))
    return int(np.count_nonzero(idx == rows))


def _refuse_self_loops(g: Graph, params: Dict[str, float], inputs: Dict[str, np.ndarray]) -> None:
    loops = count_self_loops(g)
    if loops:
        raise GraphError(f"core_number is not defined for graphs with self-loops; this graph has {loops}")


def core_number_program(
    opt_level: int = 3, exact: bool = False, disable: Sequence[str] = (), enable: Sequence[str] = ()
) -> Program:
    """Core numbers (int64 output ``"core"``) by the h-index iteration from the degrees."""
    b = Builder("core_number")
    out_deg = b.out_degree(weighted=False, dtype="int64")
    degree = b.where(b.directed(), b.in_degree(weighted=False, dtype="int64") + out_deg, out_deg)
    with b.loop(max_iter=UNTIL_CONVERGED) as loop:
        core = loop.carry("core", degree)
        new = b.neighbor_agg(core, "h_index", "both")  # never above core: the values only fall
        changed = b.count(new != core)
        loop.update(core, new)
        loop.until(changed == 0, residual=changed)
    b.output("core", core)
    prog = b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)
    prog._validator = _refuse_self_loops
    return prog


def core_number(g: Graph) -> Result:
    """Run :func:`core_number_program`; output ``"core"`` (int64). Self-loops raise GraphError."""
    return core_number_program().run(as_graph(g))
