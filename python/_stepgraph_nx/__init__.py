"""``networkx.backend_info`` for stepgraph's NetworkX backend (``stepgraph.nx``).

NetworkX reads every installed backend's info while it is itself imported, so this lives in a
top-level package of its own: importing it must not import ``stepgraph`` (its native core and
programs) nor NetworkX."""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["FUNCTIONS", "get_info"]

_CC = "Runs ``stepgraph.algorithms.connected_components_program`` (Afforest: union-find links, the giant component skipped)."
_BFS = "Runs ``stepgraph.algorithms.bfs_program`` (a frontier BFS)."
_LEVELS = "Runs a BFS-levels step program over reversed edges (``stepgraph.nx.programs.levels``)."
_DEGREE = "Runs a degree step program (``stepgraph.nx.programs.degree``)."

# name -> the documentation NetworkX appends to the function's docstring.
FUNCTIONS: Dict[str, str] = {
    "pagerank": (
        "Runs ``stepgraph.algorithms.pagerank_program`` (NetworkX's power iteration and its\n"
        "convergence test ``err < N * tol``). Declines negative weights and negative\n"
        "personalization, nstart or dangling values."
    ),
    "degree_centrality": (
        "Runs ``stepgraph.algorithms.degree_centrality_program``; with undirected self-loops\n"
        "(2 each in NetworkX's degree) a degree step program (``stepgraph.nx.programs.degree``)."
    ),
    "in_degree_centrality": _DEGREE,
    "out_degree_centrality": _DEGREE,
    "connected_components": _CC,
    "number_connected_components": _CC,
    "is_connected": _CC,
    "node_connected_component": _BFS,
    "weakly_connected_components": _CC,
    "number_weakly_connected_components": _CC,
    "is_weakly_connected": _CC,
    "single_source_shortest_path_length": _BFS,
    "single_target_shortest_path_length": "Undirected graphs: " + _BFS + " Directed: " + _LEVELS,
    "bfs_layers": "Runs a multi-source BFS-levels step program; layers ordered as NetworkX discovers them.",
    "descendants": _BFS,
    "ancestors": _LEVELS,
    "descendants_at_distance": _BFS,
    "single_source_dijkstra_path_length": (
        "Runs ``stepgraph.algorithms.sssp_program`` (delta-stepping over a frontier).\n"
        "Declines a callable weight and negative weights."
    ),
    "has_path": _BFS,
    "is_strongly_connected": (
        "Runs ``stepgraph.algorithms.bfs_program`` from the first node and a BFS-levels step\n"
        "program to it over reversed edges (``stepgraph.nx.programs.levels``)."
    ),
    "eigenvector_centrality": (
        "Runs ``stepgraph.algorithms.eigenvector_centrality_program`` (NetworkX's power\n"
        "iteration on A^T + I and its test ``err < N * tol``)."
    ),
    "katz_centrality": "Runs ``stepgraph.algorithms.katz_centrality_program`` (NetworkX's iteration and test).",
    "hits": (
        "Runs ``stepgraph.algorithms.hits_program``: power iteration on A^T A, where NetworkX\n"
        "asks ARPACK for the singular vectors; equal to within ``tol``, not bitwise. When the\n"
        "power iteration needs more than ``max_iter`` iterations it declines (NotImplementedError)."
    ),
    "core_number": "Runs ``stepgraph.algorithms.core_number_program`` (the h-index fixed point).",
}
# Joining when column blocks land: betweenness_centrality.

_PARAMETERS: Dict[str, Dict[str, str]] = {}


def get_info() -> Dict[str, Any]:
    """What NetworkX shows about this backend (``nx.utils.backends.backend_info["stepgraph"]``)."""
    return {
        "backend_name": "stepgraph",
        "project": "stepgraph",
        "package": "stepgraph",
        "short_summary": "Graph algorithms as optimized step programs, run natively over CSR graphs.",
        "default_config": {},
        "functions": {
            name: {"additional_docs": docs, "additional_parameters": _PARAMETERS.get(name, {})}
            for name, docs in FUNCTIONS.items()
        },
    }
