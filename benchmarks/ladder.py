#!/usr/bin/env python3
"""The builder-vs-native PageRank ladder (issue #5; DESIGN.md section 7).

Graphs: uniform(n, 10 n) for n = 1k ... 1M, rmat(18), rmat(20). Modes, timed in one process
and interleaved trial by trial: the native twin, run (O3), apply_batch at O3 / O2 / O1 / O0,
apply_step at O0 (the per-step baseline). Peers when installed: scipy, NetworkX (<= 50k
nodes), igraph PRPACK, python-graphblas. Also: native calls per iteration, the boundary cost
of one call (1-node graph), buffer allocations after iteration 1, peak RSS per mode (one
subprocess per mode per graph), effective GB/s next to a STREAM-like triad, and the verdicts.

    python3 benchmarks/ladder.py                      # full ladder (~10-15 min on 2 cores)
    python3 benchmarks/ladder.py --quick              # tiny graphs, seconds (CI; no verdict exit code)
    python3 benchmarks/ladder.py --graphs 'uniform(200k),rmat(18)' --trials 9
    python3 benchmarks/check_regression.py OUT/ladder.json benchmarks/baseline.json

Writes OUT/ladder.json, OUT/ladder.md, OUT/ladder_time.png, OUT/ladder_ratio.png
(OUT: --out, default build/bench-ladder). Exit codes: 0 ok; 2 a mode's result disagrees
with the native twin (any run, --quick included); 3 a verdict failed (full runs only;
--no-verdict-exit turns it off); a crash is a traceback (1).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import logging
import os
import platform
import subprocess
import sys
import time
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
# OpenMP peers (igraph's PRPACK, SuiteSparse:GraphBLAS) spin-wait by default; on 2 shared cores
# their idle spinning threads slow every other mode's next trial (and igraph itself, by 100x
# at random). Passive waiting is the fair setting here; must be set before they load.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import stepgraph as sg  # noqa: E402
from sgbench import graphs as G  # noqa: E402
from sgbench import metrics, peers  # noqa: E402
from sgbench.modes import (  # noqa: E402
    MODES,
    SLOW_MODES,
    NativeRunner,
    Runner,
    allocations_after_first_iteration,
    interleaved,
    make_runner,
    summarize,
)
from sgbench.report import VERDICT_GRAPHS, Progress, markdown, plots, verdicts  # noqa: E402

log = logging.getLogger("ladder")
REL_TOL = 1e-12  # builder vs native, relative per element (DESIGN.md section 4)


def _git_rev() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", HERE, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return rev + ("+dirty" if dirty else "") if rev else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} x{os.cpu_count()}"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} x{os.cpu_count()}"


def _core_build() -> str:
    """Which native build was measured: the extension's path and modification time."""
    path = getattr(sg._core, "__file__", None) or "?"
    try:
        stamp = datetime.datetime.fromtimestamp(os.path.getmtime(path)).isoformat(timespec="seconds")
    except OSError:
        stamp = "?"
    return f"{path} ({stamp})"


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def _rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if b.size else 0.0


def parse_args(argv: List[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny graphs, few trials: a smoke run for CI (seconds)")
    ap.add_argument(
        "--out", default=None, help="output directory (default build/bench-ladder, quick: build/bench-quick)"
    )
    ap.add_argument("--graphs", default=None, help="comma-separated graph names, e.g. 'uniform(200k),rmat(18)'")
    ap.add_argument(
        "--modes",
        default=None,
        help="comma-separated mode keys (native is always measured): " + ",".join(m.key for m in MODES),
    )
    ap.add_argument("--trials", type=int, default=None, help="trials per mode (default 7; quick 3)")
    ap.add_argument("--iters", type=int, default=None, help="fixed iterations per run (default 20; quick 5)")
    ap.add_argument("--slow-iters", type=int, default=5, help="iterations of the O0 modes on big graphs")
    ap.add_argument("--slow-from", type=int, default=1_000_000, help="node count from which --slow-iters applies")
    ap.add_argument("--min-trial-ms", type=float, default=30.0, help="repeat a run within a trial up to this long")
    ap.add_argument("--threads", type=int, default=0, help="native worker threads (0: all)")
    ap.add_argument(
        "--skip-peers", default="", help="comma-separated peers to leave out (scipy,networkx,igraph,graphblas; all)"
    )
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-RSS subprocesses")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--no-verdict-exit", action="store_true", help="exit 0 even when a verdict fails")
    ap.add_argument("--triad-mb", type=float, default=None, help="triad array size in MB (default 256; quick 8)")
    ap.add_argument("--rss-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--graph", default=None, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def bench_graph(
    spec: G.GraphSpec,
    args: argparse.Namespace,
    modes: List[Any],
    have: Dict[str, Any],
    notes: List[str],
    progress: Progress,
    rss_here: bool,
) -> Dict[str, Any]:
    progress.set(f"{spec.name}: building")
    t_start = t0 = time.perf_counter()
    g = spec.build()
    build_s = time.perf_counter() - t0
    n = g.num_nodes
    bytes_it = metrics.bytes_per_iteration(g)
    iters_of = {
        mi.key: (args.slow_iters if mi.key in SLOW_MODES and n >= args.slow_from else args.iters) for mi in modes
    }
    programs: Dict[Any, Any] = {}
    runners: List[Runner] = [make_runner(mi, g, iters_of[mi.key], programs) for mi in modes]
    skip = [p for p in args.skip_peers.split(",") if p]
    if "all" in skip:
        skip = ["scipy", "networkx", "igraph", "graphblas"]
    peer_runners = peers.make_peers(g, args.iters, have, skip, notes)
    # Two interleaved rounds, each with its own native reference: stepgraph's modes among
    # themselves, then the peers. A peer leaves OpenMP threads and a cache full of its own
    # arrays behind, which slowed the next stepgraph trial by 5-10 % (more for modes with more
    # buffers), so peers do not take turns with the builder-vs-native verdicts.
    peer_native = NativeRunner(g, args.iters, key="native_peer_round", label="native twin (peer round)")
    peer_round = peer_runners + [peer_native] if peer_runners else []
    everything = runners + peer_round
    progress.set(f"{spec.name}: calibrating")
    for r in everything:
        r.calibrate(args.min_trial_ms / 1e3, max_reps=2_000)
    progress.update(1, f"{spec.name}: calibrated")
    load0 = _load()
    step = 1.0 / len(everything)
    tick = lambda key: progress.update(step, f"{spec.name}: trials ({key})")  # noqa: E731
    interleaved(runners, args.trials, tick)
    if peer_round:
        interleaved(peer_round, args.trials, tick)
    load1 = _load()

    out: Dict[str, Any] = {
        "nodes": n,
        "edges": g.num_edges,
        "edges_in_csr": int(g._native.nnz(True)),
        "build_s": build_s,
        "bytes_per_iter": bytes_it,
        "load": f"{load0} -> {load1}",
        "modes": {},
        "peers": {},
    }
    native = next(r for r in runners if r.key == "native")
    nat = summarize(native)
    nat_peer = summarize(peer_native) if peer_round else nat
    # Correctness: every mode's ranks after its iterations vs the native twin's after as many.
    refs = {native.iters: native.values}
    for r in runners:
        s = summarize(r)
        s["ratio_median"] = s["ms_median"] / nat["ms_median"]
        s["ratio_best"] = s["ms_best"] / nat["ms_best"]
        if "loop_ms_median" in s:
            # Loop vs loop: the twin's iterations without its setup.
            s["loop_ratio_median"] = s["loop_ms_median"] / nat.get("loop_ms_median", nat["ms_median"])
            s["loop_ratio_best"] = s["loop_ms_best"] / nat.get("loop_ms_best", nat["ms_best"])
        s["GBps_median"] = bytes_it / (s["ms_median"] / 1e3) / 1e9
        s["GBps_best"] = bytes_it / (s["ms_best"] / 1e3) / 1e9
        if r.iters not in refs:
            refs[r.iters] = sg.native.pagerank(g, tol=0.0, max_iter=r.iters, raise_on_failure=False).values
        s["max_rel_diff"] = _rel_diff(r.values, refs[r.iters]) if r.values is not None else None
        out["modes"][r.key] = s
    for r in peer_runners:
        s = summarize(r)
        if r.unit == "it":
            s["native_ms_median"], s["native_ms_best"] = nat_peer["ms_median"], nat_peer["ms_best"]
        if r.key == "igraph":
            solve = next(x for x in peer_runners if x.key == "native_solve")
            s["native_ms_median"] = float(np.median(solve.timing.total_s)) * 1e3
            s["native_ms_best"] = float(np.min(solve.timing.total_s)) * 1e3
            s["native_iterations"] = solve.info.get("iterations")
        if "native_ms_median" in s:
            s["speedup_median"] = s["ms_median"] / s["native_ms_median"]
            s["speedup_best"] = s["ms_best"] / s["native_ms_best"]
        if r.values is not None:
            ref = (
                refs.get(args.iters)
                if r.unit == "it"
                else next(x for x in peer_runners if x.key == "native_solve").values
            )
            if ref is not None:
                s["max_abs_diff"] = float(np.abs(np.asarray(r.values) - ref).max())
        if isinstance(r, peers.NetworkxRunner):
            ref12 = sg.native.pagerank(g, tol=1e-12, max_iter=10_000).values
            s["max_abs_diff"] = r.check_values(ref12)
            s["note"] = "diff: both converged to tol 1e-12; " + s.get("note", "")
        if isinstance(r, NativeRunner):
            s["note"] = f"reference for igraph: {r.info.get('iterations')} iterations to L1 residual < 1e-10"
        out["peers"][r.key] = s
    progress.set(f"{spec.name}: allocations")
    for mi in modes:
        out["modes"][mi.key]["allocations"] = allocations_after_first_iteration(mi, g, iters_of[mi.key], programs)
    progress.update(1, f"{spec.name}: allocations")
    if peer_round:
        out["native_peer_round"] = nat_peer
    del runners, peer_runners, peer_round, peer_native, everything, native, programs, refs, g
    gc.collect()
    if rss_here:
        progress.set(f"{spec.name}: peak RSS (subprocesses)")
        rss_modes = [mi.key for mi in modes if mi.key != "native_aa"]  # the twin's RSS is measured once
        out["rss"] = metrics.rss_for_graph(
            os.path.abspath(__file__),
            spec.name,
            rss_modes,
            iters_of,
            args.threads or None,
            repeats=3 if spec.name in VERDICT_GRAPHS else 1,
        )
    progress.update(1, f"{spec.name}: done")
    out["elapsed_s"] = time.perf_counter() - t_start
    return out


def main(argv: List[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[ladder] %(message)s", stream=sys.stderr)
    if args.threads:
        sg.set_num_threads(args.threads)
    if args.rss_child:
        print(json.dumps(metrics.rss_child(args.rss_child, args.graph, args.iters or 1)))
        return 0
    quick = args.quick
    args.iters = args.iters or (5 if quick else 20)
    args.trials = args.trials or (3 if quick else 7)
    out_dir = args.out or ("build/bench-quick" if quick else "build/bench-ladder")
    os.makedirs(out_dir, exist_ok=True)
    names = [s.strip() for s in args.graphs.split(",")] if args.graphs else (G.QUICK if quick else G.FULL)
    specs = G.specs(names)
    keys = [k.strip() for k in args.modes.split(",")] if args.modes else [m.key for m in MODES]
    unknown = [k for k in keys if k not in {m.key for m in MODES}]
    if unknown:
        raise SystemExit(f"unknown mode(s) {unknown}; known: {[m.key for m in MODES]}")
    modes = [m for m in MODES if m.key in keys or m.key in ("native", "native_aa")]
    have = peers.available()
    notes = peers.skipped_notes(have)
    # RSS subprocesses: every graph in a full run; one small graph in --quick (the code path stays alive).
    rss_graphs = set() if args.no_rss else ({specs[min(1, len(specs) - 1)].name} if quick else {s.name for s in specs})

    res: Dict[str, Any] = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "git": _git_rev(),
            "cpu": _cpu(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "host": platform.node(),
            "load_start": _load(),
            "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
            "core": _core_build(),
        },
        "config": {
            "quick": quick,
            "iters": args.iters,
            "slow_iters": args.slow_iters,
            "slow_from": args.slow_from,
            "trials": args.trials,
            "threads": sg.get_num_threads(),
            "graphs": names,
            "modes": [m.key for m in modes],
            "min_trial_ms": args.min_trial_ms,
        },
        "peers_available": have,
        "notes": notes,
        "graphs": {},
    }
    log.info(
        "%s ladder: %d graphs, %d modes + peers %s, %d trials, %d iterations, %d threads -> %s",
        "quick" if quick else "full",
        len(specs),
        len(modes),
        [p for p, v in have.items() if v],
        args.trials,
        args.iters,
        sg.get_num_threads(),
        out_dir,
    )
    progress = Progress(sum(args.trials + 3 for _ in specs) + 4, enabled=not args.no_progress)
    triad_n = int((args.triad_mb or (8 if quick else 256)) * 2**20 / 8)
    threads = sg.get_num_threads()
    progress.set("triad bandwidth")
    triad = (
        [metrics.triad_bandwidth(triad_n, 1), metrics.triad_bandwidth(triad_n, threads)]
        if threads > 1
        else [metrics.triad_bandwidth(triad_n, 1)]
    )
    progress.update(1, "triad bandwidth")
    for spec in specs:
        res["graphs"][spec.name] = bench_graph(spec, args, modes, have, notes, progress, spec.name in rss_graphs)
    progress.set("boundary cost")
    res["boundary"] = metrics.boundary_cost(calls=2_000 if quick else 20_000)
    progress.update(1, "boundary cost")
    progress.set("program build latency")
    res["build"] = metrics.build_latency()
    progress.update(1, "program build latency")
    progress.set("triad bandwidth (again)")
    triad_end = [metrics.triad_bandwidth(triad_n, t["threads"]) for t in triad]
    progress.update(1, "done")
    progress.close()
    for a, b in zip(triad, triad_end):  # the better of the two runs (start, end): the machine's capability
        a["GBps_best"] = max(a["GBps_best"], b["GBps_best"])
        a["GBps_median_end"] = b["GBps_median"]
    res["bandwidth"] = {"triad": triad, "formula": metrics.BYTES_FORMULA}
    res["meta"]["load_end"] = _load()
    res["notes"] = sorted(set(notes), key=notes.index)
    res["verdicts"] = verdicts(res)

    json_path = os.path.join(out_dir, "ladder.json")
    with open(json_path, "w") as f:
        json.dump(res, f, indent=1)
    md = markdown(res)
    with open(os.path.join(out_dir, "ladder.md"), "w") as f:
        f.write(md)
    files = [] if args.no_plots else plots(res, out_dir)
    print(md)
    log.info("wrote %s, %s%s", json_path, os.path.join(out_dir, "ladder.md"), "".join(", " + p for p in files))

    bad = [
        (gname, key, m["max_rel_diff"])
        for gname, gr in res["graphs"].items()
        for key, m in gr["modes"].items()
        if m.get("max_rel_diff") is not None and not m["max_rel_diff"] <= REL_TOL
    ]
    for gname, key, d in bad:
        log.error("%s on %s disagrees with the native twin: max relative difference %.3g > %g", key, gname, d, REL_TOL)
    if bad:
        return 2
    if quick:
        log.info("quick run: verdicts are informational (timing on tiny graphs), no verdict exit code")
        return 0
    failed = [v for v in res["verdicts"] if v["status"] == "FAIL"]
    return 3 if failed and not args.no_verdict_exit else 0


if __name__ == "__main__":
    sys.exit(main())
