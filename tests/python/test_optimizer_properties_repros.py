"""Minimal programs the optimizer property tests found failing (issue #4), one test each.

Each states the property of test_optimizer_properties (exact=True: every opt level gives the
same outcome bit for bit, or the same error) on the smallest program that broke it. The source
is the Builder code (``b`` is a fresh ``sg.Builder``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from textwrap import dedent

import numpy as np
import pytest

import prop_harness as H
import stepgraph as sg
from program_gen import GenProgram

G3 = sg.Graph.from_edges([0, 1, 2], [1, 2, 0], 3)


def assert_levels_agree(source: str, g: sg.Graph = G3) -> None:
    spec = GenProgram(dedent(source))
    runs = {lvl: H.run(*H.build(spec, lvl, True), spec, g) for lvl in H.LEVELS}
    assert runs[0].error is None, f"the repro itself is invalid: {runs[0].error}"
    for lvl in H.LEVELS[1:]:
        why = H.outcome_diff(runs[0], runs[lvl])
        assert why is None, f"O{lvl} vs O0: {why}\n  O0: {runs[0].summary()}\n  O{lvl}: {runs[lvl].summary()}"


def test_cse_keeps_negative_zero_apart_from_zero():
    # CSE keys compared const numbers with ==: const -0.0 merged into const 0.0 (O1+), 1/x flipped sign.
    assert_levels_agree("""
        z = b.const(0.0)
        nz = b.const(-0.0)
        b.output("a", b.recip(b.fill(1.0) * z))
        b.output("c", b.recip(b.fill(1.0) * nz))
    """)


def test_cse_keeps_folded_negative_zero():
    # fold makes neg(0.0) the constant -0.0; CSE then merged it with 0.0: O0 -0.0, O1+ 0.0.
    assert_levels_agree("""
        v2 = b.const(0.0, "float32")
        v3 = -v2
        b.output("v6", v3 - v2)
    """)


def test_cse_does_not_merge_nan_constants():
    # fold makes sqrt(-1.0) a NaN constant; a NaN key is "equivalent" to every key in CSE's
    # std::map (no strict weak order), so it merged with const -1.0: O0 NaN, O1+ -1.0.
    assert_levels_agree("""
        v1 = b.const(-1.0)
        v8 = b.sqrt(v1)
        b.output("a", b.fill(1.0) * v8)
        b.output("b", b.fill(1.0) * v1)
    """)


def test_loop_invariant_until_predicate_is_not_rejected():
    # hoist moved the (loop-invariant) predicate to the prologue, then validation rejected it (O2+).
    assert_levels_agree("""
        v0 = b.const(1.0)
        x0 = b.fill(1.0)
        with b.loop(max_iter=3) as loop:
            c0 = loop.carry("c0", x0)
            loop.update(c0, c0 + v0)
            loop.until(b.count(b.broadcast(v0 < v0)) == 0)
        b.output("c0", c0)
    """)


def test_until_predicate_equal_to_a_prologue_value_is_not_rejected():
    # CSE (O1) replaced the body's predicate by the identical prologue value; validation rejected it.
    assert_levels_agree("""
        p = b.num_nodes() > 5.0
        x0 = b.fill(1.0)
        with b.loop(max_iter=3) as loop:
            x = loop.carry("x", x0)
            loop.update(x, x * 0.5)
            loop.until(b.num_nodes() > 5.0)
        b.output("x", x)
    """)


def test_loop_invariant_residual_is_not_rejected():
    assert_levels_agree("""
        x0 = b.fill(1.0)
        with b.loop(max_iter=3) as loop:
            x = loop.carry("x", x0)
            loop.update(x, x * 0.5)
            loop.until(b.sum(x) < 0.0, residual=b.num_nodes() * 2.0)
        b.output("x", x)
    """)


@pytest.mark.parametrize("update", ["b.broadcast(b.num_nodes() * 2.0)", "x"])
def test_loop_whose_updates_are_invariant_builds_at_every_level_or_none(update):
    # O0 ran these (the body has a step); after hoisting / DCE the plan had no kernel and
    # Program() raised "the loop computes nothing" at O1 / O2+.
    assert_levels_agree(f"""
        x0 = b.fill(1.0)
        with b.loop(max_iter=3) as loop:
            x = loop.carry("x", x0)
            y = x + 1.0
            loop.update(x, {update})
        b.output("x", x)
    """)


@pytest.mark.parametrize("order", ["xy", "yx"])
def test_carry_updated_with_another_carry_gets_its_value_of_this_iteration(order):
    # update(y, x) must give y this iteration's x, whatever the declaration order. end_iteration
    # copied carries one by one, so with x declared first y got x's *new* value (O0..O2), and
    # O3 (rotation computes min(y) from this iteration's x) disagreed with O0 as well.
    decl = ['x = loop.carry("x", x0)', 'y = loop.carry("y", y0)']
    upd = ["loop.update(x, x + b.min(y))", "loop.update(y, x)"]
    if order == "yx":
        decl, upd = decl[::-1], upd[::-1]
    body = "\n".join("    " + ln for ln in decl + upd)
    source = (
        f"x0 = b.fill(1.0)\ny0 = b.fill(5.0)\nwith b.loop(max_iter=3) as loop:\n{body}\n"
        'b.output("x", x)\nb.output("y", y)\n'
    )
    assert_levels_agree(source)
    # x: 1 -> 6 -> 7 -> 13 and y: 5 -> 1 -> 6 -> 7 (min(y) over equal entries is y)
    res = GenProgram(source).build(0, True).run(G3)
    np.testing.assert_array_equal(res["x"], [13.0] * 3)
    np.testing.assert_array_equal(res["y"], [7.0] * 3)


def test_rotation_with_a_hoisted_carry_update_reads_no_unmapped_value():
    # The carry's update (broadcast(num_nodes), hoisted) had a larger id than the last body value,
    # so rotate_loop's end-of-iteration copy of max(x) mapped x to rw.map(update) == -1: O3 read
    # value -1 (a validation error naming %-1, a wrong dtype, or an abort). Run in a subprocess.
    source = dedent("""
        x0 = b.fill(1.0)
        with b.loop(max_iter=3) as loop:
            x = loop.carry("x", x0)
            done = b.max(x) > 3.0
            loop.update(x, b.num_nodes())
            loop.until(done)
        b.output("x", x)
    """)
    code = dedent(f"""
        import prop_harness as H, stepgraph as sg
        from program_gen import GenProgram
        spec, g = GenProgram({source!r}), sg.Graph.from_edges([0, 1], [1, 0], 2)
        runs = [H.run(*H.build(spec, lvl, True), spec, g) for lvl in H.LEVELS]
        print([H.outcome_diff(runs[0], r) for r in runs[1:]], [r.error for r in runs])
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(os.path.abspath(p) for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[None, None, None] [None, None, None, None]", out.stdout


def test_input_vector_used_as_a_carry_update_keeps_its_buffer():
    # compiler/buffers.cpp: the input gets a second buffer in the input-vector loop (after the
    # carried-values loop gave it one) and is released after init, since last_use ignores carry
    # updates; the body's mask then reuses it and overwrites the input's low bytes (O0..O2:
    # y[0] = 0.29999999981738773 instead of 0.3; O3 plans differently and is right).
    g = sg.Graph.from_edges([0, 1], [1, 2], 3)
    source = dedent("""
        u = b.input("u", "float64")
        x0 = b.fill(1.0)
        with b.loop(max_iter=1) as loop:
            x = loop.carry("x", x0)
            y = loop.carry("y", x0)
            loop.update(x, b.cast(x < 2.0, "float64"))
            loop.update(y, u)
        b.output("y", y)
    """)
    for lvl in H.LEVELS:
        res = GenProgram(source).build(lvl, True).run(g, u=np.array([0.3, 0.4, 0.5]))
        np.testing.assert_array_equal(res["y"], [0.3, 0.4, 0.5], err_msg=f"O{lvl}")
