"""Frontier loops: a monotone min / max fixed point runs over the nodes that changed, with exactly
the values, iteration counts and residuals of the same program run dense (disable=("frontier",)),
at any thread count, pushing or pulling."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest

import stepgraph as sg
from graphs import GraphCase, random_cases
from stepgraph.algorithms.traversal import bfs_program, sssp_program

CASES = [c for c in random_cases(60, seed=77) if c.num_nodes > 0]


def grid(rows: int, cols: int, permute: bool = False, seed: int = 0) -> GraphCase:
    ids = np.arange(rows * cols).reshape(rows, cols)
    src = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    dst = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    if permute:
        perm = np.random.default_rng(seed).permutation(rows * cols)
        src, dst = perm[src], perm[dst]
    return GraphCase(f"grid{rows}x{cols}{'-perm' if permute else ''}", src, dst, rows * cols, False)


def path(n: int, directed: bool) -> GraphCase:
    return GraphCase(f"path{n}", np.arange(n - 1), np.arange(1, n), n, directed)


SHAPES = [grid(30, 40), grid(25, 25, permute=True), path(300, True), path(200, False)]


def min_label_program(direction: str = "both", **opts) -> sg.Program:
    """Components by min-label propagation: the textbook monotone fixed point (int64)."""
    b = sg.Builder("min_label")
    ids = b.node_id("int64")
    with b.loop(max_iter=None) as loop:
        label = loop.carry("label", ids)
        new = b.minimum(label, b.neighbor_agg(label, "min", direction))
        changed = b.count(new != label)
        loop.update(label, new)
        loop.until(changed == 0, residual=changed)
    b.output("label", label)
    return b.build(**opts)


def bellman_ford_program(**opts) -> sg.Program:
    """SSSP as a plain synchronous fixed point (no loop.in_order): iteration for iteration the dense loop's."""
    b = sg.Builder("bellman_ford")
    start = b.where(b.node_id("int64") == b.param("source", 0, "int64"), 0.0, float("inf"))
    with b.loop(max_iter=None) as loop:
        dist = loop.carry("distance", start)
        new = b.minimum(dist, b.neighbor_agg(dist, "min", "in", edge="add_weight"))
        changed = b.count(new != dist)
        loop.update(dist, new)
        loop.until(changed == 0, residual=changed)
    b.output("distance", dist)
    return b.build(**opts)


def reach_program(dtype: str = "float64", **opts) -> sg.Program:
    """The max form with a param shift: x <- maximum(max over out-neighbors of x - decay, x)."""
    b = sg.Builder("reach")
    decay = b.param("decay", 0.25, dtype)
    start = b.cast(b.where(b.node_id("int64") == b.param("source", 0, "int64"), 10.0, -float("inf")), dtype)
    with b.loop(max_iter=None) as loop:
        x = loop.carry("x", start)
        new = b.maximum(b.neighbor_agg(x, "max", "out") - decay, x)
        moved = b.any(new != x)
        loop.update(x, new)
        loop.until(~moved)
    b.output("x", x)
    return b.build(**opts)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.tobytes() == b.tobytes()


def run_both(make, g: sg.Graph, **params):
    fast, dense = make(), make(disable=("frontier",))
    r1, r2 = fast.run(g, **params), dense.run(g, **params)
    return fast, r1, r2


def check_same(r1: sg.Result, r2: sg.Result) -> None:
    for name in r1:
        assert same_bits(r1[name], r2[name]), name
    assert r1.iterations == r2.iterations
    assert np.array_equal(r1.residuals, r2.residuals)


@pytest.mark.parametrize("case", CASES + SHAPES, ids=repr)
def test_traversals_equal_dense(case):
    g = case.graph()
    for source in sorted({0, case.num_nodes // 2, case.num_nodes - 1}):
        for make in (bfs_program, bellman_ford_program):
            prog, r1, r2 = run_both(make, g, source=source)
            check_same(r1, r2)
            st = r1.extra["stats"]
            assert st["frontier"], st["frontier_note"]
            assert st["frontier_sizes"][0] == 1  # the source alone: every other node is at inf
    check_same(*run_both(min_label_program, g)[1:])
    check_same(*run_both(lambda **o: min_label_program("in", **o), g)[1:])
    for dtype in ("float64", "float32"):
        check_same(*run_both(lambda **o: reach_program(dtype, **o), g, source=case.num_nodes // 3)[1:])


@pytest.mark.parametrize("threads", [1, 2])
def test_thread_counts_and_directions(threads):
    """A graph big enough to switch between push and pull: same bits at 1 and 2 threads."""
    g = sg.generators.rmat(12, 8, seed=3, directed=False)
    before = sg.get_num_threads()
    sg.set_num_threads(threads)
    try:
        states = []
        for prog in (bfs_program(), bfs_program(disable=("frontier",))):
            st = prog.init(g, source=5)
            while not st.converged:
                prog.apply_batch(st)
            states.append(st)
        assert same_bits(states[0]["distance"], states[1]["distance"])
        assert np.array_equal(states[0].residuals, states[1].residuals)
        dirs = states[0].stats["frontier_directions"]
        assert "push" in dirs and "pull" in dirs, dirs
        assert np.array_equal(sg.native.bfs(g, 5).values, bfs_program().run(g, source=5).values)
    finally:
        sg.set_num_threads(before)


def test_explain_says_which_loops_use_frontiers():
    assert "frontier: level" not in bfs_program().explain()
    assert "monotone min fixed point" in bfs_program().explain()
    assert "disable=('frontier',)" in bfs_program(disable=("frontier",)).explain()
    assert "opt_level 0 runs every loop dense" in bfs_program(opt_level=0).explain()
    pr = sg.algorithms.pagerank_program().explain()
    assert "frontier: none, the loop runs dense: the loop carries 3 values" in pr
    lp = sg.algorithms.label_propagation_program().explain()
    assert "'label' is not updated as minimum(x, ...) or maximum(x, ...)" in lp


def one_carry(name: str, update, until=None) -> sg.Program:
    """A loop of five iterations over x = node ids: x <- update(b, x), optionally until(b, new)."""
    b = sg.Builder(name)
    ids = b.node_id("float64")
    with b.loop(max_iter=5) as loop:
        x = loop.carry("x", ids)
        new = update(b, x)
        loop.update(x, new)
        if until is not None:
            loop.until(until(b, new))
    b.output("x", x)
    return b.build()


def test_refusals_name_the_reason():
    summed = one_carry("sum_not_min", lambda b, x: b.minimum(x, b.neighbor_agg(x, "sum", "in")))
    assert "combines by sum, not min" in summed.explain()
    scaled = one_carry("scaled", lambda b, x: b.minimum(x, b.neighbor_agg(x, "min", "in") * 2.0))
    assert "is not a neighbor_agg" in scaled.explain()
    extra = one_carry(
        "extra_work", lambda b, x: b.minimum(x, b.neighbor_agg(x, "min", "in")), lambda b, new: b.sum(new) < 0.0
    )
    assert "neither 'x''s update nor a count of its changes" in extra.explain()


def test_negative_zero_and_nan_starts_run_dense_or_exact():
    g = grid(6, 7).graph()
    for first in (-0.0, float("nan")):
        b = sg.Builder("odd_start")
        ids = b.node_id("float64")
        start = b.where(ids == 3.0, first, ids)
        with b.loop(max_iter=20) as loop:
            x = loop.carry("x", start)
            new = b.minimum(x, b.neighbor_agg(x, "min", "both") + 1.0)
            changed = b.count(new != x)
            loop.update(x, new)
            loop.until(changed == 0, residual=changed)
        b.output("x", x)
        fast, dense = b.build(), b.build(disable=("frontier",))
        r1, r2 = fast.run(g), dense.run(g)
        check_same(r1, r2)
        st = r1.extra["stats"]
        if first == 0:
            assert not st["frontier"] and "-0.0" in st["frontier_note"]
        else:
            assert st["frontier"] and r1.iterations == 20  # a NaN node counts as changed forever


def test_apply_step_between_frontier_iterations():
    g = grid(12, 9).graph()
    prog = bellman_ford_program()
    st = prog.init(g, source=4)
    prog.apply_batch(st)
    for i in range(prog.num_steps):  # one dense iteration by steps, then frontier again
        prog.apply_step(st, i)
    while not st.converged:
        prog.apply_batch(st)
    ref = bellman_ford_program(disable=("frontier",)).run(g, source=4)
    assert same_bits(st["distance"], ref.values)
    assert st.iteration == ref.iterations


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill (POSIX)")
@pytest.mark.parametrize("delay", [0.0, 0.003])
def test_interrupted_frontier_run_stops_promptly_and_resumes(delay):
    """Ctrl-C between frontier iterations: KeyboardInterrupt within 100 ms, and the State continues to
    the uninterrupted result (a frontier iteration is not begun until it checks for the signal)."""
    g = grid(1000, 1000).graph()  # 1999 iterations (tens of ms): the signal comes well before the end
    prog = bellman_ford_program()
    reference = prog.run(g, source=0)
    st = prog.init(g, source=0)
    main = threading.main_thread().ident
    sent: list = []

    def fire() -> None:
        time.sleep(delay)
        sent.append(time.perf_counter())
        signal.pthread_kill(main, signal.SIGINT)

    def progress(i: int, r: float) -> None:
        if i == 50:
            threading.Thread(target=fire, daemon=True).start()

    with pytest.raises(KeyboardInterrupt):
        try:
            prog.run(st, progress=progress)
        finally:
            caught = time.perf_counter()
    assert sent and caught - sent[0] < 0.1
    assert 50 <= st.iteration < reference.iterations
    res = prog.run(st)
    assert same_bits(res.values, reference.values)
    assert res.iterations == reference.iterations
    assert np.array_equal(res.residuals, reference.residuals)


@pytest.mark.parametrize("case", CASES[::2] + SHAPES, ids=repr)
def test_ordered_sssp_reaches_the_dense_fixed_point(case):
    """loop.in_order() changes the order of the relaxations, never the distances they reach."""
    g = case.graph()
    dense = sssp_program(disable=("frontier",))
    for delta in (None, 0.05, 3.0):
        prog = sssp_program(delta)
        for source in sorted({0, case.num_nodes - 1}):
            r1, r2 = prog.run(g, source=source), dense.run(g, source=source)
            assert same_bits(r1.values, r2.values), (delta, source)
            assert np.array_equal(r1.values, sg.native.sssp(g, source).values)
            assert r1.extra["stats"]["frontier"] and set(r1.extra["stats"]["frontier_directions"]) <= {"push"}


def test_ordered_loops_in_explain_ir_and_errors():
    assert "in order of value (delta chosen from the weights)" in sssp_program().explain()
    assert "in order of value (delta=0.5)" in sssp_program(0.5).explain()
    assert "pushing from those in the lowest bucket" in sssp_program().explain()
    assert "in order (delta=0.5)" in sssp_program(0.5).explain(passes=True)
    refused = sssp_program(disable=("frontier",)).explain()
    assert "so loop.in_order() has no effect" in refused
    b = sg.Builder("max_ordered")
    start = b.node_id("float64")
    with b.loop(max_iter=None) as loop:
        x = loop.carry("x", start)
        new = b.maximum(x, b.neighbor_agg(x, "max", "in"))
        loop.in_order()
        loop.update(x, new)
        loop.until(b.count(new != x) == 0)
    b.output("x", x)
    assert "loop.in_order() buckets a min fixed point, and 'x' is a max one" in b.build().explain()
    for bad in (0, -1.0, float("inf"), float("nan")):
        with pytest.raises(sg.ProgramError, match="finite delta > 0"):
            sssp_program(bad)
        with pytest.raises(sg.ParameterError, match="delta must be a finite number > 0"):
            sg.algorithms.sssp(grid(3, 3).graph(), 0, delta=bad)
    with pytest.raises(sg.ProgramError, match="in_order is called twice"):
        b = sg.Builder("twice")
        with b.loop(max_iter=None) as loop:
            loop.in_order()
            loop.in_order()


def test_order_directive_is_validated_at_the_boundary():
    """The native side checks the IR text's `order` line itself (it is a boundary)."""
    text = sssp_program().ir_text
    assert "\norder auto\n" in text
    _core = sg._core
    for bad, why in (
        (text.replace("order auto", "order -1"), "delta must be finite and > 0"),
        (text.replace("order auto", "order nan"), "delta must be finite and > 0"),
        (text.replace("order auto", "order auto\norder 2"), "expected one 'order"),
        (text.replace("order auto", "order"), "expected one 'order"),
    ):
        with pytest.raises(sg.ProgramError, match=why):
            _core.Program(bad, 3, False, [], [])
    no_loop = "sgir 1\nv P const f64 s 0 number=1.0\norder auto\noutput y 0\nend\n"
    with pytest.raises(sg.ProgramError, match="'order' without a loop"):
        _core.Program(no_loop, 3, False, [], [])


@pytest.mark.parametrize("case", CASES[::3], ids=repr)
def test_int64_max_form_equals_dense(case):
    """The max form over int64: every node takes the largest id it can reach backwards."""
    g = case.graph()

    def max_label(**opts) -> sg.Program:
        b = sg.Builder("max_label")
        ids = b.node_id("int64")
        with b.loop(max_iter=None) as loop:
            label = loop.carry("label", ids)
            new = b.maximum(label, b.neighbor_agg(label, "max", "out"))
            changed = b.count(new != label)
            loop.update(label, new)
            loop.until(changed == 0, residual=changed)
        b.output("label", label)
        return b.build(**opts)

    check_same(*run_both(max_label, g)[1:])


def test_negative_weights_on_a_dag_equal_dense():
    """Bellman-Ford with negative edge weights (no cycles): the frontier's pull bound uses the
    smallest weight, and the values stay the dense loop's."""
    rng = np.random.default_rng(5)
    n, m = 400, 3000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src < dst  # a DAG
    w = rng.uniform(-2.0, 1.0, int(keep.sum()))
    g = sg.Graph.from_edges(src[keep], dst[keep], n, w, True, allow_negative_weights=True)
    for source in (0, 7):
        check_same(*run_both(bellman_ford_program, g, source=source)[1:])
