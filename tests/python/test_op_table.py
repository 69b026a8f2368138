"""The op table (ir/op_table.hpp): for every elementwise op and every dtype it accepts, the
interpreter and the compiled row kernel give bitwise the same results, on inputs with NaN,
+-inf, -0.0, subnormals and integer extremes.

Each case is a one-iteration loop whose body is the op over node inputs, placed after a
neighbor_agg so the op sits in a pull kernel's epilogue (the only kernels compiled as row loops).
The inputs pass through where(agg < -1, fill, input): agg is 0 everywhere, so they arrive
bit for bit, yet the op depends on the loop and cannot be hoisted out of the row kernel.
"""

from __future__ import annotations

import itertools
from typing import Dict, List, Tuple

import numpy as np
import pytest

import stepgraph as sg
from stepgraph import _core
from stepgraph.program import Program

TABLE = _core.op_table()
ELEMENTWISE = [op for op in TABLE if op["elementwise"] and op["name"] != "broadcast"]
NP = {"f64": np.float64, "f32": np.float32, "i64": np.int64, "bool": np.bool_}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "row_kernel_cache"))


# Inputs cross as float64 vectors, so int64 extremes are spelled as sentinels that the program
# replaces in its prologue with values it computes by wrapping arithmetic (2^62 * 2 = INT64_MIN).
I64_SENTINELS = {1001.0: "min", 1002.0: "max", 1003.0: "min+1", 1004.0: "max-1"}
I64_EXTREMES = {
    "min": np.iinfo(np.int64).min,
    "max": np.iinfo(np.int64).max,
    "min+1": np.iinfo(np.int64).min + 1,
    "max-1": np.iinfo(np.int64).max - 1,
}


def _specials(dtype: str) -> np.ndarray:
    """Values as the float64 input vector carries them."""
    if dtype in ("f64", "f32"):
        t = NP[dtype]
        info = np.finfo(t)
        vals = np.array(
            [
                0.0,
                -0.0,
                1.0,
                -1.0,
                0.5,
                -2.5,
                3.0,
                np.nan,
                np.inf,
                -np.inf,
                info.tiny / 4,
                -info.tiny / 2,
                info.tiny,
                info.max,
                -info.max,
                7.25,
                -0.75,
            ],
            dtype=t,
        )
        return vals.astype(np.float64)
    if dtype == "i64":
        return np.array([0, 1, -1, 2, -3, 7, 1 << 32, -(1 << 40), *I64_SENTINELS], dtype=np.float64)
    return np.array([0.0, 1.0])


def _expected_input(dtype: str, carried: np.ndarray) -> np.ndarray:
    """The node vector the program computes with, from the float64 one passed in."""
    if dtype != "i64":
        return carried.astype(NP[dtype])
    return np.array([I64_EXTREMES[I64_SENTINELS[x]] if x in I64_SENTINELS else int(x) for x in carried], dtype=np.int64)


def _operand_dtypes(op: Dict, dtype: str) -> List[str]:
    """The dtypes of the op's inputs when it computes in `dtype`."""
    if op["rule"] in ("select", "masked_mul"):
        return ["bool", dtype, dtype]
    return [dtype] * op["arity"]


def _result_dtype(op: Dict, dtype: str, cast_to: str) -> str:
    if op["rule"] == "compare":
        return "bool"
    if op["rule"] == "cast":
        return cast_to
    return dtype


def _ir(op: Dict, dtype: str, cast_to: str) -> Tuple[str, Dict[str, str]]:
    operands = _operand_dtypes(op, dtype)
    out = _result_dtype(op, dtype, cast_to)
    lines = ["sgir 1", "loop 1"]
    inputs = {}
    for i, d in enumerate(operands):
        lines.append(f"v P input {d} n 0 name=in{i} to={d}")
        inputs[f"in{i}"] = d
    k = len(operands)
    source = list(range(k))  # the value each operand is read from
    lines += [
        "v P fill f64 n 0 number=0.0 to=f64",  # k: the gathered carry's init
        f"v P fill {out} n 0 number=0.0 to={out}",  # k+1: the result carry's init
        "v B carry f64 n 0 name=x",  # k+2
        f"v B carry {out} n 0 name=y",  # k+3
        f"v B neighbor_agg f64 n 1 {k + 2} combine=sum direction=in edge=none",  # k+4
        "v B const f64 s 0 number=-1.0 to=f64",  # k+5
        f"v B lt bool n 2 {k + 4} {k + 5}",
    ]  # k+6: false everywhere, but only known in the loop
    nid = k + 7
    if "i64" in operands:
        lines += [
            "v P const i64 s 0 number=4611686018427387904.0 to=i64",  # nid: 2^62
            "v P const i64 s 0 number=2.0 to=i64",
            "v P const i64 s 0 number=1.0 to=i64",
            f"v P mul i64 s 2 {nid} {nid + 1}",  # nid+3: min
            f"v P sub i64 s 2 {nid + 3} {nid + 2}",  # nid+4: max
            f"v P add i64 s 2 {nid + 3} {nid + 2}",  # nid+5: min+1
            f"v P sub i64 s 2 {nid + 4} {nid + 2}",
        ]  # nid+6: max-1
        extreme = {"min": nid + 3, "max": nid + 4, "min+1": nid + 5, "max-1": nid + 6}
        nid += 7
        for i, d in enumerate(operands):
            if d != "i64":
                continue
            for sentinel, name in I64_SENTINELS.items():
                lines.append(f"v P const i64 s 0 number={sentinel} to=i64")
                lines.append(f"v P eq bool n 2 {source[i]} {nid}")
                lines.append(f"v P where i64 n 3 {nid + 1} {extreme[name]} {source[i]}")
                source[i] = nid + 2
                nid += 3
    args = []
    for i, d in enumerate(operands):
        lines.append(f"v P fill {d} n 0 number=1.0 to={d}")
        lines.append(f"v B where {d} n 3 {k + 6} {nid} {source[i]}")
        args.append(str(nid + 1))
        nid += 2
    attrs = f" to={cast_to}" if op["rule"] == "cast" else ""
    lines.append(f"v B {op['name']} {out} n {len(args)} {' '.join(args)}{attrs}")
    lines += [f"carry x {k} {k + 2} {k + 4}", f"carry y {k + 1} {k + 3} {nid}", "output y " + str(k + 3), "end"]
    return "\n".join(lines) + "\n", inputs


def _cases():
    for op in ELEMENTWISE:
        for dtype in op["dtypes"]:
            if op["rule"] == "cast":
                for to in ("f64", "f32", "i64", "bool"):
                    yield pytest.param(op, dtype, to, id=f"cast-{dtype}-{to}")
            else:
                yield pytest.param(op, dtype, dtype, id=f"{op['name']}-{dtype}")


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint8) if a.dtype != np.bool_ else a.astype(np.uint8)


@pytest.mark.parametrize("op,dtype,cast_to", list(_cases()))
def test_interpreter_and_row_kernel_agree_bitwise(op, dtype, cast_to):
    text, input_dtypes = _ir(op, dtype, cast_to)
    # Every combination of special values across the operands, one per node.
    columns = [_specials(d) for d in input_dtypes.values()]
    combos = list(itertools.product(*[range(len(c)) for c in columns]))
    n = len(combos)
    values = {
        name: np.array([col[c[i]] for c in combos], dtype=np.float64)
        for i, (name, col) in enumerate(zip(input_dtypes, columns))
    }
    graph = sg.Graph.from_edges(np.array([0]), np.array([min(1, n - 1)]), n)  # one edge: agg still 0
    interpreted = Program("op", text, {}, input_dtypes, opt_level=0, disable=("compiled",))
    compiled = Program("op", text, {}, input_dtypes, opt_level=3, enable=("compiled",))
    assert "row loop: compiled (" in compiled.explain(), compiled.explain()
    with np.errstate(all="ignore"):
        a = interpreted.run(graph, **values)["y"]
        b = compiled.run(graph, **values)["y"]
    assert a.dtype == b.dtype == NP[_result_dtype(op, dtype, cast_to)]
    diff = np.flatnonzero((_bits(a).reshape(n, -1) != _bits(b).reshape(n, -1)).any(axis=1))
    shown = {k: _expected_input(d, values[k]) for k, d in input_dtypes.items()}
    assert diff.size == 0, [(tuple(shown[k][i] for k in shown), a[i], b[i]) for i in diff[:5]]


def test_every_op_has_one_table_row_and_consistent_properties():
    names = [op["name"] for op in TABLE]
    assert len(names) == len(set(names))
    for op in TABLE:
        assert (op["identity"] != "none") == (op["access"] == "fold"), op
        assert op["elementwise"] == (op["access"] == "own"), op
        if op["lanes"] != "none":  # a 4-lane form of the op, or of a reduction's fold
            assert op["elementwise"] or op["access"] == "fold", op
    # The ops exact mode never introduces: the rewrites' targets that round differently.
    assert [op["name"] for op in TABLE if op["changes_rounding"]] == ["recip", "fma"]


def test_index_ops_rows():
    """gather / scatter read or write at run-time node ids, link and sample_mode any node: a pass of
    their own, no identity, no 4-lane form; gather takes any dtype, scatter's combines need
    numbers (link and sample_mode: int64 node ids, their rules check)."""
    rows = {op["name"]: op for op in TABLE}
    access_all = [op["name"] for op in TABLE if op["access"] == "all"]
    assert access_all == ["normalize", "gather", "scatter", "link", "sample_mode"]
    numeric = ["f64", "f32", "i64"]
    for name, arity, dtypes in (
        ("gather", 2, ["f64", "f32", "i64", "bool"]),
        ("scatter", 3, numeric),
        ("link", 2, numeric),
        ("sample_mode", 1, numeric),
    ):
        op = rows[name]
        assert (op["rule"], op["arity"], op["dtypes"]) == (name, arity, dtypes)
        assert op["identity"] == op["lanes"] == "none"
        assert not op["elementwise"] and not op["changes_rounding"]


# numpy's spelling of some ops, as an oracle independent of both native paths (min/max as the
# table defines them: min(a, b) = b < a ? b : a, so a NaN in b is passed over).
ORACLE = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "sqrt": np.sqrt,
    "neg": np.negative,
    "floor": np.floor,
    "ceil": np.ceil,
    "abs": np.abs,
    "minimum": lambda a, b: np.where(b < a, b, a),
    "maximum": lambda a, b: np.where(a < b, b, a),
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "eq": np.equal,
    "ne": np.not_equal,
    "and": np.logical_and,
    "or": np.logical_or,
    "not": np.logical_not,
    "where": lambda c, a, b: np.where(c, a, b),
}


@pytest.mark.parametrize("op,dtype,cast_to", [c for c in _cases() if c.values[0]["name"] in ORACLE])
def test_interpreter_matches_numpy(op, dtype, cast_to):
    text, input_dtypes = _ir(op, dtype, cast_to)
    columns = [_specials(d) for d in input_dtypes.values()]
    combos = list(itertools.product(*[range(len(c)) for c in columns]))
    n = len(combos)
    values = {
        name: np.array([col[c[i]] for c in combos], dtype=np.float64)
        for i, (name, col) in enumerate(zip(input_dtypes, columns))
    }
    graph = sg.Graph.from_edges(np.array([0]), np.array([min(1, n - 1)]), n)
    got = Program("op", text, {}, input_dtypes, opt_level=0).run(graph, **values)["y"]
    with np.errstate(all="ignore"):
        want = ORACLE[op["name"]](*[_expected_input(d, values[k]) for k, d in input_dtypes.items()])
    want = np.asarray(want).astype(got.dtype)
    same = (_bits(got).reshape(n, -1) == _bits(want).reshape(n, -1)).all(axis=1)
    if got.dtype.kind == "f":  # a NaN's payload and sign are not part of the contract
        same |= np.isnan(got) & np.isnan(want)
    assert same.all(), [(i, got[i], want[i]) for i in np.flatnonzero(~same)[:5]]


@pytest.mark.parametrize("exponent", [2.0, 1.0, 0.0, -1.0, 0.5, 3.0, -2.5])
def test_a_constant_exponent_gives_the_interpreted_bits(exponent):
    # Generated code spells the exponent as a constant, which the C++ compiler folds
    # (pow(x, 2) -> x * x, ...); the interpreter sees it at run time. Same bits either way.
    text = "\n".join([
        "sgir 1", "loop 1",
        "v P input f64 n 0 name=in0 to=f64",
        "v P fill f64 n 0 number=0.0 to=f64",
        "v B carry f64 n 0 name=x",
        "v B carry f64 n 0 name=y",
        "v B neighbor_agg f64 n 1 2 combine=sum direction=in edge=none",
        "v B const f64 s 0 number=-1.0 to=f64",
        "v B lt bool n 2 4 5",
        "v P fill f64 n 0 number=1.0 to=f64",
        "v B where f64 n 3 6 7 0",
        f"v B const f64 s 0 number={exponent!r} to=f64",
        "v B pow f64 n 2 8 9",
        "carry x 1 2 4", "carry y 1 3 10", "output y 3", "end",
    ]) + "\n"  # fmt: skip
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-1e3, 1e3, 50_000), 10.0 ** rng.uniform(-300, 300, 50_000),
                        _specials("f64")])  # fmt: skip
    graph = sg.Graph.from_edges(np.array([0]), np.array([1]), len(x))
    interpreted = Program("pow", text, {}, {"in0": "f64"}, opt_level=0, disable=("compiled",))
    compiled = Program("pow", text, {}, {"in0": "f64"}, opt_level=3, enable=("compiled",))
    assert "row loop: compiled (" in compiled.explain()
    with np.errstate(all="ignore"):
        a = interpreted.run(graph, in0=x)["y"]
        b = compiled.run(graph, in0=x)["y"]
    same = (a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))
    assert same.all(), [(x[i], a[i], b[i]) for i in np.flatnonzero(~same)[:5]]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cast_to_int64_saturates_and_maps_nan_to_zero(dtype):
    big = 2.0**63
    x = np.array([0.0, -0.0, 1.9, -1.9, np.nan, np.inf, -np.inf, big, -big, 1e300, -1e300, 2.0**62, 123456.75])
    expect = [0, 0, 1, -1, 0, 2**63 - 1, -(2**63), 2**63 - 1, -(2**63), 2**63 - 1, -(2**63), 2**62, 123456]
    b = sg.Builder("cast")
    b.output("y", b.cast(b.input("x", dtype), "int64"))
    g = sg.Graph.from_edges(np.zeros(0, np.int64), np.zeros(0, np.int64), len(x))
    with np.errstate(all="ignore"):
        got = b.build().run(g, x=x)["y"]
    assert got.tolist() == expect
