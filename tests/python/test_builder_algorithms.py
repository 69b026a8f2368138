"""Every builder algorithm against its native twin on the shared random graph families."""

from __future__ import annotations

import numpy as np
import pytest

import stepgraph as sg
from graphs import random_cases

CASES = list(random_cases(60, seed=21))
NONEMPTY = [c for c in CASES if c.num_nodes > 0]


def both(name, g, **kwargs):
    return getattr(sg.algorithms, name)(g, **kwargs), getattr(sg.native, name)(g, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_components_and_degree_centrality(case):
    g = case.graph()
    for name in ("connected_components", "degree_centrality"):
        ours, ref = both(name, g)
        assert ours.values.dtype == ref.values.dtype
        assert np.array_equal(ours.values, ref.values), name


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_label_propagation(case):
    g = case.graph()
    for max_iter in (100, 3):
        ours, ref = both("label_propagation", g, max_iter=max_iter)
        assert np.array_equal(ours.values, ref.values)
        assert (ours.iterations, ours.converged) == (ref.iterations, ref.converged)


@pytest.mark.parametrize("case", NONEMPTY, ids=repr)
def test_bfs_and_sssp(case):
    g = case.graph()
    for source in sorted({0, case.num_nodes - 1, case.num_nodes // 2}):
        for name in ("bfs", "sssp"):
            ours, ref = both(name, g, source=source)
            assert ours.values.dtype == ref.values.dtype
            assert np.array_equal(ours.values, ref.values), (name, source)


@pytest.mark.parametrize("case", NONEMPTY[::3], ids=repr)
def test_personalized_pagerank(case):
    g = case.graph()
    sources = [0, case.num_nodes - 1]
    ours, ref = both("personalized_pagerank", g, sources=sources, tol=1e-10, max_iter=500)
    assert np.abs(ours.values - ref.values).max() <= 1e-12
    assert np.array_equal(ours.extra["iterations_per_source"], ref.extra["iterations_per_source"])


def test_bigger_graphs_equal_native_at_two_threads():
    for g in (
        sg.generators.rmat(12, seed=5),
        sg.generators.uniform(20_000, 100_000, seed=6, directed=False, weighted=True),
    ):
        for name, kwargs in (
            ("connected_components", {}),
            ("label_propagation", {}),
            ("bfs", {"source": 1}),
            ("sssp", {"source": 1}),
        ):
            ours, ref = both(name, g, **kwargs)
            assert np.array_equal(ours.values, ref.values), name
        # PageRank: within 1e-12 with the same iterations at default O3 (fma may contract),
        # bit for bit with exact=True.
        ours, ref = both("pagerank", g, tol=1e-9)
        assert ours.iterations == ref.iterations and np.abs(ours.values - ref.values).max() <= 1e-12
        exact = sg.algorithms.pagerank_program(tol=1e-9, exact=True).run(g)
        assert np.array_equal(exact["rank"], ref.values)


def test_argument_errors():
    g = sg.Graph.from_edges([0, 1], [1, 2], 3)
    with pytest.raises(sg.ParameterError, match="source 3 is out of range"):
        sg.algorithms.bfs(g, 3)
    neg = sg.Graph.from_edges([0], [1], weights=[-1.0], allow_negative_weights=True)
    with pytest.raises(sg.ParameterError, match="non-negative"):
        sg.algorithms.sssp(neg, 0)
    with pytest.raises(sg.ParameterError, match="personalization"):
        sg.algorithms.pagerank(g, personalization={0: -1.0})


def test_progress_and_run_counts():
    g = sg.generators.uniform(5_000, 20_000, seed=1)
    prog = sg.algorithms.pagerank_program()
    seen = []
    res = prog.run(g, progress=lambda it, r: seen.append((it, r)))
    assert [s[0] for s in seen] == list(range(1, res.iterations + 1))
    assert [s[1] for s in seen] == res.residuals.tolist()
    assert res.extra["stats"]["native_calls"] == 1
