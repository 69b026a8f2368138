"""sg.algorithms.connected_components (Afforest, built with link / sample_mode; FastSV, built with
gather / scatter) against its native twin (Afforest), scipy and NetworkX: exact labels on the
shared families, grids, paths and permuted paths, at 1 and 2 threads and O0 / O3; FastSV's
iterations grow with log n, not the diameter."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

import stepgraph as sg
from graphs import GraphCase, random_cases

CASES = list(random_cases(80, seed=4242))


def _scipy_labels(case: GraphCase) -> np.ndarray:
    n = case.num_nodes
    a = sp.csr_array((np.ones(len(case.src)), (case.src, case.dst)), shape=(n, n))
    _, comp = csgraph.connected_components(a, directed=True, connection="weak")
    smallest = np.full(comp.max() + 1 if n else 0, n, np.int64)
    np.minimum.at(smallest, comp, np.arange(n))
    return smallest[comp]


def _path(n: int, perm_seed=None, directed=False) -> GraphCase:
    ids = np.arange(n)
    if perm_seed is not None:
        ids = np.random.default_rng(perm_seed).permutation(n)
    return GraphCase(f"path{n}", ids[:-1].copy(), ids[1:].copy(), n, directed)


def _grid(rows: int, cols: int) -> GraphCase:
    v = np.arange(rows * cols).reshape(rows, cols)
    s = np.concatenate([v[:, :-1].ravel(), v[:-1, :].ravel()])
    d = np.concatenate([v[:, 1:].ravel(), v[1:, :].ravel()])
    return GraphCase(f"grid{rows}x{cols}", s, d, rows * cols, False)


SHAPES = [_path(1000), _path(1000, perm_seed=1), _path(777, perm_seed=2, directed=True), _grid(30, 40)]
SHAPES += [_grid(1, 50), _grid(50, 1)]


@pytest.mark.parametrize("case", CASES + SHAPES, ids=repr)
def test_builder_equals_twin_and_scipy(case):
    g = case.graph()
    twin = sg.native.connected_components(g).values
    expect = _scipy_labels(case)
    assert np.array_equal(twin, expect)
    for opt, method in ((0, "afforest"), (3, "afforest"), (0, "fastsv"), (3, "fastsv")):
        prog = sg.algorithms.connected_components_program(method, opt_level=opt)
        for threads in (1, 2):
            with sg.threads.num_threads(threads):
                res = prog.run(g)
            assert res.values.dtype == np.int64
            assert np.array_equal(res.values, twin), (method, opt, threads)
            assert res.converged


def test_networkx_agrees_on_a_few_cases():
    for case in CASES[:20]:
        G = case.networkx()
        comps = sg.algorithms.connected_components(case.graph()).values
        import networkx as nx

        parts = nx.weakly_connected_components(G) if case.directed else nx.connected_components(G)
        for comp in parts:
            assert set(comps[list(comp)].tolist()) == {min(comp)}


def test_fastsv_iterations_grow_with_log_n_not_the_diameter():
    for n in (1000, 100_000):
        for seed in (None, 3):
            res = sg.algorithms.connected_components(_path(n, perm_seed=seed).graph(), method="fastsv")
            assert np.all(res.values == 0)
            assert res.iterations <= 4 * np.log2(n), (n, seed, res.iterations)


def test_bigger_generated_graphs_equal_the_twin():
    for g in (
        sg.generators.rmat(13, seed=9, directed=False),
        sg.generators.rmat(12, seed=5),
        sg.generators.uniform(30_000, 40_000, seed=6, directed=False),
        sg.generators.grid(120, 90),
    ):
        twin = sg.native.connected_components(g).values
        for threads in (1, 2):
            with sg.threads.num_threads(threads):
                assert np.array_equal(sg.algorithms.connected_components(g).values, twin)
