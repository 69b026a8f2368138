"""stepgraph.Builder: record a graph algorithm as a typed SSA step program.

Python only records and type-checks (raising at the user's line); the IR crosses to
native code once, where it is validated again, optimized and executed. The Builder's
parts: builder_values (Value), builder_record (recording, type rules from the op table),
builder_ops (elementwise ops, reductions, aggregation), builder_loop (Loop).
"""

from __future__ import annotations

import ast
import linecache
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence
from urllib.parse import quote

import numpy as np

from stepgraph.builder_loop import Loop
from stepgraph.builder_ops import _Ops
from stepgraph.builder_values import _NAMES, Number, Value, _check_name, _dtype, _number, _Rec, _user_line
from stepgraph.errors import ProgramError

if TYPE_CHECKING:
    from stepgraph.program import Program

__all__ = ["Builder", "Value", "Loop"]


def _assigned_names(path: str) -> Dict[int, str]:
    """line -> name for each statement ``name = ...`` of a source file (a keyword argument
    ``name=...`` inside a call is not one); empty when the file cannot be read or parsed."""
    linecache.checkcache(path)
    try:
        tree = ast.parse("".join(linecache.getlines(path)))
    except (SyntaxError, ValueError):
        return {}
    out: Dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.lineno] = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.lineno] = node.target.id
    return out


def _labels(values: Sequence[_Rec]) -> Dict[int, str]:
    """What the user called each value, for explain(): on a source line ``name = ...``, the
    last value recorded there is ``name`` (params, inputs and carries keep their own names)."""
    last: Dict[str, int] = {}
    for vid, r in enumerate(values):
        if r.loc:
            last[r.loc] = vid
    files: Dict[str, Dict[int, str]] = {}
    out: Dict[int, str] = {}
    for loc, vid in last.items():
        path, _, line = loc.rpartition(":")
        if values[vid].op in ("param", "input", "carry", "const") or not line.isdigit():
            continue
        if path not in files:
            files[path] = _assigned_names(path)
        name = files[path].get(int(line))
        if name is not None and name.isascii() and len(name) <= 200:
            out[vid] = name
    return out


class Builder(_Ops):
    """Records a step program. See ``stepgraph.algorithms`` for complete examples."""

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
        return Value(
            self,
            self._add("out_degree", _dtype(dtype), True, (), {"weighted": int(bool(weighted)), "to": _dtype(dtype)}),
        )

    def in_degree(self, weighted: bool = True, dtype: Any = "float64") -> Value:
        return Value(
            self,
            self._add("in_degree", _dtype(dtype), True, (), {"weighted": int(bool(weighted)), "to": _dtype(dtype)}),
        )

    def node_id(self, dtype: Any = "int64") -> Value:
        """Each node's own id."""
        return Value(self, self._add("node_id", _dtype(dtype), True, (), {"to": _dtype(dtype)}))

    def broadcast(self, x: Value) -> Value:
        """A scalar repeated over every node."""
        r = self._rec(x)
        if r.node:
            self._fail("broadcast", "needs a scalar", r)
        return Value(self, self._add("broadcast", r.dtype, True, (x._id,)))

    # -- structure -----------------------------------------------------------------------
    def loop(self, max_iter: Optional[int] = 100) -> Loop:
        """The loop region. ``max_iter=None``: a fixed point that stops by its ``until`` predicate
        (``run`` guards it against never converging: ``stepgraph.program.convergence_guard``)."""
        if max_iter is not None and (
            isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or not 0 <= max_iter < 2**62
        ):
            raise ProgramError(f"max_iter must be None or an integer in 0 .. 2**62 - 1, got {max_iter!r}")
        if self._loop is not None:
            raise ProgramError(f"a program has at most one loop (at {_user_line()})")
        return Loop(self, None if max_iter is None else int(max_iter))

    def output(self, name: str, value: Value) -> None:
        _check_name("output", name)
        if any(n == name for n, _ in self._outputs):
            raise ProgramError(f"output {name!r} is declared twice (at {_user_line()})")
        r = self._rec(value)
        if r.region == "B" and r.op != "carry":
            raise ProgramError(f"output {name!r} is a loop temporary; output a carried value (at {_user_line()})")
        carried = self._loop._carries.get(name) if self._loop is not None else None
        if carried is not None and carried[1] != value._id:
            raise ProgramError(
                f"output {name!r} would hide the carried value of the same name (state[{name!r}]); "
                f"give the output another name (at {_user_line()})"
            )
        self._outputs.append((name, value._id))

    def serialize(self) -> str:
        """The IR's text form, as it crosses to native code."""
        if not self._outputs:
            raise ProgramError("the program has no outputs; call b.output(name, value)")
        if self._loop is not None and self._region == "B":
            raise ProgramError("build() inside the loop; leave the `with b.loop()` block first")
        lines = ["sgir 1"]
        if self._loop is not None:
            lines.append(f"loop {'none' if self._loop.max_iter is None else self._loop.max_iter}")
        labels = _labels(self._values)
        for vid, r in enumerate(self._values):
            parts = ["v", r.region, r.op, r.dtype, "n" if r.node else "s", str(len(r.inputs))]
            parts += [str(i) for i in r.inputs]
            for k, val in r.attrs.items():
                parts.append(f"{k}={repr(float(val)) if k == 'number' else val}")
            if vid in labels:
                parts.append("label=" + labels[vid])
            if r.loc:
                parts.append("loc=" + quote(r.loc, safe="/:._-"))
            lines.append(" ".join(parts))
        if self._loop is not None:
            for name, (init, cid, upd) in self._loop._carries.items():
                lines.append(f"carry {name} {init} {cid} {upd}")
        if self._until is not None:
            lines.append(f"until {self._until}")
        if self._loop is not None and self._loop.order is not None:
            lines.append(f"order {self._loop.order}")
        if self._residual is not None:
            lines.append(f"residual {self._residual}")
        for name, vid in self._outputs:
            lines.append(f"output {name} {vid}")
        lines.append("end")
        return "\n".join(lines) + "\n"

    def build(
        self, opt_level: int = 3, exact: bool = False, disable: Sequence[str] = (), enable: Sequence[str] = ()
    ) -> Program:
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
        prog = Program(
            self.name,
            text,
            params,
            inputs,
            opt_level=opt_level,
            exact=exact,
            disable=tuple(disable),
            enable=tuple(enable),
        )
        self._built = True
        return prog
