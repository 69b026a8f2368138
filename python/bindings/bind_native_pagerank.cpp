// Bindings of the native PageRank twins: dense float64 inputs in, numpy results out.
#include <optional>
#include <string>

#include <pybind11/stl.h>

#include "native/native.hpp"
#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {

struct VectorArgs {
  std::optional<py::array_t<double>> personalization, nstart, dangling;
};

const double* optional_vector(const py::object& obj, const char* name, int64_t n,
                              std::optional<py::array_t<double>>& keep) {
  if (obj.is_none()) return nullptr;
  keep = checked_vector<double>(obj, name, n);
  return keep->data();
}

native::PageRankOptions options(const Graph& g, double alpha, int64_t max_iter, double tol, const py::object& pers,
                                const py::object& nstart, const py::object& dangling, bool weighted, VectorArgs& keep) {
  native::PageRankOptions o;
  o.alpha = alpha;
  o.max_iter = max_iter;
  o.tol = tol;
  o.weighted = weighted;
  o.personalization = optional_vector(pers, "personalization", g.num_nodes(), keep.personalization);
  o.nstart = optional_vector(nstart, "nstart", g.num_nodes(), keep.nstart);
  o.dangling = optional_vector(dangling, "dangling", g.num_nodes(), keep.dangling);
  return o;
}

template <class T>
py::dict to_dict(native::IterativeResult<T>&& r) {
  py::dict d;
  d["iterations"] = r.iterations;
  d["converged"] = r.converged;
  d["residuals"] = r.residuals;
  d["values"] = to_numpy(std::move(r.values));
  return d;
}

bool is_float32(const std::string& dtype) {
  if (dtype == "float64") return false;
  if (dtype == "float32") return true;
  fail(ErrorKind::Parameter, "dtype must be 'float64' or 'float32', got '{}'", dtype);
}

}  // namespace

void bind_native_pagerank(py::module_& m) {
  m.def(
      "pagerank",
      [](const Graph& g, double alpha, int64_t max_iter, double tol, py::object pers, py::object nstart,
         py::object dangling, bool weighted, const std::string& dtype) {
        VectorArgs keep;
        auto o = options(g, alpha, max_iter, tol, pers, nstart, dangling, weighted, keep);
        if (is_float32(dtype)) {
          native::IterativeResult<float> r;
          r = interruptible([&] { return native::pagerank<float>(g, o); });
          return to_dict(std::move(r));
        }
        native::IterativeResult<double> r;
        r = interruptible([&] { return native::pagerank<double>(g, o); });
        return to_dict(std::move(r));
      },
      py::arg("graph"), py::arg("alpha"), py::arg("max_iter"), py::arg("tol"), py::arg("personalization"),
      py::arg("nstart"), py::arg("dangling"), py::arg("weighted"), py::arg("dtype"));

  m.def(
      "personalized_pagerank",
      [](const Graph& g, const std::vector<int64_t>& sources, double alpha, int64_t max_iter, double tol,
         py::object nstart, py::object dangling, bool weighted, const std::string& dtype) {
        VectorArgs keep;
        auto o = options(g, alpha, max_iter, tol, py::none(), nstart, dangling, weighted, keep);
        std::vector<int64_t> iters;
        auto finish = [&](auto&& r) {
          py::dict d = to_dict(std::move(r));
          d["iterations_per_source"] = iters;
          return d;
        };
        if (is_float32(dtype)) {
          native::IterativeResult<float> r;
          r = interruptible([&] { return native::personalized_pagerank<float>(g, sources, o, iters); });
          return finish(std::move(r));
        }
        native::IterativeResult<double> r;
        r = interruptible([&] { return native::personalized_pagerank<double>(g, sources, o, iters); });
        return finish(std::move(r));
      },
      py::arg("graph"), py::arg("sources"), py::arg("alpha"), py::arg("max_iter"), py::arg("tol"), py::arg("nstart"),
      py::arg("dangling"), py::arg("weighted"), py::arg("dtype"));
}

}  // namespace sg::py_bind
