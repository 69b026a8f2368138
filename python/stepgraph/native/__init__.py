"""The hand-written native twins: ``stepgraph.native.pagerank`` and friends.

Each returns a :class:`stepgraph.Result`; they are the yardstick the builder
algorithms (``stepgraph.algorithms``) are compared against.
"""

from stepgraph.native._centrality import core_number, eigenvector_centrality, hits, katz_centrality
from stepgraph.native._pagerank import pagerank, personalized_pagerank
from stepgraph.native._traversal import bfs, connected_components, degree_centrality, label_propagation, sssp

__all__ = [
    "pagerank",
    "personalized_pagerank",
    "connected_components",
    "label_propagation",
    "bfs",
    "sssp",
    "degree_centrality",
    "hits",
    "eigenvector_centrality",
    "katz_centrality",
    "core_number",
]
