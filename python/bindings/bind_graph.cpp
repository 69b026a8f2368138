// stepgraph._core.Graph: construction from numpy edge arrays, properties, degrees, CSR copies.
#include <optional>

#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {

template <class Id>
GraphPtr build(const py::handle& src_obj, const py::handle& dst_obj, const py::object& weights, int64_t num_nodes,
               const BuildOptions& opts) {
  auto src = checked_vector<Id>(src_obj, "src", -1, ErrorKind::Graph);
  auto dst = checked_vector<Id>(dst_obj, "dst", src.size(), ErrorKind::Graph);
  const int64_t m = src.size();
  std::optional<py::array_t<double>> w;
  if (!weights.is_none()) w = checked_vector<double>(weights, "weights", m, ErrorKind::Graph);
  const double* wp = w ? w->data() : nullptr;
  return interruptible([&] { return Graph::from_edges<Id>(src.data(), dst.data(), wp, m, num_nodes, opts); });
}

py::object csr_arrays(const Graph& g, bool incoming) {
  const Csr& c = g.csr(incoming);
  Array<int64_t> off(static_cast<size_t>(c.num_rows) + 1);
  for (int64_t v = 0; v <= c.num_rows; ++v) off[v] = c.row_begin(v);
  Array<node_t> idx(static_cast<size_t>(c.nnz));
  std::copy(c.idx.begin(), c.idx.end(), idx.begin());
  py::object w = py::none();
  if (!c.w.empty() || g.weighted()) {
    Array<double> wc(static_cast<size_t>(c.nnz));
    std::copy(c.w.begin(), c.w.end(), wc.begin());
    w = to_numpy(std::move(wc));
  }
  return py::make_tuple(to_numpy(std::move(off)), to_numpy(std::move(idx)), w);
}

}  // namespace

void bind_graph(py::module_& m) {
  py::class_<Graph, GraphPtr>(m, "Graph")
      .def_property_readonly("num_nodes", &Graph::num_nodes)
      .def_property_readonly("num_edges", &Graph::num_edges)
      .def_property_readonly("directed", &Graph::directed)
      .def_property_readonly("weighted", &Graph::weighted)
      .def_property_readonly("has_negative_weights", &Graph::has_negative_weights)
      .def_property_readonly("wide_offsets", [](const Graph& g) { return g.out().wide; })
      .def_property_readonly("num_blocks", [](const Graph& g) { return g.partition().num_blocks(); })
      .def(
          "nnz", [](const Graph& g, bool incoming) { return g.csr(incoming).nnz; }, py::arg("incoming"))
      .def(
          "degree",
          [](const Graph& g, bool incoming, bool weighted) -> py::object {
            if (weighted) return to_numpy(g.degree_weights(incoming));
            return to_numpy(g.degree_counts(incoming));
          },
          py::arg("incoming"), py::arg("weighted"))
      .def("csr", &csr_arrays, py::arg("incoming"));

  m.def(
      "graph_from_edges",
      [](py::handle src, py::handle dst, py::object weights, int64_t num_nodes, bool directed,
         bool allow_negative_weights, bool wide_offsets) {
        BuildOptions opts{directed, allow_negative_weights, wide_offsets};
        if (!py::isinstance<py::array>(src)) fail(ErrorKind::Graph, "src must be a numpy array");
        auto dtype = py::reinterpret_borrow<py::array>(src).dtype();
        if (dtype.is(py::dtype::of<int32_t>())) return build<int32_t>(src, dst, weights, num_nodes, opts);
        if (dtype.is(py::dtype::of<int64_t>())) return build<int64_t>(src, dst, weights, num_nodes, opts);
        fail(ErrorKind::Graph, "src must have dtype int32 or int64, got {}", std::string(py::str(dtype)));
      },
      py::arg("src"), py::arg("dst"), py::arg("weights"), py::arg("num_nodes"), py::arg("directed"),
      py::arg("allow_negative_weights") = false, py::arg("wide_offsets") = false);
}

}  // namespace sg::py_bind
