"""Every program in stepgraph.algorithms, built at O0..O3, against its native twin (issue #4).

PageRank (all options) and personalized PageRank: at default settings within 1e-12 per element
with the same iteration count and convergence flag; with exact=True bit for bit, residuals
included (the builder programs do native.pagerank's arithmetic in the same order, and without
the fma / reciprocal rewrites every level is bit-exact). Components, label propagation, BFS,
SSSP and degree centrality: identical at every level, exact or not.
"""

from __future__ import annotations

import numpy as np
import pytest

import stepgraph as sg
from graphs import random_cases

CASES = list(random_cases(30, seed=8))
LEVELS = (0, 1, 2, 3)
PR = dict(tol=1e-10, max_iter=500)


def _id(case):
    return repr(case)


def check_rank(got, ref, exact, what):
    assert got.values.dtype == ref.values.dtype, what
    assert (got.iterations, got.converged) == (ref.iterations, ref.converged), what
    if exact:
        np.testing.assert_array_equal(got.values, ref.values, err_msg=what)
        np.testing.assert_array_equal(got.residuals, ref.residuals, err_msg=what)
    elif got.values.size:
        assert np.abs(got.values - ref.values).max() <= 1e-12, what
        assert np.abs(got.residuals - ref.residuals).max() <= 1e-12, what


def pagerank_variants(n, seed):
    rng = np.random.default_rng(seed)
    pers, dang, start = rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0.1, 1, n)
    if n:
        pers[0] += 1.0  # sums stay positive even for one node
    # (program options, run-time inputs and params, native keyword arguments)
    yield {}, {}, {}
    yield dict(personalization=True), dict(personalization=pers), dict(personalization=pers)
    yield (
        dict(personalization=True, dangling=True),
        dict(personalization=pers, dangling=dang),
        dict(personalization=pers, dangling=dang),
    )
    yield dict(nstart=True), dict(nstart=start), dict(nstart=start)
    yield dict(dangling=True), dict(dangling=dang), dict(dangling=dang)
    yield dict(weighted=False), {}, dict(weighted=False)
    yield dict(alpha=0.5), {}, dict(alpha=0.5)
    yield {}, dict(alpha=0.6), dict(alpha=0.6)  # the alpha param set at run time


@pytest.mark.parametrize("case", CASES, ids=_id)
@pytest.mark.parametrize("exact", [False, True])
def test_pagerank_programs_equal_native(case, exact):
    g = case.graph()
    for opts, inputs, native_kw in pagerank_variants(case.num_nodes, case.num_nodes):
        ref = sg.native.pagerank(g, raise_on_failure=False, **PR, **native_kw)
        for lvl in LEVELS:
            prog = sg.algorithms.pagerank_program(**PR, **opts, opt_level=lvl, exact=exact)
            check_rank(prog.run(g, **inputs), ref, exact, f"O{lvl} {opts} {sorted(inputs)}")


@pytest.mark.parametrize("case", CASES[::2], ids=_id)
def test_float32_pagerank_programs_equal_native_bitwise(case):
    g = case.graph()
    ref = sg.native.pagerank(g, dtype="float32", raise_on_failure=False, tol=1e-5, max_iter=200)
    for lvl in LEVELS:
        prog = sg.algorithms.pagerank_program(dtype="float32", tol=1e-5, max_iter=200, opt_level=lvl, exact=True)
        check_rank(prog.run(g), ref, True, f"O{lvl} float32")


@pytest.mark.parametrize("case", [c for c in CASES if c.num_nodes > 0], ids=_id)
@pytest.mark.parametrize("exact", [False, True])
def test_personalized_pagerank_programs_equal_native(case, exact):
    g = case.graph()
    sources = sorted({0, case.num_nodes - 1, case.num_nodes // 2})
    dang = np.random.default_rng(1).uniform(0.1, 1, case.num_nodes)
    for dangling in (False, True):
        extra = dict(dangling=dang) if dangling else {}
        ref = sg.native.personalized_pagerank(g, sources, raise_on_failure=False, **PR, **extra)
        for lvl in LEVELS:
            prog = sg.algorithms.personalized_pagerank_program(**PR, dangling=dangling, opt_level=lvl, exact=exact)
            for j, s in enumerate(sources):
                res = prog.run(g, source=s, **extra)
                assert res.iterations == ref.extra["iterations_per_source"][j], (lvl, s, dangling)
                if exact:
                    np.testing.assert_array_equal(res.values, ref.values[j], err_msg=f"O{lvl} source {s}")
                else:
                    assert np.abs(res.values - ref.values[j]).max() <= 1e-12, (lvl, s, dangling)


def same(got, ref, what):
    assert got.values.dtype == ref.values.dtype, what
    np.testing.assert_array_equal(got.values, ref.values, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=_id)
@pytest.mark.parametrize("exact", [False, True])
def test_traversal_programs_equal_native(case, exact):
    g = case.graph()
    A, N = sg.algorithms, sg.native
    refs = {
        "cc": N.connected_components(g),
        "deg": N.degree_centrality(g),
        "lp100": N.label_propagation(g, 100),
        "lp3": N.label_propagation(g, 3),
    }
    sources = sorted({0, case.num_nodes - 1, case.num_nodes // 2}) if case.num_nodes else []
    for lvl in LEVELS:
        kw = dict(opt_level=lvl, exact=exact)
        same(A.connected_components_program(**kw).run(g), refs["cc"], f"components O{lvl}")
        same(A.degree_centrality_program(**kw).run(g), refs["deg"], f"degree centrality O{lvl}")
        for it in (100, 3):
            got, ref = A.label_propagation_program(it, **kw).run(g), refs[f"lp{it}"]
            same(got, ref, f"label propagation max_iter={it} O{lvl}")
            assert (got.iterations, got.converged) == (ref.iterations, ref.converged), (it, lvl)
        bfs, sssp = A.bfs_program(**kw), A.sssp_program(**kw)
        for s in sources:
            same(bfs.run(g, source=s), N.bfs(g, s), f"bfs from {s} O{lvl}")
            same(sssp.run(g, source=s), N.sssp(g, s), f"sssp from {s} O{lvl}")
