"""Loops without an artificial cap: b.loop(max_iter=None), and the guard against never converging."""

from __future__ import annotations

import numpy as np
import pytest

import stepgraph as sg
from stepgraph.program import GUARD_BASE, GUARD_PER_NODE, convergence_guard


def path_graph(n: int) -> sg.Graph:
    return sg.Graph.from_edges(np.arange(n - 1), np.arange(1, n), num_nodes=n)


def counter_program(opt_level: int = 3) -> sg.Program:
    """Never converges: x grows by one per iteration, the predicate waits for it to go negative."""
    b = sg.Builder("counter")
    zeros = b.fill(0.0)
    with b.loop(max_iter=None) as loop:
        x = loop.carry("x", zeros)
        new = x + 1.0
        loop.update(x, new)
        loop.until(b.sum(new) < 0.0, residual=b.sum(new))
    b.output("x", x)
    return b.build(opt_level=opt_level)


def test_uncapped_loop_is_recorded_and_printed_as_such() -> None:
    prog = counter_program()
    assert prog.max_iter is None
    assert "loop none" in prog.ir_text
    assert "until converged" in prog.explain()
    with_passes = prog.explain(passes=True)
    assert "4611686018427387904" not in with_passes and "loop until converged" in with_passes
    for fixed_point in (sg.algorithms.connected_components_program("fastsv"), sg.algorithms.bfs_program()):
        assert fixed_point.max_iter is None and "until converged" in fixed_point.explain()
    assert sg.algorithms.pagerank_program(max_iter=7).max_iter == 7


def test_guard_formula() -> None:
    assert convergence_guard(0) == GUARD_BASE
    assert convergence_guard(123) == GUARD_PER_NODE * 123 + GUARD_BASE == 2230


@pytest.mark.parametrize("opt_level", [0, 3])
def test_a_loop_that_never_converges_raises_naming_the_iterations(opt_level: int) -> None:
    prog = counter_program(opt_level)
    g = path_graph(5)
    with pytest.raises(sg.ConvergenceError, match=r"counter did not reach its fixed point within 1050 iterations") as e:
        prog.run(g)  # raise_on_failure=False: an uncapped loop was meant to converge, so it raises anyway
    res = e.value.result
    assert isinstance(res, sg.Result) and res.iterations == 1050 and not res.converged
    np.testing.assert_array_equal(res["x"], np.full(5, 1050.0))
    assert "10 * n + 1000 = 1050 for n = 5" in str(e.value)


def test_an_explicit_limit_overrides_the_guard() -> None:
    prog = counter_program()
    res = prog.run(path_graph(3), max_iter=4)  # the caller's limit: no exception unless asked
    assert res.iterations == 4 and not res.converged
    with pytest.raises(sg.ConvergenceError, match="within max_iter = 4 iterations"):
        prog.run(path_graph(3), max_iter=4, raise_on_failure=True)


def test_continuing_a_state_is_guarded_too() -> None:
    prog = counter_program()
    g = path_graph(2)
    state = prog.init(g)
    prog.apply_batch(state)
    with pytest.raises(sg.ConvergenceError, match="within 1020 iterations"):
        prog.run(state)


def test_fixed_points_longer_than_the_guard_base_converge() -> None:
    n = 3000  # BFS along a path needs n iterations: more than GUARD_BASE, well inside the guard
    g = path_graph(n)
    res = sg.algorithms.bfs(g, 0)
    assert res.converged and GUARD_BASE < res.iterations <= n + 1
    np.testing.assert_array_equal(res.values, np.arange(n))
    np.testing.assert_array_equal(sg.algorithms.connected_components(g).values, np.zeros(n, dtype=np.int64))


@pytest.mark.parametrize("bad", [-1, 2**62, 1.5, True, "10"])
def test_bad_max_iter_is_refused(bad: object) -> None:
    b = sg.Builder("bad")
    with pytest.raises(sg.ProgramError, match="max_iter must be None or an integer"):
        b.loop(max_iter=bad)  # type: ignore[arg-type]
