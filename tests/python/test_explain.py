"""The PageRank plan users read: what is hoisted, how many passes, refusals, DOT and HTML."""

from __future__ import annotations

import re

import stepgraph as sg


def hoisted_lines(text: str):
    return [line for line in text.splitlines() if "# hoisted out of the loop" in line]


def test_pagerank_o3_hoists_invariants_and_makes_one_pass():
    prog = sg.algorithms.pagerank_program()
    text = prog.explain()
    hoisted = " ".join(hoisted_lines(text))
    assert "out_degree[weighted]" in hoisted  # the out-degree ...
    assert "recip" in hoisted  # ... its reciprocal ...
    assert re.search(r"bool\[n\]\s+= eq", hoisted)  # ... the sink mask ...
    assert "sub" in hoisted and "alpha" in hoisted  # ... and the teleport constant (1 - alpha) / n
    assert prog.passes_over_node_data == 1
    assert "1 pass over node data per iteration" in text
    # The prologue is one fused pass too: the out-degree and its reciprocal never get a buffer.
    assert prog.passes_at_init == 1
    assert "prologue (computed once per init, 1 pass over node data)" in text
    assert re.search(r"= out_degree\[weighted\]\s+# hoisted out of the loop; block temporary", text)
    assert re.search(r"= recip \w+\s+# hoisted out of the loop; block temporary", text)
    assert "pull over in-edges + fused epilogue" in text
    assert "refused fusions" not in text  # rotation leaves nothing to refuse here


def test_lower_levels_show_the_ladder():
    o0, o1, o2 = (sg.algorithms.pagerank_program(opt_level=k) for k in (0, 1, 2))
    assert not hoisted_lines(o1.explain())  # O1: no hoisting
    assert hoisted_lines(o2.explain())  # O2: hoisted, one kernel per step
    assert o0.num_steps >= o1.num_steps > o2.num_steps
    assert o2.passes_over_node_data > 1
    assert o2.passes_at_init > 1  # one pass per prologue node value
    assert "fusion: off below opt_level 3" in o2.explain()


def test_refused_fusions_are_explained():
    b = sg.Builder("two_hops")
    ones = b.fill(1.0)
    with b.loop(max_iter=3) as loop:
        x = loop.carry("x", ones)
        y = b.neighbor_agg(b.neighbor_agg(x, "sum", "in") * 2.0, "max", "out")
        loop.update(x, y)
    b.output("x", x)
    prog = b.build()
    text = prog.explain()
    assert "refused fusions:" in text
    assert "neighbor_agg reads other blocks' values" in text
    assert prog.refused_fusions and prog.passes_over_node_data == 2


def test_passes_log_dot_and_html():
    prog = sg.algorithms.pagerank_program()
    full = prog.explain(passes=True)
    for name in ("fold", "cse", "hoist", "dce", "rewrite", "rotate"):
        assert f"== after pass '{name}'" in full
    dot = prog.to_dot()
    assert dot.startswith("digraph program {") and "cluster_0" in dot and dot.rstrip().endswith("}")
    html = prog._repr_html_()
    assert html.startswith("<pre>") and "hoisted out of the loop" in html
