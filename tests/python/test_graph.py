"""stepgraph.Graph: constructors, CSR contents, degrees, labels, and bad input."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import stepgraph as sg
from graphs import random_cases


def edge_multiset(g: sg.Graph, direction: str = "out"):
    off, idx, w = g.csr(direction)
    rows = np.repeat(np.arange(g.num_nodes), np.diff(off))
    ws = w if w is not None else np.ones(len(idx))
    return sorted(zip(rows.tolist(), idx.tolist(), ws.tolist()))


@pytest.mark.parametrize("case", list(random_cases(30, seed=3)), ids=repr)
def test_csr_matches_edges(case):
    g = case.graph()
    w = case.weights if case.weights is not None else np.ones(len(case.src))
    expect = [(int(u), int(v), float(x)) for u, v, x in zip(case.src, case.dst, w)]
    if not case.directed:
        expect += [(int(v), int(u), float(x)) for u, v, x in zip(case.src, case.dst, w) if u != v]
    assert edge_multiset(g, "out") == sorted(expect)
    assert edge_multiset(g, "in") == sorted((v, u, x) for u, v, x in expect)
    A = g.to_scipy()
    np.testing.assert_array_equal(g.out_degree(), np.diff(g.csr("out")[0]))
    np.testing.assert_allclose(g.out_degree(weighted=True), np.asarray(A.sum(axis=1)).ravel(), rtol=1e-12)
    np.testing.assert_allclose(g.in_degree(weighted=True), np.asarray(A.sum(axis=0)).ravel(), rtol=1e-12)
    assert g.num_edges == len(case.src)
    assert g.directed == case.directed


def test_rows_sorted_by_neighbor_and_wide_offsets_match():
    rng = np.random.default_rng(0)
    s, d = rng.integers(0, 1000, 20_000), rng.integers(0, 1000, 20_000)
    narrow = sg.Graph.from_edges(s, d, 1000)
    wide = sg.Graph.from_edges(s, d, 1000, wide_offsets=True)
    assert wide._native.wide_offsets and not narrow._native.wide_offsets
    for direction in ("out", "in"):
        for a, b in zip(narrow.csr(direction), wide.csr(direction)):
            np.testing.assert_array_equal(a, b)
    off, idx, _ = narrow.csr("out")
    row = idx[off[5] : off[6]]
    np.testing.assert_array_equal(row, np.sort(d[s == 5]))  # rows sorted by neighbor id
    woff, widx, ww = sg.Graph.from_edges(s, d, 1000, weights=np.arange(20_000.0)).csr("in")
    for v in (0, 7, 999):  # parallel edges keep their input order (weights increase with it)
        r, w = widx[woff[v] : woff[v + 1]], ww[woff[v] : woff[v + 1]]
        assert all((r[i], w[i]) < (r[i + 1], w[i + 1]) for i in range(len(r) - 1))
    a = sg.native.pagerank(narrow, tol=1e-10)
    b = sg.native.pagerank(wide, tol=1e-10)
    assert np.array_equal(a.values, b.values)


@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int32, np.int64, np.uint64])
def test_integer_dtypes_accepted(dtype):
    g = sg.Graph.from_edges(np.array([0, 1, 2], dtype=dtype), np.array([1, 2, 0], dtype=dtype))
    assert g.num_nodes == 3 and g.num_edges == 3


def test_non_contiguous_arrays():
    e = np.arange(20).reshape(10, 2) % 7
    g = sg.Graph.from_edges(e[:, 0], e[:, 1])
    assert g.num_nodes == 7 and g.num_edges == 10


def test_from_scipy_and_back():
    A = sp.random(50, 50, density=0.1, random_state=1, format="csr")
    g = sg.Graph.from_scipy(A)
    assert g.weighted and g.num_edges == A.nnz
    assert abs(g.to_scipy() - A).max() == 0
    with pytest.raises(sg.GraphError, match="square"):
        sg.Graph.from_scipy(sp.random(3, 4, density=0.5, format="csr"))
    with pytest.raises(sg.GraphError, match="scipy sparse matrix"):
        sg.Graph.from_scipy(np.eye(3))


def test_from_networkx_labels_weights_multiedges():
    G = nx.MultiDiGraph()
    G.add_edge("x", "y", weight=2.0)
    G.add_edge("x", "y", weight=3.0)
    G.add_edge("y", "z")  # no weight: counts 1, as in NetworkX
    G.add_node("w")
    g = sg.Graph.from_networkx(G)
    assert g.node_labels == ["x", "y", "z", "w"]
    assert g.weighted
    np.testing.assert_array_equal(g.out_degree(weighted=True), [5.0, 1.0, 0.0, 0.0])
    assert g.to_dict(np.arange(4)) == {"x": 0, "y": 1, "z": 2, "w": 3}
    assert g.node_index("z") == 2
    with pytest.raises(sg.GraphError, match="not in the graph"):
        g.node_index("nope")
    unweighted = sg.Graph.from_networkx(nx.path_graph(4))
    assert not unweighted.weighted and not unweighted.directed
    np.testing.assert_array_equal(unweighted.out_degree(), [1, 2, 2, 1])
    with pytest.raises(sg.GraphError, match="must be numeric"):
        sg.Graph.from_networkx(nx.DiGraph([(0, 1, {"weight": "heavy"})]))


def test_empty_and_isolated():
    g = sg.Graph.from_edges([], [])
    assert g.num_nodes == 0 and g.out_degree().shape == (0,)
    h = sg.Graph.from_edges([], [], num_nodes=5)
    np.testing.assert_array_equal(h.in_degree(), np.zeros(5))
    assert repr(h) == "Graph(5 nodes, 0 edges, directed)"


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(src=[0, -1], dst=[1, 0]), "src[1] = -1 is a negative node id"),
        (dict(src=[0, 1], dst=[1, 5], num_nodes=3), "dst[1] = 5 is out of range for num_nodes = 3"),
        (dict(src=[0, 1], dst=[1]), "different lengths"),
        (dict(src=[0.5, 1], dst=[1, 0]), "integer array of node ids"),
        (dict(src=[[0, 1]], dst=[[1, 0]]), "1-dimensional"),
        (dict(src=["a"], dst=["b"]), "integer array of node ids"),
        (dict(src=[0, 1], dst=[1, 0], weights=[1.0, float("nan")]), "weights[1] = nan is not finite"),
        (dict(src=[0, 1], dst=[1, 0], weights=[float("inf"), 1.0]), "weights[0] = inf is not finite"),
        (dict(src=[0, 1], dst=[1, 0], weights=[1.0, -2.0]), "weights[1] = -2 is negative"),
        (dict(src=[0, 1], dst=[1, 0], weights=[1.0]), "weights has length 1, expected 2"),
        (dict(src=[0, 1], dst=[1, 0], num_nodes=-3), "num_nodes must be >= 0"),
        (dict(src=[0, 1], dst=[1, 0], num_nodes=2.0), "num_nodes must be an integer"),
        (dict(src=[0], dst=[2**40]), "exceeds the supported maximum"),
        (dict(src=[0], dst=[1], num_nodes=2**40), "exceeds the supported maximum"),
    ],
)
def test_bad_edges(kwargs, fragment):
    with pytest.raises(sg.GraphError) as info:
        sg.Graph.from_edges(**kwargs)
    assert fragment in str(info.value)


def test_huge_declared_num_nodes_is_a_memory_error():
    with pytest.raises(MemoryError, match="GiB"):
        sg.Graph.from_edges([0], [1], num_nodes=2_000_000_000)


def test_negative_weights_opt_in():
    g = sg.Graph.from_edges([0, 1], [1, 0], weights=[1.0, -2.0], allow_negative_weights=True)
    assert g._native.has_negative_weights
    np.testing.assert_array_equal(g.out_degree(weighted=True), [1.0, -2.0])


def test_direct_wrapping_is_refused():
    with pytest.raises(sg.GraphError, match="wraps a native graph"):
        sg.Graph(42)
