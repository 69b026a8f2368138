"""The NetworkX backend: dispatch reaches stepgraph's programs, and answers equal NetworkX's.

Every served function is called through NetworkX with ``backend="stepgraph"`` (which never
falls back silently: a decline raises NotImplementedError) while ``Program.run`` is counted,
and compared with ``backend="networkx"`` on random graphs: directed and undirected,
self-loops, parallel edges, isolated nodes, the empty graph, string labels, weights.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Dict, List

import pytest

nx = pytest.importorskip("networkx")

from nx_dispatch import both  # noqa: E402
from stepgraph.nx import info, interface  # noqa: E402
from stepgraph.nx.graph import NxGraph, convert_from_nx, convert_to_nx  # noqa: E402

# program_runs and no_cache_warning: conftest.py.
pytestmark = [
    pytest.mark.usefixtures("no_cache_warning"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # NetworkX's own NaN pagerank
]


def random_graph(n: int, p: float, directed: bool, seed: int, *, labels: bool = False, multi: bool = False) -> Any:
    """gnp plus self-loops and isolated nodes, int weights on most edges (some left at the default)."""
    rng = random.Random(seed)
    base = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    G = (nx.MultiDiGraph() if directed else nx.MultiGraph()) if multi else base.__class__()
    G.add_nodes_from(rng.sample(list(base.nodes), n))  # node order differs from the ids
    for u, v in base.edges:
        if rng.random() < 0.9:
            G.add_edge(u, v, weight=rng.randint(1, 9))
        else:
            G.add_edge(u, v)
    for u in rng.sample(range(n), max(1, n // 10)):
        G.add_edge(u, u, weight=rng.randint(1, 9))
    if multi:
        for u, v in list(base.edges)[: max(1, len(base.edges) // 5)]:
            G.add_edge(u, v, weight=rng.randint(1, 9))
    G.add_nodes_from(range(n, n + 3))  # isolated
    if labels:
        G = nx.relabel_nodes(G, {u: f"n{u}" for u in G})
    return G


GRAPHS: Dict[str, Callable[[], Any]] = {
    "undirected": lambda: random_graph(60, 0.05, False, 1),
    "directed": lambda: random_graph(60, 0.04, True, 2),
    "undirected-labels": lambda: random_graph(50, 0.06, False, 3, labels=True),
    "directed-labels": lambda: random_graph(50, 0.05, True, 4, labels=True),
    "multi": lambda: random_graph(40, 0.08, False, 5, multi=True),
    "multidi": lambda: random_graph(40, 0.08, True, 6, multi=True),
}


def first_node(G: Any) -> Any:
    return next(iter(G))


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_pagerank_equals_networkx(kind: str, program_runs: List[str]) -> None:
    G = GRAPHS[kind]()
    nodes = list(G)
    personalization = {u: i % 3 for i, u in enumerate(nodes)}
    dangling = {u: 1 + i % 2 for i, u in enumerate(nodes)}
    nstart = {u: 1.0 + i for i, u in enumerate(nodes)}
    for kwargs in (
        {},
        {"weight": None},
        {"alpha": 0.5, "tol": 1e-10},
        {"personalization": personalization},
        {"personalization": personalization, "dangling": dangling, "nstart": nstart},
    ):
        ours, theirs = both("pagerank", G, **kwargs)
        # The same power iteration in another summation order: rounding only (observed ~1e-16).
        assert list(ours) == list(theirs)
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-15)
        assert all(type(x) is float for x in ours.values())
    assert program_runs == ["pagerank"] * 5


def test_pagerank_exceptions(program_runs: List[str]) -> None:
    G = random_graph(30, 0.1, True, 7)
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.pagerank(G, max_iter=2, backend="stepgraph")
    with pytest.raises(nx.PowerIterationFailedConvergence):
        nx.pagerank(G, max_iter=0, backend="stepgraph")
    with pytest.raises(ZeroDivisionError):
        nx.pagerank(G, personalization={"not a node": 1.0}, backend="stepgraph")
    with pytest.raises(nx.PowerIterationFailedConvergence):  # NetworkX: NaN ranks from a zero sum
        nx.pagerank(G, dangling={0: 0.0}, backend="stepgraph")
    assert nx.pagerank(nx.DiGraph(), backend="stepgraph") == {}
    assert program_runs == ["pagerank", "pagerank"]


def test_pagerank_declines_what_it_cannot_serve_exactly() -> None:
    G = nx.DiGraph([(0, 1, {"weight": -1.0}), (1, 2, {"weight": 2.0})])
    with pytest.raises(NotImplementedError):
        nx.pagerank(G, backend="stepgraph")
    reason = interface.can_run("pagerank", (G,), {"personalization": {0: -1}})
    assert isinstance(reason, str) and "personalization" in reason
    assert isinstance(interface.can_run("pagerank", (G,), {"alpha": 1.0}), str)
    H = nx.DiGraph([(0, 1, {"weight": "heavy"})])
    with pytest.raises(NotImplementedError):
        nx.pagerank(H, backend="stepgraph")


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_degree_centralities(kind: str, program_runs: List[str]) -> None:
    G = GRAPHS[kind]()
    names = ["degree_centrality"] + (["in_degree_centrality", "out_degree_centrality"] if G.is_directed() else [])
    for name in names:
        ours, theirs = both(name, G)
        assert list(ours.items()) == list(theirs.items())  # exact: the same arithmetic
    assert len(program_runs) == len(names)
    assert both("degree_centrality", nx.Graph([(0, 0)])) == ({0: 1}, {0: 1})


def test_degree_centrality_not_implemented_for() -> None:
    with pytest.raises(nx.NetworkXNotImplemented):
        nx.in_degree_centrality(nx.path_graph(3), backend="stepgraph")


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_components(kind: str, program_runs: List[str]) -> None:
    G = GRAPHS[kind]()
    prefix = "weakly_" if G.is_directed() else ""
    ours, theirs = both(f"{prefix}connected_components", G)
    assert not isinstance(ours, (list, set)) and hasattr(ours, "__next__")  # a generator, as NetworkX's
    assert list(ours) == list(theirs)  # the same sets in the same order
    ours_n, theirs_n = both(f"number_{prefix}connected_components", G)
    assert ours_n == theirs_n and type(ours_n) is int
    ours_c, theirs_c = both(f"is_{prefix}connected", G)
    assert ours_c is theirs_c
    if not G.is_directed():
        for u in list(G)[:5]:
            assert nx.node_connected_component(G, u, backend="stepgraph") == nx.node_connected_component(G, u)
    assert program_runs == ["connected_components"] * 3 + ([] if G.is_directed() else ["bfs"] * 5)


def test_components_exceptions() -> None:
    with pytest.raises(nx.NetworkXNotImplemented):
        nx.connected_components(nx.DiGraph([(0, 1)]), backend="stepgraph")
    with pytest.raises(nx.NetworkXNotImplemented):
        nx.weakly_connected_components(nx.Graph([(0, 1)]), backend="stepgraph")
    with pytest.raises(nx.NetworkXPointlessConcept):
        nx.is_connected(nx.Graph(), backend="stepgraph")
    with pytest.raises(nx.NetworkXPointlessConcept):
        nx.is_weakly_connected(nx.DiGraph(), backend="stepgraph")
    with pytest.raises(KeyError):
        nx.node_connected_component(nx.path_graph(3), 7, backend="stepgraph")
    assert list(nx.connected_components(nx.Graph(), backend="stepgraph")) == []
    assert nx.number_connected_components(nx.Graph(), backend="stepgraph") == 0
    assert nx.is_connected(nx.path_graph(4), backend="stepgraph") is True


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_shortest_path_lengths(kind: str, program_runs: List[str]) -> None:
    G = GRAPHS[kind]()
    for source in list(G)[:4]:
        for cutoff in (None, 0, 1, 2.5, -1, float("inf")):
            for name in ("single_source_shortest_path_length", "single_target_shortest_path_length"):
                ours, theirs = both(name, G, source, cutoff=cutoff)
                assert ours == theirs
                assert all(type(d) is int for d in ours.values())
            for kwargs in ({}, {"weight": None}, {"cutoff": 7}):
                ours, theirs = both("single_source_dijkstra_path_length", G, source, **kwargs)
                assert ours == theirs and list(ours)[0] == source
                assert [type(d) for d in ours.values()] == [type(d) for d in theirs.values()]
    assert len(program_runs) == 4 * 6 * 5


def test_dijkstra_float_weights(program_runs: List[str]) -> None:
    rng = random.Random(9)
    G = nx.gnp_random_graph(80, 0.06, seed=9, directed=True)
    for u, v in G.edges:
        G[u][v]["w"] = rng.random() * 10
    for source in range(0, 80, 9):
        ours, theirs = both("single_source_dijkstra_path_length", G, source, weight="w")
        assert ours == theirs  # the same left-to-right sums: exact
        assert [type(d) for d in ours.values()] == [type(d) for d in theirs.values()]
    assert program_runs == ["sssp"] * 9


def test_path_length_exceptions_and_declines() -> None:
    G = nx.path_graph(4)
    with pytest.raises(nx.NodeNotFound):
        nx.single_source_shortest_path_length(G, 9, backend="stepgraph")
    with pytest.raises(nx.NodeNotFound):
        nx.single_target_shortest_path_length(G, 9, backend="stepgraph")
    with pytest.raises(nx.NodeNotFound):
        nx.single_source_dijkstra_path_length(G, 9, backend="stepgraph")
    with pytest.raises(NotImplementedError):
        nx.single_source_dijkstra_path_length(G, 0, weight=lambda u, v, d: 1, backend="stepgraph")
    H = nx.DiGraph([(0, 1, {"weight": -2})])
    with pytest.raises(NotImplementedError):
        nx.single_source_dijkstra_path_length(H, 0, backend="stepgraph")


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_bfs_layers_descendants_ancestors(kind: str, program_runs: List[str]) -> None:
    G = GRAPHS[kind]()
    nodes = list(G)
    for sources in (nodes[0], nodes[:3], [nodes[5], nodes[5], nodes[9]]):
        ours, theirs = both("bfs_layers", G, sources)
        assert list(ours) == list(theirs)  # the same layers in the same order
    for source in nodes[:6]:
        for name in ("descendants", "ancestors"):
            ours, theirs = both(name, G, source)
            assert ours == theirs
        for d in (0, 1, 2, 5, 2.0, 2.5, -1, float("inf")):
            ours, theirs = both("descendants_at_distance", G, source, d)
            assert ours == theirs
    assert len(program_runs) == 3 + 6 * 2 + 6 * 5  # no program for distances no layer has


def test_traversal_exceptions() -> None:
    G, D = nx.path_graph(3), nx.DiGraph([(0, 1)])
    with pytest.raises(nx.NetworkXError, match="not in the graph"):
        list(nx.bfs_layers(G, [0, 7], backend="stepgraph"))
    with pytest.raises(nx.NetworkXError, match="is not in the graph"):
        nx.descendants(G, 7, backend="stepgraph")
    with pytest.raises(nx.NetworkXError, match="is not in the digraph"):
        nx.ancestors(D, 7, backend="stepgraph")
    with pytest.raises(nx.NetworkXError):
        nx.descendants_at_distance(D, 7, 1, backend="stepgraph")


def test_empty_graph() -> None:
    for G in (nx.Graph(), nx.DiGraph()):
        assert nx.degree_centrality(G, backend="stepgraph") == {}
        assert nx.pagerank(G, backend="stepgraph") == {}
    assert list(nx.weakly_connected_components(nx.DiGraph(), backend="stepgraph")) == []


def test_auto_dispatch_and_cache(monkeypatch: pytest.MonkeyPatch, program_runs: List[str]) -> None:
    """With stepgraph first in backend_priority, NetworkX picks it by itself (graphs above
    should_run's size), and a second call reuses the cached conversion."""
    conversions: List[str] = []

    def counted(G: Any, *args: Any, **kwargs: Any) -> NxGraph:
        conversions.append(kwargs.get("name", ""))
        return convert_from_nx(G, *args, **kwargs)

    monkeypatch.setattr(interface.BackendInterface, "convert_from_nx", staticmethod(counted))
    G = random_graph(200, 0.02, True, 11)
    saved = list(nx.config.backend_priority.algos)
    nx.config.backend_priority.algos = ["stepgraph"]
    try:
        first = nx.pagerank(G)
        second = nx.pagerank(G)
        small = nx.pagerank(nx.path_graph(4, create_using=nx.DiGraph))  # should_run: NetworkX's own
    finally:
        nx.config.backend_priority.algos = saved
    assert first == second
    assert program_runs == ["pagerank", "pagerank"] and conversions == ["pagerank"]
    assert small == pytest.approx(nx.pagerank(nx.path_graph(4, create_using=nx.DiGraph)))
    assert isinstance(interface.should_run("pagerank", (nx.path_graph(4),), {}), str)
    assert interface.should_run("pagerank", (G,), {}) is True
    assert isinstance(interface.should_run("has_path", (G, 0, 1), {}), str)


def test_conversion_round_trip() -> None:
    for kind, make in GRAPHS.items():
        G = make()
        g = convert_from_nx(G, edge_attrs={"weight": 1})
        assert list(g) == list(G) and len(g) == len(G) and g.is_directed() == G.is_directed()
        H = convert_to_nx(g)
        assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == G.number_of_edges(), kind
        want = sorted(sorted(map(str, e[:2])) + [str(e[2])] for e in G.edges(data="weight", default=1))
        got = sorted(sorted(map(str, e[:2])) + [str(e[2])] for e in H.edges(data="weight"))
        if G.is_directed():
            want = sorted([str(u), str(v), str(w)] for u, v, w in G.edges(data="weight", default=1))
            got = sorted([str(u), str(v), str(w)] for u, v, w in H.edges(data="weight"))
        assert got == want, kind
    assert convert_to_nx({"a": 1}) == {"a": 1}


def test_backend_info_lists_exactly_the_served_functions() -> None:
    data = info.get_info()
    assert set(data["functions"]) == set(interface.IMPLEMENTATIONS)
    for name in data["functions"]:
        func = getattr(nx, name)
        assert "stepgraph" in func.backends, name
        assert callable(getattr(interface.BackendInterface, name))
    assert "stepgraph" in nx.utils.backends.backend_info


def test_graph_views(program_runs: List[str]) -> None:
    """Subgraph and reverse views hold mapping views, not dicts: converted all the same."""
    G = random_graph(60, 0.05, True, 12, multi=True)
    for view in (
        G.subgraph(list(G)[:40]),
        G.reverse(copy=False),
        nx.subgraph_view(G, filter_edge=lambda u, v, k: k == 0),
    ):
        ours, theirs = both("pagerank", view)
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-15)
        ours, theirs = both("weakly_connected_components", view)
        assert list(ours) == list(theirs)
    assert program_runs == ["pagerank", "connected_components"] * 3


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_has_path_and_strong_connectivity(kind: str, program_runs: List[str]) -> None:
    G = GRAPHS[kind]()
    nodes = list(G)
    for u, v in zip(nodes[:8], nodes[-8:]):
        ours, theirs = both("has_path", G, u, v)
        assert ours is theirs
    expected = ["bfs"] * 8
    if G.is_directed():
        for H in (G, nx.DiGraph([(0, 1), (1, 2), (2, 0), (2, 2)])):
            ours, theirs = both("is_strongly_connected", H)
            assert ours is theirs
        assert both("is_strongly_connected", nx.DiGraph([(0, 1), (1, 0)])) == (True, True)
        # G (isolated nodes) fails the forward BFS: no backward one; the cycles need both.
        expected += ["bfs"] + ["bfs", "bfs_levels_out"] * 2
    assert program_runs == expected
    with pytest.raises(nx.NodeNotFound, match="Source"):
        nx.has_path(G, "missing", nodes[0], backend="stepgraph")
    with pytest.raises(nx.NodeNotFound, match="Target"):
        nx.has_path(G, nodes[0], "missing", backend="stepgraph")
    with pytest.raises(nx.NetworkXPointlessConcept):
        nx.is_strongly_connected(nx.DiGraph(), backend="stepgraph")
