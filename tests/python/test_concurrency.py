"""Concurrency (issue #6 item 5): Python threads sharing Programs, Graphs and the native twins.

  * 8 threads sharing one Program, each with its own State and graph, running apply_batch /
    run / apply_step at once: bitwise the results of sequential runs;
  * the native calls release the GIL: with Python's thread switch interval set to 1000 s, the
    main thread only ever runs while a worker is inside a call if that call released the GIL;
  * one State misused by two threads: the second caller gets StateError, for every entry point
    that writes (apply_batch, apply_step, run, finish) or reads it (outputs, iteration,
    residuals, stats, ...), and afterwards the State gives exactly the sequential result;
  * one native Graph shared read-only by 8 threads (builder programs and native twins), and the
    native twins called from 8 threads at once: the sequential results, bit for bit.

No timing assertion: joins have a generous limit only so that a deadlock fails instead of hanging.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest

import stepgraph as sg
from prop_harness import bits_equal

NTHREADS = 8
JOIN_S = 300.0  # a deadlock fails the test instead of hanging it; never reached otherwise


def make_graph(seed: int, n: int, directed: bool = True, weighted: bool = True) -> sg.Graph:
    """Several node blocks, sinks (sources drawn from 90% of the nodes), self-loops, parallel edges."""
    rng = np.random.default_rng(seed)
    m = 5 * n
    src, dst = rng.integers(0, 9 * n // 10, m), rng.integers(0, n, m)
    src = np.concatenate([src, np.arange(0, n, 97), src[: n // 3]])
    dst = np.concatenate([dst, np.arange(0, n, 97), dst[: n // 3]])
    w = rng.uniform(0.1, 2.0, src.size) if weighted else None
    return sg.Graph.from_edges(src, dst, n, w, directed)


GRAPHS: List[sg.Graph] = [
    make_graph(100 + i, 6000 + 1500 * i, directed=i % 3 != 2, weighted=i % 2 == 0) for i in range(NTHREADS)
]
SHARED: sg.Graph = make_graph(7, 30000)


def in_threads(fns: List[Callable[[], Any]]) -> List[Any]:
    """Run each fn in its own thread, all released at once; their results, or the first error."""
    barrier = threading.Barrier(len(fns))
    results: List[Any] = [None] * len(fns)
    errors: List[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fns[i]()
        except BaseException as e:  # re-raised in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_S)
        assert not t.is_alive(), "a thread did not finish (deadlock?)"
    if errors:
        raise errors[0]
    return results


def outcome(values: Any, iterations: int, converged: bool, residuals: Any) -> Tuple[np.ndarray, int, bool, np.ndarray]:
    return np.array(values, copy=True), int(iterations), bool(converged), np.array(residuals, copy=True)


def same(a: Tuple[Any, ...], b: Tuple[Any, ...], what: str) -> None:
    assert (a[1], a[2]) == (b[1], b[2]), f"{what}: iterations/converged {a[1:3]} vs {b[1:3]}"
    assert bits_equal(a[0], b[0]), f"{what}: values differ"
    assert bits_equal(a[3], b[3]), f"{what}: residuals differ"


def by_run(prog: sg.Program, g: sg.Graph, out: str, **kw: Any) -> Tuple[Any, ...]:
    r = prog.run(g, **kw)
    return outcome(r[out], r.iterations, r.converged, r.residuals)


def by_batches(prog: sg.Program, g: sg.Graph, out: str, **kw: Any) -> Tuple[Any, ...]:
    state = prog.init(g, **kw)
    while (prog.max_iter is None or state.iteration < prog.max_iter) and not state.converged:
        prog.apply_batch(state)
    state._core.finish()
    return outcome(state[out], state.iteration, state.converged, state.residuals)


def by_steps(prog: sg.Program, g: sg.Graph, out: str, **kw: Any) -> Tuple[Any, ...]:
    state = prog.init(g, **kw)
    while (prog.max_iter is None or state.iteration < prog.max_iter) and not state.converged:
        for i in range(prog.num_steps):
            prog.apply_step(state, i)
    state._core.finish()
    return outcome(state[out], state.iteration, state.converged, state.residuals)


MODES = [by_run, by_batches, by_steps]


@pytest.mark.parametrize("opt_level", [0, 3])
def test_threads_sharing_one_program_equal_sequential(opt_level: int) -> None:
    programs = [
        (sg.algorithms.pagerank_program(tol=1e-10, max_iter=200, opt_level=opt_level), "rank", {}),
        (sg.algorithms.label_propagation_program(20, opt_level=opt_level), "label", {}),
        (sg.algorithms.sssp_program(opt_level=opt_level), "distance", {"source": 0}),
    ]
    for prog, out, kw in programs:
        if prog.num_steps == 0:
            continue
        ref = [by_run(prog, g, out, **kw) for g in GRAPHS]
        for rnd in range(2):  # each thread uses a different mode in each round
            fns = [lambda i=i: MODES[(i + rnd) % 3](prog, GRAPHS[i], out, **kw) for i in range(NTHREADS)]
            for i, got in enumerate(in_threads(fns)):
                what = f"{prog.name} O{opt_level} thread {i} ({MODES[(i + rnd) % 3].__name__})"
                if MODES[(i + rnd) % 3] is by_steps and "in order of value" in prog.explain():
                    # apply_step runs the body's dense steps: a synchronous schedule, not the
                    # ordered loop's buckets, so only the fixed point it reaches is the same.
                    assert bits_equal(got[0], ref[i][0]) and got[2] == ref[i][2], what
                    continue
                same(got, ref[i], what)


def test_threads_init_states_of_one_program_on_one_graph() -> None:
    prog = sg.algorithms.pagerank_program(tol=1e-10, max_iter=200)
    alphas = [0.5 + 0.05 * i for i in range(NTHREADS)]
    ref = [by_run(prog, SHARED, "rank", alpha=a) for a in alphas]
    got = in_threads([lambda a=a: by_batches(prog, SHARED, "rank", alpha=a) for a in alphas])
    for i in range(NTHREADS):
        same(got[i], ref[i], f"alpha={alphas[i]}")


# -- the GIL -----------------------------------------------------------------------------------


def released_gil(call: Callable[[], Any], max_calls: int = 500) -> bool:
    """Whether the main thread ran while a worker thread was inside ``call()``.

    The switch interval is set to 1000 s, so the worker never gives the GIL up between bytecodes:
    the main thread can only see ``inside`` set if the worker released the GIL inside the call.
    """
    state = {"inside": False, "seen": False, "done": False}
    errors: List[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(max_calls):
                state["inside"] = True
                call()
                state["inside"] = False
                if state["seen"]:
                    break
        except BaseException as e:
            errors.append(e)
        finally:
            state["inside"] = False
            state["done"] = True

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=worker)
        t.start()
        while not state["done"]:
            if state["inside"]:
                state["seen"] = True
            time.sleep(0)  # releases the GIL: the worker takes it back
        t.join(JOIN_S)
    finally:
        sys.setswitchinterval(old)
    if errors:
        raise errors[0]
    return state["seen"]


def gil_calls() -> Dict[str, Callable[[], Any]]:
    g = SHARED
    pr = sg.algorithms.pagerank_program(tol=0.0, max_iter=3)
    st = pr.init(g)
    N = sg.native
    return {
        "Program.init": lambda: pr.init(g),
        "apply_batch": lambda: pr.apply_batch(st),
        "apply_step": lambda: [pr.apply_step(st, i) for i in range(pr.num_steps)],
        "run": lambda: pr.run(g),
        "native.pagerank": lambda: N.pagerank(g, max_iter=3, raise_on_failure=False),
        "native.personalized_pagerank": lambda: N.personalized_pagerank(g, [0, 1], max_iter=3, raise_on_failure=False),
        "native.connected_components": lambda: N.connected_components(g),
        "native.label_propagation": lambda: N.label_propagation(g, 2),
        "native.bfs": lambda: N.bfs(g, 0),
        "native.sssp": lambda: N.sssp(g, 0),
        "native.degree_centrality": lambda: N.degree_centrality(g),
    }


@pytest.mark.parametrize("name", list(gil_calls()))
def test_native_calls_release_the_gil(name: str) -> None:
    assert released_gil(gil_calls()[name]), f"{name} held the GIL for the whole native call"


# -- one State, two threads --------------------------------------------------------------------


class Paused:
    """A thread running ``prog.run(state, progress=...)``, held inside the native call by its
    progress callback after ``at`` iterations until ``resume()``."""

    def __init__(self, prog: sg.Program, state: sg.State, limit: int, at: int = 2) -> None:
        self.paused, self.go = threading.Event(), threading.Event()
        self.seen_in_callback: Optional[np.ndarray] = None
        self.reentry_error: Optional[BaseException] = None
        self.errors: List[BaseException] = []
        self.result: Optional[sg.Result] = None

        def progress(iteration: int, residual: float) -> None:
            if iteration == at:
                # The running thread itself may read its State between iterations...
                self.seen_in_callback = np.array(state["rank"], copy=True)
                # ...but not apply it again.
                try:
                    prog.apply_batch(state)
                except sg.StateError as e:
                    self.reentry_error = e
                self.paused.set()
                self.go.wait(JOIN_S)

        def body() -> None:
            try:
                self.result = prog.run(state, max_iter=limit, progress=progress)
            except BaseException as e:
                self.errors.append(e)

        self.thread = threading.Thread(target=body)
        self.thread.start()
        while not self.paused.wait(0.01):
            if not self.thread.is_alive():  # the run ended without pausing
                raise self.errors[0] if self.errors else AssertionError("the run never reached the pause")

    def resume(self) -> None:
        self.go.set()
        self.thread.join(JOIN_S)
        assert not self.thread.is_alive()
        if self.errors:
            raise self.errors[0]


def test_state_used_by_two_threads_raises_state_error_and_stays_intact() -> None:
    g = SHARED
    prog = sg.algorithms.pagerank_program(tol=1e-10, max_iter=200)
    ref = by_run(prog, g, "rank")
    after2 = prog.init(g)
    prog.apply_batch(after2)
    prog.apply_batch(after2)

    state = prog.init(g)
    run = Paused(prog, state, prog.max_iter)
    try:
        entry_points: Dict[str, Callable[[], Any]] = {
            "apply_batch": lambda: prog.apply_batch(state),
            "apply_step": lambda: prog.apply_step(state, 0),
            "run": lambda: prog.run(state),
            "run (binding)": lambda: state._core.run(5, None),
            "finish": lambda: state._core.finish(),
            "state[name]": lambda: state["rank"],
            "iteration": lambda: state.iteration,
            "converged": lambda: state.converged,
            "residual": lambda: state.residual,
            "residuals": lambda: state.residuals,
            "stats": lambda: state.stats,
            "next_step": lambda: state._core.next_step,
            "Program.stats": lambda: prog.stats,  # the program's last State is this one
        }
        for what, call in entry_points.items():
            with pytest.raises(sg.StateError, match="another thread"):
                call()
        assert "running in another thread" in repr(state)
        # Other States of the same program and graph are unaffected meanwhile.
        same(by_batches(prog, g, "rank"), ref, "another State while the first one is running")
    finally:
        run.resume()
    assert isinstance(run.reentry_error, sg.StateError) and "progress callback" in str(run.reentry_error)
    assert run.seen_in_callback is not None and bits_equal(run.seen_in_callback, after2["rank"])
    same(outcome(state["rank"], state.iteration, state.converged, state.residuals), ref, "the paused State")
    assert run.result is not None
    same(as_tuple(run.result), ref, "the paused run's result")
    assert state.stats["native_calls"] == 1  # the refused calls did not touch it


def test_state_hammered_by_two_threads_counts_every_iteration_once() -> None:
    """Two threads call apply_batch on one State as fast as they can, a third reads it: every call
    either completes an iteration or raises StateError, and the State ends exactly as after that
    many iterations of a sequential run."""
    g = GRAPHS[-1]
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=10**6)  # never converges
    state = prog.init(g)
    done = threading.Event()
    counts = {"ok": 0, "refused": 0, "reads": 0, "read_refused": 0}
    lock = threading.Lock()

    def applier() -> None:
        for _ in range(150):
            try:
                prog.apply_batch(state)
                key = "ok"
            except sg.StateError:
                key = "refused"
            with lock:
                counts[key] += 1

    def reader() -> None:
        while not done.is_set():
            try:
                r, res = state["rank"], state.residuals
                assert r.shape == (g.num_nodes,) and res.ndim == 1
                key = "reads"
            except sg.StateError:
                key = "read_refused"
            with lock:
                counts[key] += 1

    rt = threading.Thread(target=reader)
    rt.start()
    try:
        in_threads([applier, applier])
    finally:
        done.set()
        rt.join(JOIN_S)
    assert counts["ok"] + counts["refused"] == 300
    assert state.iteration == counts["ok"] == state.stats["iterations"]
    ref = by_run(prog, g, "rank", max_iter=counts["ok"])
    same(outcome(state["rank"], state.iteration, state.converged, state.residuals), ref, "hammered State")


# -- one graph, many threads -------------------------------------------------------------------


def native_jobs(g: sg.Graph) -> List[Callable[[], Any]]:
    N = sg.native
    return [
        lambda: N.pagerank(g, tol=1e-10, max_iter=200, raise_on_failure=False),
        lambda: N.personalized_pagerank(g, [0, 5, 9], tol=1e-10, max_iter=200, raise_on_failure=False),
        lambda: N.connected_components(g),
        lambda: N.label_propagation(g, 20),
        lambda: N.bfs(g, 3),
        lambda: N.sssp(g, 3),
        lambda: N.degree_centrality(g),
        lambda: N.pagerank(g, dtype="float32", tol=1e-5, max_iter=100, raise_on_failure=False),
    ]


def as_tuple(r: sg.Result) -> Tuple[Any, ...]:
    return outcome(r.values, r.iterations, r.converged, r.residuals)


def test_native_twins_from_8_threads_at_once() -> None:
    jobs = native_jobs(SHARED)
    ref = [as_tuple(job()) for job in jobs]
    for rnd in range(2):
        # Round 0: all 8 threads run the same twin; round 1: 8 different twins at once.
        for j in range(len(jobs)):
            fns = [jobs[j]] * NTHREADS if rnd == 0 else [jobs[(j + i) % len(jobs)] for i in range(NTHREADS)]
            for i, got in enumerate(in_threads(fns)):
                k = j if rnd == 0 else (j + i) % len(jobs)
                same(as_tuple(got), ref[k], f"native job {k} in thread {i} (round {rnd})")
            if rnd == 1:
                break


def test_builder_programs_and_twins_share_one_graph() -> None:
    A = sg.algorithms
    progs = [
        A.pagerank_program(tol=1e-10, max_iter=200),
        A.connected_components_program(),
        A.bfs_program(),
        A.label_propagation_program(20),
    ]
    jobs: List[Callable[[], Any]] = [
        lambda p=p: p.run(SHARED) if p.name != "bfs" else p.run(SHARED, source=3) for p in progs
    ]
    jobs += native_jobs(SHARED)[:4]
    ref = [as_tuple(job()) for job in jobs]
    for i, got in enumerate(in_threads(jobs)):
        same(as_tuple(got), ref[i], f"job {i}")


def test_thread_limit_changed_while_other_threads_run() -> None:
    """set_num_threads from the main thread while 4 threads run kernels: the limit is process-wide
    and results never depend on it, so every run still gives the sequential bits."""
    prog = sg.algorithms.pagerank_program(tol=1e-10, max_iter=200)
    ref = [by_run(prog, g, "rank") for g in GRAPHS[:4]]
    stop = threading.Event()

    def toggle() -> None:
        k = 0
        while not stop.is_set():
            sg.set_num_threads(1 + k % 4)
            k += 1
            time.sleep(0.001)

    t = threading.Thread(target=toggle)
    t.start()
    try:
        got = in_threads([lambda i=i: MODES[i % 3](prog, GRAPHS[i], "rank") for i in range(4)])
    finally:
        stop.set()
        t.join(JOIN_S)
        sg.set_num_threads(0)
    for i in range(4):
        same(got[i], ref[i], f"graph {i} while the thread limit changes")


def test_graphs_built_from_8_threads_at_once() -> None:
    rng = np.random.default_rng(5)
    n, m = 20000, 100000
    src, dst, w = rng.integers(0, n, m), rng.integers(0, n, m), rng.uniform(0.1, 1.0, m)
    ref = sg.Graph.from_edges(src, dst, n, w, False)
    graphs = in_threads([lambda: sg.Graph.from_edges(src, dst, n, w, False)] * NTHREADS)
    for g in graphs:
        for direction in ("out", "in"):
            for a, b in zip(g.csr(direction), ref.csr(direction)):
                assert bits_equal(a, b)
