#!/usr/bin/env python3
"""Builder algorithms vs their native twins: BFS, SSSP, components, label propagation (issue #22).

Graphs (seed 1, weights uniform in (0, 1], used by SSSP and ignored by the others):
uniform(200k,2M) (directed), rmat(18) and rmat(20) (undirected, edge factor 16),
grid(1000) and grid(1000)-perm (the same grid with its node ids randomly permuted: no
locality). BFS / SSSP start at node 0 (its image under the permutation for -perm graphs), or
the smallest node with out-edges when node 0 has none.

Per case (algorithm x graph): one untimed run of each side (results compared: integer
results identical, distances bitwise; peak RSS and native buffer allocations measured there),
then trials interleaved in a rotating order: builder, twin, twin again (the A/A pair is the
noise floor). A case stops its trials once it has spent --budget seconds (printed).

    python3 benchmarks/algorithms.py                        # full run (~10 min on 2 cores)
    python3 benchmarks/algorithms.py --quick                # tiny graphs, seconds (CI)
    python3 benchmarks/algorithms.py --graphs 'rmat(18),grid(1000)-perm' --algorithms bfs,sssp

Writes OUT/algorithms.json and OUT/algorithms.md (OUT: --out, default build/bench-algorithms).
Exit codes: 0 ok; 1 a case raised (the others still run and are written); 2 a builder result
differs from its twin (any run, --quick included); 3 a verdict failed (full runs only;
--no-verdict-exit turns it off).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import re
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import stepgraph as sg  # noqa: E402
from ladder import _core_build, _cpu, _git_rev, _load  # noqa: E402
from sgbench.metrics import _malloc_trim, _reset_peak, _status_kb  # noqa: E402

TARGET = 1.25  # builder / twin, median ms (issue #22)
RSS_TARGET = 1.10  # builder peak RSS / twin on rmat(20)
FULL = ["uniform(200k,2M)", "rmat(18)", "rmat(20)", "grid(1000)", "grid(1000)-perm"]
QUICK = ["uniform(2k,20k)", "rmat(10)", "grid(30)", "grid(30)-perm"]
ALGORITHMS = ["bfs", "sssp", "cc", "lp"]
LP_MAX_ITER = 100


def _count(s: str) -> int:
    m = re.fullmatch(r"(\d+)([kM]?)", s.strip())
    if not m:
        raise SystemExit(f"bad count {s!r} (e.g. 200k, 2M)")
    return int(m.group(1)) * {"": 1, "k": 1_000, "M": 1_000_000}[m.group(2)]


def _permuted(g: sg.Graph, seed: int) -> Tuple[sg.Graph, np.ndarray]:
    """The undirected graph g with node v renamed perm[v] (same edges and weights)."""
    off, idx, w = g.csr("out")
    src = np.repeat(np.arange(g.num_nodes, dtype=np.int64), np.diff(off))
    keep = src <= idx  # the stored adjacency holds both directions: rebuild from one
    perm = np.random.default_rng(seed).permutation(g.num_nodes)
    w = None if w is None else np.asarray(w)[keep]
    h = sg.Graph.from_edges(perm[src[keep]], perm[idx[keep]], num_nodes=g.num_nodes, weights=w, directed=False)
    return h, perm


def build_graph(name: str) -> Tuple[sg.Graph, int]:
    """The graph named ``name`` (see the module doc) and the BFS / SSSP source."""
    gen = sg.generators
    perm = None
    if m := re.fullmatch(r"uniform\((\w+),(\w+)\)", name):
        g = gen.uniform(_count(m.group(1)), _count(m.group(2)), seed=1, weighted=True)
    elif m := re.fullmatch(r"rmat\((\d+)\)", name):
        g = gen.rmat(int(m.group(1)), edge_factor=16, seed=1, directed=False, weighted=True)
    elif m := re.fullmatch(r"grid\((\d+)(?:,(\d+))?\)(-perm)?", name):
        g = gen.grid(int(m.group(1)), int(m.group(2) or m.group(1)), weighted=True, seed=1)
        if m.group(3):
            g, perm = _permuted(g, seed=1)
    else:
        raise SystemExit(f"unknown graph {name!r}; e.g. uniform(200k,2M), rmat(18), grid(1000), grid(1000)-perm")
    deg = np.diff(g.csr("out")[0])
    source = int(perm[0]) if perm is not None else 0
    if deg.size and deg[source] == 0:
        source = int(np.flatnonzero(deg)[0]) if deg.any() else 0
    return g, source


def sides(algo: str, g: sg.Graph, source: int) -> Tuple[Callable[..., Any], Callable[[], Any]]:
    """(builder(**run_kwargs), twin()) for one algorithm; programs are built once, outside the timing."""
    A, N = sg.algorithms, sg.native
    if algo == "bfs":
        p = A.bfs_program()
        return (lambda **kw: p.run(g, source=source, **kw)), (lambda: N.bfs(g, source))
    if algo == "sssp":
        p = A.sssp_program()
        return (lambda **kw: p.run(g, source=source, **kw)), (lambda: N.sssp(g, source))
    if algo == "cc":
        p = A.connected_components_program()
        return (lambda **kw: p.run(g, **kw)), (lambda: N.connected_components(g))
    p = A.label_propagation_program(max_iter=LP_MAX_ITER)
    return (lambda **kw: p.run(g, **kw)), (lambda: N.label_propagation(g, max_iter=LP_MAX_ITER))


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Integer results identical, floating results bitwise (inf and -0.0 included)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a.view(np.uint8), b.view(np.uint8)))
    return bool(np.array_equal(a, b))


def first_run(fn: Callable[[], Any]) -> Tuple[Any, float, float]:
    """Run once: (result, seconds, peak RSS growth in MB over the RSS before the run)."""
    gc.collect()
    _malloc_trim()
    reset = _reset_peak()
    before = _status_kb("VmRSS")
    t0 = time.perf_counter()
    r = fn()
    dt = time.perf_counter() - t0
    peak = _status_kb("VmHWM")
    return r, dt, (max(peak - before, 0) / 1024 if reset else float("nan"))


def _stats(r: Any) -> Dict[str, Any]:
    """The builder run's state stats that fit in a JSON line (scalars, short lists)."""
    out: Dict[str, Any] = {}
    for k, v in (getattr(r, "extra", {}) or {}).get("stats", {}).items():
        if isinstance(v, (bool, int, float, str)):
            out[k] = v
        elif isinstance(v, (list, tuple)) and len(v) <= 64 and all(isinstance(x, (int, float, str)) for x in v):
            out[k] = list(v)
    return out


def bench_case(algo: str, g: sg.Graph, source: int, args: argparse.Namespace, log: Callable[[str], None]) -> Dict:
    builder, twin = sides(algo, g, source)
    count = sg._core.array_allocations
    # Builder: allocations of a 1-iteration run vs a full run (their difference is what
    # iterations 2.. allocate), peak RSS and the reference comparison on the full run.
    a0 = count()
    builder(max_iter=1)
    a1 = count()
    rb, tb, rss_b = first_run(builder)
    a2 = count()
    rt, tt, rss_t = first_run(twin)
    a3 = count()
    equal = same(rb.values, rt.values)
    if algo == "lp":
        equal = equal and rb.iterations == rt.iterations
    stats = _stats(rb)
    case: Dict[str, Any] = {
        "equal": equal,
        "iterations": rb.iterations,
        "twin_iterations": rt.iterations or None,
        "converged": rb.converged,
        "first_run_ms": {"builder": tb * 1e3, "twin": tt * 1e3},
        "rss_extra_MB": {"builder": rss_b, "twin": rss_t},
        "allocations": {
            "builder_after_first": (a2 - a1) - (a1 - a0),
            "builder_state": stats.get("allocations"),
            "twin_per_run": a3 - a2,
        },
        "stats": stats,
    }
    del rb, rt
    # Repeat short runs within a trial so a trial lasts >= min_trial_ms (timer resolution).
    reps = {k: max(1, min(1000, int(args.min_trial_ms / 1e3 / max(t, 1e-7)))) for k, t in (("b", tb), ("t", tt))}
    runners = [("builder", builder, reps["b"]), ("twin", twin, reps["t"]), ("twin_aa", twin, reps["t"])]
    times: Dict[str, List[float]] = {k: [] for k, _, _ in runners}
    start = time.perf_counter()
    budget_hit = False
    gc_was = gc.isenabled()
    for trial in range(args.trials):
        if trial and time.perf_counter() - start > args.budget:
            budget_hit = True
            log(f"  {algo}: budget {args.budget:g} s spent, stopping after {trial} of {args.trials} trials")
            break
        gc.collect()
        gc.disable()
        try:
            for j in range(len(runners)):
                key, fn, k = runners[(trial + j) % len(runners)]
                t0 = time.perf_counter()
                for _ in range(k):
                    fn()
                times[key].append((time.perf_counter() - t0) / k * 1e3)
        finally:
            if gc_was:
                gc.enable()
    med = {k: float(np.median(v)) for k, v in times.items()}
    case.update(
        {
            "ms_median": med,
            "ms_best": {k: float(np.min(v)) for k, v in times.items()},
            "ms_all": times,
            "reps": reps,
            "trials": len(times["builder"]),
            "budget_hit": budget_hit,
            "ratio_median": med["builder"] / med["twin"],
            "noise_aa": med["twin_aa"] / med["twin"],
        }
    )
    return case


def verdicts(res: Dict[str, Any]) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []

    def v(name: str, ok: bool, line: str, **kw: Any) -> None:
        status = "PASS" if ok else "FAIL"
        out.append({"target": name, "status": status, "line": f"VERDICT {status} {name}: {line}", **kw})

    for gname, gr in res["graphs"].items():
        for algo, c in gr["algorithms"].items():
            m = c["ms_median"]
            v(
                f"{algo} builder <= {TARGET:.2f}x twin on {gname}",
                c["ratio_median"] <= TARGET,
                f"{c['ratio_median']:.3f}x median/median ({m['builder']:.2f} vs {m['twin']:.2f} ms, "
                f"{c['trials']} trials{', budget hit' if c['budget_hit'] else ''}); noise floor (twin vs itself) "
                f"{c['noise_aa']:.3f}x",
                graph=gname,
                algorithm=algo,
                ratio_median=c["ratio_median"],
            )
    rm = res["graphs"].get("rmat(20)", {}).get("algorithms", {})
    for algo, c in rm.items():
        b, t = c["rss_extra_MB"]["builder"], c["rss_extra_MB"]["twin"]
        if b == b and t == t:  # not NaN: the peak could be reset
            v(
                f"{algo} builder peak RSS <= {RSS_TARGET:.2f}x twin on rmat(20)",
                b <= RSS_TARGET * max(t, 1.0),
                f"{b:.1f} vs {t:.1f} MB over the graph (first run each)",
            )
    allocs = [
        (c["allocations"]["builder_after_first"], g, a)
        for g, gr in res["graphs"].items()
        for a, c in gr["algorithms"].items()
    ]
    if allocs:
        worst = max(allocs)
        v(
            "builder allocates nothing after iteration 1",
            worst[0] <= 0,
            f"max {worst[0]} native buffer allocation(s) after iteration 1"
            + (f" ({worst[2]} on {worst[1]})" if worst[0] > 0 else ""),
        )
    return out


def markdown(res: Dict[str, Any]) -> str:
    meta, cfg = res["meta"], res["config"]
    lines = [
        "# Builder algorithms vs native twins",
        "",
        f"{meta['date']}, git {meta['git']}, {meta['cpu']}, {cfg['threads']} threads, load {meta['load_start']} -> "
        f"{meta['load_end']}, up to {cfg['trials']} trials, budget {cfg['budget']:g} s per case.",
        "",
        "| graph | algorithm | builder ms | twin ms | builder/twin | A/A noise | iterations | trials | equal "
        "| RSS MB builder / twin | allocs after it. 1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for gname, gr in res["graphs"].items():
        for algo, c in gr["algorithms"].items():
            m, r = c["ms_median"], c["rss_extra_MB"]
            lines.append(
                f"| {gname} | {algo} | {m['builder']:.2f} | {m['twin']:.2f} | {c['ratio_median']:.2f}x | "
                f"{c['noise_aa']:.2f}x | {c['iterations']} | {c['trials']}{'*' if c['budget_hit'] else ''} | "
                f"{'yes' if c['equal'] else '**NO**'} | {r['builder']:.1f} / {r['twin']:.1f} | "
                f"{c['allocations']['builder_after_first']} |"
            )
    for gname, gr in res["graphs"].items():
        for algo, err in gr.get("errors", {}).items():
            lines.append(f"| {gname} | {algo} | error: {err} |||||||||")
    lines += ["", "`*`: stopped by the per-case time budget. RSS: peak growth during the first run.", ""]
    if cfg["quick"]:
        lines.append("Quick run: tiny graphs, so the verdicts below are informational (timer noise).")
    lines += [f"- {x['line']}" for x in res["verdicts"]]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny graphs, few trials: a smoke run for CI (seconds)")
    ap.add_argument("--out", default=None, help="output directory (default build/bench-algorithms[-quick])")
    ap.add_argument("--graphs", default=None, help="comma-separated graph names (default: " + " ".join(FULL) + ")")
    ap.add_argument("--algorithms", default=",".join(ALGORITHMS), help="comma-separated subset of bfs,sssp,cc,lp")
    ap.add_argument("--trials", type=int, default=None, help="trials per case (default 7; quick 3)")
    ap.add_argument("--budget", type=float, default=None, help="seconds per case before its trials stop (default 30)")
    ap.add_argument("--min-trial-ms", type=float, default=20.0, help="repeat short runs within a trial up to this")
    ap.add_argument("--threads", type=int, default=0, help="native worker threads (0: all)")
    ap.add_argument("--no-verdict-exit", action="store_true", help="exit 0 even when a verdict fails")
    args = ap.parse_args(argv)
    if args.threads:
        sg.set_num_threads(args.threads)
    args.trials = args.trials or (3 if args.quick else 7)
    args.budget = args.budget or (5.0 if args.quick else 30.0)
    out_dir = args.out or ("build/bench-algorithms-quick" if args.quick else "build/bench-algorithms")
    os.makedirs(out_dir, exist_ok=True)
    names = re.split(r",(?![^(]*\))", args.graphs) if args.graphs else (QUICK if args.quick else FULL)
    algos = [a.strip() for a in args.algorithms.split(",") if a.strip()]
    if bad := [a for a in algos if a not in ALGORITHMS]:
        raise SystemExit(f"unknown algorithm(s) {bad}; known: {ALGORITHMS}")
    log = lambda s: print(f"[algorithms] {s}", file=sys.stderr, flush=True)  # noqa: E731
    res: Dict[str, Any] = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "git": _git_rev(),
            "cpu": _cpu(),
            "core": _core_build(),
            "load_start": _load(),
        },
        "config": {
            "quick": args.quick,
            "trials": args.trials,
            "budget": args.budget,
            "threads": sg.get_num_threads(),
            "graphs": names,
            "algorithms": algos,
            "lp_max_iter": LP_MAX_ITER,
            "target": TARGET,
        },
        "graphs": {},
    }
    for name in names:
        t0 = time.perf_counter()
        g, source = build_graph(name.strip())
        log(f"{name}: {g.num_nodes} nodes, {g.num_edges} edges, source {source} ({time.perf_counter() - t0:.1f} s)")
        gr: Dict[str, Any] = {"nodes": g.num_nodes, "edges": g.num_edges, "source": source, "algorithms": {}}
        for algo in algos:
            try:
                c = bench_case(algo, g, source, args, log)
            except Exception as e:  # recorded: the other cases still run; exit code 1 at the end
                log(f"  {algo}: ERROR {type(e).__name__}: {e}")
                gr.setdefault("errors", {})[algo] = f"{type(e).__name__}: {e}"
                continue
            gr["algorithms"][algo] = c
            m = c["ms_median"]
            log(
                f"  {algo}: builder {m['builder']:.2f} ms, twin {m['twin']:.2f} ms, {c['ratio_median']:.2f}x "
                f"(A/A {c['noise_aa']:.2f}x), {c['iterations']} iterations, equal={c['equal']}, load {_load()}"
            )
        res["graphs"][name] = gr
        del g
        gc.collect()
    res["meta"]["load_end"] = _load()
    res["verdicts"] = verdicts(res)
    with open(os.path.join(out_dir, "algorithms.json"), "w") as f:
        json.dump(res, f, indent=1)
    md = markdown(res)
    with open(os.path.join(out_dir, "algorithms.md"), "w") as f:
        f.write(md)
    print(md)
    bad_cases = [(g, a) for g, gr in res["graphs"].items() for a, c in gr["algorithms"].items() if not c["equal"]]
    for g, a in bad_cases:
        log(f"ERROR: {a} on {g}: the builder's result differs from the native twin's")
    if bad_cases:
        return 2
    if errors := {g: gr["errors"] for g, gr in res["graphs"].items() if "errors" in gr}:
        log(f"ERROR: cases that raised: {errors}")
        return 1
    if args.quick:
        return 0  # timings on tiny graphs are noise: verdicts are informational
    failed = [x for x in res["verdicts"] if x["status"] == "FAIL"]
    return 3 if failed and not args.no_verdict_exit else 0


if __name__ == "__main__":
    sys.exit(main())
