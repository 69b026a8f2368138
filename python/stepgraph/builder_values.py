"""The builder's recorded values: dtype names, literal and name checks, the record and the Value handle."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Union

import numpy as np

from stepgraph.errors import ProgramError

if TYPE_CHECKING:
    from stepgraph.builder_record import _Recorder

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


def _in_builder(path: str) -> bool:
    """Whether a frame's file is the Builder's own machinery (not an algorithm built with it)."""
    path = os.path.abspath(path)
    return os.path.dirname(path) == _PKG_DIR and os.path.basename(path).startswith(("builder", "program"))


def _user_line() -> str:
    """file:line of the first caller outside the Builder: the user's line, or the line of an
    ``stepgraph.algorithms`` program that recorded the step."""
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None and _in_builder(frame.f_code.co_filename):
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
        return (
            f"{_NAMES[self.dtype]}{' node vector' if self.node else ' scalar'}"
            if self.dtype != "bool" or not self.node
            else "mask"
        )


class Value:
    """A handle on one recorded value: a scalar, a node vector, or a mask."""

    __slots__ = ("_b", "_id")
    __array_priority__ = 1000  # numpy scalars defer to our operators

    def __init__(self, builder: _Recorder, vid: int) -> None:
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
    def __add__(self, o: Any) -> Value:
        return self._b._binary("add", self, o)

    def __radd__(self, o: Any) -> Value:
        return self._b._binary("add", o, self)

    def __sub__(self, o: Any) -> Value:
        return self._b._binary("sub", self, o)

    def __rsub__(self, o: Any) -> Value:
        return self._b._binary("sub", o, self)

    def __mul__(self, o: Any) -> Value:
        return self._b._binary("mul", self, o)

    def __rmul__(self, o: Any) -> Value:
        return self._b._binary("mul", o, self)

    def __truediv__(self, o: Any) -> Value:
        return self._b._binary("div", self, o)

    def __rtruediv__(self, o: Any) -> Value:
        return self._b._binary("div", o, self)

    def __pow__(self, o: Any) -> Value:
        return self._b._binary("pow", self, o)

    def __neg__(self) -> Value:
        return self._b._unary("neg", self)

    def __abs__(self) -> Value:
        return self._b._unary("abs", self)

    # math.floor(v) / math.ceil(v), as abs(v) is b.abs(v)
    def __floor__(self) -> Value:
        return self._b._unary("floor", self)

    def __ceil__(self) -> Value:
        return self._b._unary("ceil", self)

    # comparisons give masks
    def __lt__(self, o: Any) -> Value:
        return self._b._binary("lt", self, o)

    def __le__(self, o: Any) -> Value:
        return self._b._binary("le", self, o)

    def __gt__(self, o: Any) -> Value:
        return self._b._binary("gt", self, o)

    def __ge__(self, o: Any) -> Value:
        return self._b._binary("ge", self, o)

    def __eq__(self, o: Any) -> Value:  # type: ignore[override]
        return self._b._binary("eq", self, o)

    def __ne__(self, o: Any) -> Value:  # type: ignore[override]
        return self._b._binary("ne", self, o)

    # masks
    def __and__(self, o: Any) -> Value:
        return self._b._binary("and", self, o)

    def __rand__(self, o: Any) -> Value:
        return self._b._binary("and", o, self)

    def __or__(self, o: Any) -> Value:
        return self._b._binary("or", self, o)

    def __ror__(self, o: Any) -> Value:
        return self._b._binary("or", o, self)

    def __invert__(self) -> Value:
        return self._b._unary("not", self)

    __hash__ = None  # type: ignore[assignment]
