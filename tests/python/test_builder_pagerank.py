"""Builder PageRank vs the native twin: bitwise equal values, same iterations, call counts."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import stepgraph as sg
from graphs import random_cases

CASES = [c for c in random_cases(60, seed=11) if c.num_nodes > 0]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_builder_pagerank_equals_native(case):
    g = case.graph()
    ref = sg.native.pagerank(g, tol=1e-10, max_iter=500)
    res = sg.algorithms.pagerank(g, tol=1e-10, max_iter=500)
    assert res.iterations == ref.iterations
    assert np.abs(res["rank"] - ref.values).max() <= 1e-12
    # Without the rounding-changing rewrites (fma, reciprocal) it is the same arithmetic: bit for bit.
    exact = sg.algorithms.pagerank_program(tol=1e-10, max_iter=500, exact=True).run(g)
    np.testing.assert_array_equal(exact["rank"], ref.values)
    np.testing.assert_array_equal(exact.residuals, ref.residuals)


@pytest.mark.parametrize("case", CASES[:20], ids=repr)
def test_builder_pagerank_options_equal_native(case):
    rng = np.random.default_rng(case.num_nodes)
    n = case.num_nodes
    pers = rng.uniform(0, 1, n)
    dang = rng.uniform(0, 1, n)
    start = rng.uniform(0.1, 1, n)
    for kwargs in (
        dict(personalization=pers),
        dict(dangling=dang, personalization=pers),
        dict(nstart=start),
        dict(weighted=False),
        dict(alpha=0.5),
    ):
        ref = sg.native.pagerank(case.graph(), tol=1e-10, max_iter=500, **kwargs)
        res = sg.algorithms.pagerank(case.graph(), tol=1e-10, max_iter=500, **kwargs)
        assert res.iterations == ref.iterations, kwargs
        assert np.abs(res["rank"] - ref.values).max() <= 1e-12, kwargs


def _sink_graph(layout: str, n: int = 20_000, seed: int = 5) -> sg.Graph:
    """Sinks laid out so every fused strip kind occurs: none, all, scattered (mixed)."""
    rng = np.random.default_rng(seed)
    if layout == "none":
        has_out = np.ones(n, bool)
    elif layout == "tail":  # strips without sinks, strips of only sinks, one mixed strip
        has_out = np.arange(n) < 6_100
    else:  # "scattered": about 40 % sinks everywhere
        has_out = rng.uniform(size=n) < 0.6
    src = np.repeat(np.flatnonzero(has_out), 8)
    dst = rng.integers(0, n, src.size)
    return sg.Graph.from_edges(src, dst, n)


@pytest.mark.parametrize("layout", ["none", "tail", "scattered"])
def test_sink_layouts_equal_native_bitwise(layout):
    # The twin folds sinks with a branch or a mask depending on their share; the fused kernel
    # skips strips with no sinks and selects branch-free in mixed ones: the same bits either way.
    g = _sink_graph(layout)
    ref = sg.native.pagerank(g, tol=1e-12, max_iter=200)
    exact = sg.algorithms.pagerank_program(tol=1e-12, max_iter=200, exact=True).run(g)
    np.testing.assert_array_equal(exact["rank"], ref.values)
    np.testing.assert_array_equal(exact.residuals, ref.residuals)
    unfused = sg.algorithms.pagerank_program(tol=1e-12, max_iter=200, exact=True, opt_level=0).run(g)
    np.testing.assert_array_equal(unfused["rank"], ref.values)


def _graph(n=20_000, m=200_000, seed=2):
    rng = np.random.default_rng(seed)
    return sg.Graph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), n)


def test_native_call_counts_and_no_allocation_after_init():
    g = _graph()
    prog = sg.algorithms.pagerank_program()
    state = prog.init(g)
    prog.apply_batch(state)  # the first iteration may size per-thread block temporaries
    before = sg._core.array_allocations()
    for _ in range(5):
        prog.apply_batch(state)
    assert sg._core.array_allocations() == before  # no native buffer allocated after iteration 1
    assert state.stats["native_calls"] == 6
    stepped = prog.init(g)
    for _ in range(3):
        for i in range(prog.num_steps):
            prog.apply_step(stepped, i)
    assert stepped.stats["native_calls"] == 3 * prog.num_steps
    assert np.array_equal(stepped["rank"], prog.run(g, max_iter=3)["rank"])
    run_state_calls = prog.run(g).extra["stats"]["native_calls"]
    assert run_state_calls == 1


def test_apply_batch_releases_the_gil():
    # One call long enough that a thread blocked on the GIL could not tick at all during it.
    g = sg.generators.uniform(1_000_000, 10_000_000, seed=3)
    prog = sg.algorithms.pagerank_program(tol=0.0, opt_level=0)
    state = prog.init(g)
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.01)
    start = time.perf_counter()
    prog.apply_batch(state)
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start <= x <= end]
    assert end - start > 0.01, "the call was too short to tell"
    assert len(during) >= 5, (end - start, len(during))


def test_type_error_points_at_user_line():
    b = sg.Builder("bad")
    x = b.fill(1.0)
    labels = b.node_id()
    with pytest.raises(sg.ProgramError) as info:
        x + labels  # the offending line
    msg = str(info.value)
    assert "add" in msg and "float64 node vector" in msg and "int64 node vector" in msg
    assert "test_builder_pagerank.py:" in msg


def test_state_misuse():
    g = _graph(1000, 5000)
    p1, p2 = sg.algorithms.pagerank_program(), sg.algorithms.pagerank_program()
    s1 = p1.init(g)
    with pytest.raises(sg.StateError, match="belongs to program"):
        p2.apply_batch(s1)
    with pytest.raises(sg.StateError, match="out of order"):
        p1.apply_step(s1, 1)
    with pytest.raises(sg.ParameterError, match="unknown parameter 'beta'"):
        p1.init(g, beta=1.0)


def test_run_honours_keyboard_interrupt():
    import os
    import signal

    g = _graph(200_000, 2_000_000)
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=1_000_000)
    seen = []
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            prog.run(g, progress=lambda it, r: seen.append(it))
    finally:
        timer.cancel()
    assert 0 < len(seen) < 1_000_000  # stopped between iterations, long before max_iter
    assert prog.run(g, max_iter=2).iterations == 2  # the program is still usable
