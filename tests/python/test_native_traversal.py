"""native components / label propagation / BFS / SSSP / degree centrality against NetworkX, scipy
and a plain-Python reference; thread-count determinism; bad input."""

from __future__ import annotations

from collections import Counter
from typing import List, Tuple

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

import stepgraph as sg
from graphs import GraphCase, random_cases

CASES = list(random_cases(60, seed=2024))
WEIGHTED_CASES = list(random_cases(60, seed=77, weighted=True))


def sources_of(case: GraphCase, count: int = 4) -> List[int]:
    """A few distinct sources: node 0, the last node, and some in between."""
    n = case.num_nodes
    if n == 0:
        return []
    picks = {0, n - 1} | set(np.random.default_rng(n).integers(0, n, count).tolist())
    return sorted(picks)


def edge_weights(case: GraphCase) -> np.ndarray:
    return case.weights if case.weights is not None else np.ones(len(case.src))


def min_weight_matrix(case: GraphCase) -> sp.csr_array:
    """Adjacency with the LIGHTEST of parallel edges (both directions when undirected).

    Built straight from (data, indices, indptr) so zero weights stay explicit entries, which
    scipy.sparse.csgraph treats as edges.
    """
    n = case.num_nodes
    best = {}
    pairs = list(zip(case.src.tolist(), case.dst.tolist(), edge_weights(case).tolist()))
    if not case.directed:
        pairs += [(v, u, w) for u, v, w in pairs]
    for u, v, w in pairs:
        best[(u, v)] = min(w, best.get((u, v), np.inf))
    keys = sorted(best)
    indptr = np.zeros(n + 1, np.int64)
    for u, _ in keys:
        indptr[u + 1] += 1
    indptr = np.cumsum(indptr)
    indices = np.array([v for _, v in keys], np.int32)
    data = np.array([best[k] for k in keys], np.float64)
    return sp.csr_array((data, indices, indptr), shape=(n, n))


def simple_min_digraph(case: GraphCase) -> nx.DiGraph:
    """A simple DiGraph with the lightest parallel edge (both directions when undirected)."""
    G = nx.DiGraph()
    G.add_nodes_from(range(case.num_nodes))
    A = min_weight_matrix(case).tocoo()
    for u, v, w in zip(A.row.tolist(), A.col.tolist(), A.data.tolist()):
        G.add_edge(u, v, weight=w)
    return G


def min_id_labels(n: int, labels: np.ndarray) -> np.ndarray:
    """Relabel any component labelling so each component is named by its smallest node id."""
    smallest = {}
    for v in range(n):
        smallest.setdefault(int(labels[v]), v)
    return np.array([smallest[int(labels[v])] for v in range(n)], dtype=np.int64)


def lp_reference(case: GraphCase, max_iter: int) -> Tuple[List[int], int, bool]:
    """Synchronous label propagation, straight from the semantics, over the edge list."""
    n = case.num_nodes
    neighbors: List[List[int]] = [[] for _ in range(n)]
    for u, v in zip(case.src.tolist(), case.dst.tolist()):
        if case.directed:  # in-neighbors and out-neighbors together; a self-loop is both
            neighbors[v].append(u)
            neighbors[u].append(v)
        elif u == v:  # the stored adjacency holds an undirected self-loop once
            neighbors[u].append(u)
        else:
            neighbors[u].append(v)
            neighbors[v].append(u)
    labels = list(range(n))
    if n == 0:  # no nodes: nothing to iterate over
        return labels, 0, True
    iterations, converged = 0, False
    while iterations < max_iter:
        new = []
        for v in range(n):
            if not neighbors[v]:
                new.append(labels[v])
                continue
            counts = Counter(labels[u] for u in neighbors[v])
            new.append(min(counts, key=lambda label: (-counts[label], label)))
        iterations += 1
        changed = new != labels
        labels = new
        if not changed:
            converged = True
            break
    return labels, iterations, converged


def bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


# -- connected components ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_components_equal_scipy_and_networkx(case):
    g = case.graph()
    res = sg.native.connected_components(g)
    n = case.num_nodes
    assert res.values.dtype == np.int64 and res.values.shape == (n,)
    assert res["component"] is res.values
    if n == 0:
        return
    _, labels = csgraph.connected_components(min_weight_matrix(case), directed=True, connection="weak")
    np.testing.assert_array_equal(res.values, min_id_labels(n, labels))
    G = case.networkx()
    comps = nx.weakly_connected_components(G) if case.directed else nx.connected_components(G)
    expect = np.empty(n, np.int64)
    for comp in comps:
        expect[list(comp)] = min(comp)
    np.testing.assert_array_equal(res.values, expect)


def test_components_hand_checked():
    # 4 -> 1 <- 3, 0 -> 2, 5 alone; weak components {1, 3, 4}, {0, 2}, {5}
    g = sg.Graph.from_edges([4, 3, 0], [1, 1, 2], 6)
    assert sg.native.connected_components(g).values.tolist() == [0, 1, 0, 1, 1, 5]


# -- BFS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_bfs_equals_networkx(case):
    g = case.graph()
    G = case.networkx()
    for s in sources_of(case):
        res = sg.native.bfs(g, s)
        assert res.values.dtype == np.int64
        expect = np.full(case.num_nodes, -1, np.int64)
        for v, d in nx.single_source_shortest_path_length(G, s).items():
            expect[v] = d
        np.testing.assert_array_equal(res["level"], expect, err_msg=f"source {s}")


def test_bfs_hand_checked():
    # 0 -> 1 -> 2 -> 3, 0 -> 2, 4 -> 0 (4 unreachable from 0)
    g = sg.Graph.from_edges([0, 1, 2, 0, 4], [1, 2, 3, 2, 0], 5)
    assert sg.native.bfs(g, 0).values.tolist() == [0, 1, 1, 2, -1]
    assert sg.native.bfs(g, 4).values.tolist() == [1, 2, 2, 3, 0]
    assert sg.native.bfs(g, 3).values.tolist() == [-1, -1, -1, 0, -1]


# -- SSSP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES + WEIGHTED_CASES[5:], ids=repr)
def test_sssp_equals_scipy_and_networkx(case):
    g = case.graph()
    n = case.num_nodes
    if n == 0:
        return
    A = min_weight_matrix(case)
    G = simple_min_digraph(case)
    for s in sources_of(case):
        res = sg.native.sssp(g, s)
        assert res.values.dtype == np.float64
        ref = csgraph.dijkstra(A, directed=True, indices=s)
        assert bits(res["distance"]) == bits(ref), f"source {s}: {res.values} != {ref}"
        expect = np.full(n, np.inf)
        for v, d in nx.single_source_dijkstra_path_length(G, s, weight="weight").items():
            expect[v] = d
        assert bits(res.values) == bits(expect)


def test_sssp_zero_weights_and_parallel_edges():
    # 0 -(0.0)-> 1 -(2.5)-> 2, a lighter parallel 1 -(0.5)-> 2, and 2 -(0.0)-> 3
    g = sg.Graph.from_edges([0, 1, 1, 2], [1, 2, 2, 3], 5, weights=[0.0, 2.5, 0.5, 0.0])
    assert sg.native.sssp(g, 0).values.tolist() == [0.0, 0.0, 0.5, 0.5, np.inf]


def test_sssp_rounding_matches_dijkstra_order():
    # Many paths of equal real length with different rounded sums: only the left-to-right
    # rounded minimum (what Dijkstra computes) is right.
    rng = np.random.default_rng(5)
    n, m = 400, 4000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.choice([0.1, 0.2, 0.3, 0.7, 1e-17, 1e16, 3.3], size=m)
    case = GraphCase("rounding", src, dst, n, True, w)
    A = min_weight_matrix(case)
    for s in (0, 1, 2):
        assert bits(sg.native.sssp(case.graph(), s).values) == bits(csgraph.dijkstra(A, indices=s))


def test_sssp_heavy_tailed_weights_use_far_bins():
    # Rare huge weights (10^3 .. 10^300) next to small ones: the bucket width follows the small
    # ones, so the huge edges land in far buckets (and past the 2^62 clamp).
    rng = np.random.default_rng(11)
    n, m = 5_000, 200_000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0, 1, m)
    huge = rng.random(m) < 1e-3
    w[huge] = 10.0 ** rng.uniform(3, 300, int(huge.sum()))
    w[rng.random(m) < 0.02] = 0.0
    case = GraphCase("heavy", src, dst, n, True, w)
    A = min_weight_matrix(case)
    for s in (0, 7):
        assert bits(sg.native.sssp(case.graph(), s).values) == bits(csgraph.dijkstra(A, indices=s))


# -- label propagation ------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_label_propagation_equals_reference(case):
    g = case.graph()
    for max_iter in (100, 3):
        labels, iterations, converged = lp_reference(case, max_iter)
        res = sg.native.label_propagation(g, max_iter=max_iter)
        assert res.values.dtype == np.int64
        assert res["label"].tolist() == labels
        assert (res.iterations, res.converged) == (iterations, converged)


@pytest.mark.parametrize("directed", [False, True])
def test_label_propagation_bipartite_oscillates(directed):
    # Complete bipartite K(3, 3): the two sides swap labels forever.
    src = np.repeat([0, 1, 2], 3)
    dst = np.tile([3, 4, 5], 3)
    case = GraphCase("k33", src, dst, 6, directed)
    res = sg.native.label_propagation(case.graph(), max_iter=7)
    assert (res.iterations, res.converged) == (7, False)
    labels, iterations, converged = lp_reference(case, 7)
    assert res.values.tolist() == labels and (iterations, converged) == (7, False)
    assert res.values.tolist() == [3, 3, 3, 0, 0, 0]  # odd iteration: sides swapped


def test_label_propagation_hand_checked():
    # Triangles 0-1-2 and 3-4-5 joined by the edge 2-3, node 6 isolated. By hand:
    # [1,0,0,2,3,3,6] -> [0,0,0,3,2,2,6] -> [0,0,0,2,2,2,6] -> unchanged (4th pass counts).
    src, dst = np.array([0, 1, 2, 3, 4, 5, 2]), np.array([1, 2, 0, 4, 5, 3, 3])
    g = sg.Graph.from_edges(src, dst, 7, directed=False)
    res = sg.native.label_propagation(g)
    assert res.values.tolist() == [0, 0, 0, 2, 2, 2, 6]
    assert (res.iterations, res.converged) == (4, True)
    assert lp_reference(GraphCase("t", src, dst, 7, False), 100) == ([0, 0, 0, 2, 2, 2, 6], 4, True)
    two = sg.native.label_propagation(g, max_iter=2)
    assert two.values.tolist() == [0, 0, 0, 3, 2, 2, 6] and (two.iterations, two.converged) == (2, False)
    zero = sg.native.label_propagation(g, max_iter=0)
    assert zero.values.tolist() == list(range(7)) and (zero.iterations, zero.converged) == (0, False)


# -- degree centrality ------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_degree_centrality(case):
    res = sg.native.degree_centrality(case.graph())
    n = case.num_nodes
    assert res.values.dtype == np.float64 and res.values.shape == (n,)
    loops = Counter(u for u, v in zip(case.src.tolist(), case.dst.tolist()) if u == v)
    if not loops:
        ref = nx.degree_centrality(case.networkx())
        assert bits(res["centrality"]) == bits(np.array([float(ref[i]) for i in range(n)]))
    else:  # NetworkX counts an undirected self-loop twice; we count its one adjacency entry
        G = case.networkx()
        s = 1.0 / (n - 1.0) if n > 1 else None
        expect = []
        for v in range(n):
            d = G.degree(v) - (0 if case.directed else loops[v])
            expect.append(1.0 if n == 1 else d * s)
        assert bits(res.values) == bits(np.array(expect, np.float64))


def test_degree_centrality_small():
    assert sg.native.degree_centrality(sg.Graph.from_edges([], [], 0)).values.shape == (0,)
    assert sg.native.degree_centrality(sg.Graph.from_edges([], [], 1)).values.tolist() == [1.0]
    # Node 1: neighbors 0 and 2 plus a self-loop counted once -> 3 / 2 (NetworkX: 4 / 2).
    g = sg.Graph.from_edges([0, 1, 1], [1, 1, 2], 3, directed=False)
    assert sg.native.degree_centrality(g).values.tolist() == [0.5, 1.5, 0.5]
    assert nx.degree_centrality(nx.Graph([(0, 1), (1, 1), (1, 2)]))[1] == 2.0


# -- determinism across thread counts -----------------------------------------------------------


def all_results(g: sg.Graph, sources: List[int]) -> List[bytes]:
    out = [bits(sg.native.connected_components(g).values), bits(sg.native.degree_centrality(g).values)]
    lp = sg.native.label_propagation(g, max_iter=30)
    out += [bits(lp.values), bytes([lp.converged]) + lp.iterations.to_bytes(8, "little")]
    for s in sources:
        out += [bits(sg.native.bfs(g, s).values), bits(sg.native.sssp(g, s).values)]
    return out


def big_case(directed: bool, skewed: bool, seed: int) -> GraphCase:
    rng = np.random.default_rng(seed)
    n, m = 60_000, 400_000
    if skewed:  # power-law-ish endpoints: hubs, many sinks and isolated nodes
        src = (n * rng.random(m) ** 3).astype(np.int64)
        dst = (n * rng.random(m) ** 2).astype(np.int64)
    else:
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    return GraphCase("big", src, dst, n, directed, rng.uniform(0.0, 2.0, m))


@pytest.mark.parametrize("case", CASES[:20], ids=repr)
def test_one_vs_two_threads_small(case):
    g = case.graph()
    with sg.num_threads(1):
        one = all_results(g, sources_of(case, 2))
    with sg.num_threads(2):
        two = all_results(g, sources_of(case, 2))
    assert one == two


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("skewed", [False, True])
def test_one_vs_two_threads_large_and_correct(directed, skewed):
    case = big_case(directed, skewed, seed=3 + directed + 2 * skewed)
    g = case.graph()
    sources = [0, 12345]
    with sg.num_threads(1):
        one = all_results(g, sources)
    with sg.num_threads(2):
        two = all_results(g, sources)
    assert one == two
    # ... and the parallel paths (bottom-up BFS, Afforest, many buckets) are also right.
    A = min_weight_matrix(case)
    _, labels = csgraph.connected_components(A, directed=True, connection="weak")
    np.testing.assert_array_equal(sg.native.connected_components(g).values, min_id_labels(case.num_nodes, labels))
    for s in sources:
        hops = csgraph.shortest_path(A, directed=True, unweighted=True, indices=s)
        levels = np.where(np.isinf(hops), -1, hops).astype(np.int64)
        np.testing.assert_array_equal(sg.native.bfs(g, s).values, levels)
        assert bits(sg.native.sssp(g, s).values) == bits(csgraph.dijkstra(A, indices=s))


def test_wide_offsets_give_the_same_results():
    case = big_case(True, True, seed=9)
    narrow, wide = case.graph(), case.graph(wide_offsets=True)
    assert wide._native.wide_offsets
    assert all_results(narrow, [0, 5]) == all_results(wide, [0, 5])


# -- labels and errors ------------------------------------------------------------------------


def test_sources_as_node_labels():
    G = nx.DiGraph()
    G.add_edge("a", "b", weight=2.0)
    G.add_edge("b", "c", weight=0.5)
    G.add_node("z")
    g = sg.Graph.from_networkx(G)
    assert sg.native.bfs(g, "a").to_dict() == {"a": 0, "b": 1, "c": 2, "z": -1}
    assert sg.native.sssp(g, "b").to_dict() == {"a": np.inf, "b": 0.0, "c": 0.5, "z": np.inf}
    with pytest.raises(sg.ParameterError, match="source 'q' is not a node of the graph"):
        sg.native.bfs(g, "q")
    with pytest.raises(sg.ParameterError, match="source 0 is not a node of the graph"):
        sg.native.sssp(g, 0)


@pytest.mark.parametrize("algo", [sg.native.bfs, sg.native.sssp])
def test_bad_sources(algo):
    g = sg.Graph.from_edges([0, 1], [1, 2], 5)
    with pytest.raises(sg.ParameterError, match="source 7 is out of range for a graph with 5 nodes"):
        algo(g, 7)
    with pytest.raises(sg.ParameterError, match="source -1 is out of range"):
        algo(g, -1)
    with pytest.raises(sg.ParameterError, match="source must be an integer node id"):
        algo(g, 1.0)
    with pytest.raises(sg.ParameterError, match="source must be an integer node id"):
        algo(g, True)
    assert algo(g, np.int32(1)).values[2] == 1
    with pytest.raises(sg.ParameterError, match="out of range for a graph with 0 nodes"):
        algo(sg.Graph.from_edges([], [], 0), 0)
    with pytest.raises(sg.ParameterError, match="expected a stepgraph.Graph"):
        algo(nx.path_graph(3), 0)


def test_native_boundary_validates_again():
    g = sg.Graph.from_edges([0, 1], [1, 2], 5)
    with pytest.raises(sg.ParameterError, match="source 9 is out of range for a graph with 5 nodes"):
        sg._core.bfs(g._native, 9)
    with pytest.raises(sg.ParameterError, match="source -3 is out of range"):
        sg._core.sssp(g._native, -3)
    with pytest.raises(sg.ParameterError, match="max_iter must be >= 0, got -1"):
        sg._core.label_propagation(g._native, -1)


def test_sssp_refuses_negative_weights():
    g = sg.Graph.from_edges([0, 1], [1, 2], 3, weights=[1.0, -0.5], allow_negative_weights=True)
    with pytest.raises(sg.ParameterError, match="non-negative edge weights.*negative weights"):
        sg.native.sssp(g, 0)
    assert sg.native.bfs(g, 0).values.tolist() == [0, 1, 2]  # BFS ignores weights


@pytest.mark.parametrize(
    "bad, message",
    [
        (-1, "max_iter must be >= 0, got -1"),
        (1.5, "max_iter must be an integer"),
        (True, "max_iter must be an integer"),
        ("3", "max_iter must be an integer"),
        (None, "max_iter must be an integer"),
    ],
)
def test_label_propagation_bad_max_iter(bad, message):
    g = sg.Graph.from_edges([0], [1], 2)
    with pytest.raises(sg.ParameterError, match=message):
        sg.native.label_propagation(g, max_iter=bad)
    assert sg.native.label_propagation(g, max_iter=np.int64(2)).iterations == 2
