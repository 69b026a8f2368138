"""Ordered frontier loops (loop.in_order): each iteration settles the lowest bucket of pending
nodes. The values are the dense fixed point's, bit for bit, and the iteration count, residuals
and bucket sizes do not depend on the thread count, for any bucket width: the ring of bins,
the far list and the clamped bucket numbers are all driven here by extreme widths."""

from __future__ import annotations

import numpy as np
import pytest

import stepgraph as sg
from graphs import random_cases
from stepgraph.algorithms.traversal import sssp_program

CASES = [c for c in random_cases(40, seed=91) if c.num_nodes > 1]

# Widths from "every value its own bucket, far beyond the ring" to "one bucket for all".
DELTAS = [1e-300, 1e-9, 1e-3, 0.3, 7.0, 1e300]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.tobytes() == b.tobytes()


def at_threads(threads: int, fn):
    before = sg.get_num_threads()
    sg.set_num_threads(threads)
    try:
        return fn()
    finally:
        sg.set_num_threads(before)


def ordered_program(dtype: str = "float64", shift: float = 0.0, delta=None, direction: str = "in", **opts):
    """A user's ordered min fixed point. Floats: x <- min(x, agg_min(x + w) + shift) from a source,
    over `direction`'s edges.
    Integers (whose additions wrap, so no frontier adds): min labels, x <- min(x, agg_min(x))
    from the node ids, every node pending at the start."""
    b = sg.Builder("ordered")
    ids = b.node_id("int64")
    weighted = dtype.startswith("float")
    if weighted:
        start = b.cast(b.where(ids == b.param("source", 0, "int64"), 0, 10**9), dtype)
    else:
        start = b.cast(ids + 0 * b.param("source", 0, "int64"), dtype)
    with b.loop(max_iter=None) as loop:
        x = loop.carry("x", start)
        if weighted:
            reached = b.neighbor_agg(x, "min", direction, edge="add_weight") + shift
        else:
            reached = b.neighbor_agg(x, "min", "both")
        new = b.minimum(x, reached)
        loop.in_order(delta)
        changed = b.count(new != x)
        loop.update(x, new)
        loop.until(changed == 0, residual=changed)
    b.output("x", x)
    return b.build(**opts)


def check(prog_fast, prog_dense, g, source):
    dense = prog_dense.run(g, source=source)
    runs = [at_threads(t, lambda: prog_fast.run(g, source=source)) for t in (1, 2)]
    for r in runs:
        assert same_bits(r.values, dense.values)
        assert r.extra["stats"]["frontier"]
    one, two = runs
    assert one.iterations == two.iterations
    assert np.array_equal(one.residuals, two.residuals)
    assert one.extra["stats"]["frontier_sizes"] == two.extra["stats"]["frontier_sizes"]
    assert one.residuals[-1] == 0 and one.converged
    return one


@pytest.mark.parametrize("case", CASES[::3], ids=repr)
@pytest.mark.parametrize("delta", DELTAS)
def test_any_width_reaches_the_dense_values_at_any_thread_count(case, delta):
    g = case.graph()
    fast, dense = sssp_program(delta), sssp_program(disable=("frontier",))
    for source in sorted({0, case.num_nodes - 1}):
        one = check(fast, dense, g, source)
        assert np.array_equal(one.values, sg.native.sssp(g, source).values)


def test_each_iteration_settles_one_bucket():
    """A path with unit weights and width 1: one node per bucket, one bucket per iteration."""
    n = 50
    g = sg.Graph.from_edges(np.arange(n - 1), np.arange(1, n), n, np.ones(n - 1), True)
    r = sssp_program(1.0).run(g, source=0)
    assert r.iterations == n
    assert r.extra["stats"]["frontier_sizes"] == [1] * n
    assert list(r.residuals) == [1] * (n - 1) + [0]  # the next node pending after each settle


def test_a_wide_bucket_settles_in_one_iteration():
    n = 50
    g = sg.Graph.from_edges(np.arange(n - 1), np.arange(1, n), n, np.ones(n - 1), True)
    r = sssp_program(1e300).run(g, source=0)
    assert r.iterations == 1 and list(r.residuals) == [0]
    assert np.array_equal(r.values, np.arange(n, dtype=float))


@pytest.mark.parametrize("dtype,shift", [("float64", 0.0), ("float64", 2.0), ("float32", 0.5), ("int64", 0)])
def test_user_programs_in_every_dtype_and_with_a_shift(dtype, shift):
    case = list(random_cases(12, seed=5))[7]
    rng = np.random.default_rng(3)
    w = rng.integers(1, 9, len(case.src)).astype(float)
    g = sg.Graph.from_edges(case.src, case.dst, case.num_nodes, w, case.directed)
    for delta in (None, 0.5, 4.0, 1e9):
        fast = ordered_program(dtype, shift, delta=delta)
        dense = ordered_program(dtype, shift, delta=delta, disable=("frontier",))
        check(fast, dense, g, 0)


@pytest.mark.parametrize("direction", ["out", "both"])
def test_pushes_over_either_and_both_csrs_of_a_directed_graph(direction):
    """ "both" on a directed graph pushes each node's out- and in-row from one load of its value."""
    rng = np.random.default_rng(17)
    n, m = 3000, 12000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    g = sg.Graph.from_edges(src, dst, n, rng.uniform(0.1, 5.0, m), True)
    for delta in (None, 0.05, 3.0):
        fast = ordered_program(delta=delta, direction=direction)
        dense = ordered_program(delta=delta, direction=direction, disable=("frontier",))
        for source in (0, n // 2):
            check(fast, dense, g, source)


def test_negative_weights_or_shifts_run_unordered():
    """A candidate below its source's value could make a bucket never settle (a negative cycle),
    so such a loop runs unordered (bounded iterations, the dense loop's values) and says why."""
    rng = np.random.default_rng(11)
    n, m = 500, 4000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src < dst  # a DAG: the fixed point exists
    w = rng.uniform(-2.0, 1.0, int(keep.sum()))
    g = sg.Graph.from_edges(src[keep], dst[keep], n, w, True, allow_negative_weights=True)
    for delta in (1e-3, 0.25):
        for source in (0, 3):
            r = check(ordered_program(delta=delta), ordered_program(delta=delta, disable=("frontier",)), g, source)
            assert "negative edge weights" in r.extra["stats"]["frontier_note"]
    positive = sg.Graph.from_edges(src[keep], dst[keep], n, np.abs(w) + 1.0, True)
    r = check(ordered_program(shift=-0.5), ordered_program(shift=-0.5, disable=("frontier",)), positive, 0)
    assert "the update adds -0.5" in r.extra["stats"]["frontier_note"]


def test_a_negative_cycle_stops_at_the_guard():
    """Bellman-Ford on a negative cycle never converges: the unordered iterations stop at max_iter."""
    g = sg.Graph.from_edges([0, 1, 2], [1, 2, 0], 3, [1.0, -3.0, 1.0], True, allow_negative_weights=True)
    r = ordered_program().run(g, source=0, max_iter=50)
    assert r.iterations == 50 and not r.converged


def test_apply_step_then_resume_restarts_the_buckets():
    """A dense apply_step between ordered iterations: the buckets restart from the new values."""
    case = list(random_cases(12, seed=8))[9]
    g = case.graph()
    prog = sssp_program(0.05)
    reference = prog.run(g, source=0)
    st = prog.init(g, source=0)
    prog.apply_batch(st)
    prog.apply_batch(st)
    for i in range(prog.num_steps):
        prog.apply_step(st, i)
    res = prog.run(st)
    assert same_bits(res.values, reference.values)
