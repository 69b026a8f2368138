// Bindings of the native twins other than PageRank: components, label propagation, BFS, SSSP, degree centrality.
#include "native/native.hpp"
#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {

// Run f() without the GIL (interruptible by Ctrl-C) and hand its Array to numpy without a copy.
template <class F>
auto released(F&& f) {
  return to_numpy(interruptible(std::forward<F>(f)));
}

}  // namespace

void bind_native_traversal(py::module_& m) {
  m.def(
      "connected_components", [](const Graph& g) { return released([&] { return native::connected_components(g); }); },
      py::arg("graph"), "Weak components; label = smallest node id (int64).");
  m.def(
      "label_propagation",
      [](const Graph& g, int64_t max_iter) {
        native::Labels r = interruptible([&] { return native::label_propagation(g, max_iter); });
        py::dict d;
        d["iterations"] = r.iterations;
        d["converged"] = r.converged;
        d["values"] = to_numpy(std::move(r.values));
        return d;
      },
      py::arg("graph"), py::arg("max_iter"), "{values: int64 labels, iterations, converged}.");
  m.def(
      "bfs", [](const Graph& g, int64_t source) { return released([&] { return native::bfs(g, source); }); },
      py::arg("graph"), py::arg("source"), "Hop levels from source (int64, -1 unreachable).");
  m.def(
      "sssp", [](const Graph& g, int64_t source) { return released([&] { return native::sssp(g, source); }); },
      py::arg("graph"), py::arg("source"), "Shortest-path distances from source (float64, inf unreachable).");
  m.def(
      "degree_centrality", [](const Graph& g) { return released([&] { return native::degree_centrality(g); }); },
      py::arg("graph"), "Degree / (n - 1) (float64).");
}

}  // namespace sg::py_bind
