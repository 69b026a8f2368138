"""Core numbers: the builder's h-index iteration vs the Batagelj-Zaversnik twin vs NetworkX,
identical on the shared random families (without self-loops), paths, grids, directed graphs with
reciprocal edges; multigraphs against peeling by the definition; self-loops refused; the new
neighbor_agg combine h_index checked against its definition and its bad inputs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import stepgraph as sg
from centrality_cases import grid, path, simple, to_nx
from graphs import GraphCase, random_cases

CASES = list(random_cases(80, seed=2024))
NO_LOOPS = [simple(c, self_loops=False) for c in CASES]


def _without_loops(case: GraphCase) -> GraphCase:
    keep = case.src != case.dst
    w = None if case.weights is None else case.weights[keep]
    return GraphCase(case.name + "-noloops", case.src[keep], case.dst[keep], case.num_nodes, case.directed, w)


SHAPES = [path(41, False), path(40, True), grid(7, 9), grid(1, 1)]


def _peel(case: GraphCase) -> np.ndarray:
    """The definition: the k-core is what remains after repeatedly deleting nodes of degree < k
    (degree counting every edge end, in + out when directed)."""
    n = case.num_nodes
    core = np.zeros(n, np.int64)
    alive = np.ones(n, bool)
    k = 0
    while alive.any():
        while True:
            deg = np.zeros(n, np.int64)
            both = alive[case.src] & alive[case.dst]
            np.add.at(deg, case.src[both], 1)
            np.add.at(deg, case.dst[both], 1)
            drop = alive & (deg < k)
            if not drop.any():
                break
            alive &= ~drop
        core[alive] = k
        k += 1
    return core


def _check(case: GraphCase) -> np.ndarray:
    g = case.graph()
    ours = sg.algorithms.core_number(g)
    twin = sg.native.core_number(g)
    assert ours.values.dtype == twin.values.dtype == np.int64
    assert np.array_equal(ours.values, twin.values)
    assert ours.converged
    return ours.values


@pytest.mark.parametrize("case", NO_LOOPS + SHAPES, ids=repr)
def test_matches_networkx(case):
    expected = nx.core_number(to_nx(case))
    assert _check(case).tolist() == [expected[v] for v in range(case.num_nodes)]


@pytest.mark.parametrize("case", [_without_loops(c) for c in CASES[:40]], ids=repr)
def test_multigraphs_match_peeling(case):
    """Parallel edges count once per edge (NetworkX refuses multigraphs: the definition is the oracle)."""
    assert np.array_equal(_check(case), _peel(case))


def test_directed_reciprocal_edges_count_twice():
    G = nx.DiGraph([(1, 2), (2, 1), (2, 3), (2, 4), (3, 4), (4, 3)])  # NetworkX's docstring example
    g = sg.Graph.from_networkx(G)
    for f in (sg.algorithms.core_number, sg.native.core_number):
        assert f(g).to_dict() == nx.core_number(G) == {1: 2, 2: 2, 3: 2, 4: 2}


def test_path_takes_about_half_its_length():
    res = sg.algorithms.core_number(path(41, False).graph())
    assert res.values.tolist() == [1] * 41
    assert 20 <= res.iterations <= 22  # the value 1 travels one hop per iteration from both ends


@pytest.mark.parametrize("case", NO_LOOPS[10:30], ids=repr)
def test_thread_count_and_opt_level_do_not_matter(case):
    g = case.graph()
    outs = []
    for threads in (1, 2):
        with sg.num_threads(threads):
            outs.append(sg.algorithms.core_number(g).values)
            outs.append(sg.native.core_number(g).values)
            outs.append(sg.algorithms.core_number_program(opt_level=0).run(g)["core"])
    assert all(np.array_equal(outs[0], o) for o in outs)


def test_empty_single_and_isolated():
    for n in (0, 1, 5):
        g = sg.Graph.from_edges([], [], n)
        for f in (sg.algorithms.core_number, sg.native.core_number):
            assert f(g).values.tolist() == [0] * n


@pytest.mark.parametrize("directed", [True, False])
def test_self_loops_are_refused(directed):
    g = sg.Graph.from_edges([0, 1, 2], [1, 2, 2], 3, directed=directed)
    with pytest.raises(nx.NetworkXNotImplemented):
        nx.core_number(nx.DiGraph([(0, 1), (1, 2), (2, 2)]))
    for f in (sg.algorithms.core_number, sg.native.core_number):
        with pytest.raises(sg.GraphError, match="self-loops; this graph has 1"):
            f(g)


def test_core_number_rmat_matches_networkx():
    g = sg.generators.rmat(10, 8, seed=3)
    off, idx, _ = g.csr("out")
    src = np.repeat(np.arange(g.num_nodes), np.diff(off))
    keep = src != idx
    case = GraphCase("rmat10", src[keep], idx[keep], g.num_nodes, g.directed)
    expected = nx.core_number(to_nx(simple(case)))
    assert _check(simple(case)).tolist() == [expected[v] for v in range(g.num_nodes)]


# -- the h_index aggregation itself ----------------------------------------------------------


def _h_index(values) -> int:
    vals = sorted(values, reverse=True)
    return max([i + 1 for i, v in enumerate(vals) if v >= i + 1], default=0)


@pytest.mark.parametrize("direction", ["in", "out", "both"])
@pytest.mark.parametrize("opt_level", [0, 3])
def test_h_index_aggregation_matches_definition(direction, opt_level):
    rng = np.random.default_rng(5)
    n = 40
    src, dst = rng.integers(0, n, 200), rng.integers(0, n, 200)  # self-loops and parallel edges too
    g = sg.Graph.from_edges(src, dst, n)
    x = rng.integers(-3, 12, n).astype(np.int64)
    b = sg.Builder("h")
    b.output("h", b.neighbor_agg(b.input("x", "int64"), "h_index", direction))
    got = b.build(opt_level=opt_level).run(g, x=x)["h"]
    nbrs = {v: [] for v in range(n)}
    for u, v in zip(src.tolist(), dst.tolist()):
        if direction in ("in", "both"):
            nbrs[v].append(x[u])
        if direction in ("out", "both"):
            nbrs[u].append(x[v])
    assert got.tolist() == [_h_index(nbrs[v]) for v in range(n)]


def test_h_index_bad_inputs_are_program_errors():
    b = sg.Builder("h")
    with pytest.raises(sg.ProgramError, match="combine=h_index"):
        b.neighbor_agg(b.fill(1.0), "h_index", "in")  # float values
    with pytest.raises(sg.ProgramError, match="combine=h_index"):
        b.neighbor_agg(b.fill(1, "int64"), "h_index", "in", edge="add_weight")
    with pytest.raises(sg.ProgramError, match="mode or h_index"):
        b.neighbor_agg(b.fill(1, "int64"), "hindex", "in")


def test_h_index_native_validator_refuses_what_python_refuses():
    """The boundary does not trust Python: IR text with h_index over f64 or with an edge op fails natively."""
    from stepgraph import _core

    b = sg.Builder("h")
    b.output("h", b.neighbor_agg(b.fill(1, "int64"), "h_index", "in"))
    text = b.serialize()
    assert "combine=h_index" in text
    for bad, match in (
        (text.replace("i64", "f64"), "h_index needs an int64"),
        (text.replace("edge=none", "edge=add_weight"), "edge=add_weight"),
    ):
        with pytest.raises(sg.ProgramError, match=match):
            _core.Program(bad, 3, False, [], [])


def test_explain_says_why_the_h_index_loop_is_dense():
    plan = sg.algorithms.core_number_program().explain()
    assert "h_index" in plan
    assert "until converged" in plan
