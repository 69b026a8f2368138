"""Weak connected components, two ways; each node's label is its component's smallest node id,
as ``stepgraph.native.connected_components``.

``method="afforest"`` (the default; Sutton, Ben-Nun and Barak, 2018, as GAP's ``cc``): union-find
links each node with its first out-neighbor, then its second, guesses the largest component from
a sample, and links the edges of the nodes outside it only: their out-edges, and in a directed
graph their in-edges (an edge with one end in that component is seen from the other end). A few steps, no loop; most edges of a graph with a giant component
are never read.

``method="fastsv"`` (Zhang, Azad and Hu, 2020, as LAGraph's ``LAGr_ConnectedComponents``): pointer
jumping with gather and scatter over a parent forest ``f`` and its grandparents ``gp = f[f]``;
each iteration takes ``mngp[u]``, the smallest grandparent among u's neighbors, then hooks
aggressively ``f = min(f, mngp)``, shortcuts ``f = min(f, gp)``, hooks stochastically
``f[f_old[u]] = min(f[f_old[u]], mngp[u])`` (a scatter-min), and stops once ``gp`` no longer
changes. Every step takes a min, so this order (LAGraph hooks stochastically first) gives the
same f and lets the first two steps run in the pull's pass. O(log n) iterations, each reading
every edge.
"""

from __future__ import annotations

from typing import Sequence

from stepgraph.algorithms.traversal import UNTIL_CONVERGED
from stepgraph.builder import Builder
from stepgraph.errors import ParameterError
from stepgraph.graph import Graph
from stepgraph.native._params import as_graph
from stepgraph.program import Program
from stepgraph.result import Result

__all__ = ["connected_components_program", "connected_components", "METHODS"]

METHODS = ("afforest", "fastsv")
NEIGHBOR_ROUNDS = 2  # Afforest's: each node's first two neighbors before the giant is guessed


def connected_components_program(
    method: str = "afforest",
    opt_level: int = 3,
    exact: bool = False,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
) -> Program:
    """Weak components (``method`` "afforest" or "fastsv"); each node's label is its component's smallest id."""
    if method not in METHODS:
        raise ParameterError(f"connected_components: method must be one of {METHODS}, got {method!r}")
    b = Builder("connected_components")
    (_afforest if method == "afforest" else _fastsv)(b)
    return b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)


def _afforest(b: Builder) -> None:
    component = b.node_id("int64")
    for r in range(NEIGHBOR_ROUNDS):
        component = b.link(component, "out", edges=(r, r + 1))
    giant = b.sample_mode(component)
    # Every edge of the nodes outside the giant, both ways (a directed edge into u from the giant,
    # whose rows are skipped, is seen from u); their sampled edges again too, already joined.
    component = b.link(component, "both", edges=(0, None), active=component != giant)
    b.output("component", component)


def _fastsv(b: Builder) -> None:
    ids = b.node_id("int64")
    with b.loop(max_iter=UNTIL_CONVERGED) as loop:
        parent = loop.carry("component", ids)
        grandparent = loop.carry("grandparent", ids)
        mngp = b.neighbor_agg(grandparent, "min", "both")  # empty rows give int64 max: no hook
        hooked = b.minimum(b.minimum(parent, mngp), grandparent)
        parent_next = b.scatter(hooked, parent, mngp, combine="min")
        new_grandparent = b.gather(parent_next, parent_next)
        changed = b.count(new_grandparent != grandparent)
        loop.update(parent, parent_next)
        loop.update(grandparent, new_grandparent)
        loop.until(changed == 0, residual=changed)
    b.output("component", parent)


def connected_components(g: Graph, method: str = "afforest") -> Result:
    return connected_components_program(method).run(as_graph(g))
