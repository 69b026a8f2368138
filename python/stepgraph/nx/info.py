"""The backend's info (``networkx.backend_info``), kept in the light top-level ``_stepgraph_nx``."""

from _stepgraph_nx import FUNCTIONS, get_info

__all__ = ["FUNCTIONS", "get_info"]
