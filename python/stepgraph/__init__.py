"""stepgraph: graph algorithms as step programs, recorded once, fused, and run natively."""

from __future__ import annotations

from stepgraph import _core
from stepgraph.errors import (
    CompileError,
    ConvergenceError,
    FormatError,
    GraphError,
    OutOfMemoryError,
    ParameterError,
    ProgramError,
    StateError,
    StepgraphError,
    _register,
)

_register()

from stepgraph import generators, native  # noqa: E402
from stepgraph.graph import Graph  # noqa: E402
from stepgraph.io import read_graph  # noqa: E402
from stepgraph.result import Result  # noqa: E402
from stepgraph.threads import get_num_threads, num_threads, set_num_threads  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Graph",
    "Result",
    "read_graph",
    "generators",
    "native",
    "set_num_threads",
    "get_num_threads",
    "num_threads",
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

from stepgraph import algorithms  # noqa: E402
from stepgraph.builder import Builder, Loop, Value  # noqa: E402
from stepgraph.program import Program, State  # noqa: E402

__all__ += ["Builder", "Loop", "Value", "Program", "State", "algorithms"]
