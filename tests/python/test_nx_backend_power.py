"""The NetworkX backend's eigenvector, Katz and HITS centrality and core numbers: dispatch runs
the builder programs, results equal NetworkX's, bad inputs give NetworkX's exceptions."""

from __future__ import annotations

import random
from typing import Any, List

import pytest

nx = pytest.importorskip("networkx")
pytest.importorskip("scipy")  # NetworkX's hits

from nx_dispatch import both  # noqa: E402

# program_runs and no_cache_warning: conftest.py.
pytestmark = pytest.mark.usefixtures("no_cache_warning")


def graph(directed: bool, seed: int, labels: bool = False, loops: bool = False) -> Any:
    """Sparse gnp (Katz with alpha 0.1 converges) with int weights, isolated nodes."""
    rng = random.Random(seed)
    G = nx.gnp_random_graph(80, 0.03, seed=seed, directed=directed)
    for u, v in G.edges:
        G[u][v]["weight"] = rng.randint(1, 4)
    if loops:
        G.add_edge(3, 3, weight=2)
    G.add_nodes_from(range(80, 83))
    return nx.relabel_nodes(G, {u: f"v{u}" for u in G}) if labels else G


CASES = [(False, 1, False), (True, 2, False), (False, 3, True), (True, 4, True)]


@pytest.mark.parametrize("directed,seed,labels", CASES)
def test_eigenvector_and_katz(directed: bool, seed: int, labels: bool, program_runs: List[str]) -> None:
    G = graph(directed, seed, labels, loops=True)
    nstart = {u: 1 + i % 3 for i, u in enumerate(G)}
    for name, kwargs in (
        ("eigenvector_centrality", {"max_iter": 1000}),
        ("eigenvector_centrality", {"max_iter": 1000, "weight": "weight", "nstart": nstart}),
        ("katz_centrality", {}),
        ("katz_centrality", {"weight": "weight", "alpha": 0.05, "normalized": False}),
        ("katz_centrality", {"beta": {u: 1 + i % 2 for i, u in enumerate(G)}, "nstart": nstart}),
    ):
        ours, theirs = both(name, G, **kwargs)
        # The same iteration (A^T x over dicts there, over CSR here): rounding only.
        assert ours.keys() == theirs.keys()
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-13), (name, kwargs)
    assert program_runs == ["eigenvector_centrality"] * 2 + ["katz_centrality"] * 3


@pytest.mark.parametrize("directed,seed,labels", CASES)
def test_hits(directed: bool, seed: int, labels: bool, program_runs: List[str]) -> None:
    G = graph(directed, seed, labels)
    G.remove_nodes_from([u for u in G if G.degree(u) == 0])
    G = G.subgraph(max(nx.weakly_connected_components(G) if directed else nx.connected_components(G), key=len))
    (hubs, auth), (nx_hubs, nx_auth) = both("hits", G, max_iter=10000)
    # Power iteration here, ARPACK there: the same vectors to within NetworkX's tol (1e-8).
    assert hubs == pytest.approx(nx_hubs, abs=1e-7) and auth == pytest.approx(nx_auth, abs=1e-7)
    assert program_runs == ["hits"]


@pytest.mark.parametrize("directed,seed,labels", CASES)
def test_core_number(directed: bool, seed: int, labels: bool, program_runs: List[str]) -> None:
    G = graph(directed, seed, labels)
    ours, theirs = both("core_number", G)
    assert list(ours.items()) == list(theirs.items())
    assert all(type(c) is int for c in ours.values())
    assert program_runs == ["core_number"]


def test_exceptions() -> None:
    G = graph(False, 5, loops=True)
    with pytest.raises(nx.NetworkXNotImplemented, match="self loops"):
        nx.core_number(G, backend="stepgraph")
    with pytest.raises(nx.NetworkXNotImplemented):
        nx.core_number(nx.MultiGraph([(0, 1)]), backend="stepgraph")
    with pytest.raises(nx.NetworkXPointlessConcept):
        nx.eigenvector_centrality(nx.Graph(), backend="stepgraph")
    with pytest.raises(nx.NetworkXError, match="all zero"):
        nx.eigenvector_centrality(nx.path_graph(3), nstart={0: 0, 1: 0, 2: 0}, backend="stepgraph")
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.eigenvector_centrality(nx.path_graph(30), max_iter=2, backend="stepgraph")
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.katz_centrality(nx.complete_graph(30), alpha=0.5, backend="stepgraph")
    with pytest.raises(nx.NetworkXError, match="beta dictionary"):
        nx.katz_centrality(nx.path_graph(3), beta={0: 1.0}, backend="stepgraph")
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.hits(nx.path_graph(3), max_iter=0, backend="stepgraph")
    assert nx.katz_centrality(nx.Graph(), backend="stepgraph") == {}
    assert nx.hits(nx.DiGraph(), backend="stepgraph") == ({}, {})
    assert nx.core_number(nx.Graph(), backend="stepgraph") == {}
