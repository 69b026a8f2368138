"""Calling a NetworkX function through both backends, for the NetworkX backend's tests."""

from __future__ import annotations

from typing import Any, Tuple

import networkx as nx


def both(name: str, G: Any, *args: Any, **kwargs: Any) -> Tuple[Any, Any]:
    """``nx.<name>`` with ``backend="stepgraph"``, then with ``backend="networkx"``."""
    func = getattr(nx, name)
    return func(G, *args, backend="stepgraph", **kwargs), func(G, *args, backend="networkx", **kwargs)
