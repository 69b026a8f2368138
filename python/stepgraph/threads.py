"""Process-wide worker thread limit (TBB global control)."""

from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np

from stepgraph import _core
from stepgraph.errors import ParameterError

_current = 0


def set_num_threads(n: int) -> None:
    """Limit native worker threads for the whole process; 0 means all hardware threads."""
    global _current
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise ParameterError(f"num_threads must be an integer, got {n!r}")
    if n > 2**31 - 1:
        raise ParameterError(f"num_threads must be at most 2**31 - 1, got {n}")
    _core.set_num_threads(int(n))
    _current = int(n)


def get_num_threads() -> int:
    """The number of worker threads native kernels may use."""
    return int(_core.get_num_threads())


@contextlib.contextmanager
def num_threads(n: int) -> Iterator[None]:
    """Run a block with at most ``n`` native worker threads, then restore the previous limit."""
    previous = _current
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(previous)
