"""stepgraph.Graph: a native CSR graph (out-CSR and in-CSR) built once, O(n + m)."""

from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional, Sequence, Tuple

import numpy as np

from stepgraph import _core
from stepgraph.errors import GraphError

__all__ = ["Graph"]

_MAX_NODES = 2**31 - 1  # 32-bit node ids (the native kMaxNodes)


def _as_bool(value: Any, name: str) -> bool:
    """A real bool (or numpy bool): a string such as "no" must not silently count as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise GraphError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _num_nodes(num_nodes: Any) -> int:
    """The declared node count, checked before anything is allocated; -1 when not given."""
    if num_nodes is None:
        return -1
    if isinstance(num_nodes, (bool, np.bool_)) or not isinstance(num_nodes, (int, np.integer)):
        raise GraphError(f"num_nodes must be an integer, got {type(num_nodes).__name__}")
    n = int(num_nodes)
    if n < 0:
        raise GraphError(f"num_nodes must be >= 0, got {n}")
    if n > _MAX_NODES:
        raise GraphError(f"num_nodes = {n} exceeds the supported maximum of {_MAX_NODES} (32-bit node ids)")
    return n


def _as_id_array(a: Any, name: str) -> np.ndarray:
    """A 1-D int32/int64 C-contiguous view of ``a``; copies only when the dtype or layout needs it."""
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise GraphError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if arr.size == 0 and arr.dtype.kind == "f":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise GraphError(f"{name} must be an integer array of node ids, got dtype {arr.dtype}")
    if arr.dtype not in (np.int32, np.int64):
        if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
            raise GraphError(f"{name} holds node ids beyond int64")
        arr = arr.astype(np.int64)
    return np.ascontiguousarray(arr)


def _as_weights(w: Any, m: int) -> Optional[np.ndarray]:
    if w is None:
        return None
    arr = np.asarray(w)
    if arr.ndim != 1:
        raise GraphError(f"weights must be 1-dimensional, got shape {arr.shape}")
    if arr.dtype.kind not in "iuf" and not (arr.size == 0):
        raise GraphError(f"weights must be numeric, got dtype {arr.dtype}")
    if arr.shape[0] != m:
        raise GraphError(f"weights has length {arr.shape[0]}, expected {m} (one per edge)")
    return np.ascontiguousarray(arr, dtype=np.float64)


class Graph:
    """A directed or undirected graph in native CSR form.

    Build with :meth:`from_edges`, :meth:`from_scipy`, :meth:`from_networkx`,
    :func:`stepgraph.read_graph` or :mod:`stepgraph.generators`. Undirected graphs
    store both directions (a self-loop once, as in the adjacency matrix); parallel
    edges are kept and add up in aggregations, as in NetworkX.
    """

    __slots__ = ("_native", "_labels", "_index")

    def __init__(self, native: _core.Graph, node_labels: Optional[Sequence[Hashable]] = None) -> None:
        if not isinstance(native, _core.Graph):
            raise GraphError("Graph() wraps a native graph; use Graph.from_edges / from_scipy / from_networkx")
        self._native = native
        self._labels: Optional[List[Hashable]] = list(node_labels) if node_labels is not None else None
        self._index: Optional[Dict[Hashable, int]] = None
        if self._labels is not None and len(self._labels) != native.num_nodes:
            raise GraphError(f"{len(self._labels)} node labels for {native.num_nodes} nodes")

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_edges(
        cls,
        src: Any,
        dst: Any,
        num_nodes: Optional[int] = None,
        weights: Any = None,
        directed: bool = True,
        *,
        allow_negative_weights: bool = False,
        wide_offsets: bool = False,
    ) -> Graph:
        """Graph with edges ``src[i] -> dst[i]``; int32/int64 arrays are read without a copy.

        ``num_nodes`` defaults to ``max id + 1``. ``weights`` (one float per edge) must be
        finite and, unless ``allow_negative_weights``, non-negative.
        """
        s = _as_id_array(src, "src")
        d = _as_id_array(dst, "dst")
        if s.shape[0] != d.shape[0]:
            raise GraphError(f"src and dst have different lengths ({s.shape[0]} and {d.shape[0]})")
        if s.dtype != d.dtype:
            s, d = s.astype(np.int64), d.astype(np.int64)
        w = _as_weights(weights, s.shape[0])
        n = _num_nodes(num_nodes)
        native = _core.graph_from_edges(
            s,
            d,
            w,
            n,
            _as_bool(directed, "directed"),
            _as_bool(allow_negative_weights, "allow_negative_weights"),
            _as_bool(wide_offsets, "wide_offsets"),
        )
        return cls(native)

    @classmethod
    def from_scipy(cls, matrix: Any, directed: bool = True, **kwargs: Any) -> Graph:
        """Graph from a square scipy sparse matrix: entry (i, j) is an edge i -> j with its value as weight.

        With ``directed=False`` the matrix is read as an undirected edge list (each stored
        entry is one undirected edge), so pass one triangle of a symmetric matrix.
        """
        import scipy.sparse as sp

        if not sp.issparse(matrix):
            raise GraphError(f"from_scipy expects a scipy sparse matrix, got {type(matrix).__name__}")
        if matrix.shape[0] != matrix.shape[1]:
            raise GraphError(f"adjacency matrix must be square, got shape {matrix.shape}")
        coo = matrix.tocoo()
        weights = None if coo.dtype == bool else coo.data
        return cls.from_edges(coo.row, coo.col, num_nodes=matrix.shape[0], weights=weights, directed=directed, **kwargs)

    @classmethod
    def from_networkx(
        cls,
        G: Any,
        weight: Optional[str] = "weight",
        *,
        allow_negative_weights: bool = False,
        wide_offsets: bool = False,
    ) -> Graph:
        """Graph from a NetworkX (Multi)(Di)Graph, keeping its node labels (``g.node_labels``).

        Edges carry ``weight`` (missing values count 1, as in NetworkX) when any edge has it.
        The direction comes from ``G.is_directed()``.
        """
        if not all(callable(getattr(G, attr, None)) for attr in ("nodes", "edges", "is_directed")):
            raise GraphError(f"from_networkx expects a networkx graph, got {type(G).__name__}")
        labels = list(G.nodes())
        index = {u: i for i, u in enumerate(labels)}
        edges = list(G.edges(data=weight, default=None)) if weight is not None else list(G.edges())
        m = len(edges)
        src = np.fromiter((index[e[0]] for e in edges), dtype=np.int64, count=m)
        dst = np.fromiter((index[e[1]] for e in edges), dtype=np.int64, count=m)
        weights = None
        if weight is not None and any(e[2] is not None for e in edges):
            try:
                weights = np.fromiter((1.0 if e[2] is None else float(e[2]) for e in edges), dtype=np.float64, count=m)
            except (TypeError, ValueError) as exc:
                raise GraphError(f"edge attribute {weight!r} must be numeric: {exc}") from None
        native = _core.graph_from_edges(
            src,
            dst,
            weights,
            len(labels),
            bool(G.is_directed()),
            _as_bool(allow_negative_weights, "allow_negative_weights"),
            _as_bool(wide_offsets, "wide_offsets"),
        )
        return cls(native, labels)

    # -- properties ---------------------------------------------------------------------
    @property
    def num_nodes(self) -> int:
        return int(self._native.num_nodes)

    @property
    def num_edges(self) -> int:
        """Edges as given (an undirected edge counts once)."""
        return int(self._native.num_edges)

    @property
    def directed(self) -> bool:
        return bool(self._native.directed)

    @property
    def weighted(self) -> bool:
        return bool(self._native.weighted)

    @property
    def node_labels(self) -> Optional[List[Hashable]]:
        """Original node labels (from_networkx), or None when nodes are 0..n-1."""
        return self._labels

    def node_index(self, label: Hashable) -> int:
        """The node id of a label (or of an integer node id when the graph has no labels)."""
        if self._labels is None:
            if (
                isinstance(label, (int, np.integer))
                and not isinstance(label, bool)
                and 0 <= int(label) < self.num_nodes
            ):
                return int(label)
            raise GraphError(f"node {label!r} is not in the graph (ids are 0..{self.num_nodes - 1})")
        if self._index is None:
            self._index = {u: i for i, u in enumerate(self._labels)}
        try:
            return self._index[label]
        except (KeyError, TypeError):
            raise GraphError(f"node {label!r} is not in the graph") from None

    def out_degree(self, weighted: bool = False) -> np.ndarray:
        """Out-degree per node (int64), or the sum of out-edge weights (float64) when ``weighted``."""
        return self._native.degree(False, bool(weighted))

    def in_degree(self, weighted: bool = False) -> np.ndarray:
        """In-degree per node (int64), or the sum of in-edge weights (float64) when ``weighted``."""
        return self._native.degree(True, bool(weighted))

    def csr(self, direction: str = "out") -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
        """Copies of one CSR: (offsets int64, indices int32, weights float64 or None)."""
        if direction not in ("out", "in"):
            raise GraphError(f"direction must be 'out' or 'in', got {direction!r}")
        return self._native.csr(direction == "in")

    def to_scipy(self) -> Any:
        """The adjacency matrix as a scipy CSR array (parallel edges summed)."""
        import scipy.sparse as sp

        off, idx, w = self.csr("out")
        data = np.ones(idx.shape[0]) if w is None else w
        return sp.csr_array((data, idx, off), shape=(self.num_nodes, self.num_nodes))

    def to_dict(self, values: Any) -> Dict[Hashable, Any]:
        """Map a per-node result (array or Result) to ``{node label: value}``."""
        arr = np.asarray(getattr(values, "values", values))
        if arr.shape[-1:] != (self.num_nodes,):
            raise GraphError(f"values of shape {arr.shape} do not match {self.num_nodes} nodes")
        labels = self._labels if self._labels is not None else range(self.num_nodes)
        return {u: arr[..., i].item() if arr.ndim == 1 else arr[..., i] for i, u in enumerate(labels)}

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        w = ", weighted" if self.weighted else ""
        return f"Graph({self.num_nodes} nodes, {self.num_edges} edges, {kind}{w})"
