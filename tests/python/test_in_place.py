"""In-place carry updates (on at O3; ``disable=("in_place",)`` turns them off): a fused pass
stores a carry's update over the carry itself.

Allowed only when every reader of the old value is that same pass, node by node (a residual
|new - old|); never when a neighbor_agg or another pass reads it. Results are bitwise those
of the two-buffer plan, at one node vector less. Such a pass cannot be discarded half-way, so
an interrupted one is resumed (test_interrupt.py); while its iteration is half done, the carry
it stores cannot be read.
"""

from __future__ import annotations

import numpy as np
import pytest

import stepgraph as sg
from stepgraph import _core
from stepgraph.program import Program

IN_PLACE = "# stored over its carry"


def _graph(n: int = 30_000, m: int = 240_000, seed: int = 3) -> sg.Graph:
    rng = np.random.default_rng(seed)
    return sg.Graph.from_edges(rng.integers(0, n, m), rng.integers(0, n, m), n)


def _two_buffers(prog: sg.Program) -> Program:
    return Program(
        prog.name, prog.ir_text, prog.params, prog.inputs, opt_level=3, exact=prog.exact, disable=("in_place",)
    )


def _state_bytes(prog: sg.Program, g: sg.Graph) -> int:
    before = _core.array_live_bytes()
    st = prog.init(g)
    prog.apply_batch(st)
    used = _core.array_live_bytes() - before
    del st
    return used


@pytest.mark.parametrize("exact", [False, True])
def test_pagerank_rank_is_updated_in_place_bit_for_bit(exact):
    g = _graph()
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=30, exact=exact)
    plain = _two_buffers(prog)
    assert IN_PLACE in prog.explain() and IN_PLACE not in plain.explain()
    assert "could be stored over rank in place (one node vector less), but disable=('in_place',)" in plain.explain()
    a, b = prog.run(g), plain.run(g)
    np.testing.assert_array_equal(a["rank"], b["rank"])
    np.testing.assert_array_equal(a.residuals, b.residuals)
    # One float64 node vector less (the second rank buffer), less a strip temporary per thread.
    saved = _state_bytes(plain, g) - _state_bytes(prog, g)
    assert 8 * g.num_nodes - 64 * 1024 <= saved <= 8 * g.num_nodes
    if exact:  # and the same bits as the native twin
        np.testing.assert_array_equal(
            a["rank"], sg.native.pagerank(g, tol=0.0, max_iter=30, raise_on_failure=False).values
        )


def test_apply_batch_and_apply_step_agree_with_run():
    g = _graph(5_000, 40_000)
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=12)
    ref = prog.run(g)["rank"]
    st = prog.init(g)
    for _ in range(6):
        prog.apply_batch(st)
    for _ in range(6):
        for i in range(prog.num_steps):
            prog.apply_step(st, i)
    np.testing.assert_array_equal(st["rank"], ref)


def _decay_program(read_by_neighbors: bool) -> sg.Program:
    """x <- 0.5 * x + 0.5 * agg(y); with read_by_neighbors, agg reads x itself."""
    b = sg.Builder("decay")
    ones = b.fill(1.0)
    with b.loop(max_iter=25) as loop:
        x = loop.carry("x", ones)
        src = x if read_by_neighbors else ones
        nxt = x * 0.5 + b.neighbor_agg(src, "sum", "in") * 0.5
        loop.update(x, nxt)
        err = b.norm_l1(nxt - x)
        loop.until(err < 0.0, residual=err)
    b.output("x", x)
    return b.build()


def test_a_carry_read_by_a_neighbor_agg_is_never_updated_in_place():
    g = _graph(3_000, 20_000)
    own = _decay_program(read_by_neighbors=True)
    assert IN_PLACE not in own.explain()  # other nodes read the old x: two buffers
    other = _decay_program(read_by_neighbors=False)
    assert IN_PLACE in other.explain()
    for prog in (own, other):
        ref = Program(prog.name, prog.ir_text, prog.params, prog.inputs, opt_level=0).run(g)
        res = prog.run(g)
        np.testing.assert_allclose(res["x"], ref["x"], rtol=1e-12, atol=0)


def test_a_carry_read_by_another_pass_is_never_updated_in_place():
    b = sg.Builder("two_passes")
    ones = b.fill(1.0)
    with b.loop(max_iter=10) as loop:
        x = loop.carry("x", ones)
        z = loop.carry("z", ones)
        y = b.neighbor_agg(z, "sum", "in") + x  # pass 1 reads x; z is read by a neighbor_agg
        nxt = b.neighbor_agg(y, "max", "out") * 0.5  # pass 2 computes x's update
        loop.update(x, nxt)
        loop.update(z, y)
    b.output("x", x)
    prog = b.build()
    assert prog.passes_over_node_data == 2
    assert IN_PLACE not in prog.explain()
    g = _graph(3_000, 20_000)
    ref = Program(prog.name, prog.ir_text, prog.params, prog.inputs, opt_level=0).run(g)
    np.testing.assert_array_equal(prog.run(g)["x"], ref["x"])


def test_a_carry_half_stored_in_place_cannot_be_read():
    g = _graph(5_000, 40_000)
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=12)
    assert prog.num_steps == 2 and IN_PLACE in prog.explain()
    st = prog.init(g)
    prog.apply_batch(st)
    after_one = st["rank"].copy()
    assert not st.half_done
    prog.apply_step(st, 0)  # stores iteration 2's rank over iteration 1's
    assert st.half_done
    half = r"'rank' is half updated: iteration 2 stores it in place and stopped between steps \(apply_step 1 is next\)"
    with pytest.raises(sg.StateError, match=half):
        st["rank"]
    with pytest.raises(sg.StateError, match="'rank' is half updated"):
        st._core.finish()  # the epilogue would read it too
    prog.apply_step(st, 1)
    assert st.iteration == 2 and not np.array_equal(st["rank"], after_one)
    two = sg.algorithms.pagerank_program(tol=0.0, max_iter=2).run(g)
    np.testing.assert_array_equal(st["rank"], two["rank"])
    # Two buffers: rank keeps iteration 2's values until the iteration ends, and can be read.
    plain = _two_buffers(prog)
    st2 = plain.init(g)
    plain.apply_batch(st2)
    plain.apply_step(st2, 0)
    np.testing.assert_array_equal(st2["rank"], after_one)


def test_enable_names_only_features():
    prog = sg.algorithms.pagerank_program()
    with pytest.raises(sg.ParameterError, match="cannot enable 'fusion'.*in_place"):
        Program(prog.name, prog.ir_text, prog.params, prog.inputs, enable=("fusion",))
    # Enabling a default-on feature is allowed (and changes nothing).
    again = Program(prog.name, prog.ir_text, prog.params, prog.inputs, enable=("in_place",))
    assert again.explain() == prog.explain()
