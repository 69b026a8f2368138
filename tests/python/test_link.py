"""b.link (union-find over a slice of each row) and b.sample_mode: semantics against an
independent union-find over the CSR, every direction, slice and mask; O0 vs O3; 1 vs 2 threads;
Afforest and FastSV components against the twin and scipy; bad input."""

from __future__ import annotations

import gc
import inspect
import os

import numpy as np
import pytest
import scipy.sparse.csgraph as csgraph

import stepgraph as sg
from graphs import random_cases
from stepgraph import _core

HERE = os.path.basename(__file__)
INT64_MIN = np.iinfo(np.int64).min


def reference_link(g: sg.Graph, parent, direction, lo, hi, active) -> np.ndarray:
    """The smallest node each node reaches through the forest and the selected edges."""
    n = g.num_nodes
    root = list(range(n))

    def find(x):
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            root[max(ra, rb)] = min(ra, rb)

    for u in range(n):
        union(u, int(parent[u]))
    csrs = []
    if direction != "in" or not g.directed:
        csrs.append(g.csr("out"))
    if direction != "out" and g.directed:
        csrs.append(g.csr("in"))
    for indptr, indices, _ in csrs:
        for u in range(n):
            if not active[u]:
                continue
            row = indices[indptr[u] : indptr[u + 1]]
            for v in row[lo : hi if hi is not None else len(row)]:
                union(u, int(v))
    return np.array([find(u) for u in range(n)], dtype=np.int64)


def link_program(direction, edges, masked, opt_level=3, forest=False):
    b = sg.Builder("link")
    parent = b.input("parent", "int64") if forest else b.node_id("int64")
    active = b.input("active", "bool") if masked else True
    b.output("out", b.link(parent, direction, edges=edges, active=active))
    return b.build(opt_level=opt_level)


def down_forest(rng, n):
    """Each node points at itself or a smaller node (not compressed)."""
    return np.array([u if u == 0 or rng.random() < 0.3 else int(rng.integers(0, u)) for u in range(n)], np.int64)


SLICES = [(0, None), (0, 1), (1, 2), (2, None), (1, 1), (3, 7)]


@pytest.mark.parametrize("direction", ["in", "out", "both"])
def test_link_matches_an_independent_union_find(direction):
    rng = np.random.default_rng(7)
    for i, case in enumerate(random_cases(24, seed=99)):
        g = case.graph()
        n = g.num_nodes
        lo, hi = SLICES[i % len(SLICES)]
        masked = i % 3 == 1
        active = rng.random(n) < 0.6 if masked else np.ones(n, bool)
        forest = i % 2 == 1
        parent = down_forest(rng, n) if forest else np.arange(n, dtype=np.int64)
        expect = reference_link(g, parent, direction, lo, hi, active)
        for opt in (0, 3):
            prog = link_program(direction, (lo, hi), masked, opt, forest)
            inputs = {}
            if masked:
                inputs["active"] = active.astype(np.float64)
            if forest:
                inputs["parent"] = parent
            got = prog.run(g, **inputs)["out"]
            assert np.array_equal(got, expect), (case, direction, (lo, hi), masked, forest, opt)


def test_link_over_every_edge_is_scipys_weak_components_labelled_by_smallest_node():
    for case in random_cases(30, seed=5):
        g = case.graph()
        got = link_program("both", (0, None), False).run(g)["out"]
        if g.num_nodes == 0:
            assert got.size == 0
            continue
        _, labels = csgraph.connected_components(g.to_scipy(), directed=True, connection="weak")
        smallest = np.full(labels.max() + 1, g.num_nodes)
        np.minimum.at(smallest, labels, np.arange(g.num_nodes))
        assert np.array_equal(got, smallest[labels]), case


def test_one_and_two_threads_give_the_same_labels():
    g = sg.generators.rmat(15, directed=True, seed=3)
    prog = link_program("both", (0, None), False)
    outs = []
    for threads in (1, 2):
        with sg.threads.num_threads(threads):
            outs.append(prog.run(g)["out"])
    assert np.array_equal(outs[0], outs[1])


def _splitmix_positions(n, samples=1024):
    mask = (1 << 64) - 1
    state, out = 0x9E3779B97F4A7C15, []
    for _ in range(samples):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        out.append(z % n)
    return np.array(out)


def test_sample_mode_is_the_mode_of_1024_fixed_positions_ties_to_the_smallest():
    b = sg.Builder("mode")
    b.output("m", b.broadcast(b.sample_mode(b.input("x", "int64"))))
    prog = b.build()
    rng = np.random.default_rng(4)
    for n, hi in ((1, 3), (5, 3), (1000, 4), (100_000, 7), (100_000, 100_000)):
        x = rng.integers(-hi, hi, n).astype(np.int64)
        values, counts = np.unique(x[_splitmix_positions(n)], return_counts=True)
        expect = values[np.argmax(counts)]  # np.unique sorts: argmax takes the smallest of ties
        assert prog.run(_graph(n), x=x)["m"].tolist() == [expect] * n
    assert prog.run(_graph(0), x=np.zeros(0, np.int64))["m"].size == 0
    b = sg.Builder("empty")
    b.output("m", b.node_id() * 0 + b.sample_mode(b.node_id()))
    assert b.build().run(_graph(0))["m"].size == 0


def _graph(n):
    return sg.Graph.from_edges(np.zeros(0, np.int64), np.zeros(0, np.int64), n)


@pytest.mark.parametrize("method", ["afforest", "fastsv"])
def test_components_equal_the_twin_on_random_graphs_grids_and_paths(method):
    cases = [c.graph() for c in random_cases(50, seed=2024)]
    cases += [sg.generators.grid(30, 40), sg.generators.grid(1, 200)]
    path = np.arange(300)
    cases.append(sg.Graph.from_edges(path[1:][::-1], path[:-1][::-1], 300, directed=True))
    prog = sg.algorithms.connected_components_program(method)
    for g in cases:
        twin = sg.native.connected_components(g).values
        for threads in (1, 2):
            with sg.threads.num_threads(threads):
                assert np.array_equal(prog.run(g).values, twin), (g, method, threads)


def test_afforest_skips_the_giant_and_writes_its_forest_in_place():
    prog = sg.algorithms.connected_components_program()
    text = prog.explain()
    for step in ("link[out, edges 0:1]", "link[out, edges 1:2]", "sample_mode", "link[both, edges 0:]"):
        assert step in text, text
    g = sg.generators.uniform(500_000, 1_000_000, seed=1)
    assert np.array_equal(prog.run(g).values, sg.native.connected_components(g).values)
    # One int64 forest plus a mask: each link writes over its input (per-thread scratch is far
    # below a node vector at this size).
    n = g.num_nodes
    gc.collect()
    with sg.threads.num_threads(2):
        live = _core.array_live_bytes()
        state = prog.init(g)
        owned = _core.array_live_bytes() - live
    assert 8 * n + n <= owned < 8 * n + n + 8 * n // 2, f"{owned / (8 * n):.2f} int64 node vectors"
    del state


def test_unknown_method_is_a_parameter_error():
    with pytest.raises(sg.ParameterError, match="method must be one of"):
        sg.algorithms.connected_components_program("bfs")


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [3, -1, 2**40])
def test_a_parent_that_does_not_point_down_is_a_parameter_error_naming_it(bad):
    parent = np.arange(5)
    parent[2] = bad
    b = sg.Builder("bad_forest")
    out, line = b.link(b.input("tree", "int64"), edges=(0, 1)), inspect.currentframe().f_lineno
    b.output("out", out)
    prog = b.build()
    for threads in (1, 2):
        with sg.threads.num_threads(threads):
            with pytest.raises(sg.ParameterError) as e:
                prog.run(_graph(5), tree=parent)
            msg = str(e.value)
            assert msg.startswith(f"link: parent 'tree'[2] = {bad} is not in [0, 2]"), msg
            assert msg.endswith(f"{HERE}:{line})"), msg


def test_wrong_dtype_kind_and_arguments_are_builder_errors():
    b = sg.Builder("bad")
    ids, x = b.node_id(), b.fill(1.0)
    cases = [
        (lambda: b.link(x), "link: needs a parent forest", "float64 node vector"),
        (lambda: b.link(b.const(0, "int64")), "link: needs a node vector", "int64 scalar"),
        (lambda: b.link(ids, active=x), "link: active must be a bool mask", "float64 node vector"),
        (lambda: b.sample_mode(x), "sample_mode: needs an int64 node vector", "float64 node vector"),
        (lambda: b.sample_mode(b.const(0, "int64")), "sample_mode: needs a node vector", "int64 scalar"),
    ]
    for make, what, kind in cases:
        with pytest.raises(sg.ProgramError) as e:
            make()
        msg = str(e.value)
        assert msg.startswith(what) and kind in msg and f"{HERE}:" in msg, msg
    for edges in ((-1, None), (2, 1), (0,), (0, 1.5), "0:1", (True, None)):
        with pytest.raises(sg.ProgramError, match="link: edges must be"):
            b.link(ids, edges=edges)  # type: ignore[arg-type]
    with pytest.raises(sg.ProgramError, match="link: direction must be in, out or both, got 'up'"):
        b.link(ids, "up")


def _ir(body: str) -> str:
    return "sgir 1\nv P node_id i64 n 0 to=i64\nv P const bool s 0 number=1.0 to=bool\n" + body + "end\n"


@pytest.mark.parametrize(
    "body,message",
    [
        ("v P link i64 n 2 0 1 edges=3:1\noutput o 2\n", r"edges '3:1' is not a slice"),
        ("v P link i64 n 2 0 1 edges=-1:\noutput o 2\n", r"edges '-1:' is not a slice"),
        ("v P link i64 n 2 0 1 edges=2\noutput o 2\n", r"edges '2' is not from:to"),
        ("v P link i64 n 2 0 1 edges=a:\noutput o 2\n", r"edges from 'a' is not an integer"),
        ("v P link i64 n 2 1 1\noutput o 2\n", "links a parent forest"),
        ("v P link i64 n 2 0 0\noutput o 2\n", "needs a bool mask of active rows"),
        ("v P link i64 n 1 0\noutput o 2\n", "link takes 2 inputs, got 1"),
        ("v P sample_mode i64 s 1 1\noutput o 2\n", "takes the mode of an int64 node vector"),
        ("v P sample_mode i64 n 1 0\noutput o 2\n", "declared i64\\[n\\] but its inputs give i64"),
    ],
)
def test_the_native_validator_checks_again(body, message):
    with pytest.raises(sg.ProgramError, match=message):
        _core.Program(_ir(body), 3, False, [], [])
