"""Aggregations keeping their unchanged rows: a loop's neighbor_agg of a carry recomputes only
the rows with a neighbor that changed in the previous iteration. Values, iteration counts and
residuals must be bitwise those of the same program with the feature disabled
(disable=("unchanged_rows",)), at any thread count, pushing or testing rows, and through
interrupted and stepwise iterations."""

from __future__ import annotations

import numpy as np
import pytest

import stepgraph as sg
from graphs import GraphCase, random_cases
from stepgraph.algorithms.cores import core_number_program
from stepgraph.algorithms.traversal import label_propagation_program
from test_frontier import SHAPES, grid

CASES = [c for c in random_cases(60, seed=2026) if c.num_nodes > 0] + SHAPES
OFF = ("unchanged_rows",)


def weighted_mean_program(combine: str = "sum", direction: str = "in", **opts) -> sg.Program:
    """A float carry through a weighted aggregation that is not the carry's update, capped so
    it settles node by node: sums in row order, a where over the carry, a count of changes."""
    b = sg.Builder("capped")
    start = b.cast(b.node_id("int64"), "float64") * 0.5
    with b.loop(max_iter=60) as loop:
        x = loop.carry("x", start)
        agg = b.neighbor_agg(x, combine, direction, edge="mul_weight")
        new = b.minimum(x, b.where(agg > x, 0.5 * agg + 1.0, x))
        changed = b.count(new != x)
        loop.update(x, new)
        loop.until(changed == 0, residual=changed)
    b.output("x", x)
    return b.build(**opts)


def run_pair(make, g: sg.Graph, **params):
    on = make().run(g, **params)
    off = make(disable=OFF).run(g, **params)
    return on, off


def assert_same(on: sg.Result, off: sg.Result) -> None:
    assert on.iterations == off.iterations
    assert np.array_equal(on.residuals, off.residuals)
    for name in off.keys():
        a, b = np.asarray(on[name]), np.asarray(off[name])
        assert a.dtype == b.dtype
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), name  # bitwise


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_label_propagation_bitwise(case: GraphCase):
    g = case.graph()
    on, off = run_pair(lambda **o: label_propagation_program(30, **o), g)
    assert_same(on, off)
    assert np.array_equal(on["label"], sg.native.label_propagation(g, max_iter=30)["label"])


@pytest.mark.parametrize("case", CASES[::3], ids=lambda c: c.name)
def test_core_number_bitwise(case: GraphCase):
    """The h-index is core's own update: kept rows are read back from the carry."""
    keep = case.src != case.dst  # core numbers are defined without self-loops
    g = GraphCase(case.name, case.src[keep], case.dst[keep], case.num_nodes, case.directed).graph()
    on, off = run_pair(core_number_program, g)
    assert_same(on, off)


@pytest.mark.parametrize("combine", ["sum", "min", "max", "mean"])
def test_cheap_combines_recompute_every_row(combine: str):
    """A sum / min / max / mean row is hardly dearer than testing its neighbors: nothing is kept
    or tracked (PageRank-like loops, where every node changes, would pay for nothing)."""
    prog = weighted_mean_program(combine, "both")
    assert "unchanged rows" not in prog.explain()
    state = prog.init(grid(5, 6).graph())
    prog.run(state)
    assert state.stats["unchanged_rows"] == []


@pytest.mark.parametrize("direction", ["in", "out"])
@pytest.mark.parametrize("case", CASES[::4], ids=lambda c: c.name)
def test_one_direction_mode_bitwise(case: GraphCase, direction: str):
    """Mode over one direction's edges, and a where over the carry beside it."""
    g = case.graph()

    def make(**opts) -> sg.Program:
        b = sg.Builder("one_direction_mode")
        ids = b.node_id("int64")
        with b.loop(max_iter=25) as loop:
            x = loop.carry("x", ids)
            agg = b.neighbor_agg(x, "mode", direction)
            new = b.where(agg < 0, x, b.minimum(agg, x + 3))  # an empty row gives INT64_MIN
            changed = b.count(new != x)
            loop.update(x, new)
            loop.until(changed == 0, residual=changed)
        b.output("x", x)
        return b.build(**opts)

    on, off = run_pair(make, g)
    assert_same(on, off)


@pytest.mark.parametrize("threads", [1, 2])
def test_threads_and_both_row_modes(threads: int):
    """Big enough that early iterations test rows and late ones push: the same bits at 1 and 2 threads."""
    g = sg.generators.rmat(12, 8, seed=3, directed=False)
    before = sg.get_num_threads()
    sg.set_num_threads(threads)
    try:
        prog = label_propagation_program(50)
        state = prog.init(g)
        on = prog.run(state)
        kept = state.stats["unchanged_rows"]
        off = label_propagation_program(50, disable=OFF).run(g)
    finally:
        sg.set_num_threads(before)
    assert_same(on, off)
    assert kept[0] == 0  # nothing is known before the first iteration ends
    assert max(kept) > 0 and all(0 <= k <= g.num_nodes for k in kept)


def test_stepwise_and_batched_iterations_agree():
    g = grid(20, 30, permute=True).graph()
    prog = label_propagation_program(40)
    off_prog = label_propagation_program(40, disable=OFF)
    stepwise, batched, off = prog.init(g), prog.init(g), off_prog.init(g)
    for _ in range(12):
        prog.apply_batch(batched)
        off_prog.apply_batch(off)
        for i in range(prog.num_steps):
            prog.apply_step(stepwise, i)
        assert np.array_equal(stepwise["label"], off["label"])
        assert np.array_equal(batched["label"], off["label"])


def test_explain_says_which_aggregations_keep_rows():
    text = label_propagation_program(10).explain()
    assert "unchanged rows:" in text and "recomputes only the rows with a neighbor whose label changed" in text
    off = label_propagation_program(10, disable=OFF).explain()
    assert "disable=('unchanged_rows',) recomputes every row" in off
    assert "opt_level 0 recomputes every row" in label_propagation_program(10, opt_level=0).explain()


def test_explain_names_what_is_not_a_carry():
    b = sg.Builder("two_hops")
    ids = b.node_id("int64")
    with b.loop(max_iter=3) as loop:
        x = loop.carry("x", ids)
        hop = b.neighbor_agg(x, "min", "in")
        loop.update(x, b.neighbor_agg(b.minimum(hop, x), "mode", "out"))
    b.output("x", x)
    assert "recomputes every row: it aggregates" in b.build().explain()


def test_frontier_loops_leave_it_to_the_frontier():
    from test_frontier import min_label_program

    text = min_label_program().explain()
    assert "frontier: label is a monotone min" in text
    assert "unchanged rows" not in text


def test_unknown_name_is_still_rejected():
    with pytest.raises(sg.ParameterError):
        label_propagation_program(10, disable=("unchanged_row",))
