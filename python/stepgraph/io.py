"""Graph files: native readers for Matrix Market and SNAP-style edge lists, and an edge-list writer.

``read_graph`` reads and parses natively (in parallel, with the GIL released) and builds the
CSR with the same code as :meth:`stepgraph.Graph.from_edges`. Formats:

* ``mtx``: Matrix Market ``coordinate`` with field ``pattern`` (unweighted), ``real`` or
  ``integer`` (float64 weights) and symmetry ``general`` (a directed graph) or ``symmetric``
  (an undirected graph; each stored entry is one undirected edge, a diagonal entry a self-loop,
  whichever triangle it is stored in).
* ``el``: ``u v`` per line; ``wel``: ``u v w`` per line. Ids are 0-based; ``#`` and ``%``
  comment lines and blank lines are skipped; CRLF line endings are fine.

Every malformed file raises :class:`stepgraph.FormatError` whose ``line`` is the 1-based line
of the first problem; a missing file raises :class:`FileNotFoundError`.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Optional, Union

import numpy as np

from stepgraph import _core
from stepgraph.errors import ParameterError
from stepgraph.graph import Graph

__all__ = ["read_graph", "write_edge_list", "FORMATS"]

logger = logging.getLogger(__name__)

PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

#: The format names accepted by ``format=``.
FORMATS = ("mtx", "el", "wel")

_EDGE_LIST_EXTENSIONS = {".el": "el", ".txt": "el", ".edges": "el", ".tsv": "el", ".wel": "wel"}
_MAX_NODES = 2**31 - 1


def _fspath(path: PathArg) -> Union[str, bytes]:
    try:
        return os.fspath(path)
    except TypeError:
        raise ParameterError(f"path must be a str, bytes or os.PathLike, got {type(path).__name__}") from None


def _format_name(format: Optional[str]) -> str:
    if format is None:
        return ""
    if not isinstance(format, str):
        raise ParameterError(f"format must be one of {FORMATS} or None, got {type(format).__name__}")
    name = format.lower().lstrip(".")
    if name not in FORMATS:
        raise ParameterError(f"unknown graph file format {format!r}; choose one of {', '.join(map(repr, FORMATS))}")
    return name


def read_graph(
    path: PathArg,
    format: Optional[str] = None,
    directed: Optional[bool] = None,
    num_nodes: Optional[int] = None,
    allow_negative_weights: bool = False,
) -> Graph:
    """Read a graph file into a :class:`stepgraph.Graph`.

    Args:
        path: the file (str, bytes or path-like).
        format: ``"mtx"``, ``"el"`` or ``"wel"``; by default from the extension (``.mtx``;
            ``.el``, ``.txt``, ``.edges``, ``.tsv``; ``.wel``).
        directed: by default edge lists and ``general`` matrices give directed graphs and
            ``symmetric`` matrices undirected ones. ``False`` reads each line / entry as one
            undirected edge; ``True`` on a symmetric matrix stores both directions of each
            off-diagonal entry (the expanded matrix, as ``scipy.io.mmread`` returns it).
        num_nodes: edge lists: the node count (ids must be below it; default max id + 1).
            Matrix Market: if given, it must equal the matrix size.
        allow_negative_weights: keep negative weights instead of raising FormatError.

    Raises:
        FormatError: a malformed file; ``.line`` is the 1-based line of the first problem.
        ParameterError: an unknown format or extension, or an invalid argument.
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: the file cannot be read
            (pipes and devices are refused: only regular files are read).
    """
    p = _fspath(path)
    fmt = _format_name(format)
    if directed is not None and not isinstance(directed, (bool, np.bool_)):
        raise ParameterError(f"directed must be True, False or None, got {directed!r}")
    n = -1
    if num_nodes is not None:
        if isinstance(num_nodes, (bool, np.bool_)) or not isinstance(num_nodes, (int, np.integer)):
            raise ParameterError(f"num_nodes must be an integer, got {type(num_nodes).__name__}")
        n = int(num_nodes)
        if n < 0 or n > _MAX_NODES:
            raise ParameterError(f"num_nodes must be in 0..{_MAX_NODES} (32-bit node ids), got {n}")
    encoded = os.fsencode(p)
    if b"\0" in encoded:
        raise ParameterError(f"path contains a NUL byte: {p!r}")
    start = time.perf_counter()
    native = _core.read_graph_file(
        encoded,
        fmt,
        None if directed is None else bool(directed),
        n,
        bool(allow_negative_weights),
    )
    graph = Graph(native)
    logger.debug("read_graph %s: %r in %.3f s", os.fsdecode(p), graph, time.perf_counter() - start)
    return graph


def _write_format(path: Union[str, bytes], format: Optional[str], weighted: bool) -> str:
    if format is not None:
        name = _format_name(format)
        if name == "mtx":
            raise ParameterError("write_edge_list writes 'el' or 'wel' files, not 'mtx'")
        if name == "wel" and not weighted:
            raise ParameterError("format='wel' needs a weighted graph (this one has no weights)")
        return name
    ext = os.path.splitext(os.fsdecode(path))[1].lower()
    found = _EDGE_LIST_EXTENSIONS.get(ext)
    if found is None:
        raise ParameterError(
            f"cannot tell the edge-list format of {os.fsdecode(path)!r} from its extension; "
            "use .el / .txt / .edges / .tsv or .wel, or pass format='el' or 'wel'"
        )
    if found == "wel" and not weighted:
        raise ParameterError(f"{os.fsdecode(path)!r} is a weighted edge list but the graph has no weights")
    if found == "el" and weighted:
        raise ParameterError(
            f"the graph is weighted but {os.fsdecode(path)!r} is an unweighted edge list; "
            "write a .wel file, or pass format='el' to drop the weights"
        )
    return found


def write_edge_list(graph: Graph, path: PathArg, format: Optional[str] = None) -> None:
    """Write ``graph`` as an edge list (``u v`` or ``u v w`` lines, 0-based ids) from its out-CSR.

    Directed graphs write every edge in CSR order. Undirected graphs write each undirected
    edge once (the stored direction with ``u <= v``), so parallel edges and self-loops keep
    their multiplicity and ``read_graph(path, directed=False)`` gives the same graph back.
    Weights are written in their shortest exact (round-trip) form. A leading ``#`` comment
    records the node count; pass ``num_nodes`` when reading back a graph with isolated
    trailing nodes.

    Args:
        graph: the graph to write.
        path: the file; the format comes from its extension (``.wel`` weighted; ``.el``,
            ``.txt``, ``.edges``, ``.tsv`` unweighted) unless ``format`` is given.
        format: ``"el"`` or ``"wel"``; ``"el"`` on a weighted graph drops the weights.
    """
    if not isinstance(graph, Graph):
        raise ParameterError(f"write_edge_list expects a stepgraph.Graph, got {type(graph).__name__}")
    p = _fspath(path)
    fmt = _write_format(p, format, graph.weighted)
    off, idx, w = graph.csr("out")
    src = np.repeat(np.arange(graph.num_nodes, dtype=np.int64), np.diff(off))
    dst = idx.astype(np.int64)
    if not graph.directed:
        keep = src <= dst
        src, dst = src[keep], dst[keep]
        w = None if w is None else w[keep]
    weights = w if fmt == "wel" else None
    kind = "directed" if graph.directed else "undirected"
    chunk = 1 << 16
    with open(p, "w", encoding="ascii", newline="\n") as f:
        f.write(f"# stepgraph edge list: {graph.num_nodes} nodes, {src.shape[0]} edges, {kind}\n")
        for b in range(0, src.shape[0], chunk):
            us, vs = src[b : b + chunk].tolist(), dst[b : b + chunk].tolist()
            if weights is None:
                f.write("".join(f"{u} {v}\n" for u, v in zip(us, vs)))
            else:
                ws = weights[b : b + chunk].tolist()
                f.write("".join(f"{u} {v} {x!r}\n" for u, v, x in zip(us, vs, ws)))
    logger.debug("write_edge_list %s: %d edges (%s)", os.fsdecode(p), src.shape[0], fmt)
