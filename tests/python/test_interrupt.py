"""Ctrl-C during native calls: prompt KeyboardInterrupt, a usable State afterwards, progress callbacks.

Semantics under test (core/interrupt.hpp, Program.run / apply_batch / apply_step docs):
SIGINT during ``run`` / ``apply_batch`` / ``apply_step`` / a native twin stops the native work
within one block of nodes and raises KeyboardInterrupt. Continuing the State gives bitwise the
result of a run that was never interrupted. With two buffers per carry
(``disable=("in_place",)``) the interrupted iteration (or step) is discarded: the State is exactly
as after its last completed iteration. When the interrupted pass stores a carry over itself
(in place, the O3 default for PageRank's rank), its old values are gone: the State is
``half_done``, that carry cannot be read, and the next apply continues the iteration.

Signals are sent from a helper thread with ``signal.pthread_kill(main thread, SIGINT)`` at a point
where the call is known to be running (after a progress callback, or after a delay in a call that
cannot finish by then). The only timed assertion is the 100 ms bound the issue demands, taken as
the best of a few attempts on an RMAT scale-21 graph because the machine is shared and noisy.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable, List, Optional

import numpy as np
import pytest

import stepgraph as sg

MAIN = threading.main_thread().ident
pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill (POSIX)")


class Interrupter:
    """Sends SIGINT to the main thread ``delay`` seconds after ``arm()`` is first called."""

    def __init__(self, delay: float = 0.0, signum: int = signal.SIGINT) -> None:
        self.delay = delay
        self.signum = signum
        self.armed = threading.Event()
        self.sent_at: Optional[float] = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def arm(self, *_: object) -> None:
        self.armed.set()

    def _run(self) -> None:
        if not self.armed.wait(120):
            return
        time.sleep(self.delay)
        self.sent_at = time.perf_counter()
        signal.pthread_kill(MAIN, self.signum)

    def __enter__(self) -> Interrupter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.armed.set()  # never leave the thread waiting
        self.thread.join()


def interrupted_latency(call: Callable[[Interrupter], object], delay: float) -> float:
    """Seconds from the signal to KeyboardInterrupt in this thread; ``call`` must arm the interrupter."""
    with Interrupter(delay) as it:
        with pytest.raises(KeyboardInterrupt):
            try:
                call(it)
            finally:
                caught_at = time.perf_counter()
    assert it.sent_at is not None
    return caught_at - it.sent_at


@pytest.fixture(scope="module")
def medium() -> sg.Graph:
    """200k nodes, 2M edges: a few ms per PageRank iteration."""
    return sg.generators.uniform(200_000, 2_000_000, seed=3)


def forever(disable: tuple = ()) -> sg.Program:
    """PageRank without a stopping rule (its pass can stop after any block)."""
    return sg.algorithms.pagerank_program(tol=0.0, max_iter=10**9, disable=disable)


PLANS = {"in_place": (), "two_buffers": ("in_place",)}  # disable= for each


def check_interrupted_state(st: sg.State, prog: sg.Program, g: sg.Graph, plan: str) -> None:
    """After an interrupt: as after its last completed iteration (two buffers), or half done
    with rank unreadable (in place: unless the signal landed before the pass stored anything)."""
    k = st.iteration
    if plan == "two_buffers":
        assert not st.half_done and st.next_step == 0
        np.testing.assert_array_equal(st["rank"], after(prog, g, k))
    elif st.half_done:
        with pytest.raises(sg.StateError, match=f"'rank' is half updated: iteration {k + 1} .* was interrupted"):
            st["rank"]


def after(prog: sg.Program, g: sg.Graph, iterations: int) -> np.ndarray:
    """Ranks after exactly ``iterations`` uninterrupted iterations."""
    st = prog.init(g)
    for _ in range(iterations):
        prog.apply_batch(st)
    return np.array(st["rank"])


# -- progress callbacks --------------------------------------------------------------------------------


def test_progress_once_per_iteration_in_order(medium):
    seen: List[tuple] = []
    res = sg.algorithms.pagerank_program(tol=1e-10).run(medium, progress=lambda i, r: seen.append((i, r)))
    assert [i for i, _ in seen] == list(range(1, res.iterations + 1))
    assert [r for _, r in seen] == list(res.residuals)


def test_progress_continues_numbering_on_a_continued_state(medium):
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=12)
    seen: List[int] = []
    st = prog.init(medium)
    prog.run(st, max_iter=5, progress=lambda i, r: seen.append(i))
    res = prog.run(st, progress=lambda i, r: seen.append(i))
    assert seen == list(range(1, 13)) and res.iterations == 12
    np.testing.assert_array_equal(res["rank"], prog.run(medium)["rank"])


def test_progress_exception_leaves_state_after_last_completed_iteration(medium):
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=20)

    def stop_at_4(i: int, r: float) -> None:
        if i == 4:
            raise RuntimeError("stop")

    st = prog.init(medium)
    with pytest.raises(RuntimeError, match="stop"):
        prog.run(st, progress=stop_at_4)
    assert st.iteration == 4
    np.testing.assert_array_equal(st["rank"], after(prog, medium, 4))
    np.testing.assert_array_equal(prog.run(st)["rank"], prog.run(medium)["rank"])


def test_run_of_a_state_refuses_parameters(medium):
    prog = sg.algorithms.pagerank_program()
    st = prog.init(medium)
    with pytest.raises(sg.ParameterError, match="bound at init"):
        prog.run(st, alpha=0.5)
    with pytest.raises(sg.StateError, match="belongs to program"):
        sg.algorithms.pagerank_program().run(st)


# -- interrupted runs leave a usable State -----------------------------------------------------------


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("delay", [0.0, 0.002, 0.004])
def test_interrupted_run_continues_to_the_uninterrupted_result(medium, delay, plan):
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=60, disable=PLANS[plan])
    reference = prog.run(medium)
    st = prog.init(medium)
    seen: List[int] = []

    def call(it: Interrupter) -> None:
        def progress(i: int, r: float) -> None:
            seen.append(i)
            if i == 3:
                it.arm()

        prog.run(st, progress=progress)

    interrupted_latency(call, delay)
    k = st.iteration
    assert 3 <= k < 60 and seen == list(range(1, k + 1))  # no iteration reported twice or skipped
    assert st.next_step == 0  # PageRank's in-place pass is its first step
    check_interrupted_state(st, prog, medium, plan)
    res = prog.run(st, progress=lambda i, r: seen.append(i))
    assert seen == list(range(1, 61))
    assert res.iterations == 60
    np.testing.assert_array_equal(res["rank"], reference["rank"])
    np.testing.assert_array_equal(res.residuals, reference.residuals)


def test_interrupted_program_run_leaves_its_state_as_last_state(medium):
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=40)
    reference = prog.run(medium)
    with Interrupter(0.002) as it, pytest.raises(KeyboardInterrupt):
        prog.run(medium, progress=lambda i, r: it.arm() if i == 2 else None)
    st = prog.last_state
    assert st is not None and 2 <= st.iteration < 40
    np.testing.assert_array_equal(prog.run(st)["rank"], reference["rank"])


@pytest.mark.parametrize("plan", PLANS)
def test_interrupted_apply_batch_is_discarded_or_continued(medium, plan):
    prog = forever(PLANS[plan])
    st = prog.init(medium)

    def call(it: Interrupter) -> None:
        it.arm()
        while True:
            prog.apply_batch(st)

    interrupted_latency(call, 0.02)
    k = st.iteration
    assert st.next_step == 0
    check_interrupted_state(st, prog, medium, plan)
    prog.apply_batch(st)
    prog.apply_batch(st)
    assert st.iteration == k + 2
    np.testing.assert_array_equal(st["rank"], after(prog, medium, k + 2))


def test_interrupted_apply_step_discards_only_the_step(medium):
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=10**9, opt_level=0)
    assert prog.num_steps > 5
    st = prog.init(medium)

    def call(it: Interrupter) -> None:
        it.arm()
        while True:
            for i in range(st.next_step, prog.num_steps):
                prog.apply_step(st, i)

    interrupted_latency(call, 0.03)
    k, step = st.iteration, st.next_step
    for i in range(step, prog.num_steps):  # finish the iteration from the step that is next
        prog.apply_step(st, i)
    assert st.iteration == k + 1 and st.next_step == 0
    np.testing.assert_array_equal(st["rank"], after(prog, medium, k + 1))


@pytest.mark.parametrize("which", ["pagerank", "personalized_pagerank", "label_propagation"])
def test_native_twins_are_interruptible_and_usable_after(medium, which):
    calls = {
        "pagerank": lambda: sg.native.pagerank(medium, tol=0.0, max_iter=10**6, raise_on_failure=False),
        "personalized_pagerank": lambda: sg.native.personalized_pagerank(
            medium, [0, 1, 2], tol=0.0, max_iter=10**6, raise_on_failure=False
        ),
        "label_propagation": lambda: sg.native.label_propagation(medium, max_iter=10**6),
    }

    def call(it: Interrupter) -> None:
        it.arm()
        calls[which]()

    interrupted_latency(call, 0.05)
    ref = sg.native.pagerank(medium, tol=1e-10)
    np.testing.assert_array_equal(sg.native.pagerank(medium, tol=1e-10).values, ref.values)


# -- handlers: chained, respected and restored ---------------------------------------------------------


def _sigint_self() -> None:
    """SIGINT to this process from pure Python code (no stepgraph call running)."""
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(100):  # the handler runs at the next bytecode boundaries
        time.sleep(0.001)


def test_sigint_between_calls_reaches_pythons_handler(medium):
    # The native handler stays installed after the first call (installing and restoring it per
    # call cost four system calls) and hands a SIGINT outside calls straight to Python's.
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=3)
    prog.run(medium)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        _sigint_self()
    with Interrupter(0.0) as it, pytest.raises(KeyboardInterrupt):
        forever().run(medium, progress=lambda i, r: it.arm())
    with pytest.raises(KeyboardInterrupt):
        _sigint_self()
    # A handler set after calls gets every SIGINT outside calls, also once a call has run again.
    calls: List[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        _sigint_self()
        prog.run(medium)
        _sigint_self()
    finally:
        signal.signal(signal.SIGINT, old)
    assert calls == [signal.SIGINT, signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_python_handler_that_does_not_raise_lets_the_run_finish(medium):
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=40)
    reference = prog.run(medium)
    calls: List[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        seen: List[int] = []
        with Interrupter(0.002) as it:
            res = prog.run(medium, progress=lambda i, r: (seen.append(i), it.arm() if i == 3 else None))
    finally:
        signal.signal(signal.SIGINT, old)
    assert calls == [signal.SIGINT]  # the signal reached the user's handler exactly once
    assert seen == list(range(1, 41))  # the interrupted iteration was redone, not reported twice
    np.testing.assert_array_equal(res["rank"], reference["rank"])


def test_ignored_sigint_is_left_ignored(medium):
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=40)
    reference = prog.run(medium)
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with Interrupter(0.002) as it:
            res = prog.run(medium, progress=lambda i, r: it.arm() if i == 3 else None)
    finally:
        signal.signal(signal.SIGINT, old)
    np.testing.assert_array_equal(res["rank"], reference["rank"])


def test_other_threads_runs_are_not_interrupted(medium):
    """SIGINT is the main thread's (as in Python): a run in another thread goes on undisturbed."""
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=150)
    reference = prog.run(medium)
    out: List[sg.Result] = []
    errors: List[BaseException] = []
    started = threading.Event()

    def worker() -> None:
        try:
            out.append(prog.run(medium, progress=lambda i, r: started.set()))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    th = threading.Thread(target=worker)
    th.start()
    try:
        started.wait(60)
        with Interrupter(0.01) as it, pytest.raises(KeyboardInterrupt):
            forever().run(medium, progress=lambda i, r: it.arm())
    finally:
        th.join()
    assert not errors and len(out) == 1
    np.testing.assert_array_equal(out[0]["rank"], reference["rank"])


# -- the 100 ms bound on RMAT scale 21 ---------------------------------------------------------------


@pytest.fixture(scope="module")
def rmat21() -> sg.Graph:
    return sg.generators.rmat(scale=21, edge_factor=16, seed=1)  # 2M nodes, 33.5M edges


ATTEMPTS = 4
BOUND = 0.100


def _best_latency(measure: Callable[[int], float]) -> float:
    latencies = []
    for attempt in range(ATTEMPTS):
        latencies.append(measure(attempt))
        if latencies[-1] <= BOUND:
            break
    return min(latencies)


def test_run_interrupt_latency_rmat21(rmat21):
    prog = forever()

    def measure(attempt: int) -> float:
        st = prog.init(rmat21)
        seen: List[int] = []

        def call(it: Interrupter) -> None:
            def progress(i: int, r: float) -> None:
                seen.append(i)
                it.arm()  # the signal lands inside iteration 2, well before it can finish

            prog.run(st, progress=progress)

        latency = interrupted_latency(call, 0.01 + 0.02 * attempt)
        assert st.iteration == len(seen) and st.next_step == 0
        prog.run(st, max_iter=st.iteration + 1)  # usable: the next iteration runs normally
        assert st.iteration == len(seen) + 1
        return latency

    best = _best_latency(measure)
    assert best <= BOUND, f"KeyboardInterrupt {best * 1e3:.0f} ms after SIGINT"


def test_apply_batch_interrupt_latency_rmat21(rmat21):
    prog = forever()
    st = prog.init(rmat21)

    def measure(attempt: int) -> float:
        def call(it: Interrupter) -> None:
            it.arm()
            while True:  # one iteration takes far longer than the delay: the signal lands inside one
                prog.apply_batch(st)

        latency = interrupted_latency(call, 0.02 + 0.02 * attempt)
        assert st.next_step == 0
        return latency

    best = _best_latency(measure)
    assert best <= BOUND, f"KeyboardInterrupt {best * 1e3:.0f} ms after SIGINT"


def test_in_place_pass_is_resumed_after_the_bound_rmat21(rmat21):
    # rank is stored over itself, so its interrupted pass cannot be discarded: it stops within
    # the bound all the same, and the next apply_batch resumes it where it stopped (the blocks
    # it finished are not redone), to bitwise the iterations of an uninterrupted State.
    prog = forever()
    assert "# stored over its carry" in prog.explain()
    st = prog.init(rmat21)
    half: List[bool] = []

    def measure(attempt: int) -> float:
        def call(it: Interrupter) -> None:
            it.arm()
            while True:
                prog.apply_batch(st)

        latency = interrupted_latency(call, 0.02 + 0.02 * attempt)
        half.append(st.half_done)
        prog.apply_batch(st)  # continues the interrupted iteration (or runs the next one)
        assert not st.half_done
        return latency

    best = _best_latency(measure)
    assert best <= BOUND, f"KeyboardInterrupt {best * 1e3:.0f} ms after SIGINT"
    assert any(half)  # the signal landed inside the in-place pass
    ref = prog.init(rmat21)
    for _ in range(st.iteration):
        prog.apply_batch(ref)
    np.testing.assert_array_equal(st["rank"], ref["rank"])
    # Redoing finished blocks would give the same ranks (the gather reads the contributions,
    # not rank) but a smaller residual there: |new - new| = 0. The residuals show it was resumed.
    np.testing.assert_array_equal(st.residuals, ref.residuals)


def test_native_pagerank_interrupt_latency_rmat21(rmat21):
    def measure(attempt: int) -> float:
        def call(it: Interrupter) -> None:
            it.arm()
            sg.native.pagerank(rmat21, tol=0.0, max_iter=10**6, raise_on_failure=False)

        return interrupted_latency(call, 0.3 + 0.05 * attempt)

    best = _best_latency(measure)
    assert best <= BOUND, f"KeyboardInterrupt {best * 1e3:.0f} ms after SIGINT"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: sg.generators.rmat(scale=21, edge_factor=16, seed=5), id="rmat"),
        pytest.param(lambda: sg.generators.uniform(3_000_000, 40_000_000, seed=5), id="uniform"),
    ],
)
def test_ctrl_c_stops_graph_generation(make: Callable[[], sg.Graph]) -> None:
    # Generation takes seconds (tens of seconds on a loaded machine); SIGINT 50 ms in must stop it
    # at the next chunk of edges. Generous bound: this is about "not after the whole build".
    def call(it: Interrupter) -> object:
        it.arm()
        return make()

    assert interrupted_latency(call, delay=0.05) < 1.0


def test_ctrl_c_stops_graph_construction() -> None:
    rng = np.random.default_rng(0)
    n, m = 2_000_000, 30_000_000
    src, dst = rng.integers(0, n, m, dtype=np.int32), rng.integers(0, n, m, dtype=np.int32)

    def call(it: Interrupter) -> object:
        it.arm()
        return sg.Graph.from_edges(src, dst, num_nodes=n)

    assert interrupted_latency(call, delay=0.02) < 1.0
    assert sg.Graph.from_edges(src[:10], dst[:10], num_nodes=n).num_edges == 10  # still usable
