"""stepgraph.Builder: record a graph algorithm as a typed SSA step program.

Python only records and type-checks (raising at the user's line); the IR crosses to
native code once, where it is validated again, optimized and executed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import quote

import numpy as np

from stepgraph.errors import ProgramError

if TYPE_CHECKING:
    from stepgraph.program import Program

__all__ = ["Builder", "Value", "Loop"]

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_DTYPES = {"float64": "f64", "float32": "f32", "int64": "i64", "bool": "bool"}
_NAMES = {v: k for k, v in _DTYPES.items()}
Number = Union[int, float, bool, np.number]


def _dtype(d: Any) -> str:
    if d in _NAMES:
        return d
    try:
        name = np.dtype(d).name
    except TypeError:
        raise ProgramError(f"unknown dtype {d!r}; use float64, float32, int64 or bool") from None
    if name not in _DTYPES:
        raise ProgramError(f"unsupported dtype {name}; use float64, float32, int64 or bool")
    return _DTYPES[name]


_MAX_NAME = 200  # the native IR reader's limit on names
_INT64_MAX = 2**63 - 1


def _check_name(kind: str, name: Any) -> str:
    """A param / input / carry / output name: an identifier the IR can carry."""
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise ProgramError(f"{kind} name must be an ASCII identifier, got {name!r}")
    if len(name) > _MAX_NAME:
        raise ProgramError(f"{kind} name must be at most {_MAX_NAME} characters, got {len(name)}")
    return name


def _number(value: Any, what: str, dtype: str = "f64") -> float:
    """A recordable numeric literal: a real Python / numpy number that fits ``dtype``."""
    if isinstance(value, (bool, np.bool_)):
        return float(bool(value))
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise ProgramError(f"{what} must be a number, got {type(value).__name__} {value!r} (at {_user_line()})")
    if dtype == "i64":
        if isinstance(value, (int, np.integer)):
            if not -_INT64_MAX - 1 <= int(value) <= _INT64_MAX:
                raise ProgramError(f"{what}: {value!r} is not an int64 value (at {_user_line()})")
            if int(float(value)) != int(value):
                raise ProgramError(
                    f"{what}: {value!r} cannot be recorded exactly (the IR stores numbers as float64, so int64 "
                    f"constants must lie within +-2**53) (at {_user_line()})"
                )
        elif not (np.isfinite(value) and float(value) == int(value)):
            raise ProgramError(f"{what}: {value!r} is not an int64 value (at {_user_line()})")
    try:
        return float(value)
    except OverflowError:
        raise ProgramError(f"{what}: an integer too large for a float64 (at {_user_line()})") from None


def _user_line() -> str:
    """file:line of the first caller outside the stepgraph package."""
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PKG_DIR):
        frame = frame.f_back
    if frame is None:
        return ""
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


@dataclass
class _Rec:
    op: str
    dtype: str
    node: bool
    region: str
    inputs: Tuple[int, ...]
    attrs: Dict[str, Any] = field(default_factory=dict)
    loc: str = ""

    @property
    def kind(self) -> str:
        return f"{_NAMES[self.dtype]}{' node vector' if self.node else ' scalar'}" if self.dtype != "bool" or not self.node else "mask"


class Value:
    """A handle on one recorded value: a scalar, a node vector, or a mask."""

    __slots__ = ("_b", "_id")
    __array_priority__ = 1000  # numpy scalars defer to our operators

    def __init__(self, builder: "Builder", vid: int) -> None:
        self._b = builder
        self._id = vid

    @property
    def dtype(self) -> str:
        return _NAMES[self._b._values[self._id].dtype]

    @property
    def is_node(self) -> bool:
        return self._b._values[self._id].node

    def __repr__(self) -> str:
        r = self._b._values[self._id]
        return f"<%{self._id} {r.op}: {r.kind}>"

    def __bool__(self) -> bool:
        raise ProgramError("a recorded value has no truth value while recording; use b.where(...) or loop.until(...)")

    # arithmetic
    def __add__(self, o: Any) -> "Value": return self._b._binary("add", self, o)
    def __radd__(self, o: Any) -> "Value": return self._b._binary("add", o, self)
    def __sub__(self, o: Any) -> "Value": return self._b._binary("sub", self, o)
    def __rsub__(self, o: Any) -> "Value": return self._b._binary("sub", o, self)
    def __mul__(self, o: Any) -> "Value": return self._b._binary("mul", self, o)
    def __rmul__(self, o: Any) -> "Value": return self._b._binary("mul", o, self)
    def __truediv__(self, o: Any) -> "Value": return self._b._binary("div", self, o)
    def __rtruediv__(self, o: Any) -> "Value": return self._b._binary("div", o, self)
    def __pow__(self, o: Any) -> "Value": return self._b._binary("pow", self, o)
    def __neg__(self) -> "Value": return self._b._unary("neg", self)
    def __abs__(self) -> "Value": return self._b._unary("abs", self)
    # comparisons give masks
    def __lt__(self, o: Any) -> "Value": return self._b._binary("lt", self, o)
    def __le__(self, o: Any) -> "Value": return self._b._binary("le", self, o)
    def __gt__(self, o: Any) -> "Value": return self._b._binary("gt", self, o)
    def __ge__(self, o: Any) -> "Value": return self._b._binary("ge", self, o)
    def __eq__(self, o: Any) -> "Value": return self._b._binary("eq", self, o)  # type: ignore[override]
    def __ne__(self, o: Any) -> "Value": return self._b._binary("ne", self, o)  # type: ignore[override]
    # masks
    def __and__(self, o: Any) -> "Value": return self._b._binary("and", self, o)
    def __rand__(self, o: Any) -> "Value": return self._b._binary("and", o, self)
    def __or__(self, o: Any) -> "Value": return self._b._binary("or", self, o)
    def __ror__(self, o: Any) -> "Value": return self._b._binary("or", o, self)
    def __invert__(self) -> "Value": return self._b._unary("not", self)

    __hash__ = None  # type: ignore[assignment]


_ARITH2 = {"add", "sub", "mul", "div", "minimum", "maximum", "pow"}
_COMPARE = {"lt", "le", "gt", "ge", "eq", "ne"}
_REDUCE = {"sum", "mean", "min", "max", "norm_l1", "norm_l2", "norm_inf"}


class Loop:
    """The loop region: ``with b.loop(max_iter=100) as loop:``."""

    def __init__(self, builder: "Builder", max_iter: int) -> None:
        self._b = builder
        self.max_iter = max_iter
        self._carries: Dict[str, Tuple[int, int, Optional[int]]] = {}

    def __enter__(self) -> "Loop":
        b = self._b
        if b._loop is not None:
            raise ProgramError(f"a program has at most one loop (at {_user_line()})")
        b._loop = self
        b._region = "B"
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        b = self._b
        b._region = "E"
        if exc_type is not None:
            return
        if not self._carries:
            raise ProgramError(f"loop without loop.carry(...) (at {_user_line()})")
        missing = [name for name, (_, _, upd) in self._carries.items() if upd is None]
        if missing:
            raise ProgramError(f"loop.update was never called for carried value(s): {', '.join(missing)}")

    def _check_active(self, what: str) -> None:
        """carry / update / until belong inside ``with b.loop(...) as loop:``."""
        b = self._b
        b._check_open()
        if b._loop is not self or b._region != "B":
            where = "after the loop has ended" if b._loop is self else "outside its `with` block"
            raise ProgramError(
                f"loop.{what} called {where}; call it inside `with b.loop(...) as loop:` (at {_user_line()})"
            )

    def carry(self, name: str, init: Any) -> Value:
        """A loop-carried value named ``name``, starting from ``init`` (recorded before the loop)."""
        b = self._b
        self._check_active("carry")
        _check_name("carry", name)
        if name in self._carries:
            raise ProgramError(f"carry {name!r} is declared twice (at {_user_line()})")
        if any(n == name for n, _ in b._outputs):
            raise ProgramError(f"carry {name!r} has the name of an output declared before the loop (at {_user_line()})")
        if isinstance(init, Value):
            init_rec = b._rec(init)
            if init_rec.region != "P":
                raise ProgramError(f"carry {name!r} must start from a value recorded before the loop (at {_user_line()})")
            init_id = init._id
        else:
            init_id = b._const_in("P", _number(init, f"carry {name!r} initial value"), "f64", node=False)
        r = b._values[init_id]
        cid = b._add("carry", r.dtype, r.node, (), {"name": name})
        self._carries[name] = (init_id, cid, None)
        return Value(b, cid)

    def update(self, carried: Value, new_value: Any) -> None:
        """Set the next iteration's value of a carried value."""
        b = self._b
        self._check_active("update")
        if not isinstance(carried, Value) or b._rec(carried).op != "carry":
            raise ProgramError(f"loop.update needs a value from loop.carry(...), got {carried!r} (at {_user_line()})")
        name = b._rec(carried).attrs["name"]
        init_id, cid, upd = self._carries[name]
        if upd is not None:
            raise ProgramError(f"carry {name!r} is updated twice (at {_user_line()})")
        new = b._lift(new_value, b._rec(carried).dtype)
        cr, nr = b._rec(carried), b._rec(new)
        if (cr.dtype, cr.node) != (nr.dtype, nr.node) and not (cr.node and not nr.node):
            raise ProgramError(f"carry {name!r} is a {cr.kind} but is updated with a {nr.kind} (at {_user_line()})")
        if cr.node and not nr.node:
            new = b.broadcast(new)
        self._carries[name] = (init_id, cid, new._id)

    def until(self, predicate: Value, residual: Optional[Value] = None) -> None:
        """Stop when the bool scalar ``predicate`` holds; ``residual`` is reported per iteration."""
        b = self._b
        self._check_active("until")
        if b._until is not None:
            raise ProgramError(f"loop.until is called twice (at {_user_line()})")
        r = b._rec(b._lift(predicate, "bool"))
        if r.dtype != "bool" or r.node:
            raise ProgramError(f"loop.until needs a bool scalar, got a {r.kind} (at {_user_line()})")
        b._until = predicate._id
        if residual is not None:
            rr = b._rec(residual)
            if rr.node or rr.dtype == "bool":
                raise ProgramError(f"the residual must be a numeric scalar, got a {rr.kind} (at {_user_line()})")
            b._residual = residual._id


class Builder:
    """Records a step program. See ``stepgraph.algorithms`` for complete examples."""

    def __init__(self, name: str = "program") -> None:
        self.name = name
        self._values: List[_Rec] = []
        self._region = "P"
        self._loop: Optional[Loop] = None
        self._until: Optional[int] = None
        self._residual: Optional[int] = None
        self._outputs: List[Tuple[str, int]] = []
        self._built = False

    # -- recording machinery ----------------------------------------------------------
    def _check_open(self) -> None:
        if self._built:
            raise ProgramError("this Builder has already been built; start a new one")

    def _rec(self, v: Any) -> _Rec:
        if not isinstance(v, Value):
            raise ProgramError(f"expected a recorded value, got {type(v).__name__} (at {_user_line()})")
        if v._b is not self:
            raise ProgramError(f"value {v!r} belongs to another Builder (at {_user_line()})")
        r = self._values[v._id]
        if self._region == "E" and r.region == "B" and r.op != "carry":
            raise ProgramError(f"{v!r} is a loop temporary; after the loop only carried values can be used (at {_user_line()})")
        return r

    def _add(self, op: str, dtype: str, node: bool, inputs: Sequence[int], attrs: Optional[Dict[str, Any]] = None,
             region: Optional[str] = None) -> int:
        self._check_open()
        attrs = dict(attrs or {})
        if op in ("const", "fill", "param", "input"):
            attrs["to"] = dtype  # the native side derives these ops' dtype from `to`
        self._values.append(_Rec(op, dtype, node, region or self._region, tuple(inputs), attrs, _user_line()))
        return len(self._values) - 1

    def _const_in(self, region: str, value: Any, dtype: str, node: bool) -> int:
        return self._add("const", dtype, False, (), {"number": value}, region=region)

    def _lift(self, x: Any, dtype: str) -> Value:
        """A recorded value, or a Python number recorded as a const of ``dtype``."""
        if isinstance(x, Value):
            self._rec(x)
            return x
        if isinstance(x, (bool, np.bool_)):
            return Value(self, self._add("const", "bool", False, (), {"number": float(bool(x))}))
        if isinstance(x, (int, float, np.integer, np.floating)):
            if dtype == "i64" and isinstance(x, (float, np.floating)) and not (np.isfinite(x) and float(x) == int(x)):
                raise ProgramError(f"literal {x!r} used with an int64 value (at {_user_line()})")
            number = _number(x, "literal", dtype)
            return Value(self, self._add("const", dtype if dtype != "bool" else "f64", False, (), {"number": number}))
        raise ProgramError(f"cannot use {type(x).__name__} {x!r} in a step program (at {_user_line()})")

    def _fail(self, op: str, msg: str, *vals: _Rec) -> None:
        kinds = ", ".join(r.kind for r in vals)
        raise ProgramError(f"{op}: {msg}; got ({kinds}) at {_user_line()}")

    def _binary(self, op: str, a: Any, b: Any) -> Value:
        dtype = next((self._rec(x).dtype for x in (a, b) if isinstance(x, Value)), "f64")
        va, vb = self._lift(a, dtype), self._lift(b, dtype)
        ra, rb = self._rec(va), self._rec(vb)
        node = ra.node or rb.node
        if op in ("and", "or"):
            if ra.dtype != "bool" or rb.dtype != "bool":
                self._fail(op, "needs masks or bools", ra, rb)
            return Value(self, self._add(op, "bool", node, (va._id, vb._id)))
        if ra.dtype != rb.dtype:
            self._fail(op, "needs inputs of one dtype (use b.cast)", ra, rb)
        if op in _COMPARE:
            if ra.dtype == "bool" and op not in ("eq", "ne"):
                self._fail(op, "compares numbers", ra, rb)
            return Value(self, self._add(op, "bool", node, (va._id, vb._id)))
        if ra.dtype == "bool":
            self._fail(op, "needs numeric inputs", ra, rb)
        if op in ("div", "pow") and ra.dtype == "i64":
            self._fail(op, "needs float inputs (use b.cast)", ra, rb)
        return Value(self, self._add(op, ra.dtype, node, (va._id, vb._id)))

    def _unary(self, op: str, a: Any) -> Value:
        va = self._lift(a, "f64")
        r = self._rec(va)
        if op == "not":
            if r.dtype != "bool":
                self._fail(op, "needs a mask or bool", r)
        elif r.dtype == "bool" or (op in ("sqrt", "exp", "log", "recip") and r.dtype == "i64"):
            self._fail(op, "needs a float input" if op not in ("neg", "abs") else "needs a numeric input", r)
        return Value(self, self._add(op, r.dtype, r.node, (va._id,)))

    def _node_input(self, op: str, x: Any) -> Tuple[Value, _Rec]:
        v = self._lift(x, "f64")
        r = self._rec(v)
        if not r.node:
            self._fail(op, "needs a node vector", r)
        return v, r

    # -- sources and graph properties --------------------------------------------------
    def const(self, value: Number, dtype: Any = "float64") -> Value:
        """A scalar constant."""
        d = _dtype(dtype)
        return Value(self, self._add("const", d, False, (), {"number": _number(value, "const", d)}))

    def fill(self, value: Number, dtype: Any = "float64") -> Value:
        """A node vector with every entry ``value``."""
        d = _dtype(dtype)
        if isinstance(value, Value):
            return self.broadcast(self.cast(value, _NAMES[d]) if self._rec(value).dtype != d else value)
        return Value(self, self._add("fill", d, True, (), {"number": _number(value, "fill", d)}))

    def param(self, name: str, default: Number, dtype: Any = "float64") -> Value:
        """A scalar parameter, settable at init/run without rebuilding."""
        _check_name("param", name)
        if any(r.op in ("param", "input") and r.attrs.get("name") == name for r in self._values):
            raise ProgramError(f"param {name!r} is declared twice (at {_user_line()})")
        d = _dtype(dtype)
        if d == "bool":
            raise ProgramError("a param must be numeric")
        number = _number(default, f"param {name!r} default", d)
        return Value(self, self._add("param", d, False, (), {"name": name, "number": number}, region="P"))

    def input(self, name: str, dtype: Any = "float64") -> Value:
        """A node vector bound at init/run (a numpy array of length n, or a {node: value} mapping)."""
        _check_name("input", name)
        if any(r.op in ("param", "input") and r.attrs.get("name") == name for r in self._values):
            raise ProgramError(f"input {name!r} is declared twice (at {_user_line()})")
        return Value(self, self._add("input", _dtype(dtype), True, (), {"name": name}, region="P"))

    def num_nodes(self, dtype: Any = "float64") -> Value:
        return Value(self, self._add("num_nodes", _dtype(dtype), False, (), {"to": _dtype(dtype)}))

    def num_edges(self, dtype: Any = "float64") -> Value:
        return Value(self, self._add("num_edges", _dtype(dtype), False, (), {"to": _dtype(dtype)}))

    def directed(self) -> Value:
        return Value(self, self._add("directed", "bool", False, ()))

    def out_degree(self, weighted: bool = True, dtype: Any = "float64") -> Value:
        """Out-degree per node; the sum of out-edge weights when ``weighted`` and the graph has weights."""
        return Value(self, self._add("out_degree", _dtype(dtype), True, (), {"weighted": int(bool(weighted)), "to": _dtype(dtype)}))

    def in_degree(self, weighted: bool = True, dtype: Any = "float64") -> Value:
        return Value(self, self._add("in_degree", _dtype(dtype), True, (), {"weighted": int(bool(weighted)), "to": _dtype(dtype)}))

    def node_id(self, dtype: Any = "int64") -> Value:
        """Each node's own id."""
        return Value(self, self._add("node_id", _dtype(dtype), True, (), {"to": _dtype(dtype)}))

    def broadcast(self, x: Value) -> Value:
        """A scalar repeated over every node."""
        r = self._rec(x)
        if r.node:
            self._fail("broadcast", "needs a scalar", r)
        return Value(self, self._add("broadcast", r.dtype, True, (x._id,)))

    # -- elementwise -------------------------------------------------------------------
    def where(self, mask: Any, a: Any, b: Any) -> Value:
        """``a`` where ``mask`` holds, else ``b`` (scalars broadcast)."""
        dtype = next((self._rec(x).dtype for x in (a, b) if isinstance(x, Value)), "f64")
        vm, va, vb = self._lift(mask, "bool"), self._lift(a, dtype), self._lift(b, dtype)
        rm, ra, rb = self._rec(vm), self._rec(va), self._rec(vb)
        if rm.dtype != "bool" or ra.dtype != rb.dtype:
            self._fail("where", "needs (mask, a, b) with a and b of one dtype", rm, ra, rb)
        return Value(self, self._add("where", ra.dtype, rm.node or ra.node or rb.node, (vm._id, va._id, vb._id)))

    def minimum(self, a: Any, b: Any) -> Value: return self._binary("minimum", a, b)
    def maximum(self, a: Any, b: Any) -> Value: return self._binary("maximum", a, b)
    def pow(self, a: Any, b: Any) -> Value: return self._binary("pow", a, b)
    def abs(self, x: Any) -> Value: return self._unary("abs", x)
    def sqrt(self, x: Any) -> Value: return self._unary("sqrt", x)
    def exp(self, x: Any) -> Value: return self._unary("exp", x)
    def log(self, x: Any) -> Value: return self._unary("log", x)
    def recip(self, x: Any) -> Value: return self._unary("recip", x)

    def cast(self, x: Any, dtype: Any) -> Value:
        v = self._lift(x, "f64")
        r = self._rec(v)
        d = _dtype(dtype)
        return Value(self, self._add("cast", d, r.node, (v._id,), {"to": d}))

    # -- reductions ----------------------------------------------------------------------
    def _reduce(self, op: str, x: Any) -> Value:
        v, r = self._node_input(op, x)
        if op in ("count", "any", "all"):
            if r.dtype != "bool":
                self._fail(op, "reduces a mask", r)
            return Value(self, self._add(op, "i64" if op == "count" else "bool", False, (v._id,)))
        if r.dtype == "bool" or (op in ("mean", "norm_l1", "norm_l2", "norm_inf") and r.dtype == "i64"):
            self._fail(op, "reduces a numeric (float for mean and norms) node vector", r)
        return Value(self, self._add(op, r.dtype, False, (v._id,)))

    def sum(self, x: Any) -> Value: return self._reduce("sum", x)
    def mean(self, x: Any) -> Value: return self._reduce("mean", x)
    def min(self, x: Any) -> Value: return self._reduce("min", x)
    def max(self, x: Any) -> Value: return self._reduce("max", x)
    def count(self, x: Any) -> Value: return self._reduce("count", x)
    def any(self, x: Any) -> Value: return self._reduce("any", x)
    def all(self, x: Any) -> Value: return self._reduce("all", x)
    def norm_l1(self, x: Any) -> Value: return self._reduce("norm_l1", x)
    def norm_l2(self, x: Any) -> Value: return self._reduce("norm_l2", x)
    def norm_inf(self, x: Any) -> Value: return self._reduce("norm_inf", x)

    # -- graph ---------------------------------------------------------------------------
    def neighbor_agg(self, x: Any, combine: str = "sum", direction: str = "in", edge: Optional[str] = None) -> Value:
        """Per node, combine the values of its neighbors (pull).

        ``direction="in"`` gathers over in-edges (u -> v contributes x[u] to v), "out" over
        out-edges, "both" over both (once for undirected graphs). ``edge`` applies the edge
        weight first: "mul_weight" (plus-times) or "add_weight" (min-plus). ``combine="mode"``
        gives the most frequent int64 label, ties to the smallest.
        """
        if combine not in ("sum", "min", "max", "mean", "mode"):
            raise ProgramError(f"neighbor_agg: combine must be sum, min, max, mean or mode, got {combine!r}")
        if direction not in ("in", "out", "both"):
            raise ProgramError(f"neighbor_agg: direction must be in, out or both, got {direction!r}")
        edge_name = edge or "none"
        if edge_name not in ("none", "mul_weight", "add_weight"):
            raise ProgramError(f"neighbor_agg: edge must be None, 'mul_weight' or 'add_weight', got {edge!r}")
        v, r = self._node_input("neighbor_agg", x)
        if r.dtype == "bool" or (combine == "mode" and r.dtype != "i64") or (
            (combine == "mean" or edge_name != "none") and r.dtype not in ("f64", "f32")
        ):
            self._fail("neighbor_agg", f"combine={combine}, edge={edge_name} does not fit this vector", r)
        attrs = {"combine": combine, "direction": direction, "edge": edge_name}
        return Value(self, self._add("neighbor_agg", r.dtype, True, (v._id,), attrs))

    def normalize(self, x: Any, by: str = "sum") -> Value:
        """x / sum(x) (or x / max(x))."""
        if by not in ("sum", "max"):
            raise ProgramError(f"normalize: by must be 'sum' or 'max', got {by!r}")
        v, r = self._node_input("normalize", x)
        if r.dtype not in ("f64", "f32"):
            self._fail("normalize", "needs a float node vector", r)
        return Value(self, self._add("normalize", r.dtype, True, (v._id,), {"by": by}))

    # -- structure -----------------------------------------------------------------------
    def loop(self, max_iter: int = 100) -> Loop:
        if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
            raise ProgramError(f"max_iter must be an integer >= 0, got {max_iter!r}")
        if self._loop is not None:
            raise ProgramError(f"a program has at most one loop (at {_user_line()})")
        return Loop(self, int(max_iter))

    def output(self, name: str, value: Value) -> None:
        _check_name("output", name)
        if any(n == name for n, _ in self._outputs):
            raise ProgramError(f"output {name!r} is declared twice (at {_user_line()})")
        r = self._rec(value)
        if r.region == "B" and r.op != "carry":
            raise ProgramError(f"output {name!r} is a loop temporary; output a carried value (at {_user_line()})")
        carried = self._loop._carries.get(name) if self._loop is not None else None
        if carried is not None and carried[1] != value._id:
            raise ProgramError(f"output {name!r} would hide the carried value of the same name (state[{name!r}]); "
                               f"give the output another name (at {_user_line()})")
        self._outputs.append((name, value._id))

    def serialize(self) -> str:
        """The IR's text form, as it crosses to native code."""
        if not self._outputs:
            raise ProgramError("the program has no outputs; call b.output(name, value)")
        if self._loop is not None and self._region == "B":
            raise ProgramError("build() inside the loop; leave the `with b.loop()` block first")
        lines = ["sgir 1"]
        if self._loop is not None:
            lines.append(f"loop {self._loop.max_iter}")
        for r in self._values:
            parts = ["v", r.region, r.op, r.dtype, "n" if r.node else "s", str(len(r.inputs))]
            parts += [str(i) for i in r.inputs]
            for k, val in r.attrs.items():
                parts.append(f"{k}={repr(float(val)) if k == 'number' else val}")
            if r.loc:
                parts.append("loc=" + quote(r.loc, safe="/:._-"))
            lines.append(" ".join(parts))
        if self._loop is not None:
            for name, (init, cid, upd) in self._loop._carries.items():
                lines.append(f"carry {name} {init} {cid} {upd}")
        if self._until is not None:
            lines.append(f"until {self._until}")
        if self._residual is not None:
            lines.append(f"residual {self._residual}")
        for name, vid in self._outputs:
            lines.append(f"output {name} {vid}")
        lines.append("end")
        return "\n".join(lines) + "\n"

    def build(self, opt_level: int = 3, exact: bool = False, disable: Sequence[str] = (),
              enable: Sequence[str] = ()) -> "Program":
        """Validate (natively) and return the runnable :class:`stepgraph.Program` (``disable`` /
        ``enable``: see :class:`stepgraph.Program`)."""
        from stepgraph.program import Program

        if isinstance(disable, str):
            disable = (disable,)
        if isinstance(enable, str):
            enable = (enable,)
        text = self.serialize()
        inputs = {r.attrs["name"]: _NAMES[r.dtype] for r in self._values if r.op == "input"}
        params = {r.attrs["name"]: r.attrs["number"] for r in self._values if r.op == "param"}
        prog = Program(self.name, text, params, inputs, opt_level=opt_level, exact=exact, disable=tuple(disable),
                       enable=tuple(enable))
        self._built = True
        return prog
