"""native.pagerank / personalized_pagerank against networkx.pagerank, thread counts, and bad input."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import stepgraph as sg
from graphs import random_cases

TIGHT = dict(tol=1e-13, max_iter=10_000)


def nx_ranks(case, **kwargs) -> np.ndarray:
    G = case.networkx()
    if G.number_of_nodes() == 0:
        return np.zeros(0)
    ranks = nx.pagerank(G, **kwargs)
    return np.array([ranks[i] for i in range(case.num_nodes)])


CASES = list(random_cases(60, seed=7))


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_pagerank_equals_networkx(case):
    ours = sg.native.pagerank(case.graph(), **TIGHT)
    ref = nx_ranks(case, **TIGHT)
    assert ours.values.shape == ref.shape
    np.testing.assert_allclose(ours.values, ref, rtol=0, atol=1e-10)
    assert ours.converged
    assert len(ours.residuals) == ours.iterations


@pytest.mark.parametrize("case", CASES[5:35], ids=repr)
def test_pagerank_options_equal_networkx(case):
    rng = np.random.default_rng(len(case.src))
    n = case.num_nodes
    pers = {int(i): float(rng.uniform(0.1, 1)) for i in rng.choice(n, max(1, n // 3), replace=False)}
    dang = {int(i): float(rng.uniform(0.1, 1)) for i in rng.choice(n, max(1, n // 4), replace=False)}
    start = {int(i): float(rng.uniform(0.1, 1)) for i in range(n)}
    for kwargs in (
        dict(personalization=pers),
        dict(personalization=pers, dangling=dang),
        dict(dangling=dang),
        dict(nstart=start, alpha=0.6),
    ):
        ours = sg.native.pagerank(case.graph(), **kwargs, **TIGHT)
        ref = nx_ranks(case, **kwargs, **TIGHT)
        np.testing.assert_allclose(ours.values, ref, rtol=0, atol=1e-10, err_msg=str(kwargs))


@pytest.mark.parametrize("case", [c for c in CASES if c.weights is not None][:10], ids=repr)
def test_weighted_false_ignores_weights(case):
    ours = sg.native.pagerank(case.graph(), weighted=False, **TIGHT)
    ref = nx_ranks(case, weight=None, **TIGHT)
    np.testing.assert_allclose(ours.values, ref, rtol=0, atol=1e-10)


def test_default_tolerance_matches_networkx_iterations_closely():
    case = CASES[20]
    ours = sg.native.pagerank(case.graph())
    np.testing.assert_allclose(ours.values, nx_ranks(case), rtol=0, atol=1e-9)


def test_labels_round_trip_through_networkx():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    G.add_node("lonely")
    g = sg.Graph.from_networkx(G)
    res = sg.native.pagerank(g, personalization={"a": 2, "d": 1}, **TIGHT)
    ref = nx.pagerank(G, personalization={"a": 2, "d": 1}, **TIGHT)
    got = res.to_dict()
    assert set(got) == set(ref)
    for k in ref:
        assert got[k] == pytest.approx(ref[k], abs=1e-12)


def big_graph(n=60_000, m=500_000, seed=3, weighted=False):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, n, m)
    d = (rng.zipf(1.7, m) % n) if seed % 2 else rng.integers(0, n, m)  # hubs for uneven blocks
    w = rng.uniform(0.1, 1.0, m) if weighted else None
    return sg.Graph.from_edges(s, d, n, w)


@pytest.mark.parametrize("weighted", [False, True])
def test_bitwise_identical_for_any_thread_count(weighted):
    g = big_graph(seed=3, weighted=weighted)
    assert g._native.num_blocks > 4
    pers = np.random.default_rng(1).uniform(0, 1, g.num_nodes)
    runs = {}
    for threads in (1, 2):
        with sg.num_threads(threads):
            a = sg.native.pagerank(g, tol=1e-10, personalization=pers)
            b = sg.native.personalized_pagerank(g, [0, 5, 17], tol=1e-9)
            runs[threads] = (a, b)
    (a1, b1), (a2, b2) = runs[1], runs[2]
    assert a1.iterations == a2.iterations and np.array_equal(a1.residuals, a2.residuals)
    assert np.array_equal(a1.values, a2.values)
    assert np.array_equal(b1.values, b2.values)


def test_personalized_pagerank_columns_equal_single_source_runs():
    g = big_graph(n=5_000, m=40_000, seed=5)
    sources = [0, 7, 7, 4999]
    batch = sg.native.personalized_pagerank(g, sources, tol=1e-10)
    assert batch.values.shape == (4, 5000)
    for j, s in enumerate(sources):
        single = sg.native.pagerank(g, personalization={s: 1.0}, tol=1e-10)
        assert np.array_equal(batch.values[j], single.values)
        assert batch.extra["iterations_per_source"][j] == single.iterations


def test_personalized_pagerank_matches_networkx():
    case = CASES[12]
    res = sg.native.personalized_pagerank(case.graph(), [1, 0], **TIGHT)
    for j, s in enumerate([1, 0]):
        ref = nx_ranks(case, personalization={s: 1}, **TIGHT)
        np.testing.assert_allclose(res.values[j], ref, rtol=0, atol=1e-10)


def test_float32_is_close_to_float64():
    g = big_graph(n=20_000, m=200_000, seed=4)
    r64 = sg.native.pagerank(g, tol=1e-8)
    r32 = sg.native.pagerank(g, tol=1e-8, dtype="float32")
    assert r32.values.dtype == np.float32
    np.testing.assert_allclose(r32.values, r64.values, rtol=1e-3, atol=1e-9)


def test_empty_and_single_node():
    empty = sg.Graph.from_edges([], [], 0)
    assert sg.native.pagerank(empty).values.shape == (0,)
    one = sg.Graph.from_edges([], [], 1)
    assert sg.native.pagerank(one).values.tolist() == [1.0]


def test_non_convergence():
    g = big_graph(n=2_000, m=10_000, seed=6)
    with pytest.raises(sg.ConvergenceError, match="did not converge within max_iter = 3") as info:
        sg.native.pagerank(g, max_iter=3, tol=1e-15)
    assert info.value.result.iterations == 3
    res = sg.native.pagerank(g, max_iter=3, tol=1e-15, raise_on_failure=False)
    assert not res.converged and res.iterations == 3
    assert np.array_equal(res.values, info.value.result.values)


G_SMALL = sg.Graph.from_edges([0, 1, 2], [1, 2, 0], 4)


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        (dict(alpha=1.0), sg.ParameterError, "alpha must be in [0, 1)"),
        (dict(alpha=-0.1), sg.ParameterError, "alpha must be in [0, 1)"),
        (dict(alpha=float("nan")), sg.ParameterError, "alpha must be in [0, 1)"),
        (dict(alpha="x"), sg.ParameterError, "alpha must be a number"),
        (dict(max_iter=-1), sg.ParameterError, "max_iter must be >= 0"),
        (dict(max_iter=2.5), sg.ParameterError, "max_iter must be an integer"),
        (dict(tol=-1.0), sg.ParameterError, "tol must be finite and >= 0"),
        (dict(personalization={0: -1.0, 1: 2.0}), sg.ParameterError, "personalization[0] = -1 is negative"),
        (dict(personalization={0: 0.0}), sg.ParameterError, "personalization sums to zero"),
        (dict(personalization={9: 1.0}), sg.ParameterError, "personalization names node 9"),
        (dict(personalization=[1.0, 2.0]), sg.ParameterError, "personalization has shape (2,), expected (4,)"),
        (dict(personalization={0: float("nan")}), sg.ParameterError, "is not finite"),
        (dict(nstart={0: 0.0}), sg.ParameterError, "nstart sums to zero"),
        (dict(dangling={1: -2.0}), sg.ParameterError, "dangling[1] = -2 is negative"),
        (dict(dtype="int32"), sg.ParameterError, "dtype must be float64 or float32"),
    ],
)
def test_bad_parameters(kwargs, error, fragment):
    with pytest.raises(error) as info:
        sg.native.pagerank(G_SMALL, **kwargs)
    assert fragment in str(info.value)


def test_negative_weights_are_refused():
    g = sg.Graph.from_edges([0, 1], [1, 0], 2, weights=[1.0, -1.0], allow_negative_weights=True)
    with pytest.raises(sg.ParameterError, match="non-negative edge weights"):
        sg.native.pagerank(g)
    assert sg.native.pagerank(g, weighted=False).converged


def test_bad_sources():
    with pytest.raises(sg.ParameterError, match="source 4 is out of range for a graph with 4 nodes"):
        sg.native.personalized_pagerank(G_SMALL, [0, 4])
    with pytest.raises(sg.ParameterError, match="source -1 is out of range"):
        sg.native.personalized_pagerank(G_SMALL, -1)
    with pytest.raises(sg.ParameterError, match="expected a stepgraph.Graph"):
        sg.native.pagerank("not a graph")
