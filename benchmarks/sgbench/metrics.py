"""Boundary cost, memory traffic and bandwidth, peak RSS (one subprocess per mode per graph)."""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

import numpy as np

import stepgraph as sg

from .graphs import spec
from .modes import MODE_BY_KEY, NativeRunner, make_runner, pagerank_program, perf

# -- memory traffic ----------------------------------------------------------------------------
BYTES_FORMULA = (
    "bytes/iteration = m_in * (4 [in-CSR index] + 8 [gathered contribution] + 8 if weighted) "
    "+ (n + 1) * (4, or 8 with 64-bit offsets) [in-CSR offsets] "
    "+ 4 * 8 * n [read rank, write rank, read 1/outdeg, write next contribution]"
)


def bytes_per_iteration(g: sg.Graph) -> int:
    """What one pull PageRank iteration must move at least (float64, each byte once; the
    gathered contribution counted 8 B per in-edge, i.e. no reuse from cache)."""
    n = g.num_nodes
    m_in = int(g._native.nnz(True))
    off_bytes = 8 if m_in >= 2**31 else 4
    per_edge = 4 + 8 + (8 if g.weighted else 0)
    return m_in * per_edge + (n + 1) * off_bytes + 4 * 8 * n


def triad_bandwidth(n: int, threads: int, reps: int = 5, chunk: int = 1 << 16) -> Dict[str, float]:
    """STREAM-like triad a = b + s * c with numpy, in cache-sized chunks (so the temporary
    stays in cache and memory sees 24 B/element: read b, read c, write a), split over
    ``threads`` Python threads (numpy releases the GIL). GB/s counted STREAM's way (24 B/element);
    best and median of ``reps``."""
    a = np.zeros(n)
    b = np.full(n, 1.0)
    c = np.full(n, 2.0)
    s = 3.0

    def work(lo: int, hi: int) -> None:
        tmp = np.empty(chunk)
        for i in range(lo, hi, chunk):
            j = min(i + chunk, hi)
            t = tmp[: j - i]
            np.multiply(c[i:j], s, out=t)
            np.add(b[i:j], t, out=a[i:j])

    bounds = np.linspace(0, n, threads + 1).astype(np.int64)
    times = []
    with ThreadPoolExecutor(threads) as ex:
        for _ in range(reps + 1):  # the first is a warm-up
            t0 = perf()
            list(ex.map(work, bounds[:-1].tolist(), bounds[1:].tolist()))
            times.append(perf() - t0)
    times = times[1:]
    assert a[0] == 7.0 and a[-1] == 7.0
    del a, b, c
    return {
        "elements": n,
        "threads": threads,
        "array_MB": n * 8 / 2**20,
        "GBps_best": 24 * n / min(times) / 1e9,
        "GBps_median": 24 * n / float(np.median(times)) / 1e9,
    }


# -- boundary cost -------------------------------------------------------------------------------
def boundary_cost(calls: int = 20_000, chunk: int = 1_000) -> Dict[str, Any]:
    """apply_batch on a 1-node graph (one self-loop), many times.

    - ``boundary_ns`` / ``kernel_ns`` per call from ``state.stats`` (measured inside the
      native call: the call's wall time minus kernel time), median over single calls;
    - wall time per call seen from Python, median and best over chunks of ``chunk`` calls,
      through ``Program.apply_batch`` (the public API), through the pybind11 method
      directly (``state._core.apply_batch``: without the Python wrapper), and of a null
      pybind11 call (``state._core.iteration``) for the floor;
    - the same for ``apply_step`` (the per-step baseline pays this per step).
    """
    g1 = sg.Graph.from_edges(np.array([0], np.int32), np.array([0], np.int32), num_nodes=1)
    prog = pagerank_program(3, 1)
    st = prog.init(g1)
    core = st._core
    apply_batch = prog.apply_batch
    raw = core.apply_batch
    for _ in range(2_000):
        apply_batch(st)
    gc_was = gc.isenabled()
    gc.disable()
    try:
        b = np.empty(calls)
        k = np.empty(calls)
        s = core.stats
        b0, k0 = s["boundary_ns"], s["kernel_ns"]
        for i in range(calls):
            apply_batch(st)
            s = core.stats
            b[i] = s["boundary_ns"] - b0
            k[i] = s["kernel_ns"] - k0
            b0, k0 = s["boundary_ns"], s["kernel_ns"]

        def chunks(fn: Any, arg: Any = None) -> Dict[str, float]:
            walls, kerns = [], []
            for _ in range(max(calls // chunk, 5)):
                k_start = core.stats["kernel_ns"]
                t0 = perf()
                if arg is None:
                    for _ in range(chunk):
                        fn()
                else:
                    for _ in range(chunk):
                        fn(arg)
                walls.append((perf() - t0) / chunk * 1e9)
                kerns.append((core.stats["kernel_ns"] - k_start) / chunk)
            w = np.array(walls)
            kk = np.array(kerns)
            return {
                "wall_ns_median": float(np.median(w)),
                "wall_ns_best": float(w.min()),
                "kernel_ns_median": float(np.median(kk)),
                "wall_minus_kernel_ns_median": float(np.median(w - kk)),
            }

        api = chunks(apply_batch, st)
        direct = chunks(raw)
        null = chunks(lambda: core.iteration)
        prog0 = pagerank_program(0, 1)
        st0 = prog0.init(g1)
        nsteps = prog0.num_steps
        apply_step = prog0.apply_step
        walls = []
        for _ in range(max(calls // chunk, 5)):
            t0 = perf()
            for _ in range(chunk // nsteps + 1):
                for i in range(nsteps):
                    apply_step(st0, i)
            walls.append((perf() - t0) / ((chunk // nsteps + 1) * nsteps) * 1e9)
        step = {"wall_ns_median": float(np.median(walls)), "wall_ns_best": float(min(walls)), "steps": nsteps}
    finally:
        if gc_was:
            gc.enable()
    return {
        "graph": "1 node, 1 self-loop",
        "calls": calls,
        "boundary_ns_median": float(np.median(b)),
        "boundary_ns_p10": float(np.percentile(b, 10)),
        "boundary_ns_p90": float(np.percentile(b, 90)),
        "kernel_ns_median": float(np.median(k)),
        "apply_batch": api,
        "apply_batch_pybind_direct": direct,
        "null_pybind_call": null,
        "apply_step_O0": step,
    }


# -- peak RSS -------------------------------------------------------------------------------------
def build_latency(reps: int = 3) -> Dict[str, Any]:
    """Wall time to build the O3 PageRank Program: its first build on a machine (an empty
    row-kernel cache, so the C++ compiler runs), later builds (the kernel library found in the
    cache and loaded), and with ``disable=("compiled",)`` (no kernel library at all)."""

    def build(**kw: Any) -> float:
        t0 = perf()
        sg.algorithms.pagerank_program(alpha=0.85, tol=0.0, max_iter=20, opt_level=3, **kw)
        return (perf() - t0) * 1e3

    old = os.environ.get("SG_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="sg-ladder-cache-") as tmp:
        os.environ["SG_CACHE_DIR"] = tmp
        try:
            cold = build()
            kernels = len([f for f in os.listdir(tmp) if f.endswith(".so")])
            warm = [build() for _ in range(reps)]
        finally:
            if old is None:
                del os.environ["SG_CACHE_DIR"]
            else:
                os.environ["SG_CACHE_DIR"] = old
    interpreted = [build(disable=("compiled",)) for _ in range(reps)]
    return {
        "first_build_ms": cold,
        "kernels_compiled": kernels,
        "cached_build_ms_median": float(np.median(warm)),
        "interpreted_build_ms_median": float(np.median(interpreted)),
    }


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def _reset_peak() -> bool:
    """Reset the peak RSS (VmHWM, and so ru_maxrss) to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _malloc_trim() -> bool:
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def rss_child(mode: str, graph: str, iters: int) -> Dict[str, Any]:
    """In a fresh process: build the graph, reset the peak, run ``mode`` once, report.

    ``mode == "graph_only"`` runs nothing after building the graph. Peaks are VmHWM, the
    process image's peak RSS; ``ru_maxrss`` is reported too, but Linux folds into it the
    RSS of the process image before execve (here: the parent ladder process at fork time,
    hundreds of MB with the peers imported), so it only bounds the peak from above."""
    maxrss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # noqa: E731 - KiB on Linux
    g = spec(graph).build()
    gc.collect()
    out: Dict[str, Any] = {
        "mode": mode,
        "graph": graph,
        "iters": iters,
        "graph_peak_kb": _status_kb("VmHWM"),
        "graph_ru_maxrss_kb": maxrss(),
    }
    # Hand the graph build's freed heap back to the OS, so that memory the mode touches
    # afterwards shows up as RSS growth instead of hiding in recycled pages.
    out["trimmed"] = _malloc_trim()
    out["reset"] = _reset_peak()
    out["before_kb"] = _status_kb("VmRSS")
    if mode != "graph_only":
        programs: Dict[Any, Any] = {}
        runner = make_runner(MODE_BY_KEY[mode], g, iters, programs)
        if isinstance(runner, NativeRunner):
            runner.time_setup = False
        runner.once()
    out["peak_kb"] = _status_kb("VmHWM")
    out["ru_maxrss_kb"] = maxrss()
    out["after_kb"] = _status_kb("VmRSS")
    return out


def rss_for_graph(
    script: str, graph: str, modes: List[str], iters_of: Dict[str, int], threads: Optional[int], repeats: int = 1
) -> Dict[str, Any]:
    """Peak RSS of each mode in its own process, next to a process that only built the graph.

    ``peak_MB``: the process's peak (graph building included); ``extra_MB``: the peak while
    running the mode above the RSS right after building the graph (the peak is reset between
    the two, so the graph build's transient peak does not hide the algorithm's memory). With
    ``repeats`` > 1, each figure is the median over that many processes per mode, modes taking
    turns (one process's peak moves by whole vectors from run to run)."""
    samples: Dict[str, List[Dict[str, Any]]] = {}
    for _ in range(max(repeats, 1)):
        for mode in ["graph_only", *modes]:
            cmd = [sys.executable, script, "--rss-child", mode, "--graph", graph, "--iters", str(iters_of.get(mode, 1))]
            if threads:
                cmd += ["--threads", str(threads)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
            if proc.returncode != 0:
                raise RuntimeError(
                    f"RSS child for {mode} on {graph} failed (rc {proc.returncode}):\n{proc.stderr[-2000:]}"
                )
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            peak_after = r["peak_kb"] if r["reset"] else max(r["peak_kb"], r["graph_peak_kb"])
            samples.setdefault(mode, []).append(
                {
                    "peak_MB": max(r["graph_peak_kb"], r["peak_kb"]) / 1024,
                    "graph_peak_MB": r["graph_peak_kb"] / 1024,
                    "before_MB": r["before_kb"] / 1024,
                    "extra_MB": max(peak_after - r["before_kb"], 0) / 1024,
                    "peak_reset": r["reset"],
                    "ru_maxrss_MB": r["ru_maxrss_kb"] / 1024,
                }
            )
    out: Dict[str, Any] = {}
    for mode, runs in samples.items():
        out[mode] = {
            k: (float(np.median([s[k] for s in runs])) if k != "peak_reset" else all(s[k] for s in runs))
            for k in runs[0]
        }
        out[mode]["extra_MB_runs"] = [s["extra_MB"] for s in runs]
    return out
