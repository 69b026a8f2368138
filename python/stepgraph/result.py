"""Result: what an algorithm returns: values, and for iterative ones iterations and residuals."""

from __future__ import annotations

from typing import Any, Dict, Hashable, Iterator, List, Optional, Tuple

import numpy as np

from stepgraph.errors import ConvergenceError

__all__ = ["Result", "check_converged"]


class Result:
    """Named output arrays plus convergence information.

    ``values`` is the main output; ``result[name]`` any named output (builder programs
    may have several). ``iterations``, ``converged`` and ``residuals`` (one per
    iteration) are set for iterative algorithms.
    """

    def __init__(
        self,
        outputs: Dict[str, np.ndarray],
        main: str,
        iterations: int = 0,
        converged: bool = True,
        residuals: Optional[np.ndarray] = None,
        graph: Any = None,
        extra: Optional[Dict[str, Any]] = None,
    ) -> None:
        self._outputs = dict(outputs)
        self._main = main
        self.iterations = int(iterations)
        self.converged = bool(converged)
        self.residuals = np.asarray(residuals if residuals is not None else [], dtype=np.float64)
        self._graph = graph
        self.extra: Dict[str, Any] = dict(extra or {})

    @property
    def values(self) -> np.ndarray:
        return self._outputs[self._main]

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._outputs[name]
        except KeyError:
            raise KeyError(f"no output named {name!r}; outputs are {sorted(self._outputs)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._outputs)

    def __len__(self) -> int:
        return len(self._outputs)

    def __contains__(self, name: object) -> bool:
        return name in self._outputs

    def keys(self) -> List[str]:
        return list(self._outputs)

    def items(self) -> List[Tuple[str, np.ndarray]]:
        return list(self._outputs.items())

    def to_dict(self, name: Optional[str] = None) -> Dict[Hashable, Any]:
        """``{node label: value}`` for the main output (or ``name``), using the graph's labels."""
        if self._graph is None:
            raise ValueError("this result is not tied to a graph")
        return self._graph.to_dict(self[name] if name else self.values)

    def __repr__(self) -> str:
        outs = ", ".join(f"{k}: {v.dtype}[{', '.join(map(str, v.shape))}]" for k, v in self._outputs.items())
        it = f", iterations={self.iterations}, converged={self.converged}" if self.iterations else ""
        return f"Result({outs}{it})"


def check_converged(res: Result, name: str, max_iter: int, raise_on_failure: bool = True) -> Result:
    """``res``, or (``raise_on_failure`` and not converged) :class:`ConvergenceError` holding it."""
    if raise_on_failure and not res.converged:
        raise ConvergenceError(f"{name} did not converge within max_iter = {max_iter} iterations", res)
    return res
