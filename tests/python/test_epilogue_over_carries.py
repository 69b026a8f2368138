"""Epilogue outputs stored over dead carries: a run that hands its buffers to its result stores
an output over a carry of the same element size that nothing reads afterwards (BFS: level over
distance), with exactly the values of a run that does not."""

from __future__ import annotations

import numpy as np
import pytest

import stepgraph as sg
from graphs import random_cases
from stepgraph.algorithms.traversal import bfs_program

CASES = [c for c in random_cases(30, seed=17) if c.num_nodes > 0]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.tobytes() == b.tobytes()


def two_outputs(order: str, **opts) -> sg.Program:
    """Two outputs of one carry x, in the given order: only the later one may take x's buffer
    (the earlier one is written while x is still to be read)."""
    b = sg.Builder("two_outputs")
    start = b.cast(b.node_id("int64"), "float64")
    with b.loop(max_iter=3) as loop:
        x = loop.carry("x", start)
        loop.update(x, b.neighbor_agg(x, "max", "both") * 0.5 + x)
    doubled, shifted = b.cast(x * 2.0, "int64"), x + 1.0
    for name in order:
        b.output({"d": "doubled", "s": "shifted"}[name], doubled if name == "d" else shifted)
    return b.build(**opts)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_bfs_levels_equal_the_twin_and_the_copying_run(case):
    g = case.graph()
    prog, kept = bfs_program(), bfs_program(disable=("in_place",))
    for source in sorted({0, case.num_nodes - 1}):
        over = prog.run(g, source=source)
        assert np.array_equal(over.values, sg.native.bfs(g, source).values)
        assert same_bits(over.values, kept.run(g, source=source).values)
        # A progress callback may keep the State (here it does): nothing is stored over its carries.
        held = []
        r = prog.run(g, source=source, progress=lambda i, res: held.append(prog.last_state))
        assert same_bits(r.values, over.values)
        st = held[-1] if held else None
        if st is not None:  # a graph whose loop ran at least once
            assert np.isfinite(st["distance"]).sum() == (over.values >= 0).sum()


@pytest.mark.parametrize("order", ["ds", "sd"])
def test_only_an_output_written_after_the_carrys_last_read_takes_it(order):
    g = list(random_cases(8, seed=3))[5].graph()
    prog = two_outputs(order)
    plain = two_outputs(order, disable=("in_place",))
    assert "is stored over x's buffer" in prog.explain()
    assert "is stored over" not in plain.explain()
    a, b = prog.run(g), plain.run(g)
    for name in ("doubled", "shifted"):
        assert same_bits(a[name], b[name])


def test_a_finished_in_place_state_refuses_further_use():
    g = list(random_cases(8, seed=4))[6].graph()
    prog = bfs_program()
    st = prog.init(g, source=0)
    st._core.run(1000, None, True)  # what run(graph) does without a progress callback
    with pytest.raises(sg.StateError, match="'distance' was overwritten by the outputs"):
        st["distance"]
    with pytest.raises(sg.StateError, match="stored its outputs over its carries"):
        prog.apply_batch(st)
    with pytest.raises(sg.StateError, match="stored its outputs over its carries"):
        prog.run(st)
    level = st["level"]
    assert np.array_equal(level, sg.native.bfs(g, 0).values)


def test_a_run_continued_from_a_state_keeps_its_carries():
    g = list(random_cases(8, seed=5))[6].graph()
    prog = bfs_program()
    st = prog.init(g, source=0)
    prog.apply_batch(st)
    r = prog.run(st)
    assert np.array_equal(r.values, sg.native.bfs(g, 0).values)
    assert np.array_equal(np.where(np.isinf(st["distance"]), -1, st["distance"]).astype(np.int64), r.values)
