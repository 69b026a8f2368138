"""HITS, eigenvector and Katz centrality: builder programs vs native twins vs NetworkX, on the
shared random families (sinks, self-loops, parallel edges, isolated nodes), paths and grids;
1 vs 2 threads; bad input gives typed errors naming the problem."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from networkx.algorithms.link_analysis.hits_alg import _hits_scipy

import stepgraph as sg
from centrality_cases import dense, grid, path, simple, to_nx
from graphs import GraphCase, random_cases

CASES = [c for c in random_cases(60, seed=777) if c.num_nodes > 0]
SIMPLE = [simple(c) for c in CASES]


SHAPES = [path(30, True), path(30, False), grid(6, 7), grid(1, 1)]


def _close(a, b, tol=1e-10):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    assert np.allclose(a, b, rtol=0, atol=tol), np.abs(a - b).max()


def _vec(d, n):
    return np.array([d[i] for i in range(n)])


# -- eigenvector centrality ------------------------------------------------------------------


@pytest.mark.parametrize("case", SIMPLE + SHAPES, ids=repr)
def test_eigenvector_matches_networkx_and_twin(case):
    g, G = case.graph(), to_nx(case)
    weight = "weight" if case.weights is not None else None
    try:
        expected = nx.eigenvector_centrality(G, weight=weight)
    except nx.PowerIterationFailedConvergence:
        with pytest.raises(sg.ConvergenceError):
            sg.algorithms.eigenvector_centrality(g)
        with pytest.raises(sg.ConvergenceError):
            sg.native.eigenvector_centrality(g)
        return
    ours = sg.algorithms.eigenvector_centrality(g)
    twin = sg.native.eigenvector_centrality(g)
    _close(ours.values, _vec(expected, case.num_nodes))
    _close(twin.values, ours.values, 1e-12)
    assert twin.iterations == ours.iterations


@pytest.mark.parametrize("case", CASES[:30], ids=repr)
def test_eigenvector_multigraph_builder_equals_twin_and_dense(case):
    """Parallel edges add (NetworkX's multigraph loop would count them once: no nx oracle)."""
    g = case.graph()
    ours = sg.algorithms.eigenvector_centrality(g, max_iter=10_000, raise_on_failure=False)
    twin = sg.native.eigenvector_centrality(g, max_iter=10_000, raise_on_failure=False)
    _close(twin.values, ours.values, 1e-12)
    assert (ours.converged, ours.iterations) == (twin.converged, twin.iterations)
    a, n = dense(case), case.num_nodes
    x = np.full(n, 1.0 / n)
    for _ in range(ours.iterations):
        y = x + a.T @ x
        x = y / (np.linalg.norm(y) or 1.0)
    _close(ours.values, x)


def test_eigenvector_nstart_and_unweighted():
    case = SIMPLE[12]
    assert case.weights is not None or True
    g, G = case.graph(), to_nx(case)
    start = {v: 1.0 + (v % 3) for v in G}
    expected = nx.eigenvector_centrality(G, nstart=start, weight=None)
    for f in (sg.algorithms.eigenvector_centrality, sg.native.eigenvector_centrality):
        _close(f(g, nstart=start, weighted=False).values, _vec(expected, case.num_nodes))


# -- Katz centrality -------------------------------------------------------------------------


def _alpha(case: GraphCase) -> float:
    rho = max(abs(np.linalg.eigvals(dense(case)))) if case.num_nodes else 0.0
    return min(0.1, 0.5 / rho) if rho > 0 else 0.1


@pytest.mark.parametrize("case", SIMPLE + SHAPES, ids=repr)
def test_katz_matches_networkx_and_twin(case):
    g, G = case.graph(), to_nx(case)
    alpha, weight = _alpha(case), "weight" if case.weights is not None else None
    expected = _vec(nx.katz_centrality(G, alpha=alpha, weight=weight), case.num_nodes)
    ours = sg.algorithms.katz_centrality(g, alpha=alpha)
    twin = sg.native.katz_centrality(g, alpha=alpha)
    _close(ours.values, expected)
    _close(twin.values, ours.values, 1e-12)
    assert twin.iterations == ours.iterations


@pytest.mark.parametrize("normalized", [True, False])
def test_katz_beta_vector_nstart(normalized):
    case = SIMPLE[7]
    g, G = case.graph(), to_nx(case)
    n = case.num_nodes
    beta = {v: 0.5 + v / n for v in G}
    nstart = {v: float(v % 2) for v in G}
    alpha, weight = _alpha(case), "weight" if case.weights is not None else None
    expected = nx.katz_centrality(G, alpha, beta, nstart=dict(nstart), normalized=normalized, weight=weight)
    for f in (sg.algorithms.katz_centrality, sg.native.katz_centrality):
        _close(f(g, alpha, beta, nstart=nstart, normalized=normalized).values, _vec(expected, n))
        _close(
            f(g, alpha, np.array([beta[v] for v in range(n)]), nstart=nstart, normalized=normalized).values,
            _vec(expected, n),
        )


def test_katz_zero_nstart_is_the_default_start():
    case = SIMPLE[7]
    g = case.graph()
    for f in (sg.algorithms.katz_centrality, sg.native.katz_centrality):
        assert np.array_equal(f(g, nstart=np.zeros(case.num_nodes)).values, f(g).values)


def test_katz_diverging_raises_as_networkx():
    case = grid(5, 5)
    g, G = case.graph(), to_nx(case)
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.katz_centrality(G, alpha=0.5, max_iter=200)
    for f in (sg.algorithms.katz_centrality, sg.native.katz_centrality):
        with pytest.raises(sg.ConvergenceError, match="max_iter = 200"):
            f(g, alpha=0.5, max_iter=200)
        res = f(g, alpha=0.5, max_iter=200, raise_on_failure=False)
        assert (res.converged, res.iterations) == (False, 200)


@pytest.mark.parametrize("case", CASES[:30], ids=repr)
def test_katz_multigraph_builder_equals_twin(case):
    g = case.graph()
    alpha = _alpha(case)
    ours, twin = sg.algorithms.katz_centrality(g, alpha=alpha), sg.native.katz_centrality(g, alpha=alpha)
    _close(twin.values, ours.values, 1e-12)
    a, x = dense(case), np.zeros(case.num_nodes)
    for _ in range(ours.iterations):
        x = alpha * (a.T @ x) + 1.0
    _close(ours.values, x / np.linalg.norm(x))


# -- HITS ------------------------------------------------------------------------------------


def _gap_ratio(case: GraphCase) -> float:
    a = dense(case)
    ev = np.sort(np.linalg.eigvalsh(a.T @ a))[::-1]
    return ev[1] / ev[0] if len(ev) > 1 and ev[0] > 0 else (1.0 if ev[0] == 0 else 0.0)


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")  # nx, without edges
@pytest.mark.parametrize("case", SIMPLE + SHAPES, ids=repr)
def test_hits_matches_networkx_power_iteration_and_twin(case):
    """Default tol: NetworkX's own power iteration (_hits_scipy, the same stopping rule)."""
    g, G = case.graph(), to_nx(case)
    n = case.num_nodes
    try:
        h, a = _hits_scipy(G, max_iter=10_000, tol=1e-8)
    except nx.PowerIterationFailedConvergence:  # no edges: A^T A x = 0, scaled by its max 0
        for f in (sg.algorithms.hits, sg.native.hits):
            with pytest.raises(sg.ConvergenceError):
                f(g, max_iter=100)
        return
    ours = sg.algorithms.hits(g, max_iter=10_000)
    twin = sg.native.hits(g, max_iter=10_000)
    _close(ours["authorities"], _vec(a, n))
    _close(ours["hubs"], _vec(h, n))
    for name in ("hubs", "authorities"):
        _close(twin[name], ours[name], 1e-12)
    assert twin.iterations == ours.iterations


@pytest.mark.parametrize("case", SIMPLE + SHAPES, ids=repr)
@pytest.mark.parametrize("normalized", [True, False])
def test_hits_matches_nx_hits(case, normalized):
    """nx.hits (ARPACK) gives the exact singular vector: ours to 1e-10 once iterated to tol 1e-13,
    where it is unique (a clear gap between A^T A's two largest eigenvalues)."""
    if case.num_nodes < 2:  # scipy's svds needs k < n: nx.hits cannot take one node (the backend's case)
        with pytest.raises(ValueError, match="k"):
            nx.hits(to_nx(case))
        return
    g, G = case.graph(), to_nx(case)
    if _gap_ratio(case) > 0.9:  # nx.hits then depends on its random start: ours must be a top eigenvector
        a_mat = dense(case)
        ata = a_mat.T @ a_mat
        top = np.linalg.eigvalsh(ata)[-1]
        for f in (sg.algorithms.hits, sg.native.hits):
            if top == 0:  # no edges: no direction to iterate to (nx.hits: ARPACK's "starting vector is zero")
                with pytest.raises(sg.ConvergenceError):
                    f(g)
                continue
            res = f(g, max_iter=100_000, tol=1e-13, normalized=normalized)
            a = res["authorities"]
            assert np.abs(ata @ a - top * a).max() <= 1e-9 * top * np.abs(a).max()
            h = a_mat @ a
            _close(res["hubs"], h / h.sum() if normalized else h)
        return
    n = case.num_nodes
    h, a = nx.hits(G, normalized=normalized)
    h, a = _vec(h, n), _vec(a, n)
    sign = 1.0 if a.sum() >= 0 else -1.0  # ARPACK's sign is arbitrary; ours is non-negative
    for f in (sg.algorithms.hits, sg.native.hits):
        res = f(g, max_iter=100_000, tol=1e-13, normalized=normalized)
        _close(res["authorities"], sign * a)
        _close(res["hubs"], sign * h)


def test_hits_langville_meyer_example_and_nstart():
    G = nx.DiGraph([(1, 3), (1, 5), (2, 1), (3, 5), (5, 4), (5, 3), (6, 5)])
    g = sg.Graph.from_networkx(G)
    h, a = nx.hits(G)
    for f in (sg.algorithms.hits, sg.native.hits):
        for nstart in (None, {v: 0.5 for v in G}):
            res = f(g, tol=1e-13, max_iter=1000, nstart=nstart)
            d_h, d_a = res.to_dict("hubs"), res.to_dict("authorities")
            assert max(abs(d_h[v] - h[v]) for v in G) < 1e-10
            assert max(abs(d_a[v] - a[v]) for v in G) < 1e-10


def test_hits_not_convergent_raises_as_networkx():
    g, G = sg.Graph.from_networkx(nx.path_graph(50)), nx.path_graph(50)
    for max_iter in (0, 1):
        with pytest.raises(nx.PowerIterationFailedConvergence):
            nx.hits(G, max_iter=max_iter)
        for f in (sg.algorithms.hits, sg.native.hits):
            with pytest.raises(sg.ConvergenceError, match=f"max_iter = {max_iter}"):
                f(g, max_iter=max_iter)


# -- all three: threads, empty graphs, bad input ----------------------------------------------


@pytest.mark.parametrize("case", SIMPLE[5:25], ids=repr)
def test_thread_count_does_not_change_a_bit(case):
    g = case.graph()
    runs = []
    for threads in (1, 2):
        with sg.num_threads(threads):
            runs.append(
                [
                    sg.algorithms.hits(g, max_iter=10_000, raise_on_failure=False)["authorities"],
                    sg.native.hits(g, max_iter=10_000, raise_on_failure=False)["hubs"],
                    sg.algorithms.eigenvector_centrality(g, raise_on_failure=False).values,
                    sg.native.eigenvector_centrality(g, raise_on_failure=False).values,
                    sg.algorithms.katz_centrality(g, alpha=_alpha(case)).values,
                    sg.native.katz_centrality(g, alpha=_alpha(case)).values,
                ]
            )
    for one, two in zip(*runs):
        assert np.array_equal(one, two, equal_nan=True)


def test_exact_builder_equals_twin_bitwise():
    case = SIMPLE[9]
    g = case.graph()
    alpha = _alpha(case)
    prog = sg.algorithms.katz_centrality_program(alpha=alpha, exact=True)
    assert np.array_equal(prog.run(g)["centrality"], sg.native.katz_centrality(g, alpha=alpha).values)
    prog = sg.algorithms.eigenvector_centrality_program(exact=True, max_iter=1000)
    assert np.array_equal(prog.run(g)["centrality"], sg.native.eigenvector_centrality(g, max_iter=1000).values)


def test_empty_and_single_node_graphs():
    empty, single = sg.Graph.from_edges([], [], 0), sg.Graph.from_edges([], [], 1)
    for f in (sg.algorithms.hits, sg.native.hits):
        res = f(empty)
        assert res["hubs"].shape == res["authorities"].shape == (0,)
    for f in (sg.algorithms.eigenvector_centrality, sg.native.eigenvector_centrality):
        with pytest.raises(sg.GraphError, match="null graph"):
            f(empty)
        assert f(single).values.tolist() == [1.0]
    for f in (sg.algorithms.katz_centrality, sg.native.katz_centrality):
        assert f(empty).values.shape == (0,)
        assert f(single).values.tolist() == [1.0]
    G1 = nx.empty_graph(1)
    assert nx.eigenvector_centrality(G1) == {0: 1.0} and nx.katz_centrality(G1) == {0: 1.0}


ALL = {
    "hits": (sg.algorithms.hits, sg.native.hits),
    "eigenvector": (sg.algorithms.eigenvector_centrality, sg.native.eigenvector_centrality),
    "katz": (sg.algorithms.katz_centrality, sg.native.katz_centrality),
}


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_iter": -1}, "max_iter must be >= 0"),
        ({"max_iter": 2.5}, "max_iter must be an integer"),
        ({"tol": -1e-6}, "tol must be finite and >= 0"),
        ({"tol": float("nan")}, "tol must be finite"),
        ({"nstart": [1.0, 2.0]}, r"nstart has shape \(2,\), expected \(5,\)"),
        ({"nstart": {0: 1.0, 99: 1.0}}, "nstart names node 99"),
    ],
)
def test_bad_input_common(name, kwargs, match):
    g = sg.Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 4], 5)
    for f in ALL[name]:
        with pytest.raises(sg.ParameterError, match=match):
            f(g, **kwargs)


@pytest.mark.parametrize("name", ["hits", "eigenvector"])
@pytest.mark.parametrize("nstart", [[0.0] * 5, [1.0, -1.0, 0, 0, 0], [np.nan, 1, 1, 1, 1]])
def test_bad_start_vector(name, nstart):
    g = sg.Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 4], 5)
    for f in ALL[name]:
        with pytest.raises(sg.ParameterError, match="nstart"):
            f(g, nstart=nstart)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"alpha": float("inf")}, "alpha must be finite"),
        ({"alpha": "0.1"}, "alpha must be a number"),
        ({"beta": float("nan")}, "beta must be finite"),
        ({"beta": {0: 1.0}}, "beta has values for 1 nodes"),
        ({"beta": [1.0, 2.0]}, r"beta has shape \(2,\)"),
    ],
)
def test_bad_katz_input(kwargs, match):
    g = sg.Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 4], 5)
    for f in ALL["katz"]:
        with pytest.raises(sg.ParameterError, match=match):
            f(g, **kwargs)
