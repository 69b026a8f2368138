"""The bad-input catalogue (issue #6): one row per way a user can hand stepgraph bad input.

Each row of ``CASES`` is ``(case id, callable, expected exception, message fragment)``: the
callable must raise the expected class (or a subclass) with the fragment in ``str(exc)``;
``FormatError`` rows also give the 1-based ``line``. Rows whose expected class is ``None`` are
inputs a demanding user expects to *work* (strided, read-only, big-endian arrays, empty
graphs): the callable checks its own result.

Every case runs in a child process, so a crash (segfault, abort) in native code is one failed
row naming the case and the signal, never a dead test run. Children run the cases of a shard
one after another, reporting each as a JSON line; when a child dies, the case it was running
is charged with the death and a fresh child carries on with the rest.

Run one case by hand: ``python tests/python/test_bad_input.py graph/negative-id``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Type

import numpy as np
import pytest

import stepgraph as sg
from stepgraph import _core
from stepgraph.errors import (
    FormatError,
    GraphError,
    ParameterError,
    ProgramError,
    StateError,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Case:
    id: str
    run: Callable[[], Any]
    raises: Optional[Type[BaseException]]  # None: the input is valid and run() checks the result
    fragment: str = ""
    line: Optional[int] = None  # FormatError.line


# -- helpers the rows use ------------------------------------------------------------------
E = sg.Graph.from_edges
G3 = lambda: E([0, 1, 2], [1, 2, 0])  # noqa: E731  a 3-cycle
_TMP: List[str] = []


def _file(name: str, content: Any) -> str:
    """Write ``content`` (str or bytes) to a fresh file in this process's scratch directory."""
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="sg_bad_input_"))
    path = os.path.join(_TMP[0], name)
    with open(path, "wb") as f:
        f.write(content.encode() if isinstance(content, str) else content)
    return path


def _read(name: str, content: Any, **kwargs: Any) -> sg.Graph:
    return sg.read_graph(_file(name, content), **kwargs)


MTX = "%%MatrixMarket matrix coordinate real general\n"


def _csr_equal(a: sg.Graph, b: sg.Graph) -> None:
    assert (a.num_nodes, a.num_edges, a.directed, a.weighted) == (b.num_nodes, b.num_edges, b.directed, b.weighted)
    for direction in ("out", "in"):
        for x, y in zip(a.csr(direction), b.csr(direction)):
            assert (x is None and y is None) or np.array_equal(x, y)


def _strided_ids() -> None:
    pairs = (np.arange(24, dtype=np.int64).reshape(12, 2) * 5) % 7  # columns: stride 16 bytes
    weights = np.arange(24.0)[::2]  # stride 16 bytes
    g = E(pairs[:, 0], pairs[::-1, 1][::-1], weights=weights)
    _csr_equal(g, E(pairs[:, 0].copy(), pairs[:, 1].copy(), weights=weights.copy()))
    rev = E(pairs[::-1, 0], pairs[::-1, 1])  # negative strides
    _csr_equal(rev, E(pairs[::-1, 0].copy(), pairs[::-1, 1].copy()))


def _read_only() -> None:
    src, dst, w = np.array([0, 1, 2, 2]), np.array([1, 2, 0, 1]), np.array([0.5, 1.0, 2.0, 4.0])
    ro = [a.copy() for a in (src, dst, w)]
    for a in ro:
        a.setflags(write=False)
    _csr_equal(E(*ro[:2], weights=ro[2]), E(src, dst, weights=w))
    frozen = np.frombuffer(np.array([0, 1, 1, 2], dtype=np.int32).tobytes(), dtype=np.int32)  # read-only buffer
    _csr_equal(E(frozen[:2], frozen[2:]), E([0, 1], [1, 2]))


def _foreign_dtypes() -> None:
    want = E([0, 1, 2], [1, 2, 0], weights=[1.0, 2.0, 3.0])
    big = np.array([0, 1, 2], dtype=">i8"), np.array([1, 2, 0], dtype=">i8")
    _csr_equal(E(*big, weights=np.array([1.0, 2.0, 3.0], dtype=">f8")), want)
    mixed = np.array([0, 1, 2], dtype=np.int32), np.array([1, 2, 0], dtype=np.uint16)
    _csr_equal(E(*mixed, weights=np.array([1, 2, 3], dtype=np.int8)), want)


def _empty_graphs() -> None:
    g = E([], [])
    assert (g.num_nodes, g.num_edges) == (0, 0)
    assert sg.native.pagerank(g).values.shape == (0,)
    h = E(np.array([], dtype=np.int32), np.array([], dtype=np.int32), num_nodes=4, weights=[])
    assert (h.num_nodes, h.num_edges) == (4, 0) and not h.out_degree().any()
    assert sg.read_graph(_file("empty.el", "")).num_nodes == 0
    import scipy.sparse as sp

    assert sg.Graph.from_scipy(sp.csr_matrix((0, 0))).num_nodes == 0


def _nx(weight: Any = None, directed: bool = False) -> Any:
    import networkx as nx

    G = nx.DiGraph() if directed else nx.Graph()
    G.add_edge("a", "b", weight=weight)
    return G


def _sp(dense: Any) -> Any:
    import scipy.sparse as sp

    return sp.csr_matrix(np.asarray(dense))


def _huge_scipy() -> Any:
    import scipy.sparse as sp

    return sg.Graph.from_scipy(sp.coo_matrix(([1.0], ([0], [1])), shape=(2**40, 2**40)))


def _loop_prog(body: Callable[[sg.Builder, sg.Loop, sg.Value], None]) -> sg.Program:
    """A program whose loop body is ``body(b, loop, x0)``; x0 is a node vector recorded before the loop."""
    b = sg.Builder("t")
    x0 = b.fill(1.0)
    with b.loop(5) as loop:
        body(b, loop, x0)
    return b.build()


def _update_non_carried(b: sg.Builder, loop: sg.Loop, x0: sg.Value) -> None:
    loop.carry("c", x0)
    loop.update(x0, x0 + 1)  # x0 is not the carried value


def _carry_outside_with() -> None:
    b = sg.Builder("t")
    loop = b.loop(5)  # never entered
    loop.carry("c", b.fill(1.0))


def _update_after_loop() -> None:
    b = sg.Builder("t")
    x0 = b.fill(1.0)
    with b.loop(5) as loop:
        c = loop.carry("c", x0)
        loop.update(c, c + 1)
    loop.update(c, c * 2)


def _output_hides_carry() -> None:
    b = sg.Builder("t")
    x0 = b.fill(1.0)
    with b.loop(5) as loop:
        c = loop.carry("c", x0)
        loop.update(c, c + 1)
    b.output("c", c * 2)  # state["c"] could only mean one of them


def _two_loops() -> None:
    b = sg.Builder("t")
    x0 = b.fill(1.0)
    with b.loop(5) as loop:
        c = loop.carry("c", x0)
        loop.update(c, c + 1)
    b.loop(5)


def _output_temporary() -> None:
    b = sg.Builder("t")
    x0 = b.fill(1.0)
    with b.loop(5) as loop:
        c = loop.carry("c", x0)
        y = c + 1
        loop.update(c, y)
        b.output("y", y)


def _until_mask(b: sg.Builder, loop: sg.Loop, x0: sg.Value) -> None:
    c = loop.carry("c", x0)
    loop.update(c, c + 1)
    loop.until(c > 3)


def _const_prog(value: Any, dtype: str = "int64") -> sg.Program:
    b = sg.Builder("t")
    b.output("x", b.fill(1, "int64") + b.const(value, dtype))
    return b.build()


def _input_prog(dtype: str) -> sg.Program:
    b = sg.Builder("t")
    x = b.input("x", dtype)
    b.output("n", b.count(x) if dtype == "bool" else b.sum(x))
    return b.build()


def _disable_string() -> None:
    b = sg.Builder("t")
    b.output("x", b.fill(1.0))
    b.build(disable="nope")  # one name, not the letters n, o, p, e


def _state_other_program() -> None:
    state = sg.algorithms.pagerank_program().init(G3())
    sg.algorithms.pagerank_program().apply_batch(state)


def _state_graph_replaced() -> None:
    prog = sg.algorithms.pagerank_program()
    state = prog.init(G3())
    state.graph = E([0], [1])
    prog.apply_batch(state)


def _state_step_order() -> None:
    prog = sg.algorithms.pagerank_program(opt_level=0)
    prog.apply_step(prog.init(G3()), 1)


def _pr_input(**inputs: Any) -> Any:
    return sg.algorithms.pagerank_program(personalization=True).run(G3(), **inputs)


NEG_W = lambda: E([0, 1], [1, 2], weights=[1.0, -1.0], allow_negative_weights=True)  # noqa: E731
IR_OK = "sgir 1\nv P fill f64 n 0 number=1.0 to=f64\noutput x 0\nend\n"
IR = _core.Program


def _ir(*lines: str) -> Any:
    return IR("sgir 1\n" + "\n".join(lines) + "\nend\n")


# -- the catalogue -------------------------------------------------------------------------
CASES: List[Case] = [
    # graph construction: Graph.from_edges
    Case("graph/negative-id", lambda: E([0, -1], [1, 2]), GraphError, "src[1] = -1 is a negative node id"),
    Case(
        "graph/id-out-of-range",
        lambda: E([0, 1], [1, 5], num_nodes=3),
        GraphError,
        "dst[1] = 5 is out of range for num_nodes = 3",
    ),
    Case("graph/id-beyond-32-bit", lambda: E([2**31], [0]), GraphError, "exceeds the supported maximum"),
    Case(
        "graph/uint64-beyond-int64",
        lambda: E(np.array([2**63], np.uint64), np.array([0], np.uint64)),
        GraphError,
        "beyond int64",
    ),
    Case(
        "graph/float-ids",
        lambda: E([0.0, 1.0], [1.0, 2.0]),
        GraphError,
        "src must be an integer array of node ids, got dtype float64",
    ),
    Case("graph/string-ids", lambda: E(["a", "b"], ["b", "c"]), GraphError, "integer array of node ids, got dtype <U1"),
    Case("graph/object-ids", lambda: E(np.array([0, 1], dtype=object), [1, 2]), GraphError, "got dtype object"),
    Case("graph/length-mismatch", lambda: E([0, 1, 2], [1, 2]), GraphError, "different lengths (3 and 2)"),
    Case(
        "graph/weights-length", lambda: E([0, 1], [1, 2], weights=[1.0]), GraphError, "weights has length 1, expected 2"
    ),
    Case(
        "graph/nan-weight",
        lambda: E([0, 1], [1, 2], weights=[1.0, np.nan]),
        GraphError,
        "weights[1] = nan is not finite",
    ),
    Case(
        "graph/inf-weight",
        lambda: E([0, 1], [1, 2], weights=[np.inf, 1.0]),
        GraphError,
        "weights[0] = inf is not finite",
    ),
    Case(
        "graph/negative-weight",
        lambda: E([0, 1], [1, 2], weights=[1.0, -2.0]),
        GraphError,
        "weights[1] = -2 is negative (pass allow_negative_weights=True",
    ),
    Case("graph/string-weights", lambda: E([0, 1], [1, 2], weights=["a", "b"]), GraphError, "weights must be numeric"),
    Case("graph/2d-ids", lambda: E([[0, 1]], [[1, 2]]), GraphError, "src must be 1-dimensional, got shape (1, 2)"),
    Case(
        "graph/num-nodes-2**40",
        lambda: E([0], [1], num_nodes=2**40),
        GraphError,
        "num_nodes = 1099511627776 exceeds the supported maximum of 2147483647",
    ),
    Case(
        "graph/num-nodes-2**31",
        lambda: E([0], [1], num_nodes=2**31),
        GraphError,
        "exceeds the supported maximum of 2147483647",
    ),
    Case(
        "graph/num-nodes-beyond-int64",
        lambda: E([0], [1], num_nodes=2**70),
        GraphError,
        "exceeds the supported maximum",
    ),
    Case("graph/num-nodes-float", lambda: E([0], [1], num_nodes=3.0), GraphError, "num_nodes must be an integer"),
    Case(
        "graph/directed-string",
        lambda: E([0], [1], directed="no"),
        GraphError,
        "directed must be True or False, got 'no'",
    ),
    Case("graph/strided-arrays-work", _strided_ids, None),
    Case("graph/read-only-arrays-work", _read_only, None),
    Case("graph/big-endian-and-mixed-dtypes-work", _foreign_dtypes, None),
    Case("graph/empty-arrays-work", _empty_graphs, None),
    # graph construction: from_scipy / from_networkx
    Case("scipy/nan-entry", lambda: sg.Graph.from_scipy(_sp([[0, np.nan], [1, 0]])), GraphError, "is not finite"),
    Case(
        "scipy/complex-entries",
        lambda: sg.Graph.from_scipy(_sp([[0, 1j], [1, 0]])),
        GraphError,
        "weights must be numeric, got dtype complex128",
    ),
    Case(
        "scipy/not-square",
        lambda: sg.Graph.from_scipy(_sp(np.ones((2, 3)))),
        GraphError,
        "adjacency matrix must be square, got shape (2, 3)",
    ),
    Case(
        "scipy/dense-array",
        lambda: sg.Graph.from_scipy(np.eye(2)),
        GraphError,
        "from_scipy expects a scipy sparse matrix, got ndarray",
    ),
    Case("scipy/huge-shape", _huge_scipy, GraphError, "exceeds the supported maximum of 2147483647"),
    Case(
        "networkx/string-weight",
        lambda: sg.Graph.from_networkx(_nx("heavy")),
        GraphError,
        "edge attribute 'weight' must be numeric",
    ),
    Case("networkx/nan-weight", lambda: sg.Graph.from_networkx(_nx(float("nan"))), GraphError, "is not finite"),
    Case(
        "networkx/not-a-graph",
        lambda: sg.Graph.from_networkx([(0, 1)]),
        GraphError,
        "from_networkx expects a networkx graph, got list",
    ),
    Case(
        "networkx/unknown-keyword",
        lambda: sg.Graph.from_networkx(_nx(1.0), directed=True),
        TypeError,
        "unexpected keyword argument 'directed'",
    ),
    # graph files: read_graph
    Case(
        "file/mtx-truncated",
        lambda: _read("t.mtx", MTX + "3 3 3\n1 2 1.0\n2 3 1.0\n"),
        FormatError,
        "t.mtx:4: the file ends after 2 of the 3 entries declared",
        line=4,
    ),
    Case(
        "file/mtx-cut-mid-line",
        lambda: _read("t.mtx", MTX + "3 3 2\n1 2 1.0\n2"),
        FormatError,
        "too few values: expected 3 values (i j value), found 1",
        line=4,
    ),
    Case(
        "file/mtx-no-header",
        lambda: _read("h.mtx", "3 3 1\n1 2 1\n"),
        FormatError,
        "h.mtx:1: missing Matrix Market header",
        line=1,
    ),
    Case(
        "file/mtx-dense-header",
        lambda: _read("d.mtx", "%%MatrixMarket matrix array real general\n3 3\n"),
        FormatError,
        "unsupported Matrix Market format 'array'",
        line=1,
    ),
    Case("file/mtx-bad-size-line", lambda: _read("s.mtx", MTX + "3 3\n"), FormatError, "bad size line '3 3'", line=2),
    Case(
        "file/mtx-bad-number",
        lambda: _read("n.mtx", MTX + "3 3 2\n1 2 1.0\n2 x 1.0\n"),
        FormatError,
        "expected a column index (a non-negative integer), got 'x'",
        line=4,
    ),
    Case(
        "file/mtx-bad-weight",
        lambda: _read("w.mtx", MTX + "3 3 1\n1 2 1.O\n"),
        FormatError,
        "expected a numeric weight, got '1.O'",
        line=3,
    ),
    Case(
        "file/mtx-entry-beyond-size",
        lambda: _read("b.mtx", MTX + "3 3 2\n1 2 1.0\n2 4 1.0\n"),
        FormatError,
        "column index '4' is outside 1..3",
        line=4,
    ),
    Case(
        "file/mtx-too-many-entries",
        lambda: _read("m.mtx", MTX + "3 3 1\n1 2 1.0\n2 3 1.0\n"),
        FormatError,
        "more entries than the 1 declared in the size line",
        line=4,
    ),
    Case(
        "file/mtx-huge-size",
        lambda: _read("z.mtx", MTX + "99999999999 99999999999 1\n1 2 1\n"),
        FormatError,
        "99999999999 rows exceed the maximum of 2147483647 nodes",
        line=2,
    ),
    Case(
        "file/el-bad-number",
        lambda: _read("a.el", "0 1\n1 2\n2 x\n"),
        FormatError,
        "a.el:3: expected a node id (a non-negative integer), got 'x'",
        line=3,
    ),
    Case(
        "file/el-beyond-num-nodes",
        lambda: _read("a.el", "0 1\n1 5\n", num_nodes=3),
        FormatError,
        "node id '5' is out of range for num_nodes = 3",
        line=2,
    ),
    Case(
        "file/el-three-values",
        lambda: _read("a.el", "# c\n0 1\n1 2 3\n"),
        FormatError,
        "too many values: expected 2 values (u v), found 3",
        line=3,
    ),
    Case(
        "file/wel-missing-weight",
        lambda: _read("a.wel", "0 1 1.0\n1 2\n"),
        FormatError,
        "too few values: expected 3 values (u v w), found 2",
        line=2,
    ),
    Case(
        "file/wel-overflowing-weight",
        lambda: _read("a.wel", "0 1 1.0\n1 2 1e999\n"),
        FormatError,
        "weight '1e999' is not finite",
        line=2,
    ),
    Case("file/el-non-utf8", lambda: _read("u.el", b"0 1\n\xc3\x28 1\n"), FormatError, "got '\\xc3('", line=2),
    Case(
        "file/missing",
        lambda: sg.read_graph(os.path.join(tempfile.gettempdir(), "sg-no-such-file.el")),
        FileNotFoundError,
        "No such file or directory",
    ),
    Case("file/unknown-extension", lambda: _read("g.graphml", "0 1\n"), ParameterError, "cannot tell the format of"),
    Case(
        "file/unknown-format",
        lambda: _read("g.el", "0 1\n", format="csv"),
        ParameterError,
        "unknown graph file format 'csv'",
    ),
    # builder programs
    Case(
        "builder/mask-plus-vector",
        lambda: (lambda b: (b.fill(1.0) > 0) + b.fill(1.0))(sg.Builder()),
        ProgramError,
        "add: needs inputs of one dtype (use b.cast); got (mask, float64 node vector)",
    ),
    Case(
        "builder/float-times-int",
        lambda: (lambda b: b.fill(1.0) * b.fill(1, "int64"))(sg.Builder()),
        ProgramError,
        "mul: needs inputs of one dtype (use b.cast); got (float64 node vector, int64 node vector)",
    ),
    Case(
        "builder/int-division",
        lambda: (lambda b: b.fill(1, "int64") / 2)(sg.Builder()),
        ProgramError,
        "div: needs float inputs",
    ),
    Case(
        "builder/mode-of-floats",
        lambda: (lambda b: b.neighbor_agg(b.fill(1.0), "mode"))(sg.Builder()),
        ProgramError,
        "neighbor_agg: combine=mode",
    ),
    Case(
        "builder/unknown-dtype",
        lambda: sg.Builder().fill(1.0, "complex128"),
        ProgramError,
        "unsupported dtype complex128",
    ),
    Case(
        "builder/value-from-another-builder",
        lambda: sg.Builder().fill(1.0) + sg.Builder().fill(2.0),
        ProgramError,
        "belongs to another Builder",
    ),
    Case(
        "builder/update-non-carried",
        lambda: _loop_prog(_update_non_carried),
        ProgramError,
        "loop.update needs a value from loop.carry(...)",
    ),
    Case(
        "builder/loop-without-update",
        lambda: _loop_prog(lambda b, loop, x0: loop.carry("c", x0)),
        ProgramError,
        "loop.update was never called for carried value(s): c",
    ),
    Case(
        "builder/loop-without-carry",
        lambda: _loop_prog(lambda b, loop, x0: None),
        ProgramError,
        "loop without loop.carry(...)",
    ),
    Case("builder/two-loops", _two_loops, ProgramError, "a program has at most one loop"),
    Case("builder/carry-outside-with", _carry_outside_with, ProgramError, "loop.carry called outside its `with` block"),
    Case(
        "builder/carry-from-loop-value",
        lambda: _loop_prog(lambda b, loop, x0: loop.carry("c", b.fill(1.0))),
        ProgramError,
        "carry 'c' must start from a value recorded before the loop",
    ),
    Case("builder/update-after-loop", _update_after_loop, ProgramError, "loop.update called after the loop has ended"),
    Case(
        "builder/until-mask",
        lambda: _loop_prog(_until_mask),
        ProgramError,
        "loop.until needs a bool scalar, got a mask",
    ),
    Case("builder/no-outputs", lambda: sg.Builder().build(), ProgramError, "the program has no outputs"),
    Case("builder/output-loop-temporary", _output_temporary, ProgramError, "output 'y' is a loop temporary"),
    Case(
        "builder/output-hides-carry",
        _output_hides_carry,
        ProgramError,
        "output 'c' would hide the carried value of the same name",
    ),
    Case(
        "builder/param-default-string",
        lambda: sg.Builder().param("a", "0.5"),
        ProgramError,
        "param 'a' default must be a number, got str '0.5'",
    ),
    Case(
        "builder/int64-const-nan", lambda: _const_prog(float("nan")), ProgramError, "const: nan is not an int64 value"
    ),
    Case("builder/int64-const-inexact", lambda: _const_prog(2**53 + 1), ProgramError, "cannot be recorded exactly"),
    Case(
        "builder/name-too-long",
        lambda: sg.Builder().param("p" * 201, 1.0),
        ProgramError,
        "param name must be at most 200 characters",
    ),
    Case("builder/disable-string", _disable_string, ParameterError, "cannot disable 'nope'"),
    # init / run parameters
    Case(
        "run/unknown-param",
        lambda: sg.algorithms.pagerank_program().init(G3(), beta=0.5),
        ParameterError,
        "unknown parameter 'beta'; program pagerank takes: alpha, tol",
    ),
    Case(
        "run/string-alpha",
        lambda: sg.algorithms.pagerank_program().init(G3(), alpha="0.85"),
        ParameterError,
        "parameter 'alpha' must be a number, got '0.85'",
    ),
    Case(
        "run/alpha-out-of-range",
        lambda: sg.algorithms.pagerank_program().run(G3(), alpha=1.5),
        ParameterError,
        "alpha must be in [0, 1), got 1.5",
    ),
    Case(
        "run/alpha-nan",
        lambda: sg.algorithms.pagerank_program().init(G3(), alpha=float("nan")),
        ParameterError,
        "alpha must be in [0, 1), got nan",
    ),
    Case(
        "run/alpha-huge-int",
        lambda: sg.algorithms.pagerank_program().init(G3(), alpha=10**400),
        ParameterError,
        "parameter 'alpha' is an integer too large for a float64",
    ),
    Case(
        "run/tol-negative",
        lambda: sg.algorithms.pagerank_program().run(G3(), tol=-1e-6),
        ParameterError,
        "tol must be finite and >= 0",
    ),
    Case(
        "run/max-iter-negative",
        lambda: sg.algorithms.pagerank_program().run(G3(), max_iter=-1),
        ParameterError,
        "max_iter must be >= 0, got -1",
    ),
    Case(
        "run/max-iter-beyond-int64",
        lambda: sg.algorithms.pagerank_program().run(G3(), max_iter=2**70),
        ParameterError,
        "max_iter must be at most 2**63 - 1",
    ),
    Case(
        "run/progress-not-callable",
        lambda: sg.algorithms.pagerank_program().run(G3(), progress=5),
        ParameterError,
        "progress must be a callable",
    ),
    Case(
        "run/personalization-negative",
        lambda: _pr_input(personalization=[1.0, -1.0, 1.0]),
        ParameterError,
        "personalization[1] = -1.0 must be finite and non-negative",
    ),
    Case(
        "run/personalization-missing",
        lambda: sg.algorithms.pagerank_program(personalization=True).run(G3()),
        ParameterError,
        "needs input vector(s): personalization",
    ),
    Case(
        "run/bfs-source-out-of-range",
        lambda: sg.algorithms.bfs_program().run(G3(), source=3),
        ParameterError,
        "source 3 is out of range for a graph with 3 nodes",
    ),
    Case(
        "run/sssp-source-negative",
        lambda: sg.algorithms.sssp_program().run(G3(), source=-1),
        ParameterError,
        "source -1 is out of range",
    ),
    Case(
        "run/sssp-negative-weights",
        lambda: sg.algorithms.sssp_program().run(NEG_W(), source=0),
        ParameterError,
        "sssp needs non-negative edge weights",
    ),
    Case(
        "run/int64-input-fractional",
        lambda: _input_prog("int64").run(G3(), x=[1.0, 2.5, 3.0]),
        ParameterError,
        "input vector 'x'[1] = 2.5 is not an int64 value",
    ),
    Case(
        "run/bool-input-not-0-or-1",
        lambda: _input_prog("bool").run(G3(), x=[1.0, 2.0, 0.0]),
        ParameterError,
        "input vector 'x'[1] = 2 is not a bool (0 or 1)",
    ),
    Case(
        "run/int64-param-fractional",
        lambda: sg.algorithms.bfs_program().run(G3(), source=0.5),
        ParameterError,
        "parameter 'source' must be an integer, got 0.5",
    ),
    # the algorithm functions and the native twins
    Case(
        "algo/alpha-out-of-range",
        lambda: sg.algorithms.pagerank(G3(), alpha=-0.1),
        ParameterError,
        "alpha must be in [0, 1), got -0.1",
    ),
    Case(
        "algo/alpha-string",
        lambda: sg.algorithms.pagerank(G3(), alpha="x"),
        ParameterError,
        "alpha must be a number, got 'x'",
    ),
    Case(
        "algo/tol-nan",
        lambda: sg.algorithms.pagerank(G3(), tol=float("nan")),
        ParameterError,
        "tol must be finite and >= 0, got nan",
    ),
    Case(
        "algo/max-iter-negative",
        lambda: sg.algorithms.pagerank(G3(), max_iter=-5),
        ParameterError,
        "max_iter must be >= 0, got -5",
    ),
    Case(
        "algo/dtype-int64",
        lambda: sg.algorithms.pagerank(G3(), dtype="int64"),
        ParameterError,
        "dtype must be float64 or float32, got int64",
    ),
    Case(
        "algo/personalization-wrong-length",
        lambda: sg.algorithms.pagerank(G3(), personalization=[1, 1]),
        ParameterError,
        "personalization has shape (2,), expected (3,)",
    ),
    Case(
        "algo/personalization-all-zero",
        lambda: sg.algorithms.pagerank(G3(), personalization=[0, 0, 0]),
        ParameterError,
        "personalization sums to zero",
    ),
    Case(
        "algo/negative-weights",
        lambda: sg.algorithms.pagerank(NEG_W()),
        ParameterError,
        "pagerank needs non-negative edge weights",
    ),
    Case(
        "algo/ppr-source-out-of-range",
        lambda: sg.algorithms.personalized_pagerank(G3(), [0, 7]),
        ParameterError,
        "source 7 is out of range for a graph with 3 nodes",
    ),
    Case(
        "native/alpha-one",
        lambda: sg.native.pagerank(G3(), alpha=1.0),
        ParameterError,
        "alpha must be in [0, 1), got 1",
    ),
    Case(
        "native/tol-negative",
        lambda: sg.native.pagerank(G3(), tol=-1.0),
        ParameterError,
        "tol must be finite and >= 0, got -1",
    ),
    Case(
        "native/max-iter-beyond-int64",
        lambda: sg.native.pagerank(G3(), max_iter=2**64),
        ParameterError,
        "max_iter must be at most 2**63 - 1",
    ),
    Case(
        "native/personalization-negative",
        lambda: sg.native.pagerank(G3(), personalization=[1, -1, 1]),
        ParameterError,
        "personalization[1] = -1 is negative",
    ),
    Case(
        "native/personalization-unknown-node",
        lambda: sg.native.pagerank(G3(), personalization={9: 1.0}),
        ParameterError,
        "personalization names node 9, which is not in the graph",
    ),
    Case(
        "native/bfs-source-out-of-range",
        lambda: sg.native.bfs(G3(), 3),
        ParameterError,
        "source 3 is out of range for a graph with 3 nodes",
    ),
    Case(
        "native/sssp-source-float",
        lambda: sg.native.sssp(G3(), 1.0),
        ParameterError,
        "source must be an integer node id, got float",
    ),
    Case(
        "native/label-propagation-max-iter",
        lambda: sg.native.label_propagation(G3(), -1),
        ParameterError,
        "max_iter must be >= 0, got -1",
    ),
    Case(
        "native/hits-nstart-wrong-length",
        lambda: _core.hits(G3()._native, 100, 1e-8, np.ones(2), True, True),
        ParameterError,
        "nstart has length 2, expected 3",
    ),
    Case(
        "native/katz-beta-int-dtype",
        lambda: _core.katz_centrality(G3()._native, 0.1, 1.0, np.ones(3, np.int64), 10, 1e-6, None, True, True),
        ParameterError,
        "beta must have dtype float64",
    ),
    Case(
        "native/eigenvector-max-iter-negative",
        lambda: _core.eigenvector_centrality(G3()._native, -1, 1e-6, None, True),
        ParameterError,
        "max_iter must be >= 0, got -1",
    ),
    Case(
        "native/core-number-self-loop",
        lambda: sg.native.core_number(E([0, 1], [1, 1])),
        GraphError,
        "core_number is not defined for graphs with self-loops",
    ),
    Case(
        "algo/katz-alpha-nan",
        lambda: sg.algorithms.katz_centrality(G3(), alpha=float("nan")),
        ParameterError,
        "alpha must be finite, got nan",
    ),
    Case(
        "builder/h-index-of-floats",
        lambda: (lambda b: b.neighbor_agg(b.fill(1.0), "h_index"))(sg.Builder()),
        ProgramError,
        "neighbor_agg: combine=h_index",
    ),
    Case(
        "threads/num-threads-string",
        lambda: sg.set_num_threads("4"),
        ParameterError,
        "num_threads must be an integer, got '4'",
    ),
    # the native boundary of init: stepgraph._core.init_state
    Case(
        "core/init-state-string-param",
        lambda: _core.init_state(sg.algorithms.pagerank_program()._core, G3()._native, {"alpha": "x"}, {}),
        ParameterError,
        "parameter 'alpha' must be a number, got 'x'",
    ),
    Case(
        "core/init-state-unknown-input",
        lambda: _core.init_state(sg.algorithms.pagerank_program()._core, G3()._native, {}, {"zzz": np.ones(3)}),
        ParameterError,
        "unknown input vector 'zzz'",
    ),
    Case(
        "core/init-state-strided-input",
        lambda: _core.init_state(_input_prog("float64")._core, G3()._native, {}, {"x": np.ones(6)[::2]}),
        ParameterError,
        "x must be C-contiguous",
    ),
    # State misuse
    Case(
        "state/other-program",
        _state_other_program,
        StateError,
        "this State belongs to program 'pagerank', not to this program",
    ),
    Case("state/graph-replaced", _state_graph_replaced, StateError, "this State's graph was replaced after init"),
    Case("state/step-out-of-order", _state_step_order, StateError, "step 1 called out of order; step 0 is next"),
    Case(
        "state/not-a-state",
        lambda: sg.algorithms.pagerank_program().apply_batch(object()),
        StateError,
        "expected a State from Program.init, got object",
    ),
    Case(
        "state/unknown-output",
        lambda: sg.algorithms.pagerank_program().init(G3())["ranks"],
        ParameterError,
        "no output or carried value named 'ranks'",
    ),
    # the native IR deserializer: stepgraph._core.Program(text)
    Case("ir/empty", lambda: IR(""), ProgramError, "empty program"),
    Case(
        "ir/garbage-bytes",
        lambda: IR("\x01\x02\x7f garbage \x1b[0m"),
        ProgramError,
        "line 1: expected the header 'sgir 1'",
    ),
    Case("ir/bad-header", lambda: IR("sgir 2\n" + IR_OK[7:]), ProgramError, "expected the header 'sgir 1'"),
    Case(
        "ir/non-utf8-bytes",
        lambda: IR(b"sgir 1\n\xff\xfe 1\nend\n"),
        ProgramError,
        "line 2: unknown directive '\\xff\\xfe'",
    ),
    Case(
        "ir/nul-byte",
        lambda: _ir("v P fill f64 n 0 number=1\x00 to=f64", "output x 0"),
        ProgramError,
        "'1\\x00' is not a number",
    ),
    Case(
        "ir/wrong-operand-count",
        lambda: _ir("v P fill f64 n 0 number=1 to=f64", "v P neg f64 n 2 0 0", "output x 1"),
        ProgramError,
        "line 3: neg takes 1 inputs, got 2",
    ),
    Case(
        "ir/missing-operands",
        lambda: _ir("v P fill f64 n 0 number=1 to=f64", "v P add f64 n 2 0", "output x 1"),
        ProgramError,
        "line 3: missing input ids",
    ),
    Case(
        "ir/forward-reference",
        lambda: _ir("v P neg f64 n 1 1", "v P fill f64 n 0 number=1 to=f64", "output x 0"),
        ProgramError,
        "line 2: input %1 is not an earlier value",
    ),
    Case("ir/unknown-op", lambda: _ir("v P frobnicate f64 n 0", "output x 0"), ProgramError, "unknown op 'frobnicate'"),
    Case(
        "ir/unknown-dtype",
        lambda: _ir("v P fill c128 n 0 number=1 to=c128", "output x 0"),
        ProgramError,
        "unknown dtype 'c128'",
    ),
    Case(
        "ir/unknown-attribute",
        lambda: _ir("v P fill f64 n 0 number=1 to=f64 color=red", "output x 0"),
        ProgramError,
        "unknown attribute 'color'",
    ),
    Case(
        "ir/truncated", lambda: IR(IR_OK[: IR_OK.index("output")]), ProgramError, "missing 'end' (truncated program?)"
    ),
    Case(
        "ir/text-after-end",
        lambda: IR(IR_OK + "v P fill f64 n 0 number=2 to=f64\n"),
        ProgramError,
        "line 5: text after 'end'",
    ),
    Case(
        "ir/huge-id",
        lambda: _ir("v P fill f64 n 0 number=1 to=f64", "output x 99999999999999999999999"),
        ProgramError,
        "value id '99999999999999999999999' is out of the 64-bit integer range",
    ),
    Case(
        "ir/id-2**40",
        lambda: _ir("v P fill f64 n 0 number=1 to=f64", "output x 1099511627776"),
        ProgramError,
        "%1099511627776 is not a value",
    ),
    Case(
        "ir/huge-max-iter",
        lambda: _ir("loop 99999999999999999999"),
        ProgramError,
        "max_iter '99999999999999999999' is out of the 64-bit integer range",
    ),
    Case(
        "ir/number-overflow",
        lambda: _ir("v P fill f64 n 0 number=1e999999 to=f64", "output x 0"),
        ProgramError,
        "'1e999999' is out of the float64 range",
    ),
    Case(
        "ir/hex-number",
        lambda: _ir("v P fill f64 n 0 number=0x10 to=f64", "output x 0"),
        ProgramError,
        "'0x10' is not a number",
    ),
    Case(
        "ir/int64-number-too-large",
        lambda: _ir("v P fill i64 n 0 number=1e30 to=i64", "output x 0"),
        ProgramError,
        "fill: 1e+30 is not an int64 value",
    ),
    Case(
        "ir/declared-type-mismatch",
        lambda: _ir("v P fill f64 s 0 number=1 to=f64", "output x 0"),
        ProgramError,
        "fill: declared f64 but its inputs give f64[n]",
    ),
    Case(
        "ir/loop-without-carry",
        lambda: _ir("loop 5", "v P fill f64 n 0 number=1 to=f64", "output x 0"),
        ProgramError,
        "a loop needs at least one carried value",
    ),
    Case(
        "ir/until-not-bool",
        lambda: _ir(
            "loop 5",
            "v P fill f64 n 0 number=1 to=f64",
            "v B carry f64 n 0 name=c",
            "carry c 0 1 1",
            "until 0",
            "output x 1",
        ),
        ProgramError,
        "the loop's until predicate must be a bool scalar computed before or in the loop, got f64[n]",
    ),
    Case(
        "ir/name-too-long",
        lambda: _ir("v P fill f64 n 0 number=1 to=f64", "output " + "a" * 300 + " 0"),
        ProgramError,
        "output name 'aaaa",
    ),
    Case(
        "ir/too-many-values",
        lambda: IR("sgir 1\n" + "v P fill f64 n 0 number=1 to=f64\n" * (2**20 + 1) + "end\n"),
        ProgramError,
        "too many values",
    ),
]

BY_ID: Dict[str, Case] = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"


# -- running cases in child processes -------------------------------------------------------
def _outcome(case: Case) -> Dict[str, Any]:
    """Run one case in this process: what it raised (class, MRO, message, line) or that it returned."""
    try:
        case.run()
    except BaseException as exc:  # noqa: BLE001 - reporting everything is the point
        mro = [f"{k.__module__}.{k.__qualname__}" for k in type(exc).__mro__]
        return {"raised": mro[0], "mro": mro, "message": str(exc), "line": getattr(exc, "line", None)}
    return {"raised": None}


def _child_main(ids: Sequence[str]) -> None:
    """Child process: run ``ids`` in order, one JSON line before and after each case."""
    out = sys.stdout
    try:
        for case_id in ids:
            out.write(json.dumps({"start": case_id}) + "\n")
            out.flush()
            result = _outcome(BY_ID[case_id])
            out.write(json.dumps({"done": case_id, **result}) + "\n")
            out.flush()
    finally:
        for d in _TMP:
            import shutil

            shutil.rmtree(d, ignore_errors=True)


_RUNNER = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('sg_bad_input_cases', sys.argv[1])\n"
    "mod = importlib.util.module_from_spec(spec)\n"
    "sys.modules['sg_bad_input_cases'] = mod\n"
    "spec.loader.exec_module(mod)\n"
    "mod._child_main(sys.argv[2:])\n"
)
_CHILD_TIMEOUT = 300.0


def _child_env() -> Dict[str, str]:
    """The child imports the same stepgraph as this process."""
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(sg.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _describe_death(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"child exited with status {returncode} mid-case"


def _run_shard(ids: List[str], results: Dict[str, Dict[str, Any]]) -> None:
    """Run ``ids`` in children; a child that dies is charged to the case it was running."""
    pending = list(ids)
    while pending:
        cmd = [sys.executable, "-c", _RUNNER, os.path.abspath(__file__), *pending]
        timed_out = False
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=_child_env(), timeout=_CHILD_TIMEOUT)
            stdout, stderr, code = proc.stdout, proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            timed_out = True
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            code = -signal.SIGKILL
        running: Optional[str] = None
        for raw in stdout.splitlines():
            try:
                msg = json.loads(raw)
            except ValueError:
                continue  # stray output of a case
            if "start" in msg:
                running = msg["start"]
            elif "done" in msg:
                results[msg["done"]] = msg
                running = None
        finished = [i for i in pending if i in results]
        if running is None and len(finished) == len(pending):
            return
        victim = running if running is not None else next(i for i in pending if i not in results)
        why = f"timed out after {_CHILD_TIMEOUT:.0f} s" if timed_out else _describe_death(code)
        results[victim] = {"died": why, "stderr": stderr[-2000:]}
        log.warning("bad-input case %s: %s", victim, why)
        pending = [i for i in pending if i not in results]


def run_cases(ids: Sequence[str], shards: int = 2) -> Dict[str, Dict[str, Any]]:
    """Outcomes of ``ids``, run in ``shards`` chains of child processes at once."""
    results: Dict[str, Dict[str, Any]] = {}
    parts = [list(ids[k::shards]) for k in range(shards)]
    threads = [threading.Thread(target=_run_shard, args=(part, results)) for part in parts if part]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture(scope="module")
def outcomes() -> Dict[str, Dict[str, Any]]:
    return run_cases([c.id for c in CASES], shards=max(2, min(4, os.cpu_count() or 2)))


def test_catalogue_size() -> None:
    assert len(CASES) >= 40
    assert sum(c.raises is None for c in CASES) >= 4  # inputs that must work, checked by value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, outcomes: Dict[str, Dict[str, Any]]) -> None:
    got = outcomes[case.id]
    if "died" in got:
        pytest.fail(f"{case.id}: the child process died ({got['died']}) - a crash, not an error\n{got['stderr']}")
    if case.raises is None:
        assert got["raised"] is None, f"{case.id}: valid input raised {got['raised']}: {got.get('message')}"
        return
    expected = f"{case.raises.__module__}.{case.raises.__qualname__}"
    assert got["raised"] is not None, f"{case.id}: accepted silently; expected {expected}"
    assert expected in got["mro"], f"{case.id}: raised {got['raised']}: {got['message']!r}; expected {expected}"
    assert case.fragment in got["message"], f"{case.id}: message {got['message']!r} lacks {case.fragment!r}"
    if case.line is not None:
        assert got["line"] == case.line, f"{case.id}: FormatError.line = {got['line']}, expected {case.line}"


def test_dead_child_is_charged_to_its_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself: a case that kills its process fails alone; the cases after it still run."""
    # The child re-imports this module: register the victim there before running the shard.
    runner = _RUNNER.replace(
        "mod._child_main(sys.argv[2:])\n",
        "import os, signal\n"
        "mod.BY_ID['harness/abort'] = mod.Case('harness/abort', lambda: os.kill(os.getpid(), signal.SIGABRT), None)\n"
        "mod._child_main(sys.argv[2:])\n",
    )
    monkeypatch.setattr(sys.modules[__name__], "_RUNNER", runner)
    results: Dict[str, Dict[str, Any]] = {}
    _run_shard(["graph/negative-id", "harness/abort", "ir/empty"], results)
    assert results["graph/negative-id"]["raised"] == "stepgraph.errors.GraphError"
    assert "SIGABRT" in results["harness/abort"]["died"]
    assert results["ir/empty"]["raised"] == "stepgraph.errors.ProgramError"


if __name__ == "__main__":  # python tests/python/test_bad_input.py [case id ...]
    logging.basicConfig(level=logging.INFO)
    for cid in sys.argv[1:] or list(BY_ID):
        log.info("%s: %s", cid, _outcome(BY_ID[cid]))
