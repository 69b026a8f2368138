"""The step programs the backend runs, built once per process and reused for every call.

Most are ``stepgraph.algorithms`` programs as shipped. Written here with the public Builder,
for NetworkX semantics the shipped ones do not cover: degree with NetworkX's count of an
undirected self-loop (2) and in/out-degree centrality, and BFS levels from a start vector
(several sources) in either direction (``"out"``: along reversed edges, for targets and
ancestors).
"""

from __future__ import annotations

from functools import cache

from stepgraph import algorithms
from stepgraph.builder import Builder
from stepgraph.program import Program

__all__ = ["pagerank", "degree", "bfs", "levels", "sssp", "components", "eigenvector", "katz", "hits", "core_number"]


@cache
def pagerank(personalization: bool, dangling: bool, nstart: bool, weighted: bool) -> Program:
    # alpha, tol and max_iter are bound per run: one program per combination of inputs.
    return algorithms.pagerank_program(
        personalization=personalization, dangling=dangling, nstart=nstart, weighted=weighted
    )


@cache
def degree(kind: str, loops: bool) -> Program:
    """degree * (1 / (n - 1)) (NetworkX's arithmetic), degree of ``kind`` "in", "out" or "both"
    (in + out when directed); ``loops``: plus the ``loops`` input (an undirected self-loop
    counts twice in NetworkX and once in the stored adjacency)."""
    if kind == "both" and not loops:
        return algorithms.degree_centrality_program()
    b = Builder(f"{kind}_degree_centrality")
    n = b.num_nodes()
    out_deg = b.out_degree(weighted=False)
    if kind == "in":
        deg = b.in_degree(weighted=False)
    elif kind == "out":
        deg = out_deg
    else:
        deg = b.where(b.directed(), b.in_degree(weighted=False) + out_deg, out_deg)
    if loops:
        deg = deg + b.input("loops")
    b.output("centrality", deg * (1.0 / (n - 1.0)))
    return b.build()


@cache
def bfs() -> Program:
    return algorithms.bfs_program()


@cache
def sssp() -> Program:
    return algorithms.sssp_program()


@cache
def components() -> Program:
    return algorithms.connected_components_program()


@cache
def levels(direction: str) -> Program:
    """Hop counts from the nodes where the ``start`` input is 0 (inf elsewhere): along
    out-edges with ``direction="in"`` (pull from in-neighbors), along in-edges with "out"."""
    b = Builder(f"bfs_levels_{direction}")
    with b.loop(max_iter=None) as loop:
        dist = loop.carry("distance", b.input("start"))
        new = b.minimum(dist, b.neighbor_agg(dist, "min", direction) + 1.0)
        changed = b.count(new != dist)
        loop.update(dist, new)
        loop.until(changed == 0, residual=changed)
    b.output("distance", dist)
    return b.build()


@cache
def eigenvector(nstart: bool, weighted: bool) -> Program:
    # tol and max_iter are bound per run.
    return algorithms.eigenvector_centrality_program(nstart=nstart, weighted=weighted)


@cache
def katz(nstart: bool, beta_vector: bool, normalized: bool, weighted: bool) -> Program:
    return algorithms.katz_centrality_program(
        nstart=nstart, beta_vector=beta_vector, normalized=normalized, weighted=weighted
    )


@cache
def hits(nstart: bool, normalized: bool) -> Program:
    return algorithms.hits_program(nstart=nstart, normalized=normalized)


@cache
def core_number() -> Program:
    return algorithms.core_number_program()
