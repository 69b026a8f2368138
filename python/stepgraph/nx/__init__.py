"""stepgraph as a NetworkX backend: ``nx.pagerank(G, backend="stepgraph")``.

NetworkX finds it through the entry points ``networkx.backends`` (``stepgraph.nx.interface:
BackendInterface``, imported when a function is first dispatched) and ``networkx.backend_info``
(``_stepgraph_nx:get_info``: a package of its own, since NetworkX reads it on every import).
"""
