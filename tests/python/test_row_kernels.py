"""Compiled row kernels (opt-in: ``enable=("compiled",)``): a pull kernel's gather and its whole
epilogue generated as one C++ row loop (compiler/row_codegen.cpp), built by the system compiler
(stepgraph.row_kernels) and loaded into the plan.

The contract: bit for bit the interpreted plan's results, at any thread count, with in-place
updates or not, on narrow and wide CSR offsets, weighted or not, in both row-loop layouts and
when each State measures which loop to keep (``Program.row_loop``); refusals named in explain();
a missing or failing compiler is a CompileError, never a silent interpreted run.
"""

from __future__ import annotations

import os
import platform

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import prop_harness as H
import stepgraph as sg
from program_gen import programs
from stepgraph import _core, row_kernels
from stepgraph.program import Program

COMPILED = "row loop: compiled ("
LOOPS = ("chunks", "rows", "interpreted")
MEASURED = ("chunks", "rows")  # the loops a State times (the interpreter only when forced)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    # One cache for the whole session (each kernel compiles once), never the user's.
    root = tmp_path_factory.getbasetemp() / "row_kernel_cache"
    monkeypatch.setenv("SG_CACHE_DIR", str(root))


def _graph(n=20_000, m=160_000, seed=3, weighted=False, wide=False, directed=True):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0.1, 2.0, m) if weighted else None
    return sg.Graph.from_edges(src, dst, n, w, directed, wide_offsets=wide)


def _with(prog: sg.Program, *enable: str) -> Program:
    return Program(
        prog.name, prog.ir_text, prog.params, prog.inputs, opt_level=prog.opt_level, exact=prog.exact, enable=enable
    )


def _interpreted(prog: sg.Program) -> Program:
    return Program(
        prog.name,
        prog.ir_text,
        prog.params,
        prog.inputs,
        opt_level=prog.opt_level,
        exact=prog.exact,
        disable=("compiled",),
    )


def _same(a, b):
    for k in a.keys():
        np.testing.assert_array_equal(a[k], b[k])
    np.testing.assert_array_equal(a.residuals, b.residuals)
    assert a.iterations == b.iterations


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("wide", [False, True])
def test_pagerank_compiled_is_bitwise_the_interpreted_plan(exact, weighted, wide):
    g = _graph(weighted=weighted, wide=wide)
    plain = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=25, exact=exact))
    prog = _with(plain, "compiled")
    assert COMPILED in prog.explain() and "row loop:" not in plain.explain()
    _same(prog.run(g), plain.run(g))
    if exact:  # and so the native twin's bits
        np.testing.assert_array_equal(
            prog.run(g)["rank"], sg.native.pagerank(g, tol=0.0, max_iter=25, raise_on_failure=False).values
        )


def test_compiled_with_in_place_personalization_and_threads():
    g = _graph(seed=5)
    rng = np.random.default_rng(1)
    p, d = rng.uniform(0, 1, g.num_nodes), rng.uniform(0, 1, g.num_nodes)
    plain = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=20, personalization=True, dangling=True))
    both = _with(plain, "compiled", "in_place")
    assert COMPILED in both.explain() and "# stored over its carry" in both.explain()
    ref = plain.run(g, personalization=p, dangling=d)
    for threads in (1, 2, 3):
        with sg.num_threads(threads):
            _same(both.run(g, personalization=p, dangling=d), ref)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("wide", [False, True])
def test_every_row_loop_gives_the_interpreted_bits(weighted, wide):
    plain = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=12))
    prog = _with(plain, "compiled")
    for g in (_graph(weighted=weighted, wide=wide), sg.generators.rmat(13, edge_factor=8, seed=2, weighted=weighted)):
        ref = plain.run(g)
        for loop in LOOPS + ("measure",):
            prog.row_loop = loop
            with sg.num_threads(2):
                _same(prog.run(g), ref)


@pytest.mark.parametrize("weighted", [False, True])
def test_sink_sum_branches_on_nearly_uniform_masks_with_the_interpreted_bits(weighted):
    # The sink sum folds where(sink mask, rank, 0): a branch on the mask when under 1/16 or over
    # 15/16 of the nodes are sinks (predicted), a select otherwise; both give the interpreter's bits.
    plain = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=12))
    prog = _with(plain, "compiled")
    assert "sink with a branch when under 1/16 or over 15/16" in prog.explain()
    graphs = {
        "branch": [
            _graph(weighted=weighted),  # 0.03 % sinks
            _graph(20_000, 600, seed=4, weighted=weighted),
        ],  # 97 % sinks
        "select": [sg.generators.rmat(13, edge_factor=8, seed=2, weighted=weighted)],  # 40 % sinks
    }
    for form, gs in graphs.items():
        for g in gs:
            ref = plain.run(g)
            for loop in ("chunks", "rows"):
                prog.row_loop = loop
                st_ = prog.init(g)
                assert st_.stats["row_loops"][0]["masks"] == form
                with sg.num_threads(2):
                    _same(prog.run(g), ref)


def test_a_state_measures_the_loops_then_keeps_the_fastest_and_its_program_remembers():
    g = _graph(8_000, 64_000, seed=11)
    prog = _with(sg.algorithms.pagerank_program(tol=0.0, max_iter=50), "compiled")
    assert prog.row_loop == "measure" and "times chunks and rows" in prog.explain()
    st_ = prog.init(g)
    prog.apply_batch(st_)  # touches fresh buffers: not timed
    assert st_.stats["row_loops"] == {0: {"chosen": None, "best_ns": {}, "pairs": 0, "masks": "branch"}}
    for _ in range(2 * 3):  # never before three pairs
        assert st_.stats["row_loops"][0]["chosen"] is None
        prog.apply_batch(st_)
    for _ in range(2 * 7):  # then once clear, at the latest after ten
        if st_.stats["row_loops"][0]["chosen"] is not None:
            break
        prog.apply_batch(st_)
    loops = st_.stats["row_loops"][0]
    assert 3 <= loops["pairs"] <= 10 and set(loops["best_ns"]) == set(MEASURED)
    assert all(t > 0 for t in loops["best_ns"].values())
    assert loops["chosen"] == ("chunks" if loops["rows_vs_chunks"] > 1 else "rows")
    # A later State on the same graph starts from that choice; one on another graph measures.
    assert prog.init(g).stats["row_loops"][0]["chosen"] == loops["chosen"]
    assert prog.init(_graph(8_000, 64_000, seed=12)).stats["row_loops"][0]["chosen"] is None


def test_states_on_one_graph_go_on_with_the_measurement_of_the_earlier_ones():
    g = _graph(8_000, 64_000, seed=13)
    prog = _with(sg.algorithms.pagerank_program(tol=0.0, max_iter=50), "compiled")
    first = prog.run(g, max_iter=5)  # one untimed run, then two pairs
    assert first.extra["stats"]["row_loops"][0]["pairs"] == 2
    st_ = prog.init(g)
    assert st_.stats["row_loops"][0]["pairs"] == 2 and st_.stats["row_loops"][0]["chosen"] is None
    for _ in range(3):  # untimed, then a third pair
        prog.apply_batch(st_)
    assert st_.stats["row_loops"][0]["pairs"] == 3
    ref = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=50)).run(g)
    _same(prog.run(prog.init(g)), ref)  # whatever each State runs: the same bits


def test_a_forced_row_loop_runs_from_the_first_iteration_and_bad_names_are_refused():
    g = _graph(3_000, 20_000)
    prog = _with(sg.algorithms.pagerank_program(tol=0.0, max_iter=5), "compiled")
    for loop in LOOPS:
        prog.row_loop = loop
        assert f"runs {loop}" in prog.explain()
        st_ = prog.init(g)
        assert st_.stats["row_loops"][0]["chosen"] == loop
        prog.apply_batch(st_)
        assert st_.stats["row_loops"][0] == {"chosen": loop, "best_ns": {}, "pairs": 0, "masks": "branch"}
    with pytest.raises(sg.ParameterError, match="row_loop='fastest': expected 'measure'"):
        prog.row_loop = "fastest"
    with pytest.raises(sg.ParameterError, match="row_loop must be a str"):
        prog.row_loop = 1  # type: ignore[assignment]
    assert prog.row_loop == "interpreted"
    plain = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=5))
    assert plain.init(g).stats["row_loops"] == {}  # nothing compiled: nothing to choose


def test_float32_pagerank_compiled():
    g = _graph(seed=9, weighted=True)
    plain = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=15, dtype="float32"))
    prog = _with(plain, "compiled")
    assert COMPILED in prog.explain()
    _same(prog.run(g), plain.run(g))


def test_apply_step_and_apply_batch_run_the_compiled_kernel():
    g = _graph(5_000, 40_000)
    prog = _with(sg.algorithms.pagerank_program(tol=0.0, max_iter=10), "compiled")
    ref = prog.run(g, max_iter=6)
    for stepwise in (False, True):
        st_ = prog.init(g)
        for _ in range(6):
            if stepwise:
                for i in range(prog.num_steps):
                    prog.apply_step(st_, i)
            else:
                prog.apply_batch(st_)
        np.testing.assert_array_equal(st_["rank"], ref["rank"])


@pytest.mark.parametrize("directed", [False, True])
def test_each_pull_kernel_is_compiled_or_explain_says_why(directed):
    g = _graph(3_000, 20_000, directed=directed)
    b = sg.Builder("mix")
    ones = b.fill(1.0)
    ids = b.node_id("int64")
    with b.loop(max_iter=5) as loop:
        x = loop.carry("x", ones)
        y = loop.carry("y", ones)
        z = loop.carry("z", ids)
        loop.update(x, b.neighbor_agg(x, "sum", "in") * 0.5 + x * 0.25)  # compiled
        loop.update(y, b.neighbor_agg(y, "min", "both") + b.cast(z, "float64"))  # compiled: two CSRs
        loop.update(z, b.neighbor_agg(z, "mode", "both") + 1)  # refused: mode counts in a hash table
    b.output("x", x)
    b.output("y", y)
    b.output("z", z)
    built = b.build(enable=("compiled",))
    text = built.explain()
    assert text.count(COMPILED) == 2
    assert (
        "row loop: interpreted per strip, not compiled: neighbor_agg[mode] counts each row's labels in a hash table"
        in text
    )
    _same(built.run(g), b.build(disable=("compiled",)).run(g))


def _lane_ops_program(b: sg.Builder, bool_carry: bool):
    """A loop whose epilogue uses every op with a 4-lane form, fed signed zeros, NaN and inf."""
    x0 = b.input("x0")
    flag0 = b.input("flag0", "bool")
    with b.loop(max_iter=4) as loop:
        x = loop.carry("x", x0)
        flag = loop.carry("flag", flag0)
        z = loop.carry("z", x0)
        s = b.neighbor_agg(x, "sum", "in")
        neg = s < 0.0
        pick = b.where(neg & ~flag | (s == x), -s, b.sqrt(b.abs(s)))
        y = b.minimum(pick, x) - b.maximum(s, 1.5) * b.recip(x) / (x + 2.0)
        y = b.where(s != s, x, y) * 0.5 + b.where(s >= 1.0, 1.0, 0.0)  # NaN rows keep x
        loop.update(x, y)
        zero = s * 0.0  # -0.0 where s < 0; abs keeps it (the scalar form's), so its recip is -inf
        loop.update(z, b.where(zero == 0.0, b.recip(b.abs(zero)), z))
        loop.update(flag, b.where(neg, flag, (s > x) | (s <= 0.0)) if bool_carry else flag)
        # The reductions over finite values: a sum meeting +inf and -inf is a NaN, and which NaN an
        # add of two NaNs returns is unspecified (IEEE 754 6.2.3; compilers commute adds).
        fy, fs = b.where(b.abs(y) < 1e100, y, 0.0), b.where(b.abs(s) < 1e100, s, 0.0)
        loop.until(
            b.norm_l1(y - x) < 0.0,
            b.sum(fy)
            + b.norm_l2(fy)
            + b.norm_inf(fs)
            + b.norm_inf(fs - 1e3)  # all < 0: abs matters
            + b.min(fy)
            + b.max(fy)
            + b.mean(fs),
        )
    b.output("x", x)
    b.output("flag", flag)
    b.output("z", z)


@pytest.mark.parametrize("bool_carry", [False, True])
def test_chunk_epilogue_in_lane_vectors_gives_the_interpreted_bits(bool_carry):
    # 20,003 nodes: blocks and chunks end off a multiple of four (the one-row tail runs too).
    g = _graph(20_003, 120_000, seed=8)
    rng = np.random.default_rng(2)
    x0 = rng.normal(0.0, 2.0, g.num_nodes)
    x0[::7], x0[1::11], x0[2::13] = 0.0, -0.0, np.inf
    x0[3::17] = np.nan
    flag0 = rng.integers(0, 2, g.num_nodes).astype(bool)
    b = sg.Builder("lanes")
    _lane_ops_program(b, bool_carry)
    prog = b.build(enable=("compiled",))
    assert "chunk epilogue: four rows per vector op" in prog.explain()
    prog.row_loop = "chunks"
    ref = b.build(disable=("compiled",)).run(g, x0=x0, flag0=flag0)
    got = prog.run(g, x0=x0, flag0=flag0)
    for k in ("x", "flag", "z"):
        np.testing.assert_array_equal(got[k].view(np.uint8), ref[k].view(np.uint8))  # bits: -0.0, NaN
    res = np.array(got.residuals)
    assert np.isfinite(res).all() and len(res) == 4
    np.testing.assert_array_equal(res.view(np.uint64), np.array(ref.residuals).view(np.uint64))


def test_chunk_epilogue_without_a_lane_form_runs_per_row_and_explain_says_why():
    g = _graph(3_000, 20_000)
    b = sg.Builder("pow")
    ones = b.fill(1.0)
    with b.loop(max_iter=3) as loop:
        x = loop.carry("x", ones)
        loop.update(x, b.pow(b.neighbor_agg(x, "sum", "in") * 0.1, 0.5))
    b.output("x", x)
    prog = b.build(enable=("compiled",))
    assert "chunk epilogue: one row at a time, no 4-lane form: %" in prog.explain()
    assert "= pow over f64" in prog.explain()
    prog.row_loop = "chunks"
    _same(prog.run(g), b.build(disable=("compiled",)).run(g))


@pytest.mark.parametrize(
    "combine,direction,says",
    [
        ("sum", "in", "chunk gather: four rows side by side over the sliced CSR"),
        ("max", "in", "chunk gather: row by row (the sliced CSR serves sums, not max)"),
        ("sum", "both", "chunk gather: row by row (the sliced CSR serves one direction, not both)"),
    ],
)
def test_explain_says_how_a_chunk_gathers(combine, direction, says):
    b = sg.Builder(f"gather_{combine}_{direction}")
    ones = b.fill(1.0)
    with b.loop(max_iter=2) as loop:
        x = loop.carry("x", ones)
        loop.update(x, b.neighbor_agg(x, combine, direction) * 0.5 + 1.0)
    b.output("x", x)
    assert says in b.build(enable=("compiled",)).explain()


def test_compiled_by_default_at_o3_hint_when_disabled_and_unknown_names_refused():
    default = sg.algorithms.pagerank_program()
    assert COMPILED in default.explain() and "could be compiled" not in default.explain()
    plain = _interpreted(default)
    assert "step 1's epilogue could be compiled into its row loop, but disable=('compiled',)" in plain.explain()
    assert "row loop:" not in plain.explain()
    for level in (0, 1, 2):  # kernels are formed at O3 only
        assert not Program(
            default.name, default.ir_text, default.params, default.inputs, opt_level=level
        )._core.row_kernels()
    with pytest.raises(sg.ParameterError, match="compiled"):
        _with(plain, "compiledd")


def test_cache_hit_reuses_the_library(tmp_path, monkeypatch):
    monkeypatch.setenv("SG_CACHE_DIR", str(tmp_path))
    plain = _interpreted(sg.algorithms.pagerank_program(max_iter=7))
    a = row_kernels.attach(_core.Program(plain.ir_text, 3, False, [], ["compiled"]))
    inode = a[0][1].stat().st_ino
    b = row_kernels.attach(_core.Program(plain.ir_text, 3, False, [], ["compiled"]))
    assert a == b and b[0][1].stat().st_ino == inode  # the same file: a rebuild renames a new one in
    assert [p.name for p in tmp_path.iterdir()] == [a[0][1].name]  # no build leftovers


def test_row_kernel_flags_round_as_the_interpreter_and_leave_out_avx512_on_x86():
    flags = list(_core.row_kernel_flags())
    assert "-ffp-contract=off" in flags and not any("fast-math" in f for f in flags)
    if platform.machine() in ("x86_64", "AMD64", "i686"):
        # after -march=native, or the host's AVX-512 comes back (Zen 4: 1.06-1.24x slower gathers)
        assert flags.index("-mno-avx512f") > flags.index("-march=native")


def test_missing_compiler_is_a_compile_error(monkeypatch):
    monkeypatch.setenv("SG_CXX", "/nonexistent/c++")
    with pytest.raises(sg.CompileError, match="SG_CXX"):
        _with(sg.algorithms.pagerank_program(), "compiled")
    monkeypatch.delenv("SG_CXX")
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(sg.CompileError, match="needs a C\\+\\+17 compiler"):
        _with(sg.algorithms.pagerank_program(max_iter=11), "compiled")


def test_without_a_compiler_the_default_runs_interpreted_and_says_why(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("SG_CACHE_DIR", str(tmp_path))  # not the session's cache: nothing to find there
    g = _graph(3_000, 20_000)
    ref = _interpreted(sg.algorithms.pagerank_program(tol=0.0, max_iter=9)).run(g)
    monkeypatch.setenv("SG_CXX", "/nonexistent/c++")
    monkeypatch.setattr(sg.program, "_warned", set())  # each reason is logged once per process
    with caplog.at_level("WARNING", logger="stepgraph.program"):
        prog = sg.algorithms.pagerank_program(tol=0.0, max_iter=9)
    text = prog.explain()
    assert (
        "row loop: interpreted per strip, not compiled: $SG_CXX='/nonexistent/c++': '/nonexistent/c++' is not an "
        "executable on PATH (enable=('compiled',) makes this an error)"
    ) in text
    assert any("row kernels run interpreted" in r.getMessage() for r in caplog.records)
    assert prog.init(g).stats["row_loops"] == {}
    _same(prog.run(g), ref)


def test_failing_compiler_is_a_compile_error_with_its_output(tmp_path, monkeypatch):
    fake = tmp_path / "fakecxx"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do [ "$a" = --version ] && echo fake 1.0 && exit 0; done\n'
        "echo 'error: no good' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("SG_CXX", str(fake))
    monkeypatch.setenv("SG_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(sg.CompileError, match="(?s)rejected row kernel.*error: no good"):
        _with(sg.algorithms.pagerank_program(), "compiled")


def test_attach_refuses_twice_and_foreign_libraries(tmp_path):
    core = _core.Program(sg.algorithms.pagerank_program().ir_text, 3, False, [], ["compiled"])
    ((step, path),) = row_kernels.attach(core)
    with pytest.raises(sg.ProgramError, match="already attached"):
        core.attach_row_kernel(step, str(path))
    other = _core.Program(sg.algorithms.pagerank_program(alpha=0.5).ir_text, 3, False, [], ["compiled"])
    with pytest.raises(sg.ProgramError, match="cannot load"):
        other.attach_row_kernel(step, str(tmp_path / "missing.so"))
    if other.row_kernels()[0][1] != core.row_kernels()[0][1]:
        with pytest.raises(sg.ProgramError, match="is not the row kernel"):
            other.attach_row_kernel(step, str(path))
    with pytest.raises(sg.ProgramError, match="no step"):
        other.attach_row_kernel(99, str(path))


SETTINGS = dict(
    derandomize=True, database=None, deadline=None, print_blob=False, suppress_health_check=list(HealthCheck)
)
BIG = [c.graph() for c in H.big_cases()]


def _compiled_differs(spec, gi, graphs):
    plain, err = H.build(spec, 3, True)
    comp = Program(plain.name, plain.ir_text, plain.params, plain.inputs, opt_level=3, exact=True, enable=("compiled",))
    g = graphs[gi]
    a = H.run(plain, "", spec, g)
    for loop in ("chunks", "rows"):
        comp.row_loop = loop
        b = H.run(comp, "", spec, g)
        why = H.outcome_diff(a, b)
        if why:
            return (f"compiled ({loop}) vs interpreted: {why}", {"O3": a, f"O3 compiled, {loop}": b}, (3,))
    return None


def _generates_a_row_kernel(spec) -> bool:
    plain, _ = H.build(spec, 3, True)
    return plain is not None and bool(_core.Program(plain.ir_text, 3, True, [], ["compiled"]).row_kernels())


# Random programs (issue #4's generator) with a pull kernel the generator takes (sum / mean / min
# / max rows, one or both directions, every elementwise op, cast and reduction): each must give
# the interpreted kernel's bits, on small graphs and on graphs of several blocks. Each kernel is
# compiled once (about 0.5 s), so the example count is modest.
@settings(max_examples=int(os.environ.get("SG_ROW_EXAMPLES", "60")), **SETTINGS)
@given(spec=programs("exact", loop_percent=100), gi=st.integers(0, len(H.CASES) - 1), big=st.integers(0, 1))
def test_random_programs_compiled_equal_interpreted(spec, gi, big):
    assume(_generates_a_row_kernel(spec))
    cases = H.big_cases() if big else H.CASES
    graphs = BIG if big else H.GRAPHS
    gi = gi % len(graphs)
    found = _compiled_differs(spec, gi, graphs)
    if found:
        what, shown, levels = found
        raise AssertionError(H.report(spec, cases[gi], what, shown, levels))
