"""The kernels' two instruction-set builds give the same bits (core/cpu.hpp).

Interpreted map loops have an AVX2 build and fused multiply-adds a hardware-FMA build, each
chosen at run time. SG_CPU_BASELINE=1 turns both off, so one child process runs every builder
algorithm and every native twin with them and another without, and the two must agree bit for
bit: values, iterations, convergence flags. On a CPU without AVX2 or FMA both children run the
baseline and the comparison says nothing; the test is skipped there rather than pass emptily.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from stepgraph import _core

CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import stepgraph as sg
    from stepgraph import _core

    out = {}
    rng = np.random.default_rng(11)
    graphs = {}
    # Undirected, weighted: parallel edges, isolated nodes, several blocks (no self-loops, for
    # core_number).
    n, m = 20000, 90000
    s, d = rng.integers(0, n - 300, m), rng.integers(0, n - 300, m)
    d[s == d] = (d[s == d] + 1) % (n - 300)
    graphs["undirected"] = sg.Graph.from_edges(s, d, weights=rng.uniform(0.1, 4.0, m), num_nodes=n)
    # Directed with sinks (nodes with no out-edge) and self-loops.
    n, m = 15000, 70000
    s, d = rng.integers(0, 4 * n // 5, m), rng.integers(0, n, m)
    d[:200] = s[:200]
    graphs["directed"] = sg.Graph.from_edges(s, d, weights=rng.uniform(0.1, 4.0, m), num_nodes=n, directed=True)
    A, N = sg.algorithms, sg.native

    def keep(key, res):
        for name, arr in res.items():
            out[f"{key}/{name}"] = np.asarray(arr)
        out[f"{key}/#"] = np.array([res.iterations, int(bool(res.converged))])

    for gname, g in graphs.items():
        for lvl in (0, 3):
            kw = dict(opt_level=lvl)
            progs = {
                "pagerank": (A.pagerank_program(max_iter=60, tol=1e-12, **kw), {}),
                "pagerank f32": (A.pagerank_program(dtype="float32", max_iter=60, tol=1e-7, **kw), {}),
                "components": (A.connected_components_program(**kw), {}),
                "label propagation": (A.label_propagation_program(20, **kw), {}),
                "degree": (A.degree_centrality_program(**kw), {}),
                "bfs": (A.bfs_program(**kw), dict(source=3)),
                "sssp": (A.sssp_program(**kw), dict(source=3)),
                "katz": (A.katz_centrality_program(max_iter=60, **kw), {}),
                "hits": (A.hits_program(max_iter=60, **kw), {}),
            }
            if gname == "undirected":
                progs["core number"] = (A.core_number_program(**kw), {})
            for what, (prog, params) in progs.items():
                keep(f"{gname}/O{lvl}/{what}", prog.run(g, **params))
        keep(f"{gname}/native/pagerank", N.pagerank(g, raise_on_failure=False, max_iter=60, tol=1e-12))
        keep(f"{gname}/native/components", N.connected_components(g))
        keep(f"{gname}/native/bfs", N.bfs(g, 3))
        keep(f"{gname}/native/sssp", N.sssp(g, 3))
    np.savez(sys.argv[1], **out)
    print(json.dumps(_core.cpu_features()))
""")


def run_child(path: Path, baseline: bool) -> dict:
    env = dict(os.environ)
    env.pop("SG_CPU_BASELINE", None)
    if baseline:
        env["SG_CPU_BASELINE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=env, timeout=900
    )
    assert proc.returncode == 0, f"child failed\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Same dtype, shape and bits; NaN where the other has NaN (payloads are not compared)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    nan = np.isnan(a)
    bits = f"u{a.itemsize}"
    return bool(np.array_equal(nan, np.isnan(b)) and np.array_equal(a[~nan].view(bits), b[~nan].view(bits)))


FEATURES = _core.cpu_features()


@pytest.mark.skipif(not (FEATURES["avx2"] or FEATURES["fma"]), reason="this CPU has neither AVX2 nor FMA")
@pytest.mark.skipif(FEATURES["baseline_avx2"], reason="the baseline build targets AVX2 itself (SG_NATIVE_ARCH)")
def test_wide_builds_equal_baseline_bitwise(tmp_path: Path) -> None:
    wide = run_child(tmp_path / "wide.npz", baseline=False)
    base = run_child(tmp_path / "base.npz", baseline=True)
    assert wide == FEATURES and (wide["avx2"] or wide["fma"])
    assert not (base["avx2"] or base["fma"]), f"SG_CPU_BASELINE=1 left {base} on"
    a, b = np.load(tmp_path / "wide.npz"), np.load(tmp_path / "base.npz")
    assert sorted(a.files) == sorted(b.files)
    assert len(a.files) >= 90, a.files  # every algorithm above wrote its outputs
    differ = [k for k in a.files if not same_bits(a[k], b[k])]
    assert not differ, f"AVX2/FMA builds differ from the baseline on {differ}"


def test_baseline_env_turns_features_off() -> None:
    env = dict(os.environ, SG_CPU_BASELINE="1")
    code = "import json; from stepgraph import _core; print(json.dumps(_core.cpu_features()))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert (got["avx2"], got["fma"]) == (False, False)
