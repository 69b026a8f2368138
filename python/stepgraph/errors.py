"""The stepgraph exception hierarchy: every error names the problem and is typed."""

from __future__ import annotations

__all__ = [
    "StepgraphError",
    "GraphError",
    "FormatError",
    "ParameterError",
    "ConvergenceError",
    "ProgramError",
    "StateError",
    "OutOfMemoryError",
    "CompileError",
]


class StepgraphError(Exception):
    """Base class of every error stepgraph raises on purpose."""


class GraphError(StepgraphError, ValueError):
    """Invalid graph input: node ids, lengths, dtypes, weights."""


class FormatError(GraphError):
    """A malformed graph file; ``line`` is the 1-based line number (0 if not tied to a line)."""

    line: int = 0


class ParameterError(StepgraphError, ValueError):
    """An invalid algorithm or program parameter (alpha, personalization, source, ...)."""


class ConvergenceError(StepgraphError, RuntimeError):
    """An iterative algorithm did not converge within max_iter; ``result`` holds the last iterate."""

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class ProgramError(StepgraphError, TypeError):
    """An invalid builder program: kinds, dtypes, names, structure."""


class StateError(StepgraphError, RuntimeError):
    """A State used with the wrong program or graph, or concurrently."""


class OutOfMemoryError(StepgraphError, MemoryError):
    """A graph or state that would not fit in the memory available."""


class CompileError(StepgraphError, RuntimeError):
    """A row kernel (``enable=("compiled",)``) could not be built: no C++ compiler, or it failed."""


def _register() -> None:
    from stepgraph import _core

    _core._set_error_types(
        {
            "graph": GraphError,
            "format": FormatError,
            "parameter": ParameterError,
            "convergence": ConvergenceError,
            "program": ProgramError,
            "state": StateError,
            "memory": OutOfMemoryError,
        }
    )
