"""Frontier pushes: uniform frontiers (every node one value: no snapshot, no bits) and pushes
from a few hubs, shared among threads by edges; each equal to the dense program, bit for bit."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pytest

import stepgraph as sg
from test_frontier import CASES, check_same, run_both


def hops_program(shift: float, max_iter, **opts) -> sg.Program:
    """x <- minimum(x, min over in-neighbors of x + shift), from a start vector: with several
    equal sources the frontier starts uniform (one value), and a negative shift lowers frontier
    nodes during the very push that reads them."""
    b = sg.Builder("hops")
    start = b.input("start", "float64")
    with b.loop(max_iter=max_iter) as loop:
        x = loop.carry("x", start)
        new = b.minimum(x, b.neighbor_agg(x, "min", "in") + shift)
        changed = b.count(new != x)
        loop.update(x, new)
        loop.until(changed == 0, residual=changed)
    b.output("x", x)
    return b.build(**opts)


def uniform_starts(n: int):
    """Sources every n // 7 nodes at 0 (one value), and the same with one source at 3."""
    equal = np.full(n, np.inf)
    equal[:: max(1, n // 7)] = 0.0
    apart = equal.copy()
    apart[n // 2] = 3.0
    return equal, apart


UNIFORM_GRAPHS = [sg.generators.rmat(11, 8, seed=9, directed=False), sg.generators.rmat(10, 6, seed=4, directed=True)]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("shift,max_iter", [(1.0, None), (0.5, None), (-1.0, 9)])
def test_uniform_frontiers_equal_dense(threads, shift, max_iter):
    """Frontiers whose nodes all hold one value skip the snapshot and list a push's nodes without
    bits; starts with several equal sources, with one source apart, pushing and pulling."""
    before = sg.get_num_threads()
    sg.set_num_threads(threads)
    try:
        for g in UNIFORM_GRAPHS + [c.graph() for c in CASES[::6]]:
            for start in uniform_starts(g.num_nodes):
                make = lambda **o: hops_program(shift, max_iter, **o)  # noqa: E731
                prog, r1, r2 = run_both(make, g, start=start)
                check_same(r1, r2)
                assert r1.extra["stats"]["frontier"], r1.extra["stats"]["frontier_note"]
        g = UNIFORM_GRAPHS[0]
        dirs = hops_program(1.0, None).run(g, start=uniform_starts(g.num_nodes)[0]).extra["stats"]
        assert "push" in dirs["frontier_directions"] and "pull" in dirs["frontier_directions"], dirs
    finally:
        sg.set_num_threads(before)


def hub_graph(directed: bool, weighted: bool) -> sg.Graph:
    """Three hubs with thousands of edges each, out and in, over a sparse random rest: a push
    from a few hubs shares their rows among the threads by edges."""
    rng = np.random.default_rng(11)
    n = 100000  # enough other edges that the hubs' pushes stay below the pull threshold
    hubs = np.array([0, 1, 2])
    src = [np.repeat(hubs, 5000), rng.integers(3, n, 6000), rng.integers(3, n, 400000)]
    dst = [rng.integers(0, n, 15000), np.repeat(hubs, 2000), rng.integers(3, n, 400000)]
    src, dst = np.concatenate(src), np.concatenate(dst)
    w = rng.uniform(0.1, 2.0, src.size) if weighted else None
    return sg.Graph.from_edges(src, dst, n, w, directed)


def hub_program(direction: str, edge: Optional[str], **opts) -> sg.Program:
    b = sg.Builder("hubs")
    start = b.input("start", "float64")
    with b.loop(max_iter=None) as loop:
        x = loop.carry("x", start)
        reached = b.neighbor_agg(x, "min", direction, edge=edge) if edge else b.neighbor_agg(x, "min", direction) + 1.0
        new = b.minimum(x, reached)
        changed = b.count(new != x)
        loop.update(x, new)
        loop.until(changed == 0, residual=changed)
    b.output("x", x)
    return b.build(**opts)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("directed", [True, False])
def test_pushes_from_hubs_split_by_edges_equal_dense(threads, directed):
    before = sg.get_num_threads()
    sg.set_num_threads(threads)
    try:
        for weighted, edge in ((False, None), (True, "add_weight")):
            g = hub_graph(directed, weighted)
            one_hub = np.full(g.num_nodes, np.inf)
            one_hub[0] = 0.0
            two_values = one_hub.copy()
            two_values[[1, 2]] = [0.5, 3.0]
            for direction in ("in", "out", "both"):
                for start in (one_hub, two_values):
                    prog, r1, r2 = run_both(lambda **o: hub_program(direction, edge, **o), g, start=start)
                    check_same(r1, r2)
                    assert r1.extra["stats"]["frontier_directions"][0] == "push"
    finally:
        sg.set_num_threads(before)
