"""Graph algorithms written with the public Builder API (the showcase of the DSL)."""

from stepgraph.algorithms.pagerank import pagerank, pagerank_program

__all__ = ["pagerank", "pagerank_program"]
