// Bindings of the native centrality twins (HITS, eigenvector, Katz) and core numbers.
#include <optional>

#include <pybind11/stl.h>

#include "native/native.hpp"
#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {

// nullptr for None, else the checked float64 vector (kept alive by `keep`).
const double* optional_vector(const py::object& obj, const char* name, int64_t n,
                              std::optional<py::array_t<double>>& keep) {
  if (obj.is_none()) return nullptr;
  keep = checked_vector<double>(obj, name, n);
  return keep->data();
}

py::dict to_dict(native::IterativeResult<double>&& r) {
  py::dict d;
  d["iterations"] = r.iterations;
  d["converged"] = r.converged;
  d["residuals"] = r.residuals;
  d["values"] = to_numpy(std::move(r.values));
  return d;
}

}  // namespace

void bind_native_centrality(py::module_& m) {
  m.def(
      "hits",
      [](const Graph& g, int64_t max_iter, double tol, const py::object& nstart, bool normalized, bool weighted) {
        std::optional<py::array_t<double>> keep;
        native::PowerOptions o{max_iter, tol, optional_vector(nstart, "nstart", g.num_nodes(), keep), weighted};
        native::HitsResult r = interruptible([&] { return native::hits(g, o, normalized); });
        py::dict d;
        d["iterations"] = r.iterations;
        d["converged"] = r.converged;
        d["residuals"] = r.residuals;
        d["hubs"] = to_numpy(std::move(r.hubs));
        d["authorities"] = to_numpy(std::move(r.authorities));
        return d;
      },
      py::arg("graph"), py::arg("max_iter"), py::arg("tol"), py::arg("nstart"), py::arg("normalized"),
      py::arg("weighted"), "{hubs, authorities, iterations, converged, residuals}.");
  m.def(
      "eigenvector_centrality",
      [](const Graph& g, int64_t max_iter, double tol, const py::object& nstart, bool weighted) {
        std::optional<py::array_t<double>> keep;
        native::PowerOptions o{max_iter, tol, optional_vector(nstart, "nstart", g.num_nodes(), keep), weighted};
        return to_dict(interruptible([&] { return native::eigenvector_centrality(g, o); }));
      },
      py::arg("graph"), py::arg("max_iter"), py::arg("tol"), py::arg("nstart"), py::arg("weighted"),
      "{values, iterations, converged, residuals}.");
  m.def(
      "katz_centrality",
      [](const Graph& g, double alpha, double beta, const py::object& beta_vec, int64_t max_iter, double tol,
         const py::object& nstart, bool normalized, bool weighted) {
        std::optional<py::array_t<double>> keep_nstart, keep_beta;
        native::KatzOptions o;
        o.power = {max_iter, tol, optional_vector(nstart, "nstart", g.num_nodes(), keep_nstart), weighted};
        o.alpha = alpha;
        o.beta = beta;
        o.beta_vec = optional_vector(beta_vec, "beta", g.num_nodes(), keep_beta);
        o.normalized = normalized;
        return to_dict(interruptible([&] { return native::katz_centrality(g, o); }));
      },
      py::arg("graph"), py::arg("alpha"), py::arg("beta"), py::arg("beta_vector"), py::arg("max_iter"), py::arg("tol"),
      py::arg("nstart"), py::arg("normalized"), py::arg("weighted"), "{values, iterations, converged, residuals}.");
  m.def(
      "core_number", [](const Graph& g) { return to_numpy(interruptible([&] { return native::core_number(g); })); },
      py::arg("graph"), "Core numbers (int64); self-loops raise GraphError.");
}

}  // namespace sg::py_bind
