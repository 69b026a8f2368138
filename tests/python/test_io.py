"""stepgraph.read_graph / write_edge_list: scipy equivalence, round trips, and every malformed input."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

import stepgraph as sg
from graphs import random_cases
from stepgraph import _core
from stepgraph.io import write_edge_list


def csr_equal(a: sg.Graph, b: sg.Graph, direction: str = "out", weights: bool = True) -> None:
    """Identical CSR arrays (offsets, indices in row order, and weights)."""
    oa, ia, wa = a.csr(direction)
    ob, ib, wb = b.csr(direction)
    np.testing.assert_array_equal(oa, ob)
    np.testing.assert_array_equal(ia, ib)
    if weights:
        assert (wa is None) == (wb is None)
        if wa is not None:
            np.testing.assert_array_equal(wa, wb)


def edge_multiset(g: sg.Graph, direction: str = "out"):
    off, idx, w = g.csr(direction)
    rows = np.repeat(np.arange(g.num_nodes), np.diff(off))
    ws = w if w is not None else np.ones(len(idx))
    return sorted(zip(rows.tolist(), idx.tolist(), ws.tolist()))


def write_mtx(path: pathlib.Path, n: int, rows, cols, vals, field: str, symmetry: str) -> None:
    """A Matrix Market file with comments and entries in the given order (1-based on disk)."""
    lines = [f"%%MatrixMarket matrix coordinate {field} {symmetry}", "% written by test_io", "%"]
    lines.append(f"{n} {n} {len(rows)}")
    for k, (i, j) in enumerate(zip(rows, cols)):
        if field == "pattern":
            lines.append(f"{i + 1} {j + 1}")
        elif field == "integer":
            lines.append(f"{i + 1} {j + 1} {int(vals[k])}")
        else:
            lines.append(f"{i + 1} {j + 1} {float(vals[k])!r}")
    path.write_text("\n".join(lines) + "\n")


def random_entries(rng: np.random.Generator, n: int, m: int, symmetric: bool, field: str):
    r = rng.integers(0, n, m)
    c = rng.integers(0, n, m)
    if symmetric:  # the stored (lower) triangle, diagonal included
        r, c = np.maximum(r, c), np.minimum(r, c)
    r[:3], c[:3] = [0, 0, n - 1], [0, 0, n - 1]  # a duplicated self-loop and the last node
    if field == "integer":
        vals = rng.integers(0, 50, m).astype(np.float64)
    else:
        vals = rng.integers(0, 400, m) / 8.0  # dyadic: duplicate sums are exact in any order
    return r, c, vals


# -- Matrix Market vs scipy.io.mmread ---------------------------------------------------


@pytest.mark.parametrize("field", ["pattern", "real", "integer"])
@pytest.mark.parametrize("seed", [1, 2])
def test_mtx_general_matches_scipy(tmp_path, field, seed):
    rng = np.random.default_rng(seed)
    n, m = 40, 150
    r, c, vals = random_entries(rng, n, m, False, field)
    path = tmp_path / "g.mtx"
    write_mtx(path, n, r, c, vals, field, "general")

    g = sg.read_graph(path)
    A = scipy.io.mmread(path)
    ref = sg.Graph.from_scipy(A)
    assert g.directed and g.num_nodes == n and g.num_edges == m
    assert g.weighted == (field != "pattern")
    csr_equal(g, ref, "out", weights=field != "pattern")  # same rows, same order
    csr_equal(g, ref, "in", weights=field != "pattern")
    np.testing.assert_array_equal(g.to_scipy().toarray(), sp.csr_array(A).toarray())


@pytest.mark.parametrize("field", ["pattern", "real", "integer"])
@pytest.mark.parametrize("seed", [3, 4])
def test_mtx_symmetric_matches_scipy(tmp_path, field, seed):
    rng = np.random.default_rng(seed)
    n, m = 35, 120
    r, c, vals = random_entries(rng, n, m, True, field)
    path = tmp_path / "s.mtx"
    write_mtx(path, n, r, c, vals, field, "symmetric")

    g = sg.read_graph(path)
    assert not g.directed and g.num_nodes == n and g.num_edges == m
    assert g.weighted == (field != "pattern")
    A = sp.csr_array(scipy.io.mmread(path))  # scipy expands the stored triangle
    np.testing.assert_array_equal(g.to_scipy().toarray(), A.toarray())
    # Each stored entry is one undirected edge, exactly as from_edges(directed=False) builds it.
    ref = sg.Graph.from_edges(r, c, n, None if field == "pattern" else vals, directed=False)
    csr_equal(g, ref, "out")

    # directed=True: the expanded matrix as a directed graph.
    d = sg.read_graph(path, directed=True)
    assert d.directed and d.num_edges == m + np.count_nonzero(r != c)
    np.testing.assert_array_equal(d.to_scipy().toarray(), A.toarray())
    assert edge_multiset(d, "out") == edge_multiset(g, "out")


def test_mtx_general_read_undirected(tmp_path):
    path = tmp_path / "u.mtx"
    path.write_text("%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 0.5\n3 3 2\n")
    g = sg.read_graph(path, directed=False)
    ref = sg.Graph.from_scipy(scipy.io.mmread(path), directed=False)
    assert not g.directed
    csr_equal(g, ref)


def test_mtx_header_case_crlf_and_blank_lines(tmp_path):
    path = tmp_path / "c.MTX"
    path.write_bytes(b"%%matrixmarket Matrix COORDINATE Real GENERAL\r\n%\r\n\r\n2 2 2\r\n1 2 1.5\r\n\r\n2 1 2\r\n")
    g = sg.read_graph(path)
    off, idx, w = g.csr("out")
    assert off.tolist() == [0, 1, 2] and idx.tolist() == [1, 0] and w.tolist() == [1.5, 2.0]


# -- edge lists -------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(random_cases(30, seed=11)), ids=repr)
def test_edge_list_round_trip(tmp_path, case):
    g = case.graph()
    path = tmp_path / ("g.wel" if g.weighted else "g.el")
    write_edge_list(g, path)
    h = sg.read_graph(path, directed=g.directed, num_nodes=g.num_nodes)
    assert (h.num_nodes, h.num_edges, h.directed, h.weighted) == (g.num_nodes, g.num_edges, g.directed, g.weighted)
    if g.directed:
        csr_equal(g, h, "out")  # written in out-CSR order, so read back in the same row order
    assert edge_multiset(h, "out") == edge_multiset(g, "out")  # weights round-trip exactly
    assert edge_multiset(h, "in") == edge_multiset(g, "in")
    # Without num_nodes: max id + 1.
    if g.num_edges:
        k = sg.read_graph(path, directed=g.directed)
        off, idx, _ = g.csr("out")
        used = max(int(idx.max()), int(np.nonzero(np.diff(off))[0].max()))
        assert k.num_nodes == used + 1


def test_write_edge_list_undirected_multiplicity(tmp_path):
    # Parallel edges both ways, a doubled self-loop: each undirected edge written once.
    g = sg.Graph.from_edges([0, 1, 2, 2, 0], [1, 0, 2, 2, 1], 4, weights=[1.0, 2.0, 3.0, 4.0, 0.1], directed=False)
    path = tmp_path / "u.wel"
    write_edge_list(g, path)
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]
    assert sorted(lines) == sorted(["0 1 1.0", "0 1 2.0", "0 1 0.1", "2 2 3.0", "2 2 4.0"])
    h = sg.read_graph(path, directed=False, num_nodes=4)
    assert edge_multiset(h) == edge_multiset(g)
    np.testing.assert_array_equal(h.to_scipy().toarray(), g.to_scipy().toarray())


def test_write_edge_list_formats(tmp_path):
    w = sg.Graph.from_edges([0, 1], [1, 2], weights=[0.5, 1.5])
    u = sg.Graph.from_edges([0, 1], [1, 2])
    with pytest.raises(sg.ParameterError, match="weighted"):
        write_edge_list(w, tmp_path / "a.el")  # would drop weights silently
    with pytest.raises(sg.ParameterError, match="no weights"):
        write_edge_list(u, tmp_path / "a.wel")
    with pytest.raises(sg.ParameterError, match="'mtx'"):
        write_edge_list(u, tmp_path / "a.mtx", format="mtx")
    with pytest.raises(sg.ParameterError, match="extension"):
        write_edge_list(u, tmp_path / "a.csv")
    write_edge_list(w, tmp_path / "b.dat", format="el")  # explicit: weights dropped
    h = sg.read_graph(tmp_path / "b.dat", format="el")
    assert not h.weighted and h.csr("out")[1].tolist() == [1, 2]
    write_edge_list(w, str(tmp_path / "c.txt"), format="wel")
    assert sg.read_graph(tmp_path / "c.txt", format="wel").csr("out")[2].tolist() == [0.5, 1.5]


def test_edge_list_comments_blank_lines_crlf(tmp_path):
    path = tmp_path / "snap.txt"
    path.write_bytes(
        b"\xef\xbb\xbf# Directed graph (each unordered pair of nodes is saved once)\r\n"
        b"# FromNodeId\tToNodeId\r\n% another comment\r\n\r\n0\t1\r\n  3 0  \r\n\t\r\n0 2\n1 1"
    )
    g = sg.read_graph(path)
    assert g.directed and not g.weighted and g.num_nodes == 4 and g.num_edges == 4
    off, idx, _ = g.csr("out")
    assert off.tolist() == [0, 2, 3, 3, 4] and idx.tolist() == [1, 2, 1, 0]
    u = sg.read_graph(path, directed=False, num_nodes=6)
    assert not u.directed and u.num_nodes == 6


def test_weighted_edge_list_values(tmp_path):
    path = tmp_path / "w.wel"
    path.write_text("0 1 0.1\n1 2 1e-3\n2 0 +2.5E2\n0 0 7\n")
    g = sg.read_graph(path)
    assert g.weighted
    off, idx, w = g.csr("out")
    assert off.tolist() == [0, 2, 3, 4] and idx.tolist() == [0, 1, 2, 0]
    assert w.tolist() == [7.0, 0.1, 1e-3, 250.0]
    neg = tmp_path / "neg.wel"
    neg.write_text("0 1 -2.5\n")
    h = sg.read_graph(neg, allow_negative_weights=True)
    assert h.csr("out")[2].tolist() == [-2.5]
    empty = tmp_path / "e.wel"
    empty.write_text("# nothing\n")
    e = sg.read_graph(empty)
    assert e.weighted and e.num_nodes == 0 and e.num_edges == 0


def test_large_edge_list_parallel_matches_from_edges(tmp_path):
    rng = np.random.default_rng(7)
    n, m = 5000, 300_000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.integers(1, 1000, m) / 16.0
    path = tmp_path / "big.wel"
    np.savetxt(path, np.column_stack([src, dst, w]), fmt=["%d", "%d", "%.17g"], header="big", comments="# ")
    ref = sg.Graph.from_edges(src, dst, weights=w)
    g = sg.read_graph(path)
    csr_equal(g, ref, "out")
    csr_equal(g, ref, "in")
    with sg.num_threads(1):
        one = sg.read_graph(path)
    csr_equal(g, one, "out")
    # Tiny native chunks: the same graph, and a late error keeps its true line number.
    tiny = _core.read_graph_file(os.fsencode(path), "", None, -1, False, 4096)
    csr_equal(g, sg.Graph(tiny), "out")
    bad = tmp_path / "bad.wel"
    bad.write_bytes(path.read_bytes() + b"1 2 3\n4 5 six\n7 8 -1\n")
    for chunk in (0, 4096, 100_000):
        with pytest.raises(sg.FormatError, match="'six'") as info:
            _core.read_graph_file(os.fsencode(bad), "", None, -1, False, chunk)
        assert info.value.line == m + 3  # header line + m edges + "1 2 3", then the bad line


def test_formats_by_extension_and_name(tmp_path):
    text = "0 1\n1 2\n"
    for name in ["a.el", "b.txt", "c.edges", "d.tsv", "E.EL"]:
        (tmp_path / name).write_text(text)
        assert sg.read_graph(tmp_path / name).num_edges == 2
    (tmp_path / "x.data").write_text("0 1 2\n")
    assert sg.read_graph(tmp_path / "x.data", format="wel").weighted
    assert sg.read_graph(str(tmp_path / "x.data"), format="WEL").weighted
    assert sg.read_graph(os.fsencode(tmp_path / "x.data"), format="wel").weighted
    with pytest.raises(sg.ParameterError, match="'mtx'.*'el'.*'wel'"):
        sg.read_graph(tmp_path / "x.data")
    with pytest.raises(sg.ParameterError, match="decompress"):
        sg.read_graph(tmp_path / "x.mtx.gz")
    with pytest.raises(sg.ParameterError, match="unknown graph file format 'csv'"):
        sg.read_graph(tmp_path / "x.data", format="csv")


def test_bad_arguments(tmp_path):
    p = tmp_path / "a.el"
    p.write_text("0 1\n")
    with pytest.raises(sg.ParameterError, match="path"):
        sg.read_graph(12)
    with pytest.raises(sg.ParameterError, match="num_nodes"):
        sg.read_graph(p, num_nodes=-1)
    with pytest.raises(sg.ParameterError, match="num_nodes"):
        sg.read_graph(p, num_nodes=2**31)
    with pytest.raises(sg.ParameterError, match="num_nodes"):
        sg.read_graph(p, num_nodes=2.0)
    with pytest.raises(sg.ParameterError, match="directed"):
        sg.read_graph(p, directed="yes")
    with pytest.raises(sg.ParameterError, match="format"):
        sg.read_graph(p, format=3)
    with pytest.raises(sg.ParameterError, match="NUL"):
        sg.read_graph(str(p) + "\0.mtx")
    m = tmp_path / "m.mtx"
    m.write_text("%%MatrixMarket matrix coordinate pattern general\n3 3 0\n")
    assert sg.read_graph(m, num_nodes=3).num_nodes == 3
    with pytest.raises(sg.ParameterError, match="does not match the 3 x 3"):
        sg.read_graph(m, num_nodes=4)


# -- file system errors -----------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        sg.read_graph(tmp_path / "missing.el")
    assert info.value.filename == str(tmp_path / "missing.el")
    with pytest.raises(FileNotFoundError):
        sg.read_graph(tmp_path / "nodir" / "missing.mtx")


def test_directory_and_special_files(tmp_path):
    d = tmp_path / "dir.el"
    d.mkdir()
    with pytest.raises(IsADirectoryError):
        sg.read_graph(d)
    with pytest.raises(OSError, match="not a regular file"):
        sg.read_graph("/dev/null", format="el")
    fifo = tmp_path / "pipe.el"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):  # refused at once, never waits for a writer
        sg.read_graph(fifo)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    p = tmp_path / "secret.el"
    p.write_text("0 1\n")
    p.chmod(0)
    try:
        with pytest.raises(PermissionError):
            sg.read_graph(p)
    finally:
        p.chmod(0o600)


# -- malformed files --------------------------------------------------------------------

MM = b"%%MatrixMarket matrix coordinate real general\n"
MALFORMED = [
    # (file name, contents, read_graph kwargs, message fragment, line)
    ("e.el", b"0 1\n1 x\n", {}, "expected a node id", 2),
    ("e.el", b"0 1\n# ok\n\n-4 1\n", {}, "negative node id '-4'", 4),
    ("e.el", b"0 1\n7\n", {}, "too few values: expected 2 values (u v), found 1", 2),
    ("e.el", b"0 1 2.5\n", {}, "format='wel'", 1),
    ("e.el", b"0 1\r\n2 3 4 5\r\n", {}, "found 4", 2),
    ("e.el", b"0 1.5\n", {}, "'1.5'", 1),
    ("e.el", b"0 2147483647\n", {}, "32-bit node ids", 1),
    ("e.el", b"99999999999999999999999 0\n", {}, "exceeds the maximum", 1),
    ("e.el", b"0 1\n1 5\n", {"num_nodes": 5}, "out of range for num_nodes = 5", 2),
    ("e.el", b"0 1\n\x00\x01 2\n", {}, "'\\x00\\x01'", 2),
    ("e.el", b"0 1\n1 2 # trailing comment\n", {}, "too many values", 2),
    ("w.wel", b"0 1 1\n0 1\n", {}, "expected 3 values (u v w), found 2", 2),
    ("w.wel", b"0 1 nan\n", {}, "'nan' is not finite", 1),
    ("w.wel", b"0 1 1\n1 2 inf\n", {}, "'inf' is not finite", 2),
    ("w.wel", b"0 1 1e400\n", {}, "'1e400' is not finite", 1),
    ("w.wel", b"0 1 -1\n", {}, "negative weight '-1'", 1),
    ("w.wel", b"0 1 1,5\n", {}, "expected a numeric weight, got '1,5'", 1),
    ("m.mtx", b"", {}, "empty file", 1),
    ("m.mtx", b"1 2 3\n", {}, "missing Matrix Market header", 1),
    ("m.mtx", b"%%MatrixMarket matrix coordinate real\n", {}, "expected 5 words", 1),
    ("m.mtx", b"%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n", {}, "'array'", 1),
    ("m.mtx", b"%%MatrixMarket matrix coordinate complex general\n", {}, "'complex'", 1),
    ("m.mtx", b"%%MatrixMarket matrix coordinate real hermitian\n", {}, "'hermitian'", 1),
    ("m.mtx", b"%%MatrixMarket matrix coordinate integer skew-symmetric\n", {}, "'skew-symmetric'", 1),
    ("m.mtx", b"%%MatrixMarket vector coordinate real general\n", {}, "'vector'", 1),
    ("m.mtx", b"%%MatrixMarket matrix coordinate real unknown\n", {}, "unknown symmetry", 1),
    ("m.mtx", MM + b"% c\n", {}, "missing size line", 2),
    ("m.mtx", MM + b"% c\n3 3 x\n", {}, "bad size line", 3),
    ("m.mtx", MM + b"3 3 1 1\n", {}, "bad size line", 2),
    ("m.mtx", MM + b"3 4 0\n", {}, "square", 2),
    ("m.mtx", MM + b"3 3 3\n1 1 1\n2 2 2\n", {}, "ends after 2 of the 3 entries", 4),
    ("m.mtx", MM + b"3 3 1\n1 1 1\n2 2 2\n", {}, "more entries than the 1 declared", 4),
    ("m.mtx", MM + b"3 3 2\n1 1 1\n4 1 1\n", {}, "row index '4' is outside 1..3", 4),
    ("m.mtx", MM + b"3 3 1\n1 0 1\n", {}, "column index '0' is outside 1..3", 3),
    ("m.mtx", MM + b"3 3 1\n1 1\n", {}, "expected 3 values (i j value), found 2", 3),
    ("m.mtx", MM + b"3 3 1\n1 1 -1\n", {}, "negative weight", 3),
    ("m.mtx", MM + b"3 3 1\n1 1 NaN\n", {}, "not finite", 3),
    ("m.mtx", b"%%MatrixMarket matrix coordinate pattern symmetric\n3 3 1\n2 1 5\n", {}, "no values", 3),
    ("m.mtx", b"%%MatrixMarket matrix coordinate integer general\n3 3 1\n2 1 5.5\n", {}, "integer value", 3),
]


@pytest.mark.parametrize(
    "name,data,kwargs,fragment,line", MALFORMED, ids=[f"{i}:{c[3]}" for i, c in enumerate(MALFORMED)]
)
def test_malformed_files(tmp_path, name, data, kwargs, fragment, line):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(sg.FormatError) as info:
        sg.read_graph(path, **kwargs)
    err = info.value
    assert fragment in str(err)
    assert err.line == line
    assert str(err).startswith(f"{path}:{line}: ")
    assert isinstance(err, sg.GraphError) and isinstance(err, ValueError)


def test_allow_negative_weights_in_mtx(tmp_path):
    path = tmp_path / "n.mtx"
    path.write_bytes(MM + b"2 2 1\n1 2 -3.5\n")
    g = sg.read_graph(path, allow_negative_weights=True)
    assert g.csr("out")[2].tolist() == [-3.5]


def test_mutated_files_never_crash(tmp_path):
    """Random byte edits of valid files: each read gives a Graph or a FormatError, nothing else."""
    rng = np.random.default_rng(2024)
    seeds = {
        "f.mtx": b"%%MatrixMarket matrix coordinate real symmetric\n% c\n5 5 4\n1 1 0.5\n3 2 1e1\n5 4 2\n4 1 3\n",
        "f.wel": b"# c\n0 1 0.5\n3 2 1e1\r\n\n4 4 2\n1 0 3\n",
        "f.el": b"0 1\n3 2\n% c\n4 4\n1 0\n",
    }
    alphabet = b" \t\r\n#%-+.e0123456789x\x00\xff"
    outcomes = {"ok": 0, "format": 0}
    for name, base in seeds.items():
        for trial in range(300):
            data = bytearray(base)
            for _ in range(int(rng.integers(1, 4))):
                op = int(rng.integers(0, 4))
                pos = int(rng.integers(0, len(data) + 1))
                if op == 0 and data:
                    del data[min(pos, len(data) - 1)]
                elif op == 1:
                    data.insert(pos, alphabet[int(rng.integers(0, len(alphabet)))])
                elif op == 2:
                    data = data[:pos]
                elif data:
                    data[min(pos, len(data) - 1)] = alphabet[int(rng.integers(0, len(alphabet)))]
            path = tmp_path / name
            path.write_bytes(bytes(data))
            try:
                g = sg.read_graph(path)
                assert g.num_nodes < 10**7
                outcomes["ok"] += 1
            except sg.FormatError as e:
                assert e.line >= 1
                outcomes["format"] += 1
    assert outcomes["ok"] > 50 and outcomes["format"] > 50
