"""``stepgraph run ALGORITHM GRAPH``: one algorithm of ``stepgraph.algorithms`` on a graph file."""

from __future__ import annotations

import argparse
import inspect
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional

import numpy as np

import stepgraph as sg
from stepgraph.cli._common import EXIT_OK, UsageError, log, progress_bar
from stepgraph.io import FORMATS

# Command-line options and the algorithm parameter each sets (by the parameter's name).
_OPTIONS = {"source": "--source", "sources": "--source", "alpha": "--alpha", "tol": "--tol", "max_iter": "--max-iter"}
_OUT_SUFFIXES = (".npy", ".csv")


@dataclass(frozen=True)
class Algorithm:
    name: str
    function: Callable[..., sg.Result]
    program: Optional[Callable[..., sg.Program]]
    native: Optional[Callable[..., sg.Result]]
    params: Mapping[str, inspect.Parameter]  # the function's, without the graph
    summary: str

    def options(self) -> List[str]:
        return sorted({_OPTIONS[p] for p in self.params if p in _OPTIONS})


def discover() -> Dict[str, Algorithm]:
    """Every algorithm ``stepgraph.algorithms`` exports: ``name(g, ...)`` beside ``name_program``."""
    found: Dict[str, Algorithm] = {}
    for name in sg.algorithms.__all__:
        fn = getattr(sg.algorithms, name)
        program = getattr(sg.algorithms, name + "_program", None)
        if name.endswith("_program") or not callable(fn) or program is None:
            continue
        params = dict(list(inspect.signature(fn).parameters.items())[1:])
        doc = inspect.getdoc(program) or inspect.getdoc(fn) or name
        found[name] = Algorithm(name, fn, program, getattr(sg.native, name, None), params, doc.split(".")[0])
    return found


def add_parser(sub: Any) -> None:
    algos = discover()
    p = sub.add_parser(
        "run",
        help="run an algorithm on a graph file",
        description="Run one algorithm of stepgraph.algorithms on a graph file and print a summary "
        "(or write the values with --out). Algorithms: "
        + "; ".join(f"{a.name} [{' '.join(a.options()) or 'no options'}]" for a in algos.values()),
    )
    p.add_argument("algorithm", choices=sorted(algos), metavar="ALGORITHM", help=", ".join(sorted(algos)))
    p.add_argument("graph", metavar="GRAPH", help=f"a graph file ({', '.join(FORMATS)}; by extension or --format)")
    p.add_argument("--format", choices=FORMATS, help="the graph file's format (default: from its extension)")
    p.add_argument("--undirected", action="store_true", help="read each edge as undirected")
    p.add_argument("--source", metavar="S", help="source node id (bfs, sssp); personalized_pagerank: ids, e.g. 0,5,9")
    p.add_argument("--alpha", type=float, help="damping factor (pagerank)")
    p.add_argument("--tol", type=float, help="convergence tolerance (pagerank)")
    p.add_argument("--max-iter", type=int, help="iteration limit (pagerank, label_propagation)")
    p.add_argument("--out", metavar="FILE", help="write the values to FILE.npy (numpy) or FILE.csv (node,value)")
    p.add_argument("--native", action="store_true", help="run the hand-written native twin instead")
    p.add_argument("--threads", type=int, metavar="N", help="worker threads (default: all cores)")
    p.add_argument("--top", type=int, default=10, metavar="K", help="nodes shown in the summary (default 10)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar (needs tqdm) on runs over a second; default: on when stdout is a terminal",
    )
    p.set_defaults(verb=main)


def _node_ids(text: str, many: bool) -> Any:
    try:
        ids = [int(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--source takes node ids (integers{', comma-separated' if many else ''}), got {text!r}")
    if not many and len(ids) != 1:
        raise UsageError(f"--source takes one node id here, got {text!r}")
    return ids if many else ids[0]


def _arguments(alg: Algorithm, args: argparse.Namespace) -> Dict[str, Any]:
    """The algorithm's keyword arguments from the options given; a UsageError for one it does not take."""
    given = {"alpha": args.alpha, "tol": args.tol, "max_iter": args.max_iter, "source": args.source}
    kwargs: Dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        target = "sources" if key == "source" and "sources" in alg.params else key
        if target not in alg.params:
            takes = ", ".join(alg.options()) or "no options"
            raise UsageError(f"{alg.name} takes no {_OPTIONS[key]} (it takes: {takes})")
        kwargs[target] = _node_ids(value, target == "sources") if key == "source" else value
    for name, param in alg.params.items():
        if param.default is inspect.Parameter.empty and name not in kwargs:
            raise UsageError(f"{alg.name} needs {_OPTIONS.get(name, name)}")
    return kwargs


def _run_builder(alg: Algorithm, g: sg.Graph, kwargs: Dict[str, Any], bar_mode: Optional[bool]) -> sg.Result:
    """The algorithm as the Python API runs it; through its program when a progress bar is wanted."""
    assert alg.program is not None
    prog_params = inspect.signature(alg.program).parameters
    prog_kw = {k: v for k, v in kwargs.items() if k in prog_params}
    run_kw = {k: v for k, v in kwargs.items() if k not in prog_params}
    if bar_mode is False or not set(run_kw) <= {"source"}:  # e.g. many sources: one run each
        return alg.function(g, **kwargs)
    prog = alg.program(**prog_kw)
    bar = progress_bar(bar_mode, prog.max_iter, alg.name) if prog.has_loop else None
    if bar is None:
        return alg.function(g, **kwargs)
    try:
        res = prog.run(g, progress=bar, **run_kw)
    finally:
        bar.close()
    check = alg.params.get("raise_on_failure")
    if check is not None and check.default is True and not res.converged:
        raise sg.ConvergenceError(f"{alg.name} did not converge within max_iter = {prog.max_iter} iterations", res)
    return res


def _write(path: str, name: str, values: np.ndarray) -> None:
    """``.npy`` as numpy saves it; ``.csv`` a header and one row per node, floats to the last bit."""
    part = f"{path}.part"
    if path.endswith(".npy"):
        with open(part, "wb") as f:
            np.save(f, values)
    else:
        cols = values.T if values.ndim == 2 else values[:, None]
        header = ["node"] + ([f"{name}{i}" for i in range(cols.shape[1])] if values.ndim == 2 else [name])
        fmt = "%d" if values.dtype.kind in "iub" else "%.17g"
        table = np.column_stack([np.arange(cols.shape[0]), cols]) if cols.size else np.zeros((0, len(header)))
        with open(part, "w") as f:
            np.savetxt(
                f, table, fmt=["%d"] + [fmt] * cols.shape[1], delimiter=",", header=",".join(header), comments=""
            )
    os.replace(part, path)  # readers never see half a file


def _summary(alg: Algorithm, res: sg.Result, top: int) -> List[str]:
    values = res.values
    lines: List[str] = []
    if values.ndim != 1 or values.size == 0 or top <= 0:
        return lines
    if values.dtype.kind == "f":
        finite = np.flatnonzero(np.isfinite(values))
        order = finite[np.argsort(-values[finite], kind="stable")][:top]
        lines.append(f"top {len(order)} nodes by {res._main}:")
        lines += [f"  {i:3d}. node {int(v):>9d}  {values[v]:.6e}" for i, v in enumerate(order, 1)]
    else:
        labels, counts = np.unique(values, return_counts=True)
        order = np.argsort(-counts, kind="stable")[:top]
        lines.append(f"{len(labels)} distinct {res._main} values; the {len(order)} largest groups:")
        lines += [f"  {res._main} {int(labels[i]):>9d}: {int(counts[i])} nodes" for i in order]
    return lines


def main(args: argparse.Namespace) -> int:
    alg = discover()[args.algorithm]
    kwargs = _arguments(alg, args)
    if args.out is not None and not args.out.endswith(_OUT_SUFFIXES):
        raise UsageError(f"--out must end in .npy or .csv, got {args.out!r}")
    if args.threads is not None and args.threads < 1:
        raise UsageError(f"--threads must be >= 1, got {args.threads}")
    if args.native and alg.native is None:
        raise UsageError(f"{alg.name} has no native twin")
    t0 = time.perf_counter()
    g = sg.read_graph(args.graph, format=args.format, directed=False if args.undirected else None)
    t_read = time.perf_counter() - t0
    with sg.num_threads(args.threads or sg.get_num_threads()):
        t0 = time.perf_counter()
        if args.native:
            assert alg.native is not None
            res = alg.native(g, **kwargs)
        else:
            res = _run_builder(alg, g, kwargs, args.progress)
        elapsed = time.perf_counter() - t0
        threads = sg.get_num_threads()
    if res.iterations and not res.converged:
        log.warning("%s stopped after %d iterations without converging", alg.name, res.iterations)
    if args.out:
        _write(args.out, res._main, res.values)
    how = "native twin" if args.native else "builder program"
    its = f", {res.iterations} iterations{'' if res.converged else ' (not converged)'}" if res.iterations else ""
    print(
        f"{alg.name} on {args.graph}: {g.num_nodes:,} nodes, {g.num_edges:,} edges (read in {t_read * 1e3:.0f} ms); "
        f"{how}, {threads} thread(s){its}, {elapsed * 1e3:.1f} ms"
    )
    if args.out:
        print(f"wrote {res._main} to {args.out}")
    else:
        for line in _summary(alg, res, args.top):
            print(line)
    return EXIT_OK
