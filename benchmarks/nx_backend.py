"""NetworkX vs ``backend="stepgraph"`` for every served function.

    python benchmarks/nx_backend.py            # random graphs of 10k, 100k and 1M edges
    python benchmarks/nx_backend.py --quick    # 10k edges only (a smoke run: seconds)

Three timings per function and graph (best of --repeat, one process, modes interleaved):
NetworkX's own, stepgraph including the conversion from the NetworkX graph, and stepgraph on
a cached conversion (NetworkX's ``G.__networkx_cache__``, as repeated calls get it). The
issue's targets are checked on pagerank at the largest size (100k nodes, 1M edges): >= 10x
including conversion, >= 100x cached. Results are checked against NetworkX's on every graph.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

import networkx as nx
import numpy as np


def random_graph(nodes: int, edges: int, directed: bool, seed: int) -> Any:
    """Uniform random edges (duplicates merge, no self-loops: core_number refuses them),
    weights in [1, 10), every node present."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, nodes, edges)
    dst = rng.integers(0, nodes, edges)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = rng.uniform(1.0, 10.0, src.shape[0])
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(nodes))
    G.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), w.tolist()))
    return G


# name -> (directed graph?, call(G, backend)); every call on the graph's node 0 where it needs one.
CASES: Dict[str, Tuple[bool, Callable[[Any, str], Any]]] = {
    "pagerank": (True, lambda G, b: nx.pagerank(G, backend=b)),
    # Without weights the conversion skips reading each edge's attribute dict (most of its cost).
    "pagerank[weight=None]": (True, lambda G, b: nx.pagerank(G, weight=None, backend=b)),
    "degree_centrality": (False, lambda G, b: nx.degree_centrality(G, backend=b)),
    "in_degree_centrality": (True, lambda G, b: nx.in_degree_centrality(G, backend=b)),
    "out_degree_centrality": (True, lambda G, b: nx.out_degree_centrality(G, backend=b)),
    "connected_components": (False, lambda G, b: list(nx.connected_components(G, backend=b))),
    "number_connected_components": (False, lambda G, b: nx.number_connected_components(G, backend=b)),
    "is_connected": (False, lambda G, b: nx.is_connected(G, backend=b)),
    "node_connected_component": (False, lambda G, b: nx.node_connected_component(G, 0, backend=b)),
    "weakly_connected_components": (True, lambda G, b: list(nx.weakly_connected_components(G, backend=b))),
    "number_weakly_connected_components": (True, lambda G, b: nx.number_weakly_connected_components(G, backend=b)),
    "is_weakly_connected": (True, lambda G, b: nx.is_weakly_connected(G, backend=b)),
    "single_source_shortest_path_length": (True, lambda G, b: nx.single_source_shortest_path_length(G, 0, backend=b)),
    "single_target_shortest_path_length": (True, lambda G, b: nx.single_target_shortest_path_length(G, 0, backend=b)),
    "bfs_layers": (True, lambda G, b: list(nx.bfs_layers(G, 0, backend=b))),
    "descendants": (True, lambda G, b: nx.descendants(G, 0, backend=b)),
    "ancestors": (True, lambda G, b: nx.ancestors(G, 0, backend=b)),
    "descendants_at_distance": (True, lambda G, b: nx.descendants_at_distance(G, 0, 3, backend=b)),
    "single_source_dijkstra_path_length": (True, lambda G, b: nx.single_source_dijkstra_path_length(G, 0, backend=b)),
    "has_path": (True, lambda G, b: nx.has_path(G, 0, len(G) - 1, backend=b)),
    "is_strongly_connected": (True, lambda G, b: nx.is_strongly_connected(G, backend=b)),
    "eigenvector_centrality": (True, lambda G, b: nx.eigenvector_centrality(G, backend=b)),
    "katz_centrality": (True, lambda G, b: nx.katz_centrality(G, alpha=0.01, backend=b)),  # alpha < 1 / lambda_max
    "hits": (True, lambda G, b: nx.hits(G, max_iter=1000, backend=b)),
    "core_number": (False, lambda G, b: nx.core_number(G, backend=b)),
}
FLOATS = {
    "pagerank": 1e-10,
    "pagerank[weight=None]": 1e-10,
    "eigenvector_centrality": 1e-9,
    "katz_centrality": 1e-9,
}  # rounding only
HITS_ABS = 1e-7  # power iteration vs ARPACK: within NetworkX's tol (1e-8) per entry, summed


def timed(fn: Callable[[], Any]) -> Tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def same(name: str, ours: Any, theirs: Any) -> bool:
    if name in FLOATS:
        rel = FLOATS[name]
        return ours.keys() == theirs.keys() and all(abs(ours[k] - theirs[k]) <= rel * abs(theirs[k]) for k in theirs)
    if name == "hits":
        return all(abs(o[k] - t[k]) <= HITS_ABS for o, t in zip(ours, theirs) for k in t)
    return bool(ours == theirs)


def measure(G: Any, name: str, call: Callable[[Any, str], Any], repeat: int) -> Dict[str, float]:
    best = {"networkx": float("inf"), "convert": float("inf"), "cached": float("inf")}
    for _ in range(repeat):
        t, theirs = timed(lambda: call(G, "networkx"))
        best["networkx"] = min(best["networkx"], t)
        G.__networkx_cache__.clear()
        t, ours = timed(lambda: call(G, "stepgraph"))  # converts (and fills the cache)
        best["convert"] = min(best["convert"], t)
        t, ours_cached = timed(lambda: call(G, "stepgraph"))
        best["cached"] = min(best["cached"], t)
        if not (same(name, ours, theirs) and same(name, ours_cached, theirs)):
            raise SystemExit(f"{name}: stepgraph's result differs from NetworkX's")
    return best


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10k edges only")
    ap.add_argument("--repeat", type=int, default=None, help="timings per mode (best kept); default 3, 1 at 1M edges")
    ap.add_argument("--only", default=None, help="comma-separated function names")
    ap.add_argument("--json", default=None, help="write the table here as JSON")
    args = ap.parse_args(argv)
    sizes = [(1_000, 10_000)] if args.quick else [(1_000, 10_000), (10_000, 100_000), (100_000, 1_000_000)]
    names = args.only.split(",") if args.only else list(CASES)
    nx.config.warnings_to_ignore.add("cache")
    nx.config.cache_converted_graphs = True
    for name in names:  # build and compile each program once, outside the timings
        directed, call = CASES[name]
        call(random_graph(50, 200, directed, 0), "stepgraph")
    rows = []
    print(
        f"{'function':36} {'nodes':>8} {'edges':>9} {'networkx s':>11} {'sg+convert s':>13} {'sg cached s':>12} {'x conv':>8} {'x cached':>9}"
    )
    for nodes, edges in sizes:
        graphs = {d: random_graph(nodes, edges, d, 1) for d in (True, False)}
        repeat = args.repeat or (1 if edges >= 1_000_000 else 3)
        for name in names:
            directed, call = CASES[name]
            G = graphs[directed]
            t = measure(G, name, call, repeat)
            row = {"function": name, "nodes": nodes, "edges": G.number_of_edges(), **t}
            row["speedup_convert"] = t["networkx"] / t["convert"]
            row["speedup_cached"] = t["networkx"] / t["cached"]
            rows.append(row)
            print(
                f"{name:36} {nodes:>8} {row['edges']:>9} {t['networkx']:>11.4f} {t['convert']:>13.4f} {t['cached']:>12.5f}"
                f" {row['speedup_convert']:>7.1f}x {row['speedup_cached']:>8.1f}x",
                flush=True,
            )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    top = max(n for n, _ in sizes)
    for r in rows:
        if r["function"] == "pagerank[weight=None]" and r["nodes"] == top:
            print(
                f"\npagerank(weight=None): {r['speedup_convert']:.1f}x including conversion, {r['speedup_cached']:.1f}x cached"
            )
    target = [r for r in rows if r["function"] == "pagerank" and r["nodes"] == top]
    if target:
        r = target[0]
        conv_ok, cached_ok = r["speedup_convert"] >= 10, r["speedup_cached"] >= 100
        print(
            f"\nverdict: pagerank on {r['nodes']} nodes / {r['edges']} edges: {r['speedup_convert']:.1f}x including"
            f" conversion (target 10x: {'met' if conv_ok else 'NOT met'}), {r['speedup_cached']:.1f}x cached"
            f" (target 100x: {'met' if cached_ok else 'NOT met'})"
            + ("" if r["nodes"] >= 100_000 else " [the targets are for 100k nodes / 1M edges; run without --quick]")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
