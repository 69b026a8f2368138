"""The loop region of a step program: ``with b.loop(max_iter=...) as loop:`` with its carries."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from stepgraph.builder_values import Value, _check_name, _number, _user_line
from stepgraph.errors import ProgramError

if TYPE_CHECKING:
    from stepgraph.builder import Builder


class Loop:
    """The loop region: ``with b.loop(max_iter=100) as loop:`` (``max_iter=None``: until converged)."""

    def __init__(self, builder: Builder, max_iter: Optional[int]) -> None:
        self._b = builder
        self.max_iter = max_iter
        self.order: Optional[str] = None  # "auto" or the bucket width, once in_order() was called
        self._carries: Dict[str, Tuple[int, int, Optional[int]]] = {}

    def __enter__(self) -> Loop:
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
                raise ProgramError(
                    f"carry {name!r} must start from a value recorded before the loop (at {_user_line()})"
                )
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

    def in_order(self, delta: Optional[float] = None) -> None:
        """Process the loop's frontier in order of the carry's value, in buckets of width ``delta``
        (delta-stepping). Changed nodes wait in the bucket of their value; each iteration settles
        the lowest bucket: it relaxes that bucket's nodes, then the nodes they improve into it,
        until none is left. For a monotone min fixed point (``explain()`` says whether the loop
        is one); the fixed point it reaches is the same, in fewer relaxations on graphs of high
        diameter, but an iteration is a bucket, not a dense iteration: the residual (the change
        count) is the number of nodes still waiting, and ``stats["frontier_sizes"]`` the nodes
        each bucket began with. Both, and the iteration count, are the same at any thread count.
        On a graph with negative edge weights, or with an update that adds a negative amount,
        the loop runs unordered instead (a negative cycle would never let a bucket settle), and
        ``stats["frontier_note"]`` says so.
        ``delta=None`` chooses one from the graph's edge weights (1 when unweighted)."""
        self._check_active("in_order")
        if self.order is not None:
            raise ProgramError(f"loop.in_order is called twice (at {_user_line()})")
        if delta is None:
            self.order = "auto"
            return
        d = _number(delta, "loop.in_order delta")
        if not (math.isfinite(d) and d > 0):
            raise ProgramError(f"loop.in_order needs a finite delta > 0, got {delta!r} (at {_user_line()})")
        self.order = repr(d)

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
