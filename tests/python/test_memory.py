"""Memory: no growth over many iterations or many States/Programs; too-big graphs raise OutOfMemoryError.

RSS is read from /proc/self/statm (resident pages). It is a noisy measure: glibc's malloc keeps
freed chunks in its arenas and trims them lazily, TBB keeps per-thread caches, Python keeps free
lists, and pages are counted once touched. So RSS checks allow a small fixed tolerance (a few MiB,
far below what a leak of one State or one iteration's buffers per call would add up to), after a
warm-up that lets every cache reach its steady size. The exact checks are the native counters:
``_core.array_allocations()`` (buffers ever allocated) and ``_core.array_live_bytes()`` (bytes of
native buffers alive now).

Every out-of-memory case runs in a child process under an RLIMIT_AS safety net, so a crash or an
abort is a test failure, and a regression can never drive this shared machine into the OOM killer.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import stepgraph as sg
from stepgraph import _core

MiB = 1 << 20
PAGE = os.sysconf("SC_PAGE_SIZE")
pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc/self/statm (Linux)")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def _under_asan() -> bool:
    try:
        with open("/proc/self/maps") as f:
            return "libasan" in f.read()
    except OSError:
        return False


# Under AddressSanitizer (scripts/test_python_asan.sh) freed memory waits in ASan's quarantine, so
# RSS grows although nothing leaks: there the RSS bounds are not checked (the exact native-buffer
# counts still are; the normal-build run checks RSS). ASan's own bookkeeping also needs address
# space, so the zero-headroom RLIMIT_AS case cannot run under it.
UNDER_ASAN = _under_asan()


# -- no growth -----------------------------------------------------------------------------------------


def test_apply_batch_10000_iterations_allocate_nothing_and_rss_stays_flat():
    g = sg.generators.uniform(20_000, 200_000, seed=5)
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=10**9)
    st = prog.init(g)
    for _ in range(200):  # warm-up: allocator caches and TBB threads reach their steady state
        prog.apply_batch(st)
    allocations, live, before = _core.array_allocations(), _core.array_live_bytes(), rss()
    for _ in range(10_000):
        prog.apply_batch(st)
    growth = rss() - before
    assert st.iteration == 10_200
    assert _core.array_allocations() == allocations  # not one native buffer allocated
    assert _core.array_live_bytes() == live
    # The State keeps the residual history (8 bytes per iteration: 80 KB here, in a vector that
    # doubles); the rest of the tolerance is allocator noise. One leaked node buffer per iteration
    # would be 160 KB per iteration, 1.6 GB in all.
    assert UNDER_ASAN or growth < 2 * MiB, f"RSS grew by {growth / MiB:.1f} MiB over 10,000 apply_batch calls"


def test_run_10000_iterations_rss_stays_flat():
    g = sg.generators.uniform(20_000, 200_000, seed=5)
    prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=10**9)
    st = prog.init(g)
    prog.run(st, max_iter=200)
    allocations, before = _core.array_allocations(), rss()
    prog.run(st, max_iter=10_200, progress=lambda i, r: None)
    growth = rss() - before
    assert _core.array_allocations() == allocations
    assert UNDER_ASAN or growth < 2 * MiB, f"RSS grew by {growth / MiB:.1f} MiB over a 10,000-iteration run"


def _cycle(g: sg.Graph, text: str) -> None:
    """Build a Program, init a State, iterate, read results, run, and drop them all."""
    prog = sg.Program("pagerank", text, {"alpha": 0.85, "tol": 1e-6}, {})
    st = prog.init(g)
    prog.apply_batch(st)
    rank = st["rank"]  # a view that keeps the State alive until it goes
    assert rank.shape == (g.num_nodes,)
    res = prog.run(g, max_iter=3)
    assert res.iterations == 3
    del prog, st, rank, res


def test_states_and_programs_freed_at_the_python_boundary():
    g = sg.generators.uniform(20_000, 200_000, seed=6)
    ref = sg.algorithms.pagerank_program()
    text = ref.ir_text
    for _ in range(30):  # warm-up
        _cycle(g, text)
    gc.collect()
    live, before = _core.array_live_bytes(), rss()
    for _ in range(500):
        _cycle(g, text)
    gc.collect()
    growth = rss() - before
    # Exact: every native buffer of every State (several 160 KB node vectors each) was freed.
    assert _core.array_live_bytes() == live
    # A leaked State would be ~1 MB per cycle (500 MB in all); a leaked Program (IR + plan) tens
    # of KB per cycle (several MB in all).
    assert UNDER_ASAN or growth < 4 * MiB, f"RSS grew by {growth / MiB:.1f} MiB over 500 Program/State cycles"


def test_native_twins_and_graphs_freed_at_the_python_boundary():
    def cycle() -> None:
        g = sg.generators.uniform(20_000, 200_000, seed=7)
        sg.native.pagerank(g)
        sg.native.connected_components(g)
        sg.native.bfs(g, 0)
        del g

    for _ in range(10):
        cycle()
    gc.collect()
    live, before = _core.array_live_bytes(), rss()
    for _ in range(200):
        cycle()
    gc.collect()
    assert _core.array_live_bytes() == live
    growth = rss() - before
    assert UNDER_ASAN or growth < 4 * MiB, f"RSS grew by {growth / MiB:.1f} MiB over 200 graph + native twin cycles"


def test_pagerank_state_holds_four_node_vectors_and_the_sink_mask():
    """The fused prologue keeps out-degree and its reciprocal in strip temporaries: an O3
    PageRank State owns rank, 1/out-degree, the pipelined contribution and its next value, and
    the sink mask; nothing else of node size (before the prologue was fused: one vector more)."""
    g = sg.generators.uniform(1_000_000, 2_000_000, seed=3)
    n = g.num_nodes
    prog = sg.algorithms.pagerank_program()
    assert prog.passes_at_init == 1
    gc.collect()
    with sg.threads.num_threads(2):  # per-thread scratch (strip temporaries) is far below a node vector
        live = _core.array_live_bytes()
        st = prog.init(g)
        owned = _core.array_live_bytes() - live
    node_vectors = 4 * 8 * n + n
    assert node_vectors <= owned < node_vectors + 8 * n // 2, f"{owned / (8 * n):.2f} float64 node vectors"
    del st


def test_dropped_state_frees_its_buffers_at_once():
    """Regression: Program kept its last State strongly and the State its Program, a cycle that
    held every dropped State's native buffers until Python's cyclic GC happened to run (RSS grew
    by ~0.8 MB per Program/State cycle in the loop above)."""
    g = sg.generators.uniform(50_000, 100_000, seed=8)
    # The graph builds its sliced in-CSR on first use and keeps it (graph/sliced_csr.hpp).
    sg.native.pagerank(g, max_iter=1, raise_on_failure=False)
    gc.collect()
    gc.disable()
    try:
        live = _core.array_live_bytes()
        prog = sg.algorithms.pagerank_program()
        st = prog.init(g)
        assert prog.last_state is st
        assert _core.array_live_bytes() >= live + 3 * 8 * g.num_nodes  # at least three node vectors
        view = st["rank"]
        del st
        assert _core.array_live_bytes() > live  # the view keeps the State (and its buffers) alive
        del view
        assert prog.last_state is None
        assert _core.array_live_bytes() == live  # freed by reference counting alone
        prog.run(g, max_iter=2)
        assert _core.array_live_bytes() == live
        st = prog.init(g)
        del prog  # the State keeps its Program
        assert st.program.run(st).converged
        del st
        assert _core.array_live_bytes() == live
        del g  # and the graph its sliced CSR
        assert _core.array_live_bytes() < live - 4 * 100_000
    finally:
        gc.enable()


# -- too big: OutOfMemoryError, never an abort or the OOM killer ----------------------------------------


def run_child(code: str, headroom: int = 2 << 30) -> subprocess.CompletedProcess:
    """Run ``code`` in a child Python whose address space is capped at its size after import + headroom."""
    prelude = textwrap.dedent(f"""
        import os, resource, sys
        import numpy as np
        import stepgraph as sg
        from stepgraph import _core
        with open("/proc/self/statm") as f:
            vm = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = vm + {headroom}
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

        def expect_oom(what, f, match=None):
            try:
                f()
            except sg.OutOfMemoryError as e:
                assert isinstance(e, MemoryError)
                if match is not None:
                    assert match in str(e), (what, str(e))
                print("OOM", what, "|", e, flush=True)
                return
            raise AssertionError(what + ": no OutOfMemoryError")
    """)
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=600
    )


def check(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"child exited with {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def test_from_edges_with_a_huge_num_nodes():
    out = check(
        run_child("""
        expect_oom("from_edges", lambda: sg.Graph.from_edges(np.array([0]), np.array([1]), num_nodes=2_000_000_000),
                   "building this graph needs")
        print("alive")
    """)
    )
    assert "alive" in out


def test_generators_too_big():
    out = check(
        run_child("""
        try:
            sg.generators.rmat(scale=40)
        except sg.ParameterError as e:
            assert "scale must be in [0, 30]" in str(e)
        else:
            raise AssertionError("rmat(scale=40) accepted")
        expect_oom("rmat 30", lambda: sg.generators.rmat(scale=30, edge_factor=16), "generating this graph needs")
        expect_oom("uniform", lambda: sg.generators.uniform(1_000_000, 2**36), "generating this graph needs")
        # 2e9 nodes, 4e9 edges: each edge array alone would pass malloc under overcommit and then be
        # OOM-killed when written (the bug this guards against).
        expect_oom("grid", lambda: sg.generators.grid(40_000, 50_000), "generating this graph needs")
        expect_oom("rmat 24 capped", lambda: sg.generators.rmat(scale=24, edge_factor=32))
        g = sg.generators.rmat(scale=12)  # still usable afterwards
        assert sg.native.pagerank(g).converged
        print("alive")
    """)
    )
    assert "alive" in out


def test_state_that_does_not_fit():
    out = check(
        run_child("""
        b = sg.Builder("many")
        x = b.fill(1.0)
        for i in range(200):
            b.output(f"o{i}", x + float(i))
        prog = b.build()
        g = sg.Graph.from_edges(np.array([0]), np.array([1]), num_nodes=2_000_000)
        expect_oom("state", lambda: prog.init(g), "allocating this program's state needs")
        b = sg.Builder("few")
        b.output("o", b.fill(1.0) + 1.0)
        assert (b.build().run(g)["o"] == 2.0).all()  # and the next State is fine
        print("alive")
    """)
    )
    assert "alive" in out


def test_read_graph_with_a_huge_declared_size(tmp_path):
    path = tmp_path / "huge.mtx"
    path.write_text("%%MatrixMarket matrix coordinate pattern general\n2000000000 2000000000 1\n1 2\n")
    out = check(
        run_child(f"""
        expect_oom("mtx", lambda: sg.read_graph({str(path)!r}), "building this graph needs")
        print("alive")
    """)
    )
    assert "alive" in out


def test_failed_allocation_is_out_of_memory_error_not_an_abort():
    """A real allocation failure (no size check foresaw it): std::bad_alloc -> OutOfMemoryError.

    Personalized PageRank's result matrix is not pre-checked: 64 sources x 1M nodes x 8 bytes is
    512 MiB, far more than the 64 MiB of address space left (and than any free heap chunk the
    graph build left behind). The graph itself fits.
    """
    out = check(
        run_child("""
        g = sg.Graph.from_edges(np.array([0]), np.array([1]), num_nodes=1_000_000)
        with open("/proc/self/statm") as f:
            vm = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (vm + (64 << 20), cap))
        sources = list(range(64))
        for dtype in ("float64", "float32"):
            expect_oom(dtype, lambda: sg.native.personalized_pagerank(g, sources, max_iter=5, dtype=dtype,
                                                                      raise_on_failure=False), "out of memory")
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        res = sg.native.personalized_pagerank(g, sources[:4], tol=0.0, max_iter=5, raise_on_failure=False)
        assert res.iterations == 5
        print("alive")
    """)
    )
    assert "alive" in out


@pytest.mark.parametrize("headroom_mib", [0, 16, 48])
def test_every_step_under_tight_address_space(headroom_mib):
    if UNDER_ASAN and headroom_mib == 0:
        pytest.skip("ASan's runtime needs address space of its own (it aborts at zero headroom)")
    """With a graph built and then only a little address space left, every State, kernel and
    native twin either works or raises OutOfMemoryError (allocations inside TBB tasks included),
    and the process lives on."""
    out = check(
        run_child(f"""
        g = sg.generators.uniform(1_000_000, 4_000_000, seed=1, weighted=True)
        with open("/proc/self/statm") as f:
            vm = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (vm + ({headroom_mib} << 20), cap))
        steps = [
            ("builder run", lambda: sg.algorithms.pagerank_program().run(g)),
            ("builder components", lambda: sg.algorithms.connected_components(g)),
            ("pagerank", lambda: sg.native.pagerank(g)),
            ("personalized", lambda: sg.native.personalized_pagerank(g, [0, 1, 2, 3])),
            ("components", lambda: sg.native.connected_components(g)),
            ("sssp", lambda: sg.native.sssp(g, 0)),
            ("bfs", lambda: sg.native.bfs(g, 0)),
            ("label_propagation", lambda: sg.native.label_propagation(g)),
            ("csr", lambda: g.csr()),
            ("generate", lambda: sg.generators.uniform(2_000_000, 8_000_000, seed=2)),
        ]
        for what, f in steps:
            try:
                f()
                print("ok", what, flush=True)
            except sg.OutOfMemoryError:
                print("OOM", what, flush=True)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        assert sg.native.pagerank(g).converged  # and everything works again with room
        print("alive")
    """)
    )
    assert "alive" in out
    if headroom_mib == 0:
        assert "OOM pagerank" in out and "OOM builder run" in out  # the failures were real


def test_output_copy_out_of_memory_is_typed(monkeypatch):
    """run on a State others can reach copies its outputs with numpy; numpy's MemoryError must
    come out as OutOfMemoryError (found under ASan with 48 MiB of address space left: the State
    fit, the copy did not). run(graph) hands its private State's buffers over: no copy."""
    import stepgraph.program as program_module

    g = sg.generators.uniform(1000, 5000, seed=1)
    prog = sg.algorithms.pagerank_program()

    class NoMemoryNumpy:
        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def array(*args, **kwargs):
            raise MemoryError("Unable to allocate 7.63 MiB")

    state = prog.init(g)
    monkeypatch.setattr(program_module, "np", NoMemoryNumpy())
    with pytest.raises(sg.OutOfMemoryError, match="copy the outputs"):
        prog.run(state)
    prog.run(g)  # hands the buffers over: nothing to copy
