"""stepgraph's execution modes as timed runners, and the interleaved trial loop.

Every runner does the same work per trial: set up (native twin: its own setup inside the
call; builder: ``init``) and then ``iters`` PageRank iterations with ``tol=0`` (so nothing
stops early). Timings are per iteration:

- ``ms`` ("same work"): (setup + iters iterations) / iters, the figure the ratios use: the
  native twin cannot be timed without its setup, so neither is the builder;
- ``loop_ms``: the iterations alone: builder ``init`` excluded; for the native twin, its
  setup (timed by a ``max_iter=0`` call in the same trial) subtracted.

A trial repeats the work ``reps`` times when one run is shorter than ``min_trial_s`` (small
graphs), so timer resolution and call jitter stay below a percent.
"""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

import stepgraph as sg
from stepgraph import _core

perf = time.perf_counter


@dataclass(frozen=True)
class ModeInfo:
    key: str
    label: str
    kind: str  # native | run | batch | step
    opt_level: Optional[int]
    rung: str  # what this rung of the ladder adds
    disable: Tuple[str, ...] = ()  # passes or features switched off (Program(disable=...))


# The ladder, slowest first. batch_O0 is an extra rung: it separates the gain of batching
# (one native call per iteration instead of one per step) from the gain of O1's passes.
MODES: List[ModeInfo] = [
    ModeInfo("step_O0", "apply_step O0", "step", 0, "per-step baseline: one native call per step"),
    ModeInfo("batch_O0", "apply_batch O0", "batch", 0, "batching: one native call per iteration"),
    ModeInfo("batch_O1", "apply_batch O1", "batch", 1, "fold + CSE + DCE"),
    ModeInfo("batch_O2", "apply_batch O2", "batch", 2, "+ loop-invariant hoisting"),
    ModeInfo("batch_O3", "apply_batch O3", "batch", 3, "+ rewrites, loop rotation, kernel fusion"),
    ModeInfo("run_O3", "run O3", "run", 3, "the whole loop in one native call"),
    # Not a rung: O3 with two rank buffers instead of one updated in place, to show what in
    # place buys (time and memory) on each graph.
    ModeInfo("batch_O3b", "apply_batch O3 two buffers", "batch", 3, "disable=('in_place',)", ("in_place",)),
    ModeInfo("run_O3b", "run O3 two buffers", "run", 3, "disable=('in_place',)", ("in_place",)),
    ModeInfo("native", "native twin", "native", None, "hand-written C++ (sg.native.pagerank)"),
    # Not a rung: the twin once more, timed like any mode. Its ratio to the twin is this run's
    # noise floor (A/A), printed next to each verdict: on a shared machine it reached 1.1-1.3x.
    ModeInfo("native_aa", "native twin again (A/A)", "native", None, "the twin once more: the run's noise floor"),
]
MODE_BY_KEY = {m.key: m for m in MODES}
SLOW_MODES = ("step_O0", "batch_O0")  # may run fewer iterations on big graphs (reported)


def pagerank_program(opt_level: int, iters: int, disable: Tuple[str, ...] = ()) -> sg.Program:
    return sg.algorithms.pagerank_program(alpha=0.85, tol=0.0, max_iter=iters, opt_level=opt_level, disable=disable)


ProgramCache = Dict[Tuple[int, int, Tuple[str, ...]], sg.Program]


def program_for(info: ModeInfo, iters: int, programs: ProgramCache) -> sg.Program:
    assert info.opt_level is not None
    key = (info.opt_level, iters, info.disable)
    if key not in programs:
        programs[key] = pagerank_program(info.opt_level, iters, info.disable)
    return programs[key]


@dataclass
class Timing:
    total_s: List[float] = field(default_factory=list)  # per trial, per iteration (same work)
    loop_s: List[float] = field(default_factory=list)  # per trial, per iteration, init excluded
    init_s: List[float] = field(default_factory=list)  # per trial, per run


class Runner:
    """One thing timed per trial. Subclasses implement ``once`` (one run: returns
    (total seconds, loop seconds or None)) and set ``values`` / ``stats`` after it."""

    key = ""
    label = ""
    unit = "it"  # "it": per iteration; "solve": one whole solve per run
    iters = 1

    def __init__(self) -> None:
        self.timing = Timing()
        self.reps = 1
        self.values: Optional[np.ndarray] = None
        self.stats: Dict[str, Any] = {}
        self.info: Dict[str, Any] = {}

    def once(self) -> Tuple[float, Optional[float]]:
        raise NotImplementedError

    def calibrate(self, min_trial_s: float, max_reps: int) -> None:
        total, _ = self.once()  # warm-up: page faults, TBB workers, plan caches
        if total < min_trial_s:  # short: time a warm run to choose the repetitions
            total, _ = self.once()
        self.reps = max(1, min(max_reps, math.ceil(min_trial_s / max(total, 1e-9))))

    def trial(self) -> None:
        total = loop = 0.0
        has_loop = True
        t_init = 0.0
        for _ in range(self.reps):
            t, lp = self.once()
            total += t
            if lp is None:
                has_loop = False
            else:
                loop += lp
                t_init += t - lp
        per = self.reps * (self.iters if self.unit == "it" else 1)
        self.timing.total_s.append(total / per)
        if has_loop:
            self.timing.loop_s.append(loop / per)
            self.timing.init_s.append(t_init / self.reps)


class NativeRunner(Runner):
    def __init__(
        self,
        g: sg.Graph,
        iters: int,
        tol: float = 0.0,
        key: str = "native",
        label: str = "native twin",
        unit: str = "it",
        max_iter: Optional[int] = None,
    ) -> None:
        super().__init__()
        self.g, self.iters, self.tol = g, iters, tol
        self.key, self.label, self.unit = key, label, unit
        self.max_iter = iters if max_iter is None else max_iter
        self.time_setup = True  # off for peak RSS: the extra call's freed memory would count

    def once(self) -> Tuple[float, Optional[float]]:
        # The twin's setup alone (max_iter=0 returns right after it), so its loop can be
        # compared with the builder's loop; the twin's total stays one whole call.
        setup = 0.0
        if self.time_setup:
            t0 = perf()
            sg.native.pagerank(self.g, alpha=0.85, tol=self.tol, max_iter=0, raise_on_failure=False)
            setup = perf() - t0
        t0 = perf()
        res = sg.native.pagerank(self.g, alpha=0.85, tol=self.tol, max_iter=self.max_iter, raise_on_failure=False)
        t = perf() - t0
        self.values = res.values
        self.info["iterations"] = res.iterations
        self.stats = {"native_calls": 1, "iterations": res.iterations}
        return t, (t - setup if self.unit == "it" and self.time_setup else None)


class RunRunner(Runner):
    def __init__(self, g: sg.Graph, prog: sg.Program, iters: int, key: str, label: str) -> None:
        super().__init__()
        self.g, self.prog, self.iters, self.key, self.label = g, prog, iters, key, label

    def once(self) -> Tuple[float, Optional[float]]:
        t0 = perf()
        res = self.prog.run(self.g, max_iter=self.iters, tol=0.0)
        t = perf() - t0
        self.values = res["rank"]
        self.stats = dict(res.extra["stats"])
        return t, None


class BatchRunner(Runner):
    def __init__(self, g: sg.Graph, prog: sg.Program, iters: int, key: str, label: str) -> None:
        super().__init__()
        self.g, self.prog, self.iters, self.key, self.label = g, prog, iters, key, label

    def once(self) -> Tuple[float, Optional[float]]:
        prog, iters = self.prog, self.iters
        apply_batch = prog.apply_batch
        t0 = perf()
        state = prog.init(self.g)
        t1 = perf()
        for _ in range(iters):
            apply_batch(state)  # one native call = one iteration
        t2 = perf()
        self.values = state["rank"]
        self.stats = state.stats
        return t2 - t0, t2 - t1


class StepRunner(Runner):
    def __init__(self, g: sg.Graph, prog: sg.Program, iters: int, key: str, label: str) -> None:
        super().__init__()
        self.g, self.prog, self.iters, self.key, self.label = g, prog, iters, key, label

    def once(self) -> Tuple[float, Optional[float]]:
        prog, iters = self.prog, self.iters
        apply_step = prog.apply_step
        steps = range(prog.num_steps)
        t0 = perf()
        state = prog.init(self.g)
        t1 = perf()
        for _ in range(iters):
            for i in steps:  # the per-step baseline: the loop over steps lives in Python
                apply_step(state, i)
        t2 = perf()
        self.values = state["rank"]
        self.stats = state.stats
        return t2 - t0, t2 - t1


def make_runner(info: ModeInfo, g: sg.Graph, iters: int, programs: ProgramCache) -> Runner:
    if info.kind == "native":
        return NativeRunner(g, iters, key=info.key, label=info.label)
    prog = program_for(info, iters, programs)
    cls = {"run": RunRunner, "batch": BatchRunner, "step": StepRunner}[info.kind]
    runner: Runner = cls(g, prog, iters, info.key, info.label)
    runner.info.update(
        num_steps=prog.num_steps, passes_over_node_data=prog.passes_over_node_data, opt_level=info.opt_level
    )
    return runner


def interleaved(runners: Sequence[Runner], trials: int, tick: Callable[[str], None]) -> None:
    """Time every runner once per trial, in a rotating order (drift on a shared machine hits
    all runners alike, and no runner always follows the same neighbour); GC off while timing."""
    k = len(runners)
    gc_was = gc.isenabled()
    try:
        for t in range(trials):
            gc.collect()
            gc.disable()
            for j in range(k):
                r = runners[(t + j) % k]
                r.trial()
                tick(r.key)
            if gc_was:
                gc.enable()
    finally:
        if gc_was:
            gc.enable()


# -- allocations -----------------------------------------------------------------------------
def allocations_after_first_iteration(
    info: ModeInfo, g: sg.Graph, iters: int, programs: ProgramCache
) -> Dict[str, int]:
    """Native buffer allocations (``_core.array_allocations()``, process-wide) made by
    iterations 2..iters. apply_batch / apply_step: counted around the loop after iteration 1.
    native / run (one call for everything): allocations(iters) - allocations(1 iteration)."""
    count = _core.array_allocations
    if info.kind == "native":
        a0 = count()
        sg.native.pagerank(g, tol=0.0, max_iter=1, raise_on_failure=False)
        a1 = count()
        sg.native.pagerank(g, tol=0.0, max_iter=iters, raise_on_failure=False)
        a2 = count()
        return {"setup_and_first": a1 - a0, "after_first": (a2 - a1) - (a1 - a0)}
    prog = program_for(info, iters, programs)
    if info.kind == "run":
        a0 = count()
        prog.run(g, max_iter=1, tol=0.0)
        a1 = count()
        prog.run(g, max_iter=iters, tol=0.0)
        a2 = count()
        return {"setup_and_first": a1 - a0, "after_first": (a2 - a1) - (a1 - a0)}
    a0 = count()
    state = prog.init(g)
    if info.kind == "batch":
        prog.apply_batch(state)
        a1 = count()
        for _ in range(iters - 1):
            prog.apply_batch(state)
    else:
        for i in range(prog.num_steps):
            prog.apply_step(state, i)
        a1 = count()
        for _ in range(iters - 1):
            for i in range(prog.num_steps):
                prog.apply_step(state, i)
    a2 = count()
    return {
        "setup_and_first": a1 - a0,
        "after_first": a2 - a1,
        "state_allocations": int(state.stats["allocations"]),
        "state_reuses": int(state.stats["reuses"]),
    }


def summarize(runner: Runner) -> Dict[str, Any]:
    """Median and best per-iteration milliseconds (and the stats of the last run)."""
    t = runner.timing
    out: Dict[str, Any] = {
        "label": runner.label,
        "unit": runner.unit,
        "iters": runner.iters,
        "reps": runner.reps,
        "trials": len(t.total_s),
        "ms_median": float(np.median(t.total_s)) * 1e3,
        "ms_best": float(np.min(t.total_s)) * 1e3,
        "ms_all": [x * 1e3 for x in t.total_s],
    }
    if t.loop_s:
        out["loop_ms_median"] = float(np.median(t.loop_s)) * 1e3
        out["loop_ms_best"] = float(np.min(t.loop_s)) * 1e3
        out["init_ms_median"] = float(np.median(t.init_s)) * 1e3
    st = runner.stats
    if st:
        its = max(int(st.get("iterations", runner.iters)), 1)
        calls = int(st.get("native_calls", 0))
        out["native_calls"] = calls
        out["native_calls_per_iter"] = calls / its
        if "boundary_ns" in st and calls:
            out["boundary_us_per_call"] = st["boundary_ns"] / calls / 1e3
            out["kernel_ms_per_iter"] = st["kernel_ns"] / its / 1e6
            out["step_ms_per_iter"] = [x / its / 1e6 for x in st.get("step_ns", [])]
        if st.get("row_loops"):  # which row loop each compiled step ran, and the times it chose by
            out["row_loops"] = {str(k): v for k, v in st["row_loops"].items()}
    out.update(runner.info)
    return out
