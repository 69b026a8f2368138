"""Pattern rewrites seen from Python: explain lists them, disable/exact switch them off, results hold."""

from __future__ import annotations

import re

import numpy as np
import pytest

import stepgraph as sg
from graphs import random_cases
from stepgraph.program import Program

CASES = [c for c in random_cases(24, seed=7) if c.num_nodes > 0]


def _variant(prog: Program, **options) -> Program:
    """The same recorded program, built again with other optimizer options."""
    return Program(prog.name, prog.ir_text, prog.params, prog.inputs, **options)


def _rewrite_notes(explained: str) -> list:
    section = explained.split("== after pass 'rewrite'")[1].split("{ program")[0]
    return re.findall(r"# (.*\(rule (\w+)\))", section)


def test_explain_lists_the_rewrites_that_fired():
    text = sg.algorithms.pagerank_program(opt_level=3).explain(passes=True)
    assert "== after pass 'rewrite' (1 change) ==" in text
    rules = [rule for _, rule in _rewrite_notes(text)]
    assert rules == ["fma"]  # alpha * (gathered + sink mass) + teleport
    assert re.search(r"= fma alpha \S+ \S+", text)  # and the plan runs it
    # the product it absorbed is gone after the second dce
    assert re.search(r"== after pass 'dce' \(1 change\) ==\n  # %\d+ = mul: unused, removed", text)


def test_personalized_pagerank_contracts_twice():
    text = sg.algorithms.pagerank_program(personalization=True).explain(passes=True)
    assert [rule for _, rule in _rewrite_notes(text)] == ["fma", "fma"]


def test_disable_fma_removes_it_from_the_plan():
    prog = sg.algorithms.pagerank_program(opt_level=3)
    assert "= fma " in prog.explain()
    off = _variant(prog, opt_level=3, disable=("fma",))
    assert "= fma " not in off.explain()
    assert "rule fma" not in off.explain(passes=True)
    assert "= fma " not in _variant(prog, opt_level=3, disable=("rewrite",)).explain()


def test_exact_has_no_rounding_rewrites():
    prog = sg.algorithms.pagerank_program(opt_level=3, exact=True)
    assert "= fma " not in prog.explain()
    assert "== after pass 'rewrite' (0 changes) ==" in prog.explain(passes=True)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_exact_o3_is_bitwise_o0_and_default_o3_within_1e_12(case):
    g = case.graph()
    o0 = sg.algorithms.pagerank_program(opt_level=0, tol=1e-10, max_iter=500).run(g)
    exact = sg.algorithms.pagerank_program(opt_level=3, exact=True, tol=1e-10, max_iter=500).run(g)
    np.testing.assert_array_equal(exact["rank"], o0["rank"])
    np.testing.assert_array_equal(exact.residuals, o0.residuals)
    o3 = sg.algorithms.pagerank_program(opt_level=3, tol=1e-10, max_iter=500).run(g)
    ref = o0["rank"]
    assert np.all(np.abs(o3["rank"] - ref) <= 1e-12 * np.abs(ref))


@pytest.mark.parametrize("case", CASES[:8], ids=repr)
def test_personalized_o3_within_1e_12(case):
    g = case.graph()
    pers = np.random.default_rng(case.num_nodes).uniform(0, 1, case.num_nodes)
    o0 = sg.algorithms.pagerank_program(personalization=True, opt_level=0, tol=1e-10, max_iter=500)
    o3 = sg.algorithms.pagerank_program(personalization=True, opt_level=3, tol=1e-10, max_iter=500)
    ref = o0.run(g, personalization=pers)["rank"]
    got = o3.run(g, personalization=pers)["rank"]
    assert np.all(np.abs(got - ref) <= 1e-12 * np.abs(ref))


def test_rule_names_can_be_disabled_and_unknown_names_raise():
    prog = sg.algorithms.pagerank_program()
    for name in ("masked_mul", "fma", "broadcast", "reciprocal", "rewrite"):
        _variant(prog, disable=(name,))
    with pytest.raises(sg.ParameterError, match="no pass or rule has that name") as err:
        _variant(prog, disable=("fmaa",))
    assert "masked_mul" in str(err.value) and "reciprocal" in str(err.value)
    b = sg.Builder("tiny")
    b.output("n", b.num_nodes())
    with pytest.raises(sg.ParameterError):
        b.build(disable=["no_such_rule"])


def test_builder_program_with_every_rule():
    """A program where all four rules fire, against O0 on a small graph."""

    def build(**options):
        b = sg.Builder("all_rules")
        s = b.param("s", 3.0)
        n = b.num_nodes()
        deg = b.out_degree()
        sink = deg == 0
        x0 = b.fill(1.0)
        with b.loop(max_iter=6) as loop:
            x = loop.carry("x", x0)
            contrib = b.where(sink, b.broadcast(b.const(0.0)), x * b.recip(deg))  # broadcast, masked_mul
            agg = b.neighbor_agg(contrib)
            loop.update(x, agg / s + 1.0 / n)  # reciprocal, then fma
        b.output("x", x)
        return b.build(**options)

    text = build().explain(passes=True)
    assert sorted(rule for _, rule in _rewrite_notes(text)) == ["broadcast", "fma", "masked_mul", "reciprocal"]
    g = sg.Graph.from_edges(np.array([0, 0, 1, 2, 3, 3]), np.array([1, 2, 2, 0, 4, 1]), 6)
    ref = build(opt_level=0).run(g)["x"]
    np.testing.assert_array_equal(build(exact=True).run(g)["x"], ref)
    got = build().run(g)["x"]
    assert np.all(np.abs(got - ref) <= 1e-12 * np.abs(ref))
