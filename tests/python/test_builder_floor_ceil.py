"""The builder's floor and ceil (b.floor / b.ceil and math.floor / math.ceil on a Value): node
vectors and scalars against numpy on -0.0, +-inf, NaN and halves; float-only inputs with the
op named in the error; explain() shows the op. Also: the builder's float-only unary ops are the
op table's float1 ops, so its type rules follow the table."""

from __future__ import annotations

import math

import numpy as np
import pytest

import stepgraph as sg
from stepgraph import _core

SPECIALS = np.array(
    [
        0.0,
        -0.0,
        0.5,
        -0.5,
        2.5,
        -2.5,
        3.0,
        -3.0,
        1.5,
        -1.5,
        0.49999999999999994,
        -7.25,
        1e300,
        -1e300,
        2.0**52 + 0.5,
        -(2.0**52) - 0.5,
        5e-324,
        -5e-324,
        np.inf,
        -np.inf,
        np.nan,
    ]
)
NUMPY = {"floor": np.floor, "ceil": np.ceil}
CALLS = {
    "floor": [lambda b, x: b.floor(x), lambda b, x: math.floor(x)],
    "ceil": [lambda b, x: b.ceil(x), lambda b, x: math.ceil(x)],
}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "row_kernel_cache"))


def _assert_same_floats(got: np.ndarray, want: np.ndarray) -> None:
    """Equal values with equal zero signs; NaN where numpy has NaN (its payload is not promised)."""
    got, want = np.atleast_1d(got), np.atleast_1d(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    np.testing.assert_array_equal(got[~nan], want[~nan])
    np.testing.assert_array_equal(np.signbit(got[~nan]), np.signbit(want[~nan]))


def _graph(n: int) -> sg.Graph:
    return sg.Graph.from_edges(np.array([0]), np.array([min(1, n - 1)]), n)


@pytest.mark.parametrize("op", ["floor", "ceil"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("opt_level", [0, 3])
@pytest.mark.parametrize("spelling", [0, 1], ids=["method", "math"])
def test_node_vector_matches_numpy(op, dtype, opt_level, spelling):
    b = sg.Builder(op)
    x = b.input("x", dtype)
    y = CALLS[op][spelling](b, x)
    assert isinstance(y, sg.Value) and y.dtype == dtype and y.is_node
    b.output("y", y)
    got = b.build(opt_level=opt_level).run(_graph(len(SPECIALS)), x=SPECIALS)["y"]
    with np.errstate(all="ignore"):
        want = NUMPY[op](SPECIALS.astype(dtype))
    _assert_same_floats(got, want)


def test_node_vector_inside_a_loop_matches_numpy():
    # In the loop body the op lands in a pass over node data, not in the prologue. The agg is 0,
    # so where(agg < -1, ...) passes x through bit for bit, yet only the loop knows that.
    b = sg.Builder("loop")
    x = b.input("x")
    zeros = b.fill(0.0)
    with b.loop(max_iter=1) as loop:
        f = loop.carry("f", zeros)
        c = loop.carry("c", zeros)
        loop.update(f, b.floor(b.where(b.neighbor_agg(f) < -1, f, x)))
        loop.update(c, math.ceil(b.where(b.neighbor_agg(c) < -1, c, x)))
    b.output("f", f)
    b.output("c", c)
    g = sg.Graph.from_edges(np.arange(len(SPECIALS) - 1), np.arange(1, len(SPECIALS)), len(SPECIALS))
    res = b.build().run(g, x=SPECIALS)
    _assert_same_floats(res["f"], np.floor(SPECIALS))
    _assert_same_floats(res["c"], np.ceil(SPECIALS))


@pytest.mark.parametrize("op", ["floor", "ceil"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("opt_level", [0, 3])
def test_scalars_match_numpy(op, dtype, opt_level):
    b = sg.Builder(op)
    p = b.param("p", 0.0, dtype)  # known at run time only
    b.output("from_param", CALLS[op][0](b, p))
    b.output("from_param_math", CALLS[op][1](b, p))
    for i, v in enumerate(SPECIALS):  # known while compiling: folded at O3
        b.output(f"const{i}", CALLS[op][0](b, b.const(v, dtype)))
    prog = b.build(opt_level=opt_level)
    g = _graph(2)
    with np.errstate(all="ignore"):
        want = NUMPY[op](SPECIALS.astype(dtype))
    res = prog.run(g)
    _assert_same_floats(np.array([res[f"const{i}"] for i in range(len(SPECIALS))], dtype=dtype), want)
    for v, w in zip(SPECIALS, want):
        res = prog.run(g, p=v)
        for name in ("from_param", "from_param_math"):
            _assert_same_floats(np.array(res[name], dtype=dtype), np.array(w))


@pytest.mark.parametrize("op", ["floor", "ceil"])
def test_a_python_number_is_recorded_as_a_float64_const(op):
    b = sg.Builder(op)
    y = getattr(b, op)(-2.5)
    assert y.dtype == "float64" and not y.is_node
    b.output("y", y)
    assert b.build().run(_graph(2))["y"] == NUMPY[op](-2.5)


@pytest.mark.parametrize("op", ["floor", "ceil"])
@pytest.mark.parametrize("spelling", [0, 1], ids=["method", "math"])
@pytest.mark.parametrize(
    "make,kind",
    [
        (lambda b: b.fill(3, "int64"), "int64 node vector"),
        (lambda b: b.const(3, "int64"), "int64 scalar"),
        (lambda b: b.fill(1.0) > 0, "mask"),
        (lambda b: b.const(True, "bool"), "bool scalar"),
    ],
)
def test_non_float_input_is_refused_naming_the_op(op, spelling, make, kind):
    b = sg.Builder(op)
    x = make(b)
    with pytest.raises(sg.ProgramError) as info:
        CALLS[op][spelling](b, x)  # the offending line
    msg = str(info.value)
    assert msg.startswith(f"{op}: needs a float input; got ({kind}) at "), msg
    assert "test_builder_floor_ceil.py:" in msg  # the user's line, not the builder's


@pytest.mark.parametrize("op", ["floor", "ceil"])
@pytest.mark.parametrize("opt_level", [0, 3])
def test_explain_shows_the_op(op, opt_level):
    b = sg.Builder(op)
    x = b.input("x")
    b.output("y", getattr(b, op)(x))
    b.output("s", getattr(b, op)(b.sum(x)))
    text = b.build(opt_level=opt_level).explain()
    lines = [line for line in text.splitlines() if f"= {op} " in line]
    assert len(lines) == 2, text  # the node vector's and the scalar's


def test_float_only_unary_methods_are_the_tables_float1_ops():
    # The builder checks types against _core.op_table(), so a float1 op added to the table
    # needs only its method here: int64 is refused and float32 kept, as for sqrt.
    float1 = [op["name"] for op in _core.op_table() if op["rule"] == "float1"]
    assert {"sqrt", "exp", "log", "recip", "floor", "ceil"} <= set(float1)
    for name in float1:
        b = sg.Builder(name)
        assert getattr(b, name)(b.fill(1.0, "float32")).dtype == "float32"
        with pytest.raises(sg.ProgramError, match=f"^{name}: needs a float input; got \\(int64 node vector\\)"):
            getattr(b, name)(b.fill(1, "int64"))
