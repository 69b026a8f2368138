"""The arithmetic-heavy ops of program_gen: sqrt / exp / log / pow / recip / division with safe
or guarded inputs, reductions, neighbor aggregation, normalize, and the rewrite rules' shapes."""

from __future__ import annotations

import math

from program_gen_ops import DMAX, INF, NMAX, Ops, Var, _hull, _mul_iv


class MathOps(Ops):
    """Ops whose inputs need care (domains, sentinels of empty rows / graphs) or whose shape matters."""

    def positive(self, x: Var, margin: float = 1.0) -> Var:
        """A value >= margin made from x (abs(x) + margin), for sqrt/log/pow/division."""
        lo = max(x.lo, -x.hi, 0.0) if not (x.lo <= 0 <= x.hi) else 0.0
        hi = max(abs(x.lo), abs(x.hi))
        return self.emit(
            f"b.abs({x.name}) + {self.fmt(margin, x.dtype)}",
            x.dtype,
            x.node,
            lo + margin,
            hi + margin,
            x.nan,
            False,
            (x,),
        )

    def unary(self) -> Var:
        x = self.pick_num(flt=self.c.flag(70))
        ops = ["neg", "abs"] + (["sqrt", "exp", "log", "recip", "div", "pow"] if x.flt else [])
        op = self.c.pick(ops)
        d, n = x.dtype, x.node
        if op == "neg":
            return self.emit(f"-{x.name}", d, n, -x.hi, -x.lo, x.nan, True, (x,))
        if op == "abs":
            lo = 0.0 if x.lo <= 0 <= x.hi else min(abs(x.lo), abs(x.hi))
            return self.emit(f"b.abs({x.name})", d, n, lo, max(abs(x.lo), abs(x.hi)), x.nan, True, (x,))
        # unguarded (raw) or where-guarded: inf / NaN may flow, or be folded into constants
        wild = not self.smooth and "nan_consts" not in self.avoid
        raw = wild and self.c.flag(15)
        if op == "exp":
            if not raw and (x.lo < -30 or x.hi > 30):
                x = self.emit(
                    f"b.minimum(b.maximum({x.name}, -30.0), 30.0)",
                    d,
                    n,
                    max(x.lo, -30),
                    min(x.hi, 30),
                    x.nan,
                    x.stable,
                    (x,),
                )
            lo, hi = (math.exp(max(min(x.lo, 700), -745)), math.exp(min(x.hi, 700))) if not raw else (0.0, INF)
            return self.fix(self.emit(f"b.exp({x.name})", d, n, lo, hi, x.nan, False, (x,)))
        if op in ("sqrt", "log", "pow"):
            guarded = not raw and wild and self.c.flag(40)
            if op == "sqrt":
                if raw:
                    return self.emit(f"b.sqrt({x.name})", d, n, 0.0, INF, True, False, (x,))
                if guarded:
                    return self.emit(
                        f"b.where({x.name} >= 0.0, b.sqrt({x.name}), -1.0)",
                        d,
                        n,
                        -1.0,
                        math.sqrt(max(x.hi, 0)) if x.hi < INF else INF,
                        x.nan,
                        False,
                        (x,),
                    )
                p = self.positive(x, self.c.pick([1.0, 0.0]) if not self.smooth else 1.0)
                return self.emit(f"b.sqrt({p.name})", d, n, math.sqrt(p.lo), math.sqrt(p.hi), p.nan, False, (p,))
            if op == "log":
                if raw:
                    return self.emit(f"b.log({x.name})", d, n, -INF, INF, True, False, (x,))
                if guarded:
                    return self.fix(
                        self.emit(
                            f"b.where({x.name} > 0.0, b.log({x.name}), 0.0)",
                            d,
                            n,
                            -INF,
                            math.log(x.hi) if 0 < x.hi < INF else INF,
                            x.nan,
                            False,
                            (x,),
                        )
                    )
                p = self.positive(x, 1.0)
                return self.emit(
                    f"b.log({p.name})", d, n, 0.0, math.log(p.hi) if p.hi < INF else INF, p.nan, False, (p,)
                )
            e = self.c.pick([0.5, 2.0, -1.0, 1.5, -0.5, 3.0])
            p = self.positive(x, 1.0)
            cands = [p.lo**e, p.hi**e if p.hi < INF else (INF if e > 0 else 0.0)]
            if self.c.flag(50):
                return self.fix(self.emit(f"b.pow({p.name}, {e!r})", d, n, *_hull(*cands), p.nan, False, (p,)))
            return self.fix(self.emit(f"{p.name} ** {e!r}", d, n, *_hull(*cands), p.nan, False, (p,)))
        # recip / div: the divisor is |y| + 1 (bounded away from 0), or guarded by where, or raw
        num = x if op == "div" else None
        y = self.pick_num(d) if op == "div" else x
        if raw:
            expr = f"{num.name} / {y.name}" if num else f"b.recip({y.name})"
            return self.fix(self.emit(expr, d, n or y.node, -INF, INF, True, False, (y,) + ((num,) if num else ())))
        if wild and self.c.flag(40):
            q = f"{num.name} / {y.name}" if num else f"b.recip({y.name})"
            zero = self.fmt(0, d)
            return self.fix(
                self.emit(
                    f"b.where({y.name} != {zero}, {q}, {zero})",
                    d,
                    n or y.node,
                    -INF,
                    INF,
                    True,
                    False,
                    (y,) + ((num,) if num else ()),
                )
            )
        away = y.lo >= 0.5 or y.hi <= -0.5
        den = y if away and not y.nan else self.positive(y, 1.0)
        m = 1.0 / min(abs(den.lo), abs(den.hi)) if not (den.lo <= 0 <= den.hi) else INF
        top = max(abs(num.lo), abs(num.hi)) if num else 1.0
        bound = top * m if not math.isinf(top) else INF
        expr = f"{num.name} / {den.name}" if num else f"b.recip({den.name})"
        nan = den.nan or (num.nan if num else False) or (num is not None and math.isinf(top))
        return self.fix(
            self.emit(
                expr,
                d,
                (num.node if num else False) or den.node,
                -bound,
                bound,
                nan,
                False,
                (den,) + ((num,) if num else ()),
            )
        )

    def reduce(self) -> Var:
        if self.c.flag(30):
            m = self.pick_mask()
            if not m.node:
                m = self.emit(f"b.broadcast({m.name})", "bool", True, inputs=(m,))
            op = self.c.pick(["count", "any", "all"])
            if op == "count":
                return self.emit(f"b.count({m.name})", "i64", False, 0, NMAX, inputs=(m,))
            return self.emit(f"b.{op}({m.name})", "bool", False, inputs=(m,))
        x = self.pick_num(node=True)
        ops = ["sum", "min", "max"] + (["mean", "norm_l1", "norm_l2", "norm_inf"] if x.flt else [])
        op = self.c.pick(ops)
        big = max(abs(x.lo), abs(x.hi))
        if op in ("min", "max"):
            ext = (INF if op == "min" else -INF) if x.flt else (9.2e18 if op == "min" else -9.2e18)
            return self.fix(
                self.emit(f"b.{op}({x.name})", x.dtype, False, *_hull(x.lo, x.hi, ext), x.nan, x.stable, (x,))
            )
        if op == "mean":  # NaN on the empty graph
            return self.fix(self.emit(f"b.mean({x.name})", x.dtype, False, x.lo, x.hi, True, False, (x,)))
        if op == "sum":
            lo, hi = min(0.0, x.lo * NMAX), max(0.0, x.hi * NMAX)
            return self.fix(
                self.emit(f"b.sum({x.name})", x.dtype, False, lo, hi, x.nan or math.isinf(big), x.dtype == "i64", (x,))
            )
        hi = big * (NMAX if op != "norm_inf" else 1)
        return self.fix(
            self.emit(f"b.{op}({x.name})", x.dtype, False, 0.0, hi, x.nan, op == "norm_inf" and x.stable, (x,))
        )

    def aggregate(self) -> Var:
        if self.c.flag(20):
            x = self.pick_num("i64", node=True)
            combine = self.c.pick(["mode", "h_index"])
        else:
            x = self.pick_num(node=True)
            combine = self.c.pick(["sum", "min", "max", "mean", "mode"] if x.dtype == "i64" or x.flt else ["sum"])
            if combine == "mode" and x.dtype != "i64" or combine == "mean" and not x.flt:
                combine = "sum"
        direction = self.c.pick(["in", "out", "both"])
        edge = self.c.pick([None, "mul_weight", "add_weight"]) if x.flt and combine not in ("mode", "h_index") else None
        args = f'{x.name}, "{combine}", "{direction}"' + (f', edge="{edge}"' if edge else "")
        lo, hi = x.lo, x.hi
        if edge == "mul_weight":  # test graphs' weights are in [0.05, 3]
            lo, hi = _hull(lo * 3, lo * 0.01, hi * 3, hi * 0.01)
        elif edge == "add_weight":
            hi = hi + 3.0
        nan, stable = x.nan, x.stable and combine in ("min", "max", "mode", "h_index") and edge is None
        if combine == "sum":
            lo, hi = min(0.0, lo * DMAX), max(0.0, hi * DMAX)
            nan |= math.isinf(lo) or math.isinf(hi)
            stable = x.dtype == "i64"
        elif combine == "mean":
            nan = True  # empty rows: 0 / 0
        elif combine in ("min", "max"):
            ext = INF if x.flt else 9.2e18
            lo, hi = _hull(lo, hi, ext if combine == "min" else -ext)
        elif combine == "h_index":  # at most the largest value, never below 0
            lo, hi = 0.0, max(0.0, hi)
        else:
            lo = -9.2e18
        return self.fix(self.emit(f"b.neighbor_agg({args})", x.dtype, True, lo, hi, nan, stable, (x,)))

    def normalize(self) -> Var:
        x = self.pick_num(node=True, flt=True)
        if x.dtype == "i64":
            x = self.emit(f'b.cast({x.name}, "float64")', "f64", True, x.lo, x.hi, False, True, (x,))
        by = self.c.pick(["sum", "max"])
        if self.smooth or self.c.flag(70):
            if not (x.lo >= 0.5 and x.hi < INF):
                x = self.positive(x, 1.0)
            return self.emit(
                f'b.normalize({x.name}, by="{by}")', x.dtype, True, 0.0, 1.0, x.nan or x.hi == INF, False, (x,)
            )
        return self.fix(self.emit(f'b.normalize({x.name}, by="{by}")', x.dtype, True, -INF, INF, True, False, (x,)))

    def index(self) -> Var:
        """gather / scatter at an int64 vector clamped into [0, n) (an empty graph indexes nothing)."""
        v = self.pick_num("i64", node=True)
        n = self.emit('b.num_nodes("int64")', "i64", False, 0, NMAX)
        idx = self.emit(f"b.maximum(b.minimum({v.name}, {n.name} - 1), 0)", "i64", True, 0, NMAX, False, True, (v, n))
        if self.c.flag(50):
            x = self.pick_num(node=True) if self.c.flag(80) else self.pick_mask()
            if not x.node:
                x = self.emit(f"b.broadcast({x.name})", x.dtype, True, x.lo, x.hi, x.nan, True, (x,))
            return self.emit(f"b.gather({x.name}, {idx.name})", x.dtype, True, x.lo, x.hi, x.nan, True, (x, idx))
        t = self.pick_num(node=True)
        text, vals = self.operand(t)
        combine = self.c.pick(["min", "max", "sum"])
        if combine == "sum":  # at most NMAX values land on one node
            lo, hi = t.lo + min(0.0, vals.lo * NMAX), t.hi + max(0.0, vals.hi * NMAX)
            nan, stable = t.nan or vals.nan or math.isinf(lo) or math.isinf(hi), t.dtype == "i64"
        else:
            (lo, hi), nan, stable = _hull(t.lo, t.hi, vals.lo, vals.hi), t.nan or vals.nan, True
        expr = f'b.scatter({t.name}, {idx.name}, {text}, combine="{combine}")'
        return self.fix(self.emit(expr, t.dtype, True, lo, hi, nan, stable, (t, idx, vals)))

    def pattern(self) -> Var:
        """The shapes the rewrite rules look for: a*b + c, where(m, 0, a*b), x / s (s a scalar)."""
        kind = self.c.pick(["muladd", "masked_mul", "div_scalar"])
        a = self.pick_num(flt=True)
        d = a.dtype
        if kind == "div_scalar":
            x = self.pick_num(d, node=True)
            s = self.pick_num(d, node=False)
            if not (s.lo >= 0.5 or s.hi <= -0.5) or s.nan:
                s = self.positive(s, 1.0)
            m = 1.0 / min(abs(s.lo), abs(s.hi))
            top = max(abs(x.lo), abs(x.hi))
            return self.fix(
                self.emit(f"{x.name} / {s.name}", d, True, -top * m, top * m, x.nan or s.nan, False, (x, s))
            )
        x = self.pick_num(d)
        lo, hi, nan = _mul_iv(a, x)
        if kind == "masked_mul":
            mk = self.pick_mask()
            return self.fix(
                self.emit(
                    f"b.where({mk.name}, 0.0, {a.name} * {x.name})",
                    d,
                    a.node or x.node or mk.node,
                    min(lo, 0.0),
                    max(hi, 0.0),
                    nan or a.nan or x.nan,
                    False,
                    (mk, a, x),
                )
            )
        ct, cv = self.operand(a)
        expr = f"{a.name} * {x.name} + {ct}" if self.c.flag(50) else f"{ct} + {a.name} * {x.name}"
        lo, hi = lo + cv.lo, hi + cv.hi
        nan = nan or a.nan or x.nan or cv.nan or math.isnan(lo) or math.isnan(hi)
        return self.fix(
            self.emit(
                expr,
                d,
                a.node or x.node or cv.node,
                lo if not math.isnan(lo) else -INF,
                hi if not math.isnan(hi) else INF,
                nan,
                False,
                (a, x, cv),
            )
        )
