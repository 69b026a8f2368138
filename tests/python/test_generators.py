"""stepgraph.generators: seed determinism, thread-count independence, structure, RMAT skew, parameter errors."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy import stats

import stepgraph as sg
from stepgraph import generators as gen


def csr_arrays(g: sg.Graph):
    """Both CSRs as a flat list of arrays (weights included when present)."""
    out = []
    for direction in ("out", "in"):
        off, idx, w = g.csr(direction)
        out.extend([off, idx] + ([] if w is None else [w]))
    return out


def assert_same_graph(g: sg.Graph, h: sg.Graph) -> None:
    assert (g.num_nodes, g.num_edges, g.directed, g.weighted) == (h.num_nodes, h.num_edges, h.directed, h.weighted)
    a, b = csr_arrays(g), csr_arrays(h)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        assert x.tobytes() == y.tobytes()  # bitwise, weights included


def edge_set(g: sg.Graph) -> list:
    """Sorted undirected edges (u <= v) of an undirected graph, from its CSR."""
    off, idx, _ = g.csr("out")
    src = np.repeat(np.arange(g.num_nodes), np.diff(off))
    keep = src <= idx
    return sorted(zip(src[keep].tolist(), idx[keep].tolist()))


MAKERS = {
    "rmat": lambda seed, **kw: gen.rmat(11, edge_factor=8, seed=seed, **kw),
    "rmat-undirected": lambda seed, **kw: gen.rmat(10, seed=seed, directed=False, **kw),
    "uniform": lambda seed, **kw: gen.uniform(3000, 40000, seed=seed, **kw),
    "uniform-undirected": lambda seed, **kw: gen.uniform(3000, 40000, seed=seed, directed=False, **kw),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
@pytest.mark.parametrize("weighted", [False, True])
def test_same_seed_same_graph_different_seed_different_graph(name, weighted):
    make = MAKERS[name]
    g = make(7, weighted=weighted)
    assert g.weighted == weighted
    assert_same_graph(g, make(7, weighted=weighted))
    other = make(8, weighted=weighted)
    assert not np.array_equal(g.csr("out")[1], other.csr("out")[1])


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_graph_does_not_depend_on_thread_count(name):
    make = MAKERS[name]
    with sg.num_threads(1):
        assert sg.get_num_threads() == 1
        one = make(3, weighted=True)
    with sg.num_threads(2):
        two = make(3, weighted=True)
    assert_same_graph(one, two)


def test_grid_does_not_depend_on_thread_count():
    with sg.num_threads(1):
        one = gen.grid(40, 70, weighted=True, seed=3)
    with sg.num_threads(2):
        two = gen.grid(40, 70, weighted=True, seed=3)
    assert_same_graph(one, two)


def test_large_rmat_does_not_depend_on_thread_count():
    """Big enough that TBB really splits the edges, the permutation sort and the CSR build."""
    with sg.num_threads(1):
        one = gen.rmat(16, edge_factor=4, seed=9, weighted=True)
    with sg.num_threads(2):
        two = gen.rmat(16, edge_factor=4, seed=9, weighted=True)
    assert_same_graph(one, two)


def test_weights_are_in_half_open_unit_interval_and_keep_the_structure():
    plain = gen.uniform(500, 20000, seed=4)
    weighted = gen.uniform(500, 20000, seed=4, weighted=True)
    off, idx, w = weighted.csr("out")
    assert np.array_equal(idx, plain.csr("out")[1])
    assert w.dtype == np.float64
    assert w.min() > 0.0 and w.max() <= 1.0
    assert abs(w.mean() - 0.5) < 0.01  # 20000 weights: sd of the mean ~ 0.002
    assert plain.csr("out")[2] is None


@pytest.mark.parametrize("rows,cols", [(0, 0), (0, 4), (3, 0), (1, 1), (1, 6), (6, 1), (2, 3), (7, 5), (16, 16)])
def test_grid_matches_networkx(rows, cols):
    g = gen.grid(rows, cols)
    G = nx.grid_2d_graph(rows, cols)
    H = nx.relabel_nodes(G, {(r, c): r * cols + c for r, c in G.nodes()})
    assert not g.directed
    assert g.num_nodes == H.number_of_nodes() == rows * cols
    assert g.num_edges == H.number_of_edges()
    assert edge_set(g) == sorted((min(u, v), max(u, v)) for u, v in H.edges())


def test_weighted_grid_seed_changes_only_weights():
    a, b = gen.grid(9, 11, weighted=True, seed=1), gen.grid(9, 11, weighted=True, seed=2)
    assert edge_set(a) == edge_set(b) == edge_set(gen.grid(9, 11))
    assert not np.array_equal(a.csr("out")[2], b.csr("out")[2])


def test_rmat_sizes_and_id_range():
    g = gen.rmat(12, edge_factor=16, seed=1)
    assert g.num_nodes == 4096 and g.num_edges == 16 * 4096 and g.directed
    off, idx, _ = g.csr("out")
    assert off[-1] == 16 * 4096
    assert idx.min() >= 0 and idx.max() < 4096
    assert gen.rmat(0, edge_factor=3).num_edges == 3
    assert gen.rmat(5, edge_factor=0).num_nodes == 32
    u = gen.rmat(8, seed=1, directed=False)
    assert not u.directed and u.num_edges == 16 * 256


def test_rmat_is_skewed_and_permutation_hides_the_hub():
    g = gen.rmat(12, seed=1)
    indeg, outdeg = g.in_degree(), g.out_degree()
    assert indeg.mean() == 16
    assert indeg.max() > 20 * indeg.mean()  # expected hub in-degree ~ 65536 * 0.76^12 ~ 2400
    assert outdeg.max() > 20 * outdeg.mean()
    # Without the permutation node 0 is the hub; with it the hub lands elsewhere but the
    # degree sequence is the same (the permutation only relabels).
    raw = gen.rmat(12, seed=1, permute=False)
    assert int(np.argmax(raw.in_degree())) == 0
    assert int(np.argmax(raw.out_degree())) == 0
    assert int(np.argmax(indeg)) != 0
    assert np.array_equal(np.sort(indeg), np.sort(raw.in_degree()))
    # In the raw model a node's expected degree falls with the number of 1 bits in its id
    # (each 1 bit is a level that took the less likely half); the permutation removes that.
    ones = np.array([bin(v).count("1") for v in range(4096)])
    assert stats.spearmanr(ones, raw.out_degree())[0] < -0.8  # ~ -0.92
    assert abs(stats.spearmanr(ones, outdeg)[0]) < 0.1  # ~ 0.02
    assert abs(stats.spearmanr(np.arange(4096), outdeg)[0]) < 0.1


def test_rmat_with_equal_quadrants_has_uniform_degrees():
    flat = gen.rmat(12, a=0.25, b=0.25, c=0.25, seed=2).in_degree()
    uni = gen.uniform(4096, 16 * 4096, seed=3).in_degree()
    skewed = gen.rmat(12, seed=2).in_degree()
    assert flat.max() < 3 * flat.mean()  # Poisson(16): the maximum over 4096 nodes is ~ 33
    assert abs(flat.std() - uni.std()) < 0.5  # both ~ 4
    assert stats.ks_2samp(flat, uni).pvalue > 1e-3
    assert stats.ks_2samp(skewed, uni).pvalue < 1e-10  # the test can tell a skewed law apart


def test_uniform_degrees_are_binomial():
    n, m = 5000, 100000
    g = gen.uniform(n, m, seed=11)
    indeg = g.in_degree()
    assert indeg.sum() == m
    assert abs(indeg.var() - m / n) < 0.15 * (m / n)
    off, idx, _ = g.csr("out")
    assert idx.min() >= 0 and idx.max() < n
    # Endpoint ids uniform: the chi-square of the in-degree counts over 50 id buckets.
    counts = np.bincount(idx // (n // 50), minlength=50)
    assert stats.chisquare(counts).pvalue > 1e-4
    assert gen.uniform(0, 0).num_nodes == 0
    assert gen.uniform(7, 0).num_nodes == 7


@pytest.mark.parametrize(
    "call,fragment",
    [
        (lambda: gen.rmat(-1), "scale must be in [0, 30]"),
        (lambda: gen.rmat(31), "scale must be in [0, 30]"),
        (lambda: gen.rmat(4, edge_factor=-2), "edge_factor must be >= 0"),
        (lambda: gen.rmat(30, edge_factor=2**20), "exceeds the maximum"),
        (lambda: gen.rmat(4, a=-0.1), "a must be a probability"),
        (lambda: gen.rmat(4, b=float("nan")), "b must be a probability"),
        (lambda: gen.rmat(4, c=float("inf")), "c must be a probability"),
        (lambda: gen.rmat(4, a=0.6, b=0.3, c=0.2), "a + b + c must be <= 1"),
        (lambda: gen.rmat(4.0), "scale must be an integer"),
        (lambda: gen.rmat(True), "scale must be an integer"),
        (lambda: gen.rmat(4, edge_factor=2.5), "edge_factor must be an integer"),
        (lambda: gen.rmat(4, a="0.5"), "a must be a real number"),
        (lambda: gen.rmat(4, seed=-1), "seed = -1 is out of range"),
        (lambda: gen.rmat(4, seed=2**64), "seed = 18446744073709551616 is out of range"),
        (lambda: gen.rmat(4, seed=1.5), "seed must be an integer"),
        (lambda: gen.rmat(2**70), "scale = 1180591620717411303424 is out of range"),
        (lambda: gen.uniform(-1, 0), "num_nodes must be >= 0"),
        (lambda: gen.uniform(2**31, 0), "exceeds the supported maximum"),
        (lambda: gen.uniform(10, -1), "num_edges must be >= 0"),
        (lambda: gen.uniform(0, 5), "needs num_nodes > 0"),
        (lambda: gen.uniform(10.0, 5), "num_nodes must be an integer"),
        (lambda: gen.uniform(10, 5.0), "num_edges must be an integer"),
        (lambda: gen.uniform(False, 0), "num_nodes must be an integer"),
        (lambda: gen.grid(-1, 3), "rows must be >= 0"),
        (lambda: gen.grid(3, -1), "cols must be >= 0"),
        (lambda: gen.grid(2**16, 2**16), "exceeds the supported maximum"),
        (lambda: gen.grid(3.0, 3), "rows must be an integer"),
        (lambda: gen.grid(3, True), "cols must be an integer"),
        (lambda: gen.grid(3, 3, seed=None), "seed must be an integer"),
    ],
)
def test_parameter_errors(call, fragment):
    with pytest.raises(sg.ParameterError) as info:
        call()
    assert fragment in str(info.value)


def test_numpy_integers_are_accepted_as_sizes():
    g = gen.uniform(np.int32(10), np.int64(20), seed=np.uint64(5))
    assert (g.num_nodes, g.num_edges) == (10, 20)
    assert_same_graph(g, gen.uniform(10, 20, seed=5))
    assert gen.rmat(np.int64(3), a=np.float32(0.5), b=0, c=0).num_nodes == 8
