"""Graph algorithms written with the public Builder API (the showcase of the DSL).

Each ``*_program(...)`` returns the :class:`stepgraph.Program`; the function of the same
name without ``_program`` runs it on a graph and returns a :class:`stepgraph.Result`.
"""

from stepgraph.algorithms.centrality import (
    eigenvector_centrality,
    eigenvector_centrality_program,
    hits,
    hits_program,
    katz_centrality,
    katz_centrality_program,
)
from stepgraph.algorithms.components import connected_components, connected_components_program
from stepgraph.algorithms.cores import core_number, core_number_program
from stepgraph.algorithms.pagerank import (
    pagerank,
    pagerank_program,
    personalized_pagerank,
    personalized_pagerank_program,
)
from stepgraph.algorithms.traversal import (
    bfs,
    bfs_program,
    degree_centrality,
    degree_centrality_program,
    label_propagation,
    label_propagation_program,
    sssp,
    sssp_program,
)

__all__ = [
    "pagerank",
    "pagerank_program",
    "personalized_pagerank",
    "personalized_pagerank_program",
    "connected_components",
    "connected_components_program",
    "label_propagation",
    "label_propagation_program",
    "bfs",
    "bfs_program",
    "sssp",
    "sssp_program",
    "degree_centrality",
    "degree_centrality_program",
    "hits",
    "hits_program",
    "eigenvector_centrality",
    "eigenvector_centrality_program",
    "katz_centrality",
    "katz_centrality_program",
    "core_number",
    "core_number_program",
]
