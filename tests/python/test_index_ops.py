"""b.gather / b.scatter: semantics against numpy (repeated indices, every combine and dtype),
O0 vs O3, 1 vs 2 threads, and bad input (out of range, negative, wrong dtype, wrong kind)."""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

import stepgraph as sg
from stepgraph import _core

NP = {"float64": np.float64, "float32": np.float32, "int64": np.int64}
HERE = os.path.basename(__file__)


def _graph(n: int) -> sg.Graph:
    return sg.Graph.from_edges(np.zeros(0, np.int64), np.zeros(0, np.int64), n)


def _run(build, n, opt_level=3, **inputs):
    b = sg.Builder("index")
    build(b)
    return b.build(opt_level=opt_level).run(_graph(n), **inputs)


def _gather_prog(dtype):
    def build(b):
        x = b.input("x", dtype)
        idx = b.input("idx", "int64")
        b.output("out", b.gather(x, idx))

    return build


def _scatter_prog(dtype, combine, scalar_values=None):
    def build(b):
        t = b.input("t", dtype)
        idx = b.input("idx", "int64")
        vals = b.input("vals", dtype) if scalar_values is None else scalar_values
        b.output("out", b.scatter(t, idx, vals, combine=combine))

    return build


def _values(rng, n, dtype):
    if dtype == "int64":
        return rng.integers(-50, 50, n).astype(np.int64)
    return rng.normal(size=n).astype(NP.get(dtype, np.float64))


def _bits(a):
    return np.ascontiguousarray(a).view(np.uint8).tobytes()


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "bool"])
@pytest.mark.parametrize("opt_level", [0, 3])
def test_gather_matches_numpy(dtype, opt_level):
    rng = np.random.default_rng(1)
    for n in (0, 1, 7, 5000):
        x = rng.integers(0, 2, n).astype(bool) if dtype == "bool" else _values(rng, n, dtype)
        idx = rng.integers(0, max(n, 1), n)
        res = _run(_gather_prog(dtype), n, opt_level, x=x.astype(np.float64), idx=idx)
        expect = x[idx]
        assert res["out"].dtype == expect.dtype
        assert _bits(res["out"]) == _bits(expect)


NUMPY_AT = {"sum": np.add.at, "min": np.minimum.at, "max": np.maximum.at}


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
@pytest.mark.parametrize("combine", ["sum", "min", "max"])
@pytest.mark.parametrize("opt_level", [0, 3])
def test_scatter_matches_numpy_with_repeated_indices(dtype, combine, opt_level):
    rng = np.random.default_rng(2)
    for n in (0, 1, 9, 6000):
        t, vals = _values(rng, n, dtype), _values(rng, n, dtype)
        idx = rng.integers(0, max(n // 3, 1), n)  # every target index repeats about three times
        res = _run(_scatter_prog(dtype, combine), n, opt_level, t=t.astype(np.float64), idx=idx, vals=vals)
        expect = t.copy()
        NUMPY_AT[combine](expect, idx, vals)  # in node order, as the float scatter is documented
        assert res["out"].dtype == expect.dtype
        assert _bits(res["out"]) == _bits(expect), (dtype, combine, n)


def test_scatter_scalar_values_count_and_untouched_nodes_keep_the_target():
    idx = np.array([3, 3, 0, 3, 5, 0])
    res = _run(_scatter_prog("int64", "sum", scalar_values=1), 6, t=np.zeros(6), idx=idx)
    assert res["out"].tolist() == [2, 0, 0, 3, 0, 1]
    res = _run(_scatter_prog("float64", "max", scalar_values=2.5), 6, t=np.arange(6.0), idx=idx)
    assert res["out"].tolist() == [2.5, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_int64_scatter_sum_wraps():
    big = np.iinfo(np.int64).max

    def build(b):
        t = b.fill(0, "int64") + (2**52)  # big values computed in the program (inputs cross as float64)
        idx = b.input("idx", "int64")
        v = b.fill(2**52, "int64") * (2**11)  # 2**63 wraps to INT64_MIN
        b.output("out", b.scatter(t, idx, v - 1, combine="sum"))

    res = _run(build, 2, idx=np.array([0, 0]))
    expect = np.full(2, 2**52, np.int64)
    with np.errstate(over="ignore"):
        np.add.at(expect, [0, 0], np.full(2, big, np.int64))
    assert res["out"].tolist() == expect.tolist()


def test_float_min_max_follow_b_minimum_on_nan_and_signed_zero():
    # acc = b.minimum(acc, value): a NaN already there stays, a NaN value is passed over, and
    # equal zeros keep the accumulated one, all in node order.
    t = np.array([np.nan, 0.0, -0.0, 1.0])
    vals = np.array([1.0, -0.0, 0.0, np.nan, 0.5])
    idx = np.array([0, 1, 2, 3, 3])

    def build(b):
        tt, ii, vv = b.input("t"), b.input("idx", "int64"), b.input("vals")
        b.output("lo", b.scatter(tt, ii, vv, combine="min"))
        b.output("hi", b.scatter(tt, ii, vv, combine="max"))

    g = _graph(5)
    b = sg.Builder("nan")
    build(b)
    res = b.build().run(g, t=np.append(t, 7.0), idx=np.append(idx[:4], 4), vals=vals)
    lo, hi = res["lo"], res["hi"]
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    assert _bits(lo[1:3]) == _bits(np.array([0.0, -0.0])) and _bits(hi[1:3]) == _bits(np.array([0.0, -0.0]))
    assert lo[3] == 1.0 and hi[3] == 1.0


@pytest.mark.parametrize("combine", ["sum", "min", "max"])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_one_and_two_threads_give_the_same_bits(combine, dtype):
    n = 200_000
    rng = np.random.default_rng(3)
    t, vals, idx = _values(rng, n, dtype), _values(rng, n, dtype), rng.integers(0, 100, n)
    b = sg.Builder("threads")
    tt, ii = b.input("t", dtype), b.input("idx", "int64")
    vv = b.input("vals", dtype)
    b.output("out", b.scatter(tt, ii, vv, combine=combine))
    b.output("g", b.gather(vv, ii))
    prog = b.build()
    outs = []
    for threads in (1, 2):
        with sg.threads.num_threads(threads):
            res = prog.run(_graph(n), t=t.astype(np.float64), idx=idx, vals=vals.astype(np.float64))
            outs.append((_bits(res["out"]), _bits(res["g"])))
    assert outs[0] == outs[1]
    expect = t.copy()
    NUMPY_AT[combine](expect, idx, vals)
    assert outs[0][0] == _bits(expect)


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [5, -1, 2**40])
@pytest.mark.parametrize("op", ["gather", "scatter"])
def test_an_index_out_of_range_is_a_parameter_error_naming_it(op, bad):
    idx = np.array([0, 1, 2, 3, 4])
    idx[3] = bad
    b = sg.Builder("oob")
    x = b.input("x", "int64")
    where = b.input("where", "int64")
    if op == "gather":
        out, line = b.gather(x, where), inspect.currentframe().f_lineno
    else:
        out, line = b.scatter(x, where, x, combine="min"), inspect.currentframe().f_lineno
    b.output("out", out)
    prog = b.build()
    for threads in (1, 2):
        with sg.threads.num_threads(threads):
            with pytest.raises(sg.ParameterError) as e:
                prog.run(_graph(5), x=np.arange(5), where=idx)
            msg = str(e.value)
            assert msg.startswith(f"{op}: index 'where'[3] = {bad} is out of range for a graph with 5 nodes"), msg
            assert msg.endswith(f"{HERE}:{line})"), msg


def test_the_lowest_bad_position_is_named_at_any_thread_count():
    n = 100_000
    idx = np.arange(n)
    idx[[70_000, 40_000, 99_999]] = [-5, n, -1]
    b = sg.Builder("oob")
    b.output("out", b.gather(b.node_id(), b.input("i", "int64")))
    prog = b.build()
    for threads in (1, 2):
        with sg.threads.num_threads(threads):
            with pytest.raises(sg.ParameterError, match=rf"gather: index 'i'\[40000\] = {n} is out of range"):
                prog.run(_graph(n), i=idx)


def test_a_bad_index_inside_a_loop_names_the_line():
    b = sg.Builder("loop")
    ids = b.node_id()
    with b.loop(max_iter=3) as loop:
        p = loop.carry("p", ids)
        nxt = b.gather(p, p + 1)  # the last node points past the end
        loop.update(p, nxt)
    b.output("p", p)
    for opt in (0, 3):  # O3 rotates p + 1 into a carry of its own (add_ahead), named if so
        with pytest.raises(sg.ParameterError, match=r"gather: index( '\w+')?\[2\] = 3 is out of range .*_ops\.py:\d+"):
            b.build(opt_level=opt).run(_graph(3))
        b._built = False


def test_wrong_dtype_and_kind_are_builder_errors_at_the_users_line():
    b = sg.Builder("bad")
    x = b.fill(1.0)
    fidx = b.fill(0.0)
    iidx = b.node_id()
    cases = [
        (lambda: b.gather(x, fidx), "gather: idx must be an int64 node vector", "float64 node vector"),
        (lambda: b.gather(x, b.const(0, "int64")), "gather: idx must be an int64 node vector", "int64 scalar"),
        (lambda: b.gather(b.const(1.0), iidx), "gather: needs a node vector", "float64 scalar"),
        (lambda: b.gather(x, 3), "gather: idx must be an int64 node vector", "int64 scalar"),
        (lambda: b.scatter(x, fidx, x), "scatter: idx must be an int64 node vector", "float64 node vector"),
        (lambda: b.scatter(b.const(0.0), iidx, x), "scatter: needs a node vector", "float64 scalar"),
        (lambda: b.scatter(x, iidx, iidx), "scatter: needs values of the target's dtype", "int64 node vector"),
        (lambda: b.scatter(x > 0, iidx, x > 0), "scatter: needs a numeric target", "mask"),
    ]
    for make, what, kind in cases:
        with pytest.raises(sg.ProgramError) as e:
            make()
        msg = str(e.value)
        assert msg.startswith(what) and kind in msg and f"{HERE}:" in msg, msg
    with pytest.raises(
        sg.ProgramError, match=r"scatter: combine must be sum, min or max, got 'mean' \(at .*\.py:\d+\)"
    ):
        b.scatter(x, iidx, x, combine="mean")


def _ir(body: str) -> str:
    return "sgir 1\nv P node_id i64 n 0 to=i64\nv P fill f64 n 0 number=1.0 to=f64\n" + body + "end\n"


@pytest.mark.parametrize(
    "body,message",
    [
        (
            "v P gather f64 n 2 1 1 loc=my.py:7\noutput o 2\n",
            r"gather: needs an int64 node vector of indices.*my\.py:7",
        ),
        ("v P const i64 s 0 number=0.0 to=i64\nv P gather f64 n 2 1 2\noutput o 3\n", "int64 node vector of indices"),
        ("v P const f64 s 0 number=0.0 to=f64\nv P gather f64 s 2 2 0\noutput o 3\n", "gathers from a node vector"),
        ("v P scatter f64 n 3 1 0 0\noutput o 2\n", "needs values of the target's dtype"),
        ("v P scatter f64 n 3 1 1 1\noutput o 2\n", "int64 node vector of indices"),
        ("v P scatter i64 n 3 0 0 0 combine=mode\noutput o 2\n", "combine must be sum, min or max, got mode"),
        ("v P gather i64 n 1 0\noutput o 2\n", "gather takes 2 inputs, got 1"),
    ],
)
def test_the_native_validator_checks_again(body, message):
    with pytest.raises(sg.ProgramError, match=message):
        _core.Program(_ir(body), 3, False, [], [])


def test_printed_ir_and_explain_show_scatter_combine_and_refused_fusions():
    b = sg.Builder("show")
    ids = b.node_id()
    with b.loop(max_iter=2) as loop:
        f = loop.carry("f", ids)
        h = b.scatter(f, f, b.neighbor_agg(f, "max", "both"), combine="max")  # no rotation: a pull first
        gp = b.gather(h, f)
        loop.update(f, b.minimum(gp, f))
    b.output("f", f)
    prog = b.build()
    text = prog.explain(passes=True)
    assert "scatter[max]" in text
    assert "scatter writes at run-time indices (any node), so it runs as a pass of its own" in text
    assert "gather reads x at run-time indices (any node), so it runs as a pass of its own" in text
    assert prog.run(_graph(4))["f"].tolist() == [0, 1, 2, 3]


def test_compiled_rows_refuse_index_kernels_with_a_reason():
    b = sg.Builder("rows")
    ids = b.node_id()
    with b.loop(max_iter=2) as loop:
        f = loop.carry("f", ids)
        m = b.neighbor_agg(f, "min", "both")
        new = b.gather(b.minimum(f, m), f)
        loop.update(f, new)
    b.output("f", f)
    text = b.build(enable=("compiled",)).explain()
    assert "refused fusions:" in text and "gather reads x at run-time indices" in text


def test_a_prologue_scatter_writes_over_its_target_only_when_nothing_reads_it_later():
    n = 6
    idx = np.array([5, 0, 5, 1, 2, 2])
    vals = np.arange(n) * 10
    for keep in ("none", "output", "later"):
        b = sg.Builder("in_place_scatter")
        t = b.node_id() * 3
        s = b.scatter(t, b.input("idx", "int64"), b.input("vals", "int64"), combine="max")
        b.output("s", s)
        if keep == "output":
            b.output("t", t)
        elif keep == "later":
            b.output("sum", b.broadcast(b.sum(t)) + s)
        res = b.build().run(_graph(n), idx=idx, vals=vals)
        expect = np.arange(n) * 3
        np.maximum.at(expect, idx, vals)
        if keep == "later":
            assert res["sum"].tolist() == (expect + 45).tolist()
        else:
            assert res["s"].tolist() == expect.tolist()
        if keep == "output":
            assert res["t"].tolist() == (np.arange(n) * 3).tolist()
