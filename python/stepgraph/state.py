"""State: one run of a Program over one graph, its native buffers and progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict

import numpy as np

from stepgraph.errors import StateError
from stepgraph.graph import Graph

if TYPE_CHECKING:
    from stepgraph.program import Program

__all__ = ["State"]


class State:
    """Named native buffers of one program run over one graph.

    ``state[name]`` is a read-only zero-copy numpy view of an output or carried value (valid
    until the next apply; copy it to keep or change it); ``iteration``, ``converged``, ``residual`` and ``stats`` report progress.
    A State is used by one thread at a time: applying or reading it while another thread is
    applying it raises :class:`StateError` (the State itself stays intact).
    """

    __slots__ = ("_core", "program", "graph", "__weakref__")

    def __init__(self, core: Any, program: Program, graph: Graph) -> None:
        self._core = core
        self.program = program
        self.graph = graph

    def __getitem__(self, name: str) -> Any:
        return self._core.get(name)

    @property
    def iteration(self) -> int:
        return int(self._core.iteration)

    @property
    def converged(self) -> bool:
        return bool(self._core.converged)

    @property
    def residual(self) -> float:
        return float(self._core.residual)

    @property
    def residuals(self) -> np.ndarray:
        return np.asarray(self._core.residuals, dtype=np.float64)

    @property
    def next_step(self) -> int:
        """The loop step ``apply_step`` runs next (0 between iterations)."""
        return int(self._core.next_step)

    @property
    def half_done(self) -> bool:
        """Whether an iteration is partly done: stopped between ``apply_step`` calls, or
        interrupted (Ctrl-C) after its pass began storing a carry over itself (in place).
        ``iteration`` counts completed iterations only; the next ``apply_batch`` / ``run`` (or
        ``apply_step``) continues the partial one, and a carry stored in place cannot be read
        until then (StateError)."""
        return bool(self._core.half_done)

    @property
    def stats(self) -> Dict[str, Any]:
        return dict(self._core.stats)

    def __repr__(self) -> str:
        try:
            return (
                f"State({self.program.name}, iteration={self.iteration}, converged={self.converged}, "
                f"residual={self.residual:.3g})"
            )
        except StateError:  # another thread is running it: its fields cannot be read now
            return f"State({self.program.name}, running in another thread)"
