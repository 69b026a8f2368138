"""The builder's recording machinery and its type rules, read from the native op table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, NoReturn, Optional, Sequence, Tuple

import numpy as np

from stepgraph import _core
from stepgraph.builder_values import Value, _number, _Rec, _user_line
from stepgraph.errors import ProgramError

if TYPE_CHECKING:
    from stepgraph.builder_loop import Loop


@dataclass(frozen=True)
class _OpRule:
    """The columns of an op's row in ir/op_table.hpp that the builder's checks ask."""

    rule: str  # how the result type follows from the inputs ("arith2", "float1", "reduce", ...)
    dtypes: FrozenSet[str]  # the dtypes its value operands accept (the domain)


def _read_op_table() -> Dict[str, _OpRule]:
    return {op["name"]: _OpRule(op["rule"], frozenset(op["dtypes"])) for op in _core.op_table()}


# Read once: the native validator checks the same table, so both sides agree on every op.
_OPS = _read_op_table()

# Float dtypes, for the choices the table cannot see: a neighbor_agg's combine and edge attrs.
_FLOATS = frozenset(("f64", "f32"))

# What a unary op asks for, by its rule, when its input's dtype is outside the op's domain.
_UNARY_NEEDS = {"logic1": "needs a mask or bool", "arith1": "needs a numeric input", "float1": "needs a float input"}


class _Recorder:
    """A Builder's value list, the checks every recorded op goes through, and the type rules."""

    def __init__(self, name: str = "program") -> None:
        self.name = name
        self._values: List[_Rec] = []
        self._region = "P"
        self._loop: Optional[Loop] = None
        self._until: Optional[int] = None
        self._residual: Optional[int] = None
        self._outputs: List[Tuple[str, int]] = []
        self._built = False

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
            raise ProgramError(
                f"{v!r} is a loop temporary; after the loop only carried values can be used (at {_user_line()})"
            )
        return r

    def _add(
        self,
        op: str,
        dtype: str,
        node: bool,
        inputs: Sequence[int],
        attrs: Optional[Dict[str, Any]] = None,
        region: Optional[str] = None,
    ) -> int:
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

    def _fail(self, op: str, msg: str, *vals: _Rec) -> NoReturn:
        kinds = ", ".join(r.kind for r in vals)
        raise ProgramError(f"{op}: {msg}; got ({kinds}) at {_user_line()}")

    def _node_input(self, op: str, x: Any) -> Tuple[Value, _Rec]:
        v = self._lift(x, "f64")
        r = self._rec(v)
        if not r.node:
            self._fail(op, "needs a node vector", r)
        return v, r

    # -- the type rules of ir/validate.cpp, checked here to raise at the user's line ----------
    def _binary(self, op: str, a: Any, b: Any) -> Value:
        info = _OPS[op]
        dtype = next((self._rec(x).dtype for x in (a, b) if isinstance(x, Value)), "f64")
        va, vb = self._lift(a, dtype), self._lift(b, dtype)
        ra, rb = self._rec(va), self._rec(vb)
        node = ra.node or rb.node
        if info.rule == "logic2":
            if ra.dtype not in info.dtypes or rb.dtype not in info.dtypes:
                self._fail(op, "needs masks or bools", ra, rb)
            return Value(self, self._add(op, "bool", node, (va._id, vb._id)))
        if ra.dtype != rb.dtype:
            self._fail(op, "needs inputs of one dtype (use b.cast)", ra, rb)
        if ra.dtype not in info.dtypes:
            if info.rule == "compare":
                self._fail(op, "compares numbers", ra, rb)
            # A numeric dtype outside the domain: the op computes in floats only (div, pow).
            self._fail(op, "needs numeric inputs" if ra.dtype == "bool" else "needs float inputs (use b.cast)", ra, rb)
        out = "bool" if info.rule == "compare" else ra.dtype
        return Value(self, self._add(op, out, node, (va._id, vb._id)))

    def _unary(self, op: str, a: Any) -> Value:
        info = _OPS[op]
        va = self._lift(a, "f64")
        r = self._rec(va)
        if r.dtype not in info.dtypes:
            self._fail(op, _UNARY_NEEDS[info.rule], r)
        return Value(self, self._add(op, r.dtype, r.node, (va._id,)))

    def _reduce(self, op: str, x: Any) -> Value:
        info = _OPS[op]
        v, r = self._node_input(op, x)
        if info.rule == "reduce_mask":
            if r.dtype not in info.dtypes:
                self._fail(op, "reduces a mask", r)
            # The table holds operand domains only; ir/validate.cpp gives count an int64 result.
            return Value(self, self._add(op, "i64" if op == "count" else "bool", False, (v._id,)))
        if r.dtype not in info.dtypes:
            self._fail(op, "reduces a numeric (float for mean and norms) node vector", r)
        return Value(self, self._add(op, r.dtype, False, (v._id,)))
