"""Running generated programs at several optimization levels and comparing what they give.

Shared by the optimizer property tests: the small graphs, an ``Outcome`` per (program, level,
graph), bitwise and tolerance comparisons, and a failure report with everything needed to
reproduce (the Builder code, the graph, and ``explain(passes=True)`` of the levels involved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

import stepgraph as sg
from graphs import GraphCase, random_cases
from program_gen import GenProgram

LEVELS = (0, 1, 2, 3)


def _small_cases() -> List[GraphCase]:
    """Empty, single-node, self-loop, isolated and path graphs, then every family at 2..59 nodes,
    weighted and unweighted, directed and undirected."""
    cases = list(random_cases(30, seed=4))
    cases += [c for c in random_cases(14, seed=77, weighted=True)][5:]
    return cases


CASES: List[GraphCase] = _small_cases()
GRAPHS: List[sg.Graph] = [c.graph() for c in CASES]


def big_cases() -> List[GraphCase]:
    """Graphs with several node blocks (4096 nodes each; a block also ends at 65536 pull edges)."""
    rng = np.random.default_rng(99)
    out = []
    n = 9000
    s, d = rng.integers(0, n, 30000), rng.integers(0, n, 30000)
    out.append(GraphCase("uniform-9000", s, d, n, True, rng.uniform(0.05, 3.0, s.size)))
    n = 3000  # a hub: node 0 has 70k edges (undirected), so the balanced partition splits by edges
    s = rng.integers(0, n, 140000)
    d = np.where(np.arange(s.size) % 2 == 0, 0, rng.integers(0, n, s.size))
    out.append(GraphCase("hub-3000", s, d, n, False))
    return out


def graph_code(case: GraphCase) -> str:
    w = "None" if case.weights is None else f"np.array({case.weights.tolist()!r})"
    if case.num_nodes > 100:
        return f"g = ...  # {case!r}: see prop_harness.big_cases()"
    return (
        f"g = sg.Graph.from_edges(np.array({case.src.tolist()!r}, dtype=np.int64), "
        f"np.array({case.dst.tolist()!r}, dtype=np.int64), {case.num_nodes}, {w}, {case.directed})"
    )


@dataclass
class Outcome:
    error: Optional[str] = None
    outputs: Dict[str, Any] = field(default_factory=dict)
    iterations: int = 0
    converged: bool = False
    residuals: Optional[np.ndarray] = None

    def summary(self) -> str:
        if self.error:
            return f"error {self.error}"
        outs = ", ".join(
            f"{k}={np.array2string(np.asarray(v), threshold=24, precision=17, separator=', ')}"
            for k, v in self.outputs.items()
        )
        residuals = np.asarray(self.residuals if self.residuals is not None else [])
        res = np.array2string(residuals, threshold=24, precision=17, separator=", ")
        return f"iterations={self.iterations} converged={self.converged} residuals={res}\n      {outs}"


def build(spec: GenProgram, level: int, exact: bool, disable: Sequence[str] = ()) -> Tuple[Optional[sg.Program], str]:
    try:
        return spec.build(level, exact, tuple(disable)), ""
    except sg.StepgraphError as e:
        return None, f"{type(e).__name__}: {e}"


def run(prog: Optional[sg.Program], err: str, spec: GenProgram, g: sg.Graph, **kw: Any) -> Outcome:
    if prog is None:
        return Outcome(error=err)
    try:
        res = prog.run(g, **spec.bindings(g.num_nodes), **kw)
    except sg.StepgraphError as e:
        return Outcome(error=f"{type(e).__name__}: {e}")
    return Outcome(None, {k: res[k] for k in res.keys()}, res.iterations, res.converged, res.residuals)


def bits_equal(a: Any, b: Any) -> bool:
    """Same dtype, shape and bits; any NaN equals any NaN (payloads are not compared)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    na, nb = np.isnan(a), np.isnan(b)
    if not np.array_equal(na, nb):
        return False
    ia = a.view(np.int64 if a.dtype.itemsize == 8 else np.int32)
    ib = b.view(np.int64 if b.dtype.itemsize == 8 else np.int32)
    return bool(np.array_equal(ia[~na], ib[~nb]))


def outcome_diff(x: Outcome, y: Outcome) -> Optional[str]:
    """Why two outcomes differ bitwise, or None."""
    if x.error or y.error:
        return None if x.error and y.error and x.error.split(":")[0] == y.error.split(":")[0] else "errors differ"
    if (x.iterations, x.converged) != (y.iterations, y.converged):
        return "iterations/converged differ"
    if not bits_equal(x.residuals, y.residuals):
        return "residuals differ"
    if list(x.outputs) != list(y.outputs):
        return "output names differ"
    for k in x.outputs:
        if not bits_equal(x.outputs[k], y.outputs[k]):
            return f"output {k!r} differs"
    return None


# Tolerance check for exact=False. Per element |a - b| <= RTOL * max(|a|, |b|) + RTOL * scale, with
# scale = max(1, largest finite |a| of that output). The absolute floor: a rounding change (an
# fma, x * (1/s) for x / s) moves a result by about one ulp of the *operands* that produced it,
# not of the result; generated values are kept within +-1e3 and an element that cancels to ~0
# (x - y with x ~ y) still carries an error of the order of eps * |x|. The output's own scale
# (at least 1, the order of the programs' constants and clamped values) bounds those operands.
RTOL = 1e-12


def close(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb) or not np.array_equal(a[~fa], b[~fb], equal_nan=True):
        return False
    a64, b64 = a[fa].astype(np.float64), b[fb].astype(np.float64)
    scale = max(1.0, float(np.abs(a64).max())) if a64.size else 1.0
    return bool(np.all(np.abs(a64 - b64) <= RTOL * np.maximum(np.abs(a64), np.abs(b64)) + RTOL * scale))


def outcome_close(x: Outcome, y: Outcome) -> Optional[str]:
    if x.error or y.error:
        return None if x.error and y.error and x.error.split(":")[0] == y.error.split(":")[0] else "errors differ"
    if (x.iterations, x.converged) != (y.iterations, y.converged):
        return "iterations/converged differ"
    if not close(x.residuals, y.residuals):
        return "residuals differ beyond 1e-12"
    for k in x.outputs:
        if not close(x.outputs[k], y.outputs[k]):
            return f"output {k!r} differs beyond 1e-12"
    return None


def report(
    spec: GenProgram,
    case: GraphCase,
    what: str,
    runs: Dict[str, Outcome],
    levels: Sequence[int],
    exact: bool = True,
    disable: Sequence[str] = (),
) -> str:
    """A failure message: what differs, the outcomes, a stand-alone repro, and the plans."""
    parts = [f"{what} on {case!r}", ""]
    for label, o in runs.items():
        parts.append(f"  {label}: {o.summary()}")
    parts += ["", "--- reproduction ---", spec.repro(graph_code(case), levels[-1], exact, disable)]
    for lvl in levels:
        prog, err = build(spec, lvl, exact, disable if lvl == levels[-1] else ())
        parts.append(f"--- explain(passes=True) at O{lvl} ---")
        parts.append(prog.explain(passes=True) if prog is not None else err)
    return "\n".join(parts)


def known_pass_names() -> List[str]:
    """Every pass and rewrite-rule name build(disable=...) accepts (parsed from its error)."""
    import re

    b = sg.Builder("names")
    b.output("x", b.fill(1.0))
    try:
        b.build(disable=("__no_such_pass__",))
    except sg.ParameterError as e:
        m = re.search(r"known: ([^)]*)\)", str(e))
        if m:
            return [s.strip() for s in m.group(1).split(",")]
    raise AssertionError("could not list the optimizer's pass names")


def snapshot(state: sg.State, carries: Sequence[str]) -> Outcome:
    """The carried values and loop status of a State, copied."""
    outs = {}
    for name in carries:
        v = state[name]
        outs[name] = np.array(v, copy=True) if isinstance(v, np.ndarray) else np.asarray(v)
    return Outcome(None, outs, state.iteration, state.converged, state.residuals.copy())


def carried(o: Outcome, carries: Sequence[str]) -> Outcome:
    """The part of a run's outcome a State shows mid-loop: carries and loop status."""
    return Outcome(o.error, {k: np.asarray(o.outputs[k]) for k in carries}, o.iterations, o.converged, o.residuals)


def stepped_trace(prog: sg.Program, spec: GenProgram, g: sg.Graph, limit: int, how: str) -> List[Outcome]:
    """Snapshots after 0, 1, ... iterations, stopping where run() stops (``limit`` iterations or
    once converged), by ``how``: "apply_batch", "apply_step" (every step in order), or
    "interleaved" (apply_batch on two States of the program in turn; the second one's trace)."""
    state = prog.init(g, **spec.bindings(g.num_nodes))
    other = prog.init(g, **spec.bindings(g.num_nodes)) if how == "interleaved" else None
    trace = [snapshot(state, spec.carries)]
    while state.iteration < limit and not state.converged:
        before = state.iteration
        if how == "apply_step":
            for i in range(prog.num_steps):
                prog.apply_step(state, i)
        else:
            prog.apply_batch(state)
        if other is not None:
            prog.apply_batch(other)
            trace.append(snapshot(other, spec.carries))
        else:
            trace.append(snapshot(state, spec.carries))
        if state.iteration == before:  # e.g. apply_step with no steps: it never ends an iteration
            break
    return trace


def is_final_run() -> bool:
    """True on hypothesis' final replay of the shrunk failing example (or outside hypothesis)."""
    try:
        from hypothesis.control import current_build_context

        return bool(current_build_context().is_final)
    except Exception:
        return True


def minimize(spec: GenProgram, fails) -> GenProgram:
    """Delete statements while ``fails(spec)`` still holds: each variable with every statement
    that (transitively) uses it, then single lines. Runs on hypothesis' final failing example
    only: hypothesis shrinks the choices, this drops the statements the failure does not need."""
    import re

    if not is_final_run():
        return spec
    lines = spec.source.splitlines()

    def defined(line: str) -> Optional[str]:
        m = re.match(r"\s*(\w+) = ", line)
        return m.group(1) if m else None

    def slice_of(ls: List[str], i: int) -> List[int]:
        drop, names = {i}, {defined(ls[i])}
        for j in range(i + 1, len(ls)):
            if any(re.search(rf"\b{n}\b", ls[j]) for n in names):
                drop.add(j)
                if defined(ls[j]):
                    names.add(defined(ls[j]))
        return sorted(drop)

    def attempt(trial: List[str]) -> bool:
        if not any(ln.startswith("b.output") for ln in trial):
            return False
        try:
            return bool(fails(_respec(spec, trial)))
        except Exception:
            return False

    changed = True
    while changed:
        changed = False
        for i in range(len(lines) - 1, -1, -1):
            if i >= len(lines):
                continue
            for drop in ([slice_of(lines, i)] if defined(lines[i]) else []) + [[i]]:
                trial = [ln for j, ln in enumerate(lines) if j not in drop]
                if attempt(trial):
                    lines, changed = trial, True
                    break
    return _respec(spec, lines)


def _respec(spec: GenProgram, lines: List[str]) -> GenProgram:
    src = "\n".join(lines) + "\n"
    return GenProgram(
        src,
        {k: v for k, v in spec.params.items() if f'"{k}"' in src},
        {k: v for k, v in spec.inputs.items() if f'"{k}"' in src},
        [c for c in spec.carries if f'loop.carry("{c}"' in src],
        spec.has_loop,
    )
