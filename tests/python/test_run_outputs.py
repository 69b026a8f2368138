"""run(graph) hands its private State's output buffers to the Result instead of copying them
(one node vector less at the peak); a State someone else can reach keeps its buffers."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import stepgraph as sg
from stepgraph import _core


def _graph(n: int = 4_000, m: int = 30_000) -> sg.Graph:
    rng = np.random.default_rng(7)
    return sg.Graph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), n)


def test_run_keeps_only_its_outputs_alive_and_they_own_their_memory():
    g = _graph()
    # The graph builds its sliced in-CSR on first use and keeps it (graph/sliced_csr.hpp).
    sg.native.pagerank(g, max_iter=1, raise_on_failure=False)
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=8)
    gc.collect()
    before = _core.array_live_bytes()
    res = prog.run(g)
    gc.collect()
    rank = res["rank"]
    assert _core.array_live_bytes() - before == (8 * g.num_nodes + 63) // 64 * 64  # the rank buffer only
    assert prog.last_state is None  # the spent State is gone
    expected = rank.copy()
    again = prog.run(g)["rank"]  # a second run must not write into the first result
    np.testing.assert_array_equal(rank, expected)
    np.testing.assert_array_equal(again, expected)
    rank[:] = 0  # writable, and nobody else's memory
    np.testing.assert_array_equal(prog.run(g)["rank"], expected)


def test_a_state_kept_by_a_progress_callback_is_copied_from_and_still_usable():
    g = _graph()
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=12)
    kept = []
    res = prog.run(g, max_iter=6, progress=lambda i, r: kept.append(prog.last_state) if i == 1 else None)
    state = kept[0]
    np.testing.assert_array_equal(state["rank"], res["rank"])  # the State still holds its buffers
    full = prog.run(state, max_iter=12)
    np.testing.assert_array_equal(full["rank"], prog.run(g, max_iter=12)["rank"])


def test_outputs_sharing_a_value_and_bool_outputs_are_independent_arrays():
    b = sg.Builder("two_names")
    ones = b.fill(1.0)
    with b.loop(max_iter=3) as loop:
        x = loop.carry("x", ones)
        loop.update(x, b.neighbor_agg(x, "sum", "in") * 0.5 + 1.0)
    b.output("x", x)
    b.output("same_x", x)
    b.output("big", x > 1.5)
    b.output("total", b.sum(x))
    prog = b.build()
    g = _graph(500, 3_000)
    res = prog.run(g)
    st = prog.init(g)
    prog.run(st)
    for name in ("x", "same_x", "big"):
        np.testing.assert_array_equal(res[name], st[name])
    assert res["big"].dtype == np.bool_ and res["total"] == pytest.approx(float(np.sum(st["x"])), rel=1e-12)
    res["x"][:] = -1
    assert (res["same_x"] != -1).all()


def test_a_spent_state_raises_a_state_error():
    g = _graph(300, 2_000)
    prog = sg.algorithms.pagerank_program(max_iter=5)
    st = prog.init(g)
    st._core.take_outputs()
    with pytest.raises(sg.StateError, match="handed its buffers"):
        prog.apply_batch(st)
    with pytest.raises(sg.StateError, match="handed its buffers"):
        st["rank"]


def test_empty_graph_outputs():
    e = sg.Graph.from_edges(np.array([], dtype=np.int64), np.array([], dtype=np.int64), 0)
    res = sg.algorithms.pagerank_program().run(e)
    assert res["rank"].shape == (0,)


def test_state_views_are_read_only_and_results_writable():
    """A State derives things from its buffers (a frontier loop's starting frontier at init, its
    unchanged rows), so a write through state[name] would go unseen: the view refuses it."""
    g = _graph(500, 3000)
    prog = sg.algorithms.bfs_program()
    st = prog.init(g, source=0)
    level = st["distance"]
    with pytest.raises(ValueError, match="read-only"):
        level[3] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        st["level"][:] = 1
    mine = level.copy()
    mine[3] = 0.0  # a copy is the caller's
    res = prog.run(g, source=0)
    res["level"][0] = 7  # results own their memory and stay writable
    np.testing.assert_array_equal(prog.run(g, source=0)["level"], sg.native.bfs(g, 0).values)
