"""Program and State: a built step program, and one run of it over one graph."""

from __future__ import annotations

import logging
import sys
import weakref
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple, Union

import numpy as np

from stepgraph import _core, row_kernels
from stepgraph.errors import CompileError, ConvergenceError, OutOfMemoryError, ParameterError, ProgramError, StateError
from stepgraph.graph import Graph
from stepgraph.native._params import node_vector
from stepgraph.result import Result
from stepgraph.state import State

__all__ = ["Program", "State", "convergence_guard"]

log = logging.getLogger(__name__)

_INT64_MAX = 2**63 - 1
_UNCAPPED = 2**62  # ir/ir.hpp kUntilConverged: what `loop none` (b.loop(max_iter=None)) parses to

#: The guard of a loop built with ``max_iter=None`` on a graph of n nodes: ``run`` stops it after
#: GUARD_PER_NODE * n + GUARD_BASE iterations and raises ConvergenceError. The shipped fixed points
#: need at most n + 1 (a label or distance moves one hop per iteration along a path of at most
#: n - 1 edges, then one iteration sees no change); the factor leaves room for user fixed points
#: that move slower, the base for numeric ones (a tolerance reached on a small graph).
GUARD_PER_NODE = 10
GUARD_BASE = 1000


def convergence_guard(num_nodes: int) -> int:
    """Iterations ``run`` allows a ``max_iter=None`` loop on a graph of ``num_nodes`` nodes."""
    return GUARD_PER_NODE * int(num_nodes) + GUARD_BASE


_warned: Set[str] = set()  # why row kernels ran interpreted, logged once per reason

#: ``validator(graph, params, inputs)`` raises ParameterError for values a program cannot use
#: (an algorithm's alpha range, a source node out of range, ...); ``params`` holds every
#: parameter's value (defaults included), ``inputs`` the bound input vectors.
Validator = Callable[[Graph, Dict[str, float], Dict[str, np.ndarray]], None]


def _int_arg(value: Any, name: str, minimum: int = 0) -> int:
    """An int64 argument (not a float, str or bool), checked before it reaches native code."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise ParameterError(f"{name} must be >= {minimum}, got {value}")
    if int(value) > _INT64_MAX:
        raise ParameterError(f"{name} must be at most 2**63 - 1, got {value}")
    return int(value)


class Program:
    """A built step program: ``init`` / ``apply_step`` / ``apply_batch`` / ``run``."""

    def __init__(
        self,
        name: str,
        ir_text: str,
        params: Dict[str, float],
        inputs: Dict[str, str],
        *,
        opt_level: int = 3,
        exact: bool = False,
        disable: Tuple[str, ...] = (),
        enable: Tuple[str, ...] = (),
    ) -> None:
        """``disable``: passes, rewrite rules or features to switch off by name. ``enable``:
        features to insist on (``"compiled"``, below).

        At O3 a carry's update is stored over the carry when only its own pass reads the old
        value (``"in_place"``: one node vector less). Such a pass cannot be discarded when
        Ctrl-C stops it, so the State is then ``half_done`` and the next apply continues it;
        ``disable=("in_place",)`` keeps two buffers, and an interrupted iteration is discarded.

        At O3 each pull kernel's gather and epilogue is generated as C++ and compiled with the
        system C++ compiler (about 1 s per new kernel, then cached; see ``stepgraph.row_kernels``),
        bitwise equal to the interpreted kernel; ``row_loop`` says how it runs. Without a
        compiler the kernels run interpreted, ``explain()`` says why and a warning is logged;
        ``enable=("compiled",)`` makes that a ``CompileError``, ``disable=("compiled",)`` skips
        compiling. ``"frontier"`` and ``"unchanged_rows"`` (from O1; README) give the dense loop's bits."""
        if isinstance(opt_level, bool) or opt_level not in (0, 1, 2, 3):
            raise ParameterError(f"opt_level must be 0, 1, 2 or 3, got {opt_level!r}")
        if isinstance(disable, str):
            disable = (disable,)
        if isinstance(enable, str):
            enable = (enable,)
        self.name = name
        self.ir_text = ir_text
        self.params = dict(params)
        self.inputs = dict(inputs)
        self.opt_level = opt_level
        self.exact = bool(exact)
        self.disable = tuple(disable)
        self.enable = tuple(enable)
        self._core = _core.Program(ir_text, opt_level, bool(exact), [str(d) for d in disable], [str(e) for e in enable])
        if self._core.row_kernels():
            try:
                row_kernels.attach(self._core)
            except (CompileError, ProgramError) as e:  # no compiler, or no room to load the library
                if "compiled" in self.enable:  # asked for by name: no interpreted run instead
                    raise
                why = str(e).splitlines()[0]
                if why not in _warned:
                    _warned.add(why)
                    log.warning("row kernels run interpreted (enable=('compiled',) makes this an error): %s", why)
                self._core.leave_rows_interpreted(f"{why} (enable=('compiled',) makes this an error)")
        # Weak: a State refers to its Program, so a strong reference back would be a cycle that keeps
        # the State's native buffers alive until Python's cyclic GC happens to run.
        self._last: Optional[weakref.ReferenceType[State]] = None
        self._kept: Optional[State] = None  # an interrupted run's State, until the next init
        self._validator: Optional[Validator] = None
        self._row_loop = "measure"

    @property
    def row_loop(self) -> str:
        """How steps with a compiled row kernel run in States initialized from now on:
        ``"measure"`` (the default: each State times the chunked and the per-row loop on its
        first iterations, interleaved, and keeps the faster; the choice is in
        ``state.stats["row_loops"]``), or always ``"chunks"``, ``"rows"`` or ``"interpreted"``.
        All give the same bits."""
        return self._row_loop

    @row_loop.setter
    def row_loop(self, name: str) -> None:
        if not isinstance(name, str):
            raise ParameterError(f"row_loop must be a str, got {type(name).__name__}")
        self._core.set_row_loop(name)
        self._row_loop = name

    @property
    def num_steps(self) -> int:
        """Native steps per loop iteration (one ``apply_step`` call each)."""
        return int(self._core.num_steps)

    @property
    def max_iter(self) -> Optional[int]:
        """The loop's iteration limit as recorded (``run(max_iter=...)`` overrides it); None for a
        loop that stops by its predicate (``b.loop(max_iter=None)``; ``run`` guards it:
        :func:`convergence_guard`)."""
        limit = int(self._core.max_iter)
        return None if limit >= _UNCAPPED else limit

    def _limit(self, max_iter: Optional[int], graph: Graph) -> Tuple[int, bool]:
        """The iteration limit of a run, and whether it is the guard of an uncapped loop."""
        if max_iter is not None:
            return _int_arg(max_iter, "max_iter"), False
        if self.max_iter is None:
            return convergence_guard(graph.num_nodes), True
        return self.max_iter, False

    def _not_converged(self, limit: int, guarded: bool, result: Result, n: int) -> ConvergenceError:
        if guarded:
            return ConvergenceError(
                f"{self.name} did not reach its fixed point within {result.iterations} iterations "
                f"(max_iter=None: the guard allows {GUARD_PER_NODE} * n + {GUARD_BASE} = {limit} for n = {n}; "
                "pass run(max_iter=...) to allow more)",
                result,
            )
        return ConvergenceError(f"{self.name} did not converge within max_iter = {limit} iterations", result)

    @property
    def has_loop(self) -> bool:
        return bool(self._core.has_loop)

    @property
    def outputs(self) -> List[str]:
        return list(self._core.outputs)

    @property
    def stats(self) -> Dict[str, Any]:
        """Stats of the most recent state this program initialized or ran."""
        last = self.last_state
        return last.stats if last is not None else {}

    @property
    def passes_over_node_data(self) -> int:
        """Kernels per iteration that stream over node data (fused work counts once)."""
        return int(self._core.passes_over_node_data)

    @property
    def passes_at_init(self) -> int:
        """Kernels of the prologue (run once per ``init``) that stream over node data."""
        return int(self._core.passes_at_init)

    @property
    def refused_fusions(self) -> List[Tuple[int, int, str]]:
        """(producer id, consumer id, reason) for every fusion the optimizer refused."""
        return list(self._core.refused)

    def explain(self, passes: bool = False) -> str:
        """The plan: hoisted prologue, each kernel with its fused ops and the buffers it reads
        and writes, passes over node data per iteration, refused fusions with reasons.
        ``passes=True`` adds what each optimizer pass changed and the IR after it."""
        return f"program {self.name}\n" + self._core.explain(bool(passes))

    def to_dot(self) -> str:
        """The plan as Graphviz DOT (one cluster per step)."""
        return self._core.to_dot()

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.explain())}</pre>"

    def __repr__(self) -> str:
        return f"Program({self.name!r}, steps={self.num_steps}, outputs={self.outputs})"

    # -- execution ------------------------------------------------------------------------
    def _bindings(self, graph: Graph, values: Mapping[str, Any]) -> Tuple[Dict[str, float], Dict[str, np.ndarray]]:
        params: Dict[str, float] = {}
        inputs: Dict[str, np.ndarray] = {}
        for key, val in values.items():
            if key in self.inputs:
                vec = node_vector(graph, val, key)
                if vec is None:
                    raise ParameterError(f"input vector {key!r} is required")
                inputs[key] = vec
            elif key in self.params:
                if isinstance(val, (bool, np.bool_)) or not isinstance(val, (int, float, np.integer, np.floating)):
                    raise ParameterError(f"parameter {key!r} must be a number, got {val!r}")
                try:
                    params[key] = float(val)
                except OverflowError:
                    raise ParameterError(f"parameter {key!r} is an integer too large for a float64") from None
            else:
                known = ", ".join(sorted([*self.params, *self.inputs])) or "nothing"
                raise ParameterError(f"unknown parameter {key!r}; program {self.name} takes: {known}")
        missing = [k for k in self.inputs if k not in inputs]
        if missing:
            raise ParameterError(f"program {self.name} needs input vector(s): {', '.join(missing)}")
        return params, inputs

    def init(self, graph: Graph, **params: Any) -> State:
        """Bind a graph and parameters: allocate buffers, evaluate the prologue once."""
        if not isinstance(graph, Graph):
            raise ParameterError(f"expected a stepgraph.Graph, got {type(graph).__name__}")
        p, inputs = self._bindings(graph, params)
        if self._validator is not None:
            self._validator(graph, {**self.params, **p}, inputs)
        state = State(_core.init_state(self._core, graph._native, p, inputs), self, graph)
        self._last = weakref.ref(state)
        self._kept = None
        return state

    def _check(self, state: Any) -> State:
        if not isinstance(state, State):
            raise StateError(f"expected a State from Program.init, got {type(state).__name__}")
        if state.program is not self or not state._core.same_program(self._core):
            raise StateError(f"this State belongs to program {state.program.name!r}, not to this program")
        if not isinstance(state.graph, Graph) or not state._core.same_graph(state.graph._native):
            raise StateError(
                "this State's graph was replaced after init; a State runs on the graph it was "
                "initialized with (call init again for another graph)"
            )
        return state

    @property
    def last_state(self) -> Optional[State]:
        """The State this program most recently initialized (``run`` makes one per call), while it
        is alive: the program holds it weakly, so a dropped State frees its buffers at once. After
        ``run`` was interrupted (or its progress callback raised), its State is kept until the next
        ``init``, and ``run(program.last_state)`` continues it."""
        return self._last() if self._last is not None else None

    def apply_step(self, state: State, i: int) -> None:
        """Run step ``i`` of the loop alone (one native call; the per-step baseline).

        Steps are the dense plan's kernels: a loop that runs over a frontier (``explain()``)
        takes a dense iteration this way, with the same values, except that a loop built with
        ``loop.in_order()`` then follows the synchronous schedule instead of its buckets (the
        same fixed point, in other iterations).

        If interrupted (Ctrl-C: KeyboardInterrupt), the step is discarded: ``state.next_step``
        is unchanged, and calling ``apply_step(state, i)`` again redoes it (a step storing a carry
        in place resumes where it stopped: ``state.half_done``)."""
        self._check(state)._core.apply_step(_int_arg(i, "step index", minimum=-_INT64_MAX))

    def apply_batch(self, state: State) -> None:
        """Run one whole iteration in one native call (the GIL is released).

        If interrupted (Ctrl-C: KeyboardInterrupt, within a block of work), the iteration is
        discarded: the state is exactly as after its last completed iteration. Once a pass that
        stores a carry in place has started, the iteration cannot be discarded: the state is
        ``half_done`` (that carry unreadable) and the next ``apply_batch`` / ``run`` continues it,
        with the same result as an uninterrupted iteration."""
        self._check(state)._core.apply_batch()

    def run(
        self,
        graph: Union[Graph, State],
        max_iter: Optional[int] = None,
        tol: Optional[float] = None,
        progress: Optional[Callable[[int, float], Any]] = None,
        raise_on_failure: bool = False,
        **params: Any,
    ) -> Result:
        """The whole loop in one native call: ``init(graph, **params)``, then iterate until
        converged or ``max_iter`` iterations (default: the program's; for a loop built with
        ``max_iter=None``, :func:`convergence_guard` of the graph, past which ConvergenceError
        is raised whatever ``raise_on_failure`` says: that loop was meant to converge).

        ``tol`` sets the program's ``tol`` parameter; ``progress(iteration, residual)`` is
        called once after each completed iteration (iterations 1, 2, ...).

        Ctrl-C raises KeyboardInterrupt promptly (inside an iteration, after the current block
        of nodes): the interrupted iteration is discarded, so the State is as after its last
        completed iteration (or, once a pass storing a carry in place has started, ``half_done``:
        continued by the next apply). Passing a State instead of a graph continues it where it stopped
        (``prog.run(prog.last_state)``; ``max_iter`` counts all of its iterations), with the same
        result as a run that was never interrupted.

        Without ``progress``, the outputs may be stored over carries nobody reads again
        (``explain()`` lists them): the State goes to the result, and reading those carries from
        it (``last_state``) raises StateError; pass a progress callback, or ``init`` and run the
        State, to keep them.
        """
        if isinstance(graph, State):
            if params or tol is not None:
                raise ParameterError("parameters are bound at init; a State continues with its own")
            return self._continue(graph, max_iter, progress, raise_on_failure)
        if tol is not None:
            if "tol" not in self.params:
                raise ParameterError(f"program {self.name} has no 'tol' parameter")
            params["tol"] = tol
        if not isinstance(graph, Graph):
            raise ParameterError(f"expected a stepgraph.Graph, got {type(graph).__name__}")
        limit, guarded = self._limit(max_iter, graph)
        if progress is not None and not callable(progress):
            raise ParameterError(f"progress must be a callable progress(iteration, residual), got {progress!r}")
        state = self.init(graph, **params)
        # Without a progress callback no code of the caller's can reach this State during the
        # run, so its last pass may store the outputs over carries nobody reads again
        # (explain() lists them), and the outputs' buffers become the result's arrays.
        final = progress is None
        try:
            state._core.run(int(limit), progress, final)
        except BaseException:
            self._kept = state  # reachable as last_state, so that run(program.last_state) continues it
            raise
        iteration, converged, residuals, stats = state.iteration, state.converged, state.residuals, state.stats
        # Nobody else can reach this State (a progress callback may have kept prog.last_state):
        # its output buffers become the result's arrays, without a copy (one node vector less
        # at the peak). Otherwise the outputs are copied and the State stays usable.
        private = final or sys.getrefcount(state) <= 2  # this frame's name and getrefcount's argument
        outputs = dict(state._core.take_outputs()) if private else self._copy_outputs(state)
        result = Result(
            outputs,
            self.outputs[0],
            iteration,
            converged or not self._core.has_loop,
            residuals,
            graph=graph,
            extra={"stats": stats},
        )
        if (raise_on_failure or guarded) and not result.converged:
            raise self._not_converged(limit, guarded, result, graph.num_nodes)
        return result

    def _copy_outputs(self, state: State) -> Dict[str, Any]:
        """The outputs as arrays of their own (the State's buffers are reused if it goes on)."""
        try:
            return {name: np.array(state[name], copy=True) for name in self.outputs}
        except MemoryError as e:  # numpy's own error type: make it ours, like every other allocation
            raise OutOfMemoryError(
                f"no memory left to copy the outputs of {self.name} ({state.graph.num_nodes} nodes): {e}"
            ) from e

    def _continue(
        self,
        state: State,
        max_iter: Optional[int],
        progress: Optional[Callable[[int, float], Any]],
        raise_on_failure: bool,
    ) -> Result:
        """``run`` on an existing State: iterate it on until converged or ``max_iter`` iterations in all."""
        self._check(state)
        limit, guarded = self._limit(max_iter, state.graph)
        if progress is not None and not callable(progress):
            raise ParameterError(f"progress must be a callable progress(iteration, residual), got {progress!r}")
        state._core.run(int(limit), progress)
        outputs = self._copy_outputs(state)
        result = Result(
            outputs,
            self.outputs[0],
            state.iteration,
            state.converged or not self._core.has_loop,
            state.residuals,
            graph=state.graph,
            extra={"stats": state.stats},
        )
        if (raise_on_failure or guarded) and not result.converged:
            raise self._not_converged(limit, guarded, result, state.graph.num_nodes)
        return result
