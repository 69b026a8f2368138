"""Random valid step programs, written with the public Builder API only (issue #4).

A program is generated as the Python source that records it (``b = sg.Builder(...)`` in scope),
so a failing case prints as a stand-alone reproduction. Choices come from a ``Chooser``: bytes
drawn by hypothesis (``programs``: derandomized, shrinkable) or ``random.Random`` (exploring).

What a program has: a prologue (params, possibly overridden at run time; consts, fill, node_id,
in/out degree weighted or not, num_nodes, num_edges, directed, broadcast, input vectors, and
derived values); usually (95%) one loop with max_iter 0..6 and 1-3 carries (f64/f32/int64 node
vectors, masks, f64/int64 scalars) whose body mixes + - * /, minimum/maximum, neg, abs, sqrt,
exp, log, recip, pow, comparisons, & | ~, where, casts, every reduction, neighbor_agg with every
combine / direction / edge option that type-checks, normalize by sum or max, gather and
scatter (min / max / sum) at indices clamped into [0, n), loop-invariant
work (hoisting), repeated expressions (CSE), dead values (DCE), constant-only scalar work
(folding) and the rewrite rules' shapes (a*b + c, where(m, 0, a*b), x / scalar); updates from
body values, fresh ops, other carries or invariants; an until predicate from a reduction
(count / any / all / float reductions / scalars) and a residual; an epilogue, and outputs of
every carry plus prologue / epilogue values. Left out: more than one loop (not allowed), NaN
or -0.0 inputs, negative edge weights, pow of negative bases, float32 in "smooth" mode.

Every value carries a conservative interval, a may-be-NaN flag, whether it depends on a
loop carry ("variant") and whether its bits are independent of rounding-changing rewrites
("stable": no float arithmetic that an fma / reciprocal rewrite could touch). The generator
uses them to keep programs meaningful and defined:
  * int64 values always stay within +-2**31 (clamped with minimum/maximum), so no int64 op can
    overflow (undefined behaviour in C++); products of two such values fit in int64;
  * float values are clamped to +-FLOAT_BOUND and NaN is usually replaced (where(x != x, 0, x));
  * sqrt/log/exp/pow/recip/div get safe inputs or are guarded with where;
  * mode "exact" (for exact=True, bitwise comparisons) allows everything, including NaN/inf
    flowing through, float comparisons and float->int casts;
  * mode "smooth" (for exact=False, 1e-12 comparisons) is float64/int64 only, keeps every value
    finite, compares, casts to int/bool and branches only on stable values (so a rewrite's
    last-bit change can never flip a mask, a loop exit or an iteration count) and divides only
    by values bounded away from 0.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

import stepgraph as sg
from program_gen_math import MathOps
from program_gen_ops import I_BOUND, INF, NMAX, PY, Chooser, Var, _hull, _mul_iv

FEATURES = {
    "signed_zero": "-0.0 as a literal or clamp bound",
    "nan_consts": "unguarded or where-guarded sqrt/log/div/recip (NaN and inf constants after folding)",
    "carry_to_carry": "loop.update(a, b) with b another (or the same) carried value",
    "invariant_roots": "loop-invariant carry updates, until predicates and residuals",
}


class RandomChooser(Chooser):
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def randint(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)


class BytesChooser(Chooser):
    """Choices decoded from a byte string (one hypothesis draw per program: fast, and shrinking
    the bytes towards zero shrinks every choice towards its first, simplest option)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def randint(self, lo: int, hi: int) -> int:
        span = hi - lo + 1
        if span <= 1:
            return lo
        width = 1 if span <= 256 else 2
        chunk = self.data[self.pos : self.pos + width]
        self.pos += width
        return lo + int.from_bytes(chunk, "big") % span if len(chunk) == width else lo


@dataclass
class GenProgram:
    """A generated program: its source, the run-time bindings, and how to build it."""

    source: str
    params: Dict[str, float] = field(default_factory=dict)
    inputs: Dict[str, Tuple[str, int]] = field(default_factory=dict)  # name -> (dtype, seed)
    carries: List[str] = field(default_factory=list)
    has_loop: bool = False
    _code: Any = field(default=None, repr=False)
    _base: Any = field(default=None, repr=False)

    def build(self, opt_level: int = 3, exact: bool = False, disable=()) -> sg.Program:
        """``b.build(opt_level, exact, disable)`` of the recorded program. The Builder records it
        once; later levels compile the same IR text (Program.ir_text) the first build sent.

        Generated programs run interpreted (``compiled`` is always disabled here): compiling the
        ~1,200 random pull kernels the property tests make would take ~25 minutes. The compiled
        loops are held to these same programs' interpreted bits by test_row_kernels.py."""
        disable = tuple(disable) + (() if "compiled" in disable else ("compiled",))
        if self._code is None:
            self._code = compile(self.source, "<generated program>", "exec")
        if self._base is None:
            b = sg.Builder("generated")
            exec(self._code, {"b": b, "sg": sg})
            self._base = b.build(opt_level=opt_level, exact=exact, disable=disable)
            return self._base
        p = self._base
        return sg.Program(
            p.name, p.ir_text, p.params, p.inputs, opt_level=opt_level, exact=exact, disable=tuple(disable)
        )

    def bindings(self, n: int) -> Dict[str, Any]:
        out: Dict[str, Any] = dict(self.params)
        for name, (dtype, seed) in self.inputs.items():
            rng = np.random.default_rng(seed)
            out[name] = rng.integers(-5, 6, n).astype(np.float64) if dtype == "i64" else rng.uniform(-2, 2, n)
        return out

    def repro(self, graph_code: str = "g = ...", opt_level: int = 3, exact: bool = True, disable=()) -> str:
        lines = [
            "import numpy as np",
            "import stepgraph as sg",
            "",
            'b = sg.Builder("generated")',
            self.source.rstrip(),
            f"prog = b.build(opt_level={opt_level}, exact={exact}, disable={tuple(disable)!r})",
            graph_code,
        ]
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        for name, (dtype, seed) in self.inputs.items():
            rng = (
                "rng.integers(-5, 6, g.num_nodes).astype(np.float64)"
                if dtype == "i64"
                else "rng.uniform(-2, 2, g.num_nodes)"
            )
            lines.append(f"rng = np.random.default_rng({seed}); {name} = {rng}")
            args += (", " if args else "") + f"{name}={name}"
        lines.append(f"res = prog.run(g{', ' if args else ''}{args})")
        return "\n".join(lines) + "\n"


class _Gen(MathOps):
    """Program structure: prologue, the loop (carries, body, updates, until), epilogue, outputs."""

    def __init__(self, c: Chooser, mode: str, avoid: frozenset, max_body: int) -> None:
        unknown = set(avoid) - set(FEATURES)
        assert not unknown, f"unknown features {unknown}"
        super().__init__(c, mode, avoid)
        self.max_body = max_body
        self.inv_roots = "invariant_roots" not in avoid
        self.prog = GenProgram("", self.params)

    # -- program structure -----------------------------------------------------------------
    def prologue(self) -> None:
        for _ in range(self.c.randint(1, 4)):
            self.source()
        if not self.smooth and self.c.flag(25):
            d = self.c.pick(["f64", "f32", "i64"])
            name = f"in{self.count}"
            self.prog.inputs[name] = (d, self.c.randint(0, 9))
            self.emit(f'b.input("{name}", "{PY[d]}")', d, True, -5, 5, prefix="in")
        for _ in range(self.c.randint(0, 4)):
            self.step()

    def carry_init(self, i: int) -> Var:
        kind = self.c.weighted([(6, "f64n"), (2, "i64n"), (2, "f64s"), (1, "i64s"), (1, "f32n"), (1, "bool")])
        d = {"f": "f64", "i": "i64", "b": "bool"}[kind[0]] if kind != "f32n" or self.smooth else "f32"
        node = kind.endswith("n") or kind == "bool" and self.c.flag(70)
        cands = [v for v in self.visible(lambda v: v.dtype == d and v.node == node)]
        if cands and self.c.flag(70):
            return self.choose(cands)
        if d == "bool":
            return self.emit(f"b.node_id() < {self.c.randint(0, 5)}" if node else "b.directed()", "bool", node)
        text, x = self.lit(d)
        return self.emit(f'b.{"fill" if node else "const"}({text}, "{PY[d]}")', d, node, x, x)

    def loop(self) -> None:
        max_iter = self.c.randint(0, 6)
        inits = [self.carry_init(i) for i in range(self.c.randint(1, 3))]
        self.lines.append(f"with b.loop(max_iter={max_iter}) as loop:")
        self.region, self.indent = "B", "    "
        for i, init in enumerate(inits):
            bound = I_BOUND if init.dtype == "i64" else self.F
            box = self.c.pick([(-bound, bound), (0.0, bound)]) if init.numeric else (0.0, 1.0)
            lo, hi = _hull(init.lo, init.hi, *box)
            nan = init.nan or (not self.smooth and init.flt and self.c.flag(10))
            if init.flt and not self.smooth and self.c.flag(10):
                lo, hi = -INF, INF  # infinities may circulate
            v = self.emit(f'loop.carry("c{i}", {init.name})', init.dtype, init.node, lo, hi, nan, True)
            v.variant, v.name = True, f"c{i}"
            self.lines[-1] = f'{self.indent}c{i} = loop.carry("c{i}", {init.name})'
            self.carry_vars.append(v)
            self.prog.carries.append(v.name)
        for _ in range(self.c.randint(1, self.max_body)):
            self.step()
        updates = []
        for cv in self.carry_vars:
            updates.append(self.update_value(cv))
        if not self.inv_roots and not any(u.variant and u not in self.carry_vars for u in updates):
            updates[0] = self.update_value(self.carry_vars[0], force_variant=True)
        for cv, u in zip(self.carry_vars, updates):
            self.lines.append(f"{self.indent}loop.update({cv.name}, {u.name if u.name else u.expr})")
        if self.c.flag(85):
            self.until()
        self.region, self.indent = "E", ""
        self.prog.has_loop = True

    def update_value(self, cv: Var, force_variant: bool = False) -> Var:
        def fits(v: Var) -> bool:
            return v.dtype == cv.dtype and (v.node == cv.node or (cv.node and not v.node))

        kind = "fresh" if force_variant else self.c.weighted([(12, "body"), (3, "fresh"), (2, "carry"), (2, "inv")])
        if kind == "carry" and "carry_to_carry" in self.avoid:
            kind = "fresh"
        v: Optional[Var] = None
        if kind == "body":
            cands = [x for x in self.visible(fits) if x.region == "B" and x.variant and x not in self.carry_vars]
            v = self.choose(cands) if cands else None
        elif kind == "carry":
            v = self.c.pick([x for x in self.carry_vars if fits(x)])
        elif kind == "inv" and self.inv_roots:
            if self.c.flag(30):
                text, x = self.lit(cv.dtype) if cv.numeric else ("True", 1.0)
                return Var("", cv.dtype, False, "P", x, x, expr=text)
            cands = [x for x in self.visible(fits) if not x.variant]
            outer = [x for x in cands if x.region == "P"]  # prologue values (inputs too) outlive init
            v = self.choose(outer if outer and self.c.flag(50) else cands) if cands else None
        if v is None:  # a fresh step on the carry itself
            if cv.dtype == "bool":
                m = self.pick_mask()
                if m.node and not cv.node:
                    m = self.emit(f"b.{self.c.pick(['any', 'all'])}({m.name})", "bool", False, inputs=(m,))
                v = self.emit(f"{cv.name} {self.c.pick(['&', '|', '!='])} {m.name}", "bool", cv.node, inputs=(cv, m))
            else:
                ot, ov = self.operand(cv, None if cv.node else False)
                op = self.c.pick(["+", "*", "min", "max", "-"])
                if op in ("min", "max"):
                    v = self.emit(
                        f"b.{'minimum' if op == 'min' else 'maximum'}({cv.name}, {ot})",
                        cv.dtype,
                        cv.node or ov.node,
                        min(cv.lo, ov.lo),
                        max(cv.hi, ov.hi),
                        cv.nan or ov.nan,
                        True,
                        (cv,),
                    )
                else:
                    lo, hi, nan = (
                        _mul_iv(cv, ov)
                        if op == "*"
                        else (
                            (cv.lo + ov.lo, cv.hi + ov.hi, False)
                            if op == "+"
                            else (cv.lo - ov.hi, cv.hi - ov.lo, False)
                        )
                    )
                    v = self.emit(
                        f"{cv.name} {op} {ot}",
                        cv.dtype,
                        cv.node or ov.node,
                        lo if not math.isnan(lo) else -INF,
                        hi if not math.isnan(hi) else INF,
                        True if math.isnan(lo) or math.isnan(hi) else (nan or cv.nan or ov.nan),
                        cv.dtype == "i64",
                        (cv,),
                    )
        if v.numeric and (v.lo < cv.lo or v.hi > cv.hi or (v.nan and not cv.nan)):
            if v.nan and not cv.nan:
                v = self.emit(
                    f"b.where({v.name} != {v.name}, {self.fmt(0, v.dtype)}, {v.name})",
                    v.dtype,
                    v.node,
                    v.lo,
                    v.hi,
                    False,
                    v.stable,
                    (v,),
                )
            if v.lo < cv.lo or v.hi > cv.hi:
                lo = cv.lo if cv.lo > -INF else -self.F
                hi = cv.hi if cv.hi < INF else self.F
                v = self.clamp(v, lo, hi)
        return v

    def until(self) -> None:
        for _ in range(4):
            kind = self.c.weighted([(3, "count"), (2, "anyall"), (3, "float"), (1, "scalar")])
            if kind == "count":
                m = self.pick_mask()
                if not m.node:
                    m = self.emit(f"b.broadcast({m.name})", "bool", True, inputs=(m,))
                r = self.emit(f"b.count({m.name})", "i64", False, 0, NMAX, inputs=(m,))
                pred = self.emit(
                    f"{r.name} {self.c.pick(['==', '<=', '>'])} {self.c.randint(0, 3)}", "bool", False, inputs=(r,)
                )
            elif kind == "anyall":
                m = self.pick_mask()
                if not m.node:
                    m = self.emit(f"b.broadcast({m.name})", "bool", True, inputs=(m,))
                r = pred = self.emit(
                    f"{'~' if self.c.flag(30) else ''}b.{self.c.pick(['any', 'all'])}({m.name})",
                    "bool",
                    False,
                    inputs=(m,),
                )
            else:
                r = self.reduce() if kind == "float" else self.pick_num(node=False, stable=self.smooth)
                if self.smooth and not r.stable or r.dtype == "bool" or r.region != "B":
                    continue
                text, _ = self.lit(r.dtype)
                pred = self.emit(f"{r.name} {self.c.pick(['<', '>=', '!=', '=='])} {text}", "bool", False, inputs=(r,))
            if not pred.stable and self.smooth:
                continue
            if pred.variant or self.inv_roots:
                break
        else:
            cv = self.carry_vars[0]
            m = self.emit(
                f"{cv.name} != {cv.name}" if cv.dtype != "bool" else f"~{cv.name}", "bool", cv.node, inputs=(cv,)
            )
            if not m.node:
                m = self.emit(f"b.broadcast({m.name})", "bool", True, inputs=(m,))
            r = pred = self.emit(f"b.any({m.name})", "bool", False, inputs=(m,))
        residual = ""
        if self.c.flag(50):
            cands = [
                v
                for v in self.visible(lambda v: not v.node and v.numeric and v.region == "B")
                if v.variant or self.inv_roots
            ]
            if r.numeric and r.region == "B" and self.c.flag(50):
                residual = f", residual={r.name}"
            elif cands:
                residual = f", residual={self.choose(cands).name}"
        self.lines.append(f"{self.indent}loop.until({pred.name}{residual})")

    def epilogue(self) -> None:
        for _ in range(self.c.randint(0, 3)):
            self.step()
        outs = list(self.carry_vars)
        others = [v for v in self.visible() if v not in self.carry_vars]
        for _ in range(self.c.randint(0 if outs else 1, 3)):
            if others:
                v = self.c.pick(others[::-1])
                if v not in outs:
                    outs.append(v)
        for v in outs:
            self.lines.append(f'b.output("{v.name}", {v.name})')


def generate(
    c: Chooser, mode: str = "exact", avoid=frozenset(), loop_percent: int = 95, max_body: int = 10
) -> GenProgram:
    """One random valid program; ``avoid`` switches off some of FEATURES (to look past a known bug)."""
    g = _Gen(c, mode, frozenset(avoid), max_body)
    g.prologue()
    if c.flag(loop_percent):
        g.loop()
    else:
        g.region = "E"
    g.epilogue()
    g.prog.source = "\n".join(g.lines) + "\n"
    return g.prog


def programs(mode: str = "exact", **kwargs):
    """A hypothesis strategy of GenProgram (generated from 768 drawn bytes)."""
    from hypothesis import strategies as st

    return st.binary(min_size=768, max_size=768).map(lambda data: generate(BytesChooser(data), mode, **kwargs))
