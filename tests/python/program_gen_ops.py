"""The value-level half of program_gen: a recorded value's facts (``Var``), choices (``Chooser``)
and the core ops that record new values with the public Builder API (``Ops``; program_gen_math
adds the arithmetic-heavy ones), keeping every value defined and bounded.

Every value carries a conservative interval, a may-be-NaN flag, whether it depends on a loop
carry ("variant") and whether its bits are independent of rounding-changing rewrites ("stable":
no float arithmetic an fma / reciprocal rewrite could touch). See program_gen for the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

I_BOUND = 2**31
FLOAT_BOUND = {"exact": 1e6, "smooth": 1e3}
NMAX, DMAX = 100_000, 1_000_000  # bounds on nodes and on a node's (two-way) degree in the test graphs
INF = math.inf
FLOATS = [1.0, 0.5, 2.0, 0.0, -1.0, 0.25, 3.0, -0.5, 0.1, 1.5, -2.0, 0.75, 10.0, 1e-3, -0.0, 100.0]
SMOOTH_FLOATS = [1.0, 0.5, 2.0, 0.0, -1.0, 0.25, 0.1, 1.5, -0.5, 0.75, 0.3, -0.2]
INTS = [1, 0, 2, -1, 3, 5, -3, 10, 7]
PY = {"f64": "float64", "f32": "float32", "i64": "int64", "bool": "bool"}


@dataclass(eq=False)
class Var:
    name: str
    dtype: str  # f64 f32 i64 bool
    node: bool
    region: str  # P B E
    lo: float = 0.0
    hi: float = 0.0
    nan: bool = False
    stable: bool = True
    variant: bool = False
    expr: str = ""

    @property
    def numeric(self) -> bool:
        return self.dtype != "bool"

    @property
    def flt(self) -> bool:
        return self.dtype in ("f64", "f32")


def _fmt(x: float, dtype: str) -> str:
    if dtype == "i64":
        return str(int(x))
    return repr(float(x))


def _hull(*xs: float) -> Tuple[float, float]:
    vals = [x for x in xs if not math.isnan(x)]
    return (min(vals), max(vals)) if vals else (-INF, INF)


def _mul_iv(a: Var, b: Var) -> Tuple[float, float, bool]:
    prods, nan = [], False
    for x in (a.lo, a.hi):
        for y in (b.lo, b.hi):
            p = x * y if not ((x == 0 and math.isinf(y)) or (y == 0 and math.isinf(x))) else 0.0
            nan |= (x == 0 and math.isinf(y)) or (y == 0 and math.isinf(x))
            prods.append(p)
    nan |= (a.lo <= 0 <= a.hi and (math.isinf(b.lo) or math.isinf(b.hi))) or (
        b.lo <= 0 <= b.hi and (math.isinf(a.lo) or math.isinf(a.hi))
    )
    lo, hi = _hull(*prods)
    return lo, hi, nan


class Chooser:
    """Random choices; subclasses provide ``randint(lo, hi)``. Everything shrinks towards index 0."""

    def randint(self, lo: int, hi: int) -> int:
        raise NotImplementedError

    def pick(self, seq):
        return seq[self.randint(0, len(seq) - 1)]

    def flag(self, percent: int) -> bool:
        return self.randint(0, 99) >= 100 - percent  # shrinks to False

    def weighted(self, options):
        total = sum(w for w, _ in options)
        x = self.randint(0, total - 1)
        for w, item in options:
            if x < w:
                return item
            x -= w
        raise AssertionError


class Ops:
    """Records values into ``lines`` (Builder code, one statement each) and keeps their facts."""

    def __init__(self, c: Chooser, mode: str, avoid: frozenset) -> None:
        self.c, self.mode, self.avoid = c, mode, frozenset(avoid)
        self.smooth = mode == "smooth"
        self.F = FLOAT_BOUND[mode]
        self.lines: List[str] = []
        self.vars: List[Var] = []
        self.carry_vars: List[Var] = []
        self.params: Dict[str, float] = {}  # run-time overrides of the params
        self.region, self.indent, self.count = "P", "", 0

    # -- bookkeeping -------------------------------------------------------------------
    def usable(self, v: Var) -> bool:
        """Raw results that fix() replaced are not operands: int64 beyond I_BOUND (a later op could
        overflow), and in smooth mode anything that may be NaN or infinite."""
        if v.dtype == "i64":
            return -I_BOUND <= v.lo and v.hi <= I_BOUND
        return not (self.smooth and v.flt and (v.nan or v.lo == -INF or v.hi == INF))

    def visible(self, pred=lambda v: True) -> List[Var]:
        r = self.region
        ok = {"P": ("P",), "B": ("P", "B"), "E": ("P", "E")}[r]
        return [
            v
            for v in self.vars
            if (v.region in ok or (r == "E" and v in self.carry_vars)) and self.usable(v) and pred(v)
        ]

    def emit(
        self,
        expr: str,
        dtype: str,
        node: bool,
        lo: float = 0.0,
        hi: float = 0.0,
        nan: bool = False,
        stable: bool = True,
        inputs=(),
        prefix: str = "v",
    ) -> Var:
        name = f"{prefix}{self.count}"
        self.count += 1
        if dtype == "bool":
            lo, hi, nan = 0.0, 1.0, False
        v = Var(
            name,
            dtype,
            node,
            self.region,
            lo,
            hi,
            nan,
            stable and all(i.stable for i in inputs),
            self.region == "B" and any(i.variant for i in inputs),
            expr,
        )
        self.lines.append(f"{self.indent}{name} = {expr}")
        self.vars.append(v)
        return v

    def choose(self, cands: List[Var]) -> Var:
        if self.region == "B" and self.c.flag(60):  # body work mostly builds on loop-dependent values
            var = [v for v in cands if v.variant]
            if var:
                cands = var
        if len(cands) > 3 and self.c.flag(50):
            cands = cands[-3:]
        return self.c.pick(cands)

    def fmt(self, x: float, dtype: str) -> str:
        return _fmt(0.0 if x == 0 and "signed_zero" in self.avoid else x, dtype)

    def lit(self, dtype: str) -> Tuple[str, float]:
        if dtype == "i64":
            x = float(self.c.pick(INTS))
        else:
            x = self.c.pick(SMOOTH_FLOATS if self.smooth else FLOATS)
        return self.fmt(x, dtype), x

    # -- keeping values defined and meaningful ---------------------------------------------
    def fix(self, v: Var, force: bool = False) -> Var:
        if v.nan and (self.smooth or force or self.c.flag(75)):
            zero = self.fmt(0, v.dtype)
            v = self.emit(
                f"b.where({v.name} != {v.name}, {zero}, {v.name})", v.dtype, v.node, v.lo, v.hi, False, v.stable, (v,)
            )
        bound = I_BOUND if v.dtype == "i64" else self.F
        must = v.dtype == "i64" or self.smooth or force
        if v.numeric and (v.lo < -bound or v.hi > bound) and (must or self.c.flag(85)):
            lo, hi = max(v.lo, -bound), min(v.hi, bound)
            if lo > hi:
                lo, hi = -bound, bound
            v = self.clamp(v, lo, hi)
        return v

    def clamp(self, v: Var, lo: float, hi: float) -> Var:
        lt, ht = self.fmt(lo, v.dtype), self.fmt(hi, v.dtype)
        return self.emit(f"b.minimum(b.maximum({v.name}, {lt}), {ht})", v.dtype, v.node, lo, hi, v.nan, v.stable, (v,))

    def pick_num(
        self, dtype: Optional[str] = None, node: Optional[bool] = None, stable: bool = False, flt: bool = False
    ) -> Var:
        def ok(v: Var) -> bool:
            return (
                v.numeric
                and (dtype is None or v.dtype == dtype)
                and (node is None or v.node == node)
                and (not stable or v.stable)
                and (not flt or v.flt)
                and not (self.smooth and v.dtype == "f32")
            )

        cands = self.visible(ok)
        if cands and not self.c.flag(8):
            return self.choose(cands)
        floats = ["f64"] if self.smooth else ["f64", "f32"]
        d = dtype or self.c.pick(floats if flt else ["f64", "i64"] + floats[1:])
        text, x = self.lit(d)
        if node or (node is None and self.c.flag(50)):
            return self.emit(f'b.fill({text}, "{PY[d]}")', d, True, x, x)
        return self.emit(f'b.const({text}, "{PY[d]}")', d, False, x, x)

    def pick_mask(self) -> Var:
        cands = self.visible(lambda v: v.dtype == "bool")
        if cands and self.c.flag(70):
            return self.choose(cands)
        return self.compare()

    def operand(self, like: Var, node: Optional[bool] = None) -> Tuple[str, Var]:
        """A second operand of like's dtype: a literal or a visible value."""
        if self.c.flag(35):
            text, x = self.lit(like.dtype)
            return text, Var(text, like.dtype, False, "P", x, x)
        o = self.pick_num(like.dtype, node=node)
        return o.name, o

    # -- ops -----------------------------------------------------------------------------
    def arith(self) -> Var:
        a = self.pick_num()
        bt, bv = self.operand(a)
        op = self.c.pick(["+", "-", "*", "min", "max"])
        if self.c.flag(50):
            a, bv, first, second = bv, a, bt, a.name  # literal / other operand first
        else:
            first, second = a.name, bt
        ins = (a, bv)
        node = a.node or bv.node
        nan = a.nan or bv.nan
        if op in ("min", "max"):
            lo, hi = (min(a.lo, bv.lo), min(a.hi, bv.hi)) if op == "min" else (max(a.lo, bv.lo), max(a.hi, bv.hi))
            v = self.emit(
                f"b.{'minimum' if op == 'min' else 'maximum'}({first}, {second})", a.dtype, node, lo, hi, nan, True, ins
            )
        elif op == "*":
            lo, hi, n2 = _mul_iv(a, bv)
            v = self.emit(f"{first} * {second}", a.dtype, node, lo, hi, nan or n2, a.dtype == "i64", ins)
        else:
            sa, sb = (a, bv) if op == "+" else (a, Var("", bv.dtype, False, "P", -bv.hi, -bv.lo))
            lo, hi = sa.lo + sb.lo, sa.hi + sb.hi
            nan2 = (math.isinf(sa.lo) and math.isinf(sb.hi)) or (math.isinf(sa.hi) and math.isinf(sb.lo))
            v = self.emit(
                f"{first} {op} {second}",
                a.dtype,
                node,
                lo if not math.isnan(lo) else -INF,
                hi if not math.isnan(hi) else INF,
                nan or nan2,
                a.dtype == "i64",
                ins,
            )
        return self.fix(v)

    def compare(self) -> Var:
        if self.c.flag(25):  # masks of masks
            masks = self.visible(lambda v: v.dtype == "bool")
            if masks:
                x = self.choose(masks)
                kind = self.c.pick(["~", "&", "|", "==", "!="])
                if kind == "~":
                    return self.emit(f"~{x.name}", "bool", x.node, inputs=(x,))
                y = self.choose(masks) if self.c.flag(80) else Var(self.c.pick(["True", "False"]), "bool", False, "P")
                return self.emit(f"{x.name} {kind} {y.name}", "bool", x.node or y.node, inputs=(x, y))
        a = self.pick_num(stable=self.smooth)
        op = self.c.pick(["<", ">", "<=", ">=", "==", "!="])
        if self.c.flag(40):
            text, _ = self.lit(a.dtype)
            return self.emit(f"{a.name} {op} {text}", "bool", a.node, inputs=(a,))
        bv = self.pick_num(a.dtype, stable=self.smooth)
        return self.emit(f"{a.name} {op} {bv.name}", "bool", a.node or bv.node, inputs=(a, bv))

    def where(self) -> Var:
        m = self.pick_mask()
        a = self.pick_num()
        bt, bv = self.operand(a)
        if self.c.flag(40):
            args, ins = f"{bt}, {a.name}", (m, bv, a)
        else:
            args, ins = f"{a.name}, {bt}", (m, a, bv)
        lo, hi = min(a.lo, bv.lo), max(a.hi, bv.hi)
        return self.emit(
            f"b.where({m.name}, {args})", a.dtype, m.node or a.node or bv.node, lo, hi, a.nan or bv.nan, True, ins
        )

    def cast(self) -> Var:
        x = self.pick_num(stable=self.smooth) if self.c.flag(80) else self.pick_mask()
        targets = ["f64", "i64", "bool"] + ([] if self.smooth else ["f32"])
        if self.smooth and not x.flt:
            targets = ["f64", "i64", "bool"]
        to = self.c.pick([t for t in targets if t != x.dtype])
        lo, hi = (x.lo, x.hi) if x.numeric else (0.0, 1.0)
        if to == "i64":
            lo, hi = (
                math.trunc(max(lo, -9.2e18)) if lo > -INF else -9.2e18,
                math.trunc(min(hi, 9.2e18)) if hi < INF else 9.2e18,
            )
        v = self.emit(f'b.cast({x.name}, "{PY[to]}")', to, x.node, lo, hi, x.nan and to in ("f64", "f32"), True, (x,))
        return self.fix(v)

    def source(self) -> Var:
        """A value with no inputs (graph properties, constants, params): hoistable wherever it is."""
        kind = self.c.weighted(
            [(3, "const"), (2, "fill"), (2, "node_id"), (3, "degree"), (1, "num"), (1, "directed"), (2, "broadcast")]
            + ([(1, "param")] if self.region == "P" else [])
        )
        floats = ["f64"] if self.smooth else ["f64", "f32"]
        if kind in ("const", "fill"):
            d = self.c.pick(floats + ["i64"])
            text, x = self.lit(d)
            return self.emit(f'b.{kind}({text}, "{PY[d]}")', d, kind == "fill", x, x)
        if kind == "node_id":
            d = self.c.pick(["i64"] + floats)
            return self.emit(f'b.node_id("{PY[d]}")' if d != "i64" else "b.node_id()", d, True, 0, NMAX)
        if kind == "degree":
            d, w = self.c.pick(floats + ["i64"]), self.c.flag(50)
            side = self.c.pick(["out", "in"])
            return self.emit(f'b.{side}_degree(weighted={w}, dtype="{PY[d]}")', d, True, 0, 3 * DMAX)
        if kind == "num":
            d = self.c.pick(floats + ["i64"])
            what = self.c.pick(["num_nodes", "num_edges"])
            return self.emit(f'b.{what}("{PY[d]}")', d, False, 0, 3 * DMAX)
        if kind == "directed":
            return self.emit("b.directed()", "bool", False)
        if kind == "broadcast":
            s = self.visible(lambda v: not v.node and (not self.smooth or v.dtype != "f32"))
            if s:
                sv = self.choose(s)
                return self.emit(f"b.broadcast({sv.name})", sv.dtype, True, sv.lo, sv.hi, sv.nan, True, (sv,))
            return self.source()
        d = self.c.pick(floats + ["i64"])
        text, x = self.lit(d)
        name = f"p{self.count}"
        v = self.emit(f'b.param("{name}", {text}, "{PY[d]}")', d, False, x, x, prefix="p")
        if self.c.flag(40):
            y = float(self.c.pick(INTS)) if d == "i64" else self.c.pick(SMOOTH_FLOATS)
            self.params[v.name] = int(y) if d == "i64" else y
            v.lo, v.hi = min(x, y), max(x, y)
        return v

    def duplicate(self) -> Optional[Var]:
        """The same expression again (a CSE candidate)."""
        cands = [v for v in self.visible() if v.expr and not any(k in v.expr for k in ("param", "input", "loop."))]
        if not cands:
            return None
        v = self.c.pick(cands)
        w = self.emit(v.expr, v.dtype, v.node, v.lo, v.hi, v.nan, v.stable)
        w.variant = v.variant and self.region == "B"
        return w

    def step(self) -> Var:
        kind = self.c.weighted(
            [
                (10, "arith"),
                (4, "unary"),
                (4, "compare"),
                (4, "where"),
                (2, "cast"),
                (4, "reduce"),
                (5 if self.region == "B" else 2, "aggregate"),
                (1, "normalize"),
                (2, "index"),
                (2, "source"),
                (2, "dup"),
                (8 if self.smooth else 3, "pattern"),
            ]
        )
        if kind == "dup":
            return self.duplicate() or self.arith()
        return getattr(self, kind)()
