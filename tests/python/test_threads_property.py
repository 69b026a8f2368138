"""Thread-count differential tests (issue #6 item 4): 1 vs 2 vs 4 worker threads, bitwise.

The design contract (DESIGN.md section 4) says parallel reductions use a fixed block
partition combined in a fixed order, so no result may depend on the number of threads. Here:

  * random valid programs (program_gen, hypothesis, derandomized) on random graphs, small
    (prop_harness.CASES: empty, 1-node, self-loops, multi-edges, sinks, isolated nodes) and
    big (several blocks: 9k..50k nodes, a hub that splits blocks by edges): at 1, 2 and 4
    threads the outputs, iterations, convergence flags and residuals are bitwise identical,
    at O0 and at O3 (with exact=True the six runs are all equal, so O0 vs O3 gets the thread
    axis too; "smooth" programs at default settings: each level equal to itself across threads);
  * a State initialized at one thread count and stepped (apply_batch / apply_step) at another
    equals run() at a third;
  * every builder algorithm (stepgraph.algorithms, O0 and O3, exact or not) and every native
    twin (stepgraph.native): bitwise identical across thread counts, and builder (exact=True)
    at one count equals the native twin at another.

SG_PROP_SCALE scales the hypothesis example counts (as in test_optimizer_properties.py).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import prop_harness as H
import stepgraph as sg
from graphs import GraphCase, random_cases
from program_gen import programs

THREADS = (1, 2, 4)
SETTINGS: Dict[str, Any] = dict(
    derandomize=True, database=None, deadline=None, print_blob=False, suppress_health_check=list(HealthCheck)
)
SCALE = float(os.environ.get("SG_PROP_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, int(n * SCALE))


def thread_cases() -> List[GraphCase]:
    """Graphs of many blocks (a block is <= 4096 nodes and ends at 65536 pull edges)."""
    rng = np.random.default_rng(2024)
    out = list(H.big_cases())
    # Directed, weighted, 30k nodes; a fifth of the nodes have no out-edge (sinks).
    n, m = 30000, 150000
    s, d = rng.integers(0, 4 * n // 5, m), rng.integers(0, n, m)
    out.append(GraphCase("sinks-30000", s, d, n, True, rng.uniform(0.05, 3.0, m)))
    # Undirected, 50k nodes: self-loops, parallel edges, and 5000 isolated nodes at the end.
    n, m = 50000, 120000
    s, d = rng.integers(0, n - 5000, m), rng.integers(0, n - 5000, m)
    loops = np.arange(0, n - 5000, 45)
    s = np.concatenate([s, loops, s[:20000]])
    d = np.concatenate([d, loops, d[:20000]])
    out.append(GraphCase("multi-loops-isolated-50000", s, d, n, False))
    # Directed, 20k nodes, two hubs with 90k in-edges each: blocks split by edges.
    n, m = 20000, 240000
    s, d = rng.integers(0, n, m), rng.integers(0, n, m)
    d[: m // 4] = 7
    d[m // 4 : m // 2] = n - 3
    out.append(GraphCase("hubs-20000", s, d, n, True, rng.uniform(0.05, 3.0, m)))
    return out


BIG: List[GraphCase] = thread_cases()
BIG_GRAPHS: List[sg.Graph] = [c.graph() for c in BIG]
SMALL: List[GraphCase] = H.CASES
SMALL_GRAPHS: List[sg.Graph] = H.GRAPHS


def test_big_graphs_span_several_blocks() -> None:
    for case, g in zip(BIG, BIG_GRAPHS):
        assert g._native.num_blocks > 1, case
    assert max(c.num_nodes for c in BIG) >= 50000


def at_threads(k: int, f: Callable[[], Any]) -> Any:
    with sg.num_threads(k):
        assert sg.get_num_threads() == k
        return f()


# -- random programs -------------------------------------------------------------------------


def threads_differ(spec: Any, case: GraphCase, g: sg.Graph, exact: bool, levels: Tuple[int, ...]) -> Any:
    """(what, outcomes, levels) where a run at some thread count differs, or None. With
    exact=True every (level, threads) run must equal the first; otherwise each level only
    against itself at 1 thread."""
    progs = {lvl: H.build(spec, lvl, exact) for lvl in levels}
    runs = {(lvl, k): at_threads(k, lambda lvl=lvl: H.run(*progs[lvl], spec, g)) for lvl in levels for k in THREADS}
    for (lvl, k), out in runs.items():
        ref_key = (levels[0], THREADS[0]) if exact else (lvl, THREADS[0])
        why = H.outcome_diff(runs[ref_key], out)
        if why:
            what = f"O{lvl} at {k} threads vs O{ref_key[0]} at {ref_key[1]} (exact={exact}): {why}"
            return what, {f"O{ref_key[0]} t{ref_key[1]}": runs[ref_key], f"O{lvl} t{k}": out}, (ref_key[0], lvl)
    return None


def check_threads(spec: Any, case: GraphCase, g: sg.Graph, exact: bool, levels: Tuple[int, ...] = (0, 3)) -> None:
    if threads_differ(spec, case, g, exact, levels):
        spec = H.minimize(spec, lambda s: threads_differ(s, case, g, exact, levels) is not None)
        what, shown, pair = threads_differ(spec, case, g, exact, levels)
        raise AssertionError(H.report(spec, case, what, shown, pair, exact))


@settings(max_examples=examples(120), **SETTINGS)
@given(spec=programs("exact", max_body=8), gi=st.integers(0, len(BIG) - 1))
def test_exact_programs_bitwise_across_threads_on_big_graphs(spec: Any, gi: int) -> None:
    check_threads(spec, BIG[gi], BIG_GRAPHS[gi], True)


@settings(max_examples=examples(60), **SETTINGS)
@given(spec=programs("smooth", max_body=8), gi=st.integers(0, len(BIG) - 1))
def test_default_programs_bitwise_across_threads_on_big_graphs(spec: Any, gi: int) -> None:
    check_threads(spec, BIG[gi], BIG_GRAPHS[gi], False)


@settings(max_examples=examples(150), **SETTINGS)
@given(spec=programs("exact"), gi=st.integers(0, len(SMALL) - 1))
def test_exact_programs_bitwise_across_threads_on_small_graphs(spec: Any, gi: int) -> None:
    check_threads(spec, SMALL[gi], SMALL_GRAPHS[gi], True)


def stepped_differs(spec: Any, gi: int) -> Any:
    """A State initialized at one thread count and advanced at others vs run() at 2 threads."""
    g = BIG_GRAPHS[gi]
    prog, err = H.build(spec, 3, True)
    if prog is None:
        return None
    limit = prog.max_iter
    ref = H.carried(at_threads(2, lambda: H.run(prog, "", spec, g, max_iter=limit)), spec.carries)
    for init_k, step_ks in ((1, (4, 2)), (4, (1, 2))):
        state = at_threads(init_k, lambda: prog.init(g, **spec.bindings(g.num_nodes)))
        i = 0
        while state.iteration < limit and not state.converged:
            k = step_ks[i % len(step_ks)]
            before = state.iteration
            if i % 2 and prog.num_steps:
                at_threads(k, lambda: [prog.apply_step(state, j) for j in range(prog.num_steps)])
            else:
                at_threads(k, lambda: prog.apply_batch(state))
            i += 1
            if state.iteration == before:
                break
        snap = H.snapshot(state, spec.carries)
        why = H.outcome_diff(ref, snap)
        if why:
            return (
                f"O3 State init at {init_k} threads, stepped at {step_ks} vs run() at 2: {why}",
                {"run t2": ref, f"stepped t{init_k}->{step_ks}": snap},
                (3,),
            )
    return None


@settings(max_examples=examples(60), **SETTINGS)
@given(spec=programs("exact", loop_percent=100, max_body=8), gi=st.integers(0, len(BIG) - 1))
def test_state_stepped_at_other_thread_counts_equals_run(spec: Any, gi: int) -> None:
    if BIG[gi].num_nodes == 0 or stepped_differs(spec, gi) is None:
        return
    spec = H.minimize(spec, lambda s: stepped_differs(s, gi) is not None)
    what, shown, levels = stepped_differs(spec, gi)
    raise AssertionError(H.report(spec, BIG[gi], what, shown, levels))


# -- algorithms and native twins ---------------------------------------------------------------

ALGO_CASES: List[GraphCase] = BIG + list(random_cases(12, seed=606))
PR = dict(tol=1e-10, max_iter=300)


def _id(case: GraphCase) -> str:
    return repr(case)


def assert_same(results: Dict[Any, sg.Result], what: str) -> None:
    """Every result bitwise equal to the first: values, iterations, converged, residuals."""
    keys = list(results)
    ref = results[keys[0]]
    for key in keys[1:]:
        got = results[key]
        label = f"{what}: {key} vs {keys[0]}"
        assert (got.iterations, got.converged) == (ref.iterations, ref.converged), label
        assert H.bits_equal(got.values, ref.values), label
        assert H.bits_equal(np.asarray(got.residuals), np.asarray(ref.residuals)), label


def sources_of(case: GraphCase) -> List[int]:
    n = case.num_nodes
    return sorted({0, n // 2, n - 1}) if n else []


def pagerank_inputs(n: int) -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(n)
    pers, dang = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    if n:
        pers[0] += 1.0
    return dict(personalization=pers, dangling=dang)


@pytest.mark.parametrize("case", ALGO_CASES, ids=_id)
def test_native_twins_bitwise_across_threads(case: GraphCase) -> None:
    g = case.graph()
    N = sg.native
    vecs = pagerank_inputs(case.num_nodes)
    src = sources_of(case)
    calls: Dict[str, Callable[[], sg.Result]] = {
        "pagerank": lambda: N.pagerank(g, raise_on_failure=False, **PR),
        "pagerank pers+dangling": lambda: N.pagerank(g, raise_on_failure=False, **PR, **vecs),
        "pagerank float32": lambda: N.pagerank(g, dtype="float32", raise_on_failure=False, tol=1e-5, max_iter=100),
        "components": lambda: N.connected_components(g),
        "label propagation": lambda: N.label_propagation(g, 30),
        "degree centrality": lambda: N.degree_centrality(g),
    }
    if src:
        calls["personalized pagerank"] = lambda: N.personalized_pagerank(g, src, raise_on_failure=False, **PR)
        for s in src:
            calls[f"bfs {s}"] = lambda s=s: N.bfs(g, s)
            calls[f"sssp {s}"] = lambda s=s: N.sssp(g, s)
    for what, call in calls.items():
        assert_same({k: at_threads(k, call) for k in THREADS}, f"native {what} on {case!r}")


def program_runs(case: GraphCase, g: sg.Graph, opt_level: int, exact: bool) -> Dict[str, Callable[[], sg.Result]]:
    A = sg.algorithms
    kw: Dict[str, Any] = dict(opt_level=opt_level, exact=exact)
    vecs = pagerank_inputs(case.num_nodes)
    pr = A.pagerank_program(**PR, **kw)
    pr_in = A.pagerank_program(**PR, personalization=True, dangling=True, **kw)
    pr32 = A.pagerank_program(dtype="float32", tol=1e-5, max_iter=100, **kw)
    ppr = A.personalized_pagerank_program(**PR, **kw)
    cc, lp = A.connected_components_program(**kw), A.label_propagation_program(30, **kw)
    deg, bfs, sssp = A.degree_centrality_program(**kw), A.bfs_program(**kw), A.sssp_program(**kw)
    runs: Dict[str, Callable[[], sg.Result]] = {
        "pagerank": lambda: pr.run(g),
        "pagerank pers+dangling": lambda: pr_in.run(g, **vecs),
        "pagerank float32": lambda: pr32.run(g),
        "components": lambda: cc.run(g),
        "label propagation": lambda: lp.run(g),
        "degree centrality": lambda: deg.run(g),
    }
    for s in sources_of(case):
        runs[f"personalized pagerank {s}"] = lambda s=s: ppr.run(g, source=s)
        runs[f"bfs {s}"] = lambda s=s: bfs.run(g, source=s)
        runs[f"sssp {s}"] = lambda s=s: sssp.run(g, source=s)
    return runs


@pytest.mark.parametrize("case", ALGO_CASES, ids=_id)
@pytest.mark.parametrize("exact", [False, True])
def test_builder_algorithms_bitwise_across_threads(case: GraphCase, exact: bool) -> None:
    g = case.graph()
    for lvl in (0, 3):
        for what, call in program_runs(case, g, lvl, exact).items():
            results = {k: at_threads(k, call) for k in THREADS}
            assert_same(results, f"{what} O{lvl} exact={exact} on {case!r}")


def native_twin(case: GraphCase, g: sg.Graph, what: str) -> sg.Result:
    N = sg.native
    name, _, s = what.partition(" ")
    if what == "pagerank":
        return N.pagerank(g, raise_on_failure=False, **PR)
    if what == "pagerank pers+dangling":
        return N.pagerank(g, raise_on_failure=False, **PR, **pagerank_inputs(case.num_nodes))
    if what == "pagerank float32":
        return N.pagerank(g, dtype="float32", raise_on_failure=False, tol=1e-5, max_iter=100)
    if what.startswith("personalized pagerank"):
        src = int(what.rsplit(" ", 1)[1])
        ref = N.personalized_pagerank(g, [src], raise_on_failure=False, **PR)
        return sg.Result(
            {"rank": ref.values[0]},
            "rank",
            int(ref.extra["iterations_per_source"][0]),
            ref.converged,
            np.asarray(ref.residuals),
            graph=g,
        )
    simple = {
        "components": lambda: N.connected_components(g),
        "label propagation": lambda: N.label_propagation(g, 30),
        "degree centrality": lambda: N.degree_centrality(g),
        "bfs": lambda: N.bfs(g, int(s or 0)),
        "sssp": lambda: N.sssp(g, int(s or 0)),
    }
    return simple[what if what in simple else name]()


@pytest.mark.parametrize("case", BIG, ids=_id)
def test_builder_exact_at_one_count_equals_native_at_another(case: GraphCase) -> None:
    g = BIG_GRAPHS[BIG.index(case)]
    for what, call in program_runs(case, g, 3, True).items():
        for kb, kn in ((4, 1), (1, 2)):
            got = at_threads(kb, call)
            ref = at_threads(kn, lambda: native_twin(case, g, what))
            label = f"{what}: builder O3 exact at {kb} threads vs native at {kn} on {case!r}"
            assert H.bits_equal(got.values, ref.values), label
            if what.startswith(("pagerank", "personalized", "label")):
                assert got.iterations == ref.iterations, label
            if what.startswith(("pagerank", "label")):
                assert got.converged == ref.converged, label
            if what.startswith("pagerank"):  # the native personalized twin's residuals cover all sources
                assert H.bits_equal(np.asarray(got.residuals), np.asarray(ref.residuals)), label
