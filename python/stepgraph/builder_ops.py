"""The builder's computing steps: elementwise ops, reductions, neighbor aggregation, index ops."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from stepgraph.builder_record import _FLOATS, _OPS, _Recorder
from stepgraph.builder_values import Value, _dtype, _user_line
from stepgraph.errors import ProgramError


class _Ops(_Recorder):
    """The Builder methods that compute a value from recorded values."""

    # -- elementwise -------------------------------------------------------------------
    def where(self, mask: Any, a: Any, b: Any) -> Value:
        """``a`` where ``mask`` holds, else ``b`` (scalars broadcast)."""
        dtype = next((self._rec(x).dtype for x in (a, b) if isinstance(x, Value)), "f64")
        vm, va, vb = self._lift(mask, "bool"), self._lift(a, dtype), self._lift(b, dtype)
        rm, ra, rb = self._rec(vm), self._rec(va), self._rec(vb)
        # The mask is always bool; the table's domain is that of a and b.
        if rm.dtype != "bool" or ra.dtype != rb.dtype or ra.dtype not in _OPS["where"].dtypes:
            self._fail("where", "needs (mask, a, b) with a and b of one dtype", rm, ra, rb)
        return Value(self, self._add("where", ra.dtype, rm.node or ra.node or rb.node, (vm._id, va._id, vb._id)))

    def minimum(self, a: Any, b: Any) -> Value:
        return self._binary("minimum", a, b)

    def maximum(self, a: Any, b: Any) -> Value:
        return self._binary("maximum", a, b)

    def pow(self, a: Any, b: Any) -> Value:
        return self._binary("pow", a, b)

    def abs(self, x: Any) -> Value:
        return self._unary("abs", x)

    def sqrt(self, x: Any) -> Value:
        return self._unary("sqrt", x)

    def exp(self, x: Any) -> Value:
        return self._unary("exp", x)

    def log(self, x: Any) -> Value:
        return self._unary("log", x)

    def recip(self, x: Any) -> Value:
        return self._unary("recip", x)

    def floor(self, x: Any) -> Value:
        """The largest integer <= x, elementwise, in x's float dtype (also ``math.floor(x)``).

        -0.0, +-inf and NaN come back unchanged; an int64 input is refused (it needs no rounding).
        """
        return self._unary("floor", x)

    def ceil(self, x: Any) -> Value:
        """The smallest integer >= x, elementwise, in x's float dtype (also ``math.ceil(x)``).

        -0.0, +-inf and NaN come back unchanged, and ceil(-0.5) is -0.0; an int64 input is refused.
        """
        return self._unary("ceil", x)

    def cast(self, x: Any, dtype: Any) -> Value:
        v = self._lift(x, "f64")
        r = self._rec(v)
        d = _dtype(dtype)
        return Value(self, self._add("cast", d, r.node, (v._id,), {"to": d}))

    # -- reductions ----------------------------------------------------------------------
    def sum(self, x: Any) -> Value:
        return self._reduce("sum", x)

    def mean(self, x: Any) -> Value:
        return self._reduce("mean", x)

    def min(self, x: Any) -> Value:
        return self._reduce("min", x)

    def max(self, x: Any) -> Value:
        return self._reduce("max", x)

    def count(self, x: Any) -> Value:
        return self._reduce("count", x)

    def any(self, x: Any) -> Value:
        return self._reduce("any", x)

    def all(self, x: Any) -> Value:
        return self._reduce("all", x)

    def norm_l1(self, x: Any) -> Value:
        return self._reduce("norm_l1", x)

    def norm_l2(self, x: Any) -> Value:
        return self._reduce("norm_l2", x)

    def norm_inf(self, x: Any) -> Value:
        return self._reduce("norm_inf", x)

    # -- graph ---------------------------------------------------------------------------
    def neighbor_agg(self, x: Any, combine: str = "sum", direction: str = "in", edge: Optional[str] = None) -> Value:
        """Per node, combine the values of its neighbors (pull).

        ``direction="in"`` gathers over in-edges (u -> v contributes x[u] to v), "out" over
        out-edges, "both" over both (once for undirected graphs). ``edge`` applies the edge
        weight first: "mul_weight" (plus-times) or "add_weight" (min-plus). ``combine="mode"``
        gives the most frequent int64 label, ties to the smallest; ``combine="h_index"`` the
        h-index of the int64 values (the largest h with at least h neighbor values >= h, 0 for
        none), each parallel edge counted once per edge.
        """
        if combine not in ("sum", "min", "max", "mean", "mode", "h_index"):
            raise ProgramError(f"neighbor_agg: combine must be sum, min, max, mean, mode or h_index, got {combine!r}")
        if direction not in ("in", "out", "both"):
            raise ProgramError(f"neighbor_agg: direction must be in, out or both, got {direction!r}")
        edge_name = edge or "none"
        if edge_name not in ("none", "mul_weight", "add_weight"):
            raise ProgramError(f"neighbor_agg: edge must be None, 'mul_weight' or 'add_weight', got {edge!r}")
        v, r = self._node_input("neighbor_agg", x)
        if (
            r.dtype not in _OPS["neighbor_agg"].dtypes
            or (combine in ("mode", "h_index") and r.dtype != "i64")
            or (combine in ("mode", "h_index") and edge_name != "none")
            or ((combine == "mean" or edge_name != "none") and r.dtype not in _FLOATS)
        ):
            self._fail("neighbor_agg", f"combine={combine}, edge={edge_name} does not fit this vector", r)
        attrs = {"combine": combine, "direction": direction, "edge": edge_name}
        return Value(self, self._add("neighbor_agg", r.dtype, True, (v._id,), attrs))

    def normalize(self, x: Any, by: str = "sum") -> Value:
        """x / sum(x) (or x / max(x))."""
        if by not in ("sum", "max"):
            raise ProgramError(f"normalize: by must be 'sum' or 'max', got {by!r}")
        v, r = self._node_input("normalize", x)
        if r.dtype not in _OPS["normalize"].dtypes:
            self._fail("normalize", "needs a float node vector", r)
        return Value(self, self._add("normalize", r.dtype, True, (v._id,), {"by": by}))

    # -- index ops -----------------------------------------------------------------------
    def _index(self, op: str, idx: Any) -> Value:
        """An int64 node vector of node ids (what gather reads at and scatter writes at)."""
        v = self._lift(idx, "i64")
        r = self._rec(v)
        if not r.node or r.dtype != "i64":
            self._fail(op, "idx must be an int64 node vector (b.cast(idx, 'int64') converts)", r)
        return v

    def gather(self, x: Any, idx: Any) -> Value:
        """``x[idx]``: element u of the result is ``x[idx[u]]``, as numpy's ``x[idx]``.

        ``x`` is a node vector of any dtype (the result has its dtype, a mask gives a mask);
        ``idx`` an int64 node vector of node ids. An index outside ``[0, n)`` raises
        :class:`ParameterError` when the program runs, naming the position, the value and
        this line. It runs as a pass of its own: ``x`` must be complete before it reads it.
        Example: the grandparents of a parent forest, ``gp = b.gather(parent, parent)``.
        """
        vx, rx = self._node_input("gather", x)
        vi = self._index("gather", idx)
        return Value(self, self._add("gather", rx.dtype, True, (vx._id, vi._id)))

    def scatter(self, target: Any, idx: Any, values: Any, combine: str = "sum") -> Value:
        """A copy of ``target`` with ``out[idx[u]] = combine(out[idx[u]], values[u])`` for every u.

        ``target`` is a numeric node vector, ``idx`` an int64 node vector of node ids,
        ``values`` a node vector (or a scalar, for every u) of the target's dtype; ``combine``
        is "sum", "min" or "max". Nodes no index names keep their target value; repeated
        indices all combine, as numpy's ``np.add.at`` / ``np.minimum.at`` / ``np.maximum.at``.
        Deterministic at any thread count: int64 scatters run in parallel (min, max and the
        wrapping sum are order-free); float scatters apply u = 0, 1, ..., n-1 in node order on
        one thread, each step ``b.minimum(acc, value)`` / ``b.maximum(acc, value)`` /
        ``acc + value`` (so a float sum rounds as a sequential loop does). An index outside
        ``[0, n)`` raises :class:`ParameterError` when the program runs. It runs as a pass of
        its own. Example (FastSV's hooking): ``b.scatter(f, f, mngp, combine="min")``.
        """
        if combine not in ("sum", "min", "max"):
            raise ProgramError(f"scatter: combine must be sum, min or max, got {combine!r} (at {_user_line()})")
        vt, rt = self._node_input("scatter", target)
        if rt.dtype not in _OPS["scatter"].dtypes:
            self._fail("scatter", "needs a numeric target (float64, float32 or int64)", rt)
        vi = self._index("scatter", idx)
        vv = self._lift(values, rt.dtype)
        rv = self._rec(vv)
        if rv.dtype != rt.dtype:
            self._fail("scatter", "needs values of the target's dtype (use b.cast)", rt, rv)
        inputs = (vt._id, vi._id, vv._id)
        return Value(self, self._add("scatter", rt.dtype, True, inputs, {"combine": combine}))

    # -- union-find ----------------------------------------------------------------------
    def link(
        self,
        parent: Any,
        direction: str = "both",
        edges: Tuple[int, Optional[int]] = (0, None),
        active: Any = True,
    ) -> Value:
        """Join trees along edges: union-find over a parent forest (Afforest's linking).

        ``parent`` is an int64 node vector pointing each node at itself or a smaller node
        (``b.node_id("int64")`` is the forest of single nodes). Each node u with ``active[u]``
        is joined with the neighbors at positions ``edges[0] .. edges[1] - 1`` of its row
        (``None``: to the row's end) over out-edges, in-edges or "both" (an undirected graph's
        in-edges are its out-edges). Element u of the result is the smallest node that u is
        connected to through the forest and the linked edges: the same at any thread count.
        A parent outside ``[0, u]`` raises :class:`ParameterError` when the program runs.
        It runs as a pass of its own. Example (one Afforest round):
        ``comp = b.link(comp, edges=(0, 1))`` joins every node with its first neighbor.
        """
        if direction not in ("in", "out", "both"):
            raise ProgramError(f"link: direction must be in, out or both, got {direction!r} (at {_user_line()})")
        lo, hi = edges if isinstance(edges, tuple) and len(edges) == 2 else (None, None)
        if not (
            isinstance(lo, int)
            and not isinstance(lo, bool)
            and lo >= 0
            and (hi is None or (isinstance(hi, int) and not isinstance(hi, bool) and hi >= lo))
        ):
            raise ProgramError(f"link: edges must be (from, to) with 0 <= from <= to or to None, got {edges!r}")
        vp, rp = self._node_input("link", parent)
        if rp.dtype != "i64":
            self._fail("link", "needs a parent forest: an int64 node vector", rp)
        va = self._lift(active, "bool")
        if self._rec(va).dtype != "bool":
            self._fail("link", "active must be a bool mask (node vector or scalar)", rp, self._rec(va))
        attrs = {"direction": direction, "edges": f"{lo}:{'' if hi is None else hi}"}
        return Value(self, self._add("link", "i64", True, (vp._id, va._id), attrs))

    def sample_mode(self, x: Any) -> Value:
        """The most frequent of 1024 entries of int64 node vector ``x`` drawn at fixed
        pseudo-random positions (ties to the smallest value; the lowest int64 for no nodes).

        Cheap and reproducible, not exact: Afforest's guess of the largest component,
        ``giant = b.sample_mode(comp)``. It runs as a pass of its own.
        """
        v, r = self._node_input("sample_mode", x)
        if r.dtype != "i64":
            self._fail("sample_mode", "needs an int64 node vector", r)
        return Value(self, self._add("sample_mode", "i64", False, (v._id,)))
