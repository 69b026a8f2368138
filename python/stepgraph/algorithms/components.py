"""Connected components by pointer jumping: FastSV (Zhang, Azad and Hu, 2020).

As LAGraph's ``LAGr_ConnectedComponents`` (FastSV), on a parent forest ``f`` (initially every
node its own parent) and its grandparents ``gp = f[f]``, each iteration:

- ``mngp[u]``: the smallest grandparent among u's neighbors (both directions: weak components);
- aggressive hooking ``f = min(f, mngp)`` and shortcutting ``f = min(f, gp)``;
- stochastic hooking: ``f[f_old[u]] = min(f[f_old[u]], mngp[u])`` (a scatter-min at index f);
- ``gp = f[f]``, and stop once gp no longer changes.

(LAGraph hooks stochastically first; every step takes a min, so the order gives the same f,
and this one lets the first two steps run in the pull's pass.)

Parents only decrease, so every tree's root is its smallest node; the iteration count grows
with log n rather than with the diameter (the min-label sweep needs one iteration per hop).
Labels are each component's smallest node id, as ``stepgraph.native.connected_components``.
"""

from __future__ import annotations

from typing import Sequence

from stepgraph.algorithms.traversal import UNTIL_CONVERGED
from stepgraph.builder import Builder
from stepgraph.graph import Graph
from stepgraph.native._params import as_graph
from stepgraph.program import Program
from stepgraph.result import Result

__all__ = ["connected_components_program", "connected_components"]


def connected_components_program(
    opt_level: int = 3, exact: bool = False, disable: Sequence[str] = (), enable: Sequence[str] = ()
) -> Program:
    """Weak components by FastSV pointer jumping; each node's label is its component's smallest id."""
    b = Builder("connected_components")
    ids = b.node_id("int64")
    with b.loop(max_iter=UNTIL_CONVERGED) as loop:
        parent = loop.carry("component", ids)
        grandparent = loop.carry("grandparent", ids)
        mngp = b.neighbor_agg(grandparent, "min", "both")  # empty rows give int64 max: no hook
        # Aggressive hooking and shortcutting first (the pull's fused epilogue), then stochastic
        # hooking into that: min is order-free, so f is FastSV's, one pass over node data less.
        hooked = b.minimum(b.minimum(parent, mngp), grandparent)
        parent_next = b.scatter(hooked, parent, mngp, combine="min")
        new_grandparent = b.gather(parent_next, parent_next)
        changed = b.count(new_grandparent != grandparent)
        loop.update(parent, parent_next)
        loop.update(grandparent, new_grandparent)
        loop.until(changed == 0, residual=changed)
    b.output("component", parent)
    return b.build(opt_level=opt_level, exact=exact, disable=disable, enable=enable)


def connected_components(g: Graph) -> Result:
    return connected_components_program().run(as_graph(g))
