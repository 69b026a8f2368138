"""The hand-written native twins: ``stepgraph.native.pagerank`` and friends.

Each returns a :class:`stepgraph.Result`; they are the yardstick the builder
algorithms (``stepgraph.algorithms``) are compared against.
"""

from stepgraph.native._pagerank import pagerank, personalized_pagerank

__all__ = ["pagerank", "personalized_pagerank"]
