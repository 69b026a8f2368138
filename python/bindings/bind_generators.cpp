// stepgraph._core generators: rmat / uniform / grid built natively (edges never cross to Python), GIL released, Ctrl-C
// honoured.
#include "graph/generators.hpp"
#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

void bind_generators(py::module_& m) {
  m.def(
      "generate_rmat",
      [](int64_t scale, int64_t edge_factor, double a, double b, double c, uint64_t seed, bool directed, bool weighted,
         bool permute) {
        RmatOptions o;
        o.scale = scale;
        o.edge_factor = edge_factor;
        o.a = a;
        o.b = b;
        o.c = c;
        o.seed = seed;
        o.directed = directed;
        o.weighted = weighted;
        o.permute = permute;
        return interruptible([&] { return rmat(o); });
      },
      py::arg("scale"), py::arg("edge_factor"), py::arg("a"), py::arg("b"), py::arg("c"), py::arg("seed"),
      py::arg("directed"), py::arg("weighted"), py::arg("permute"));

  m.def(
      "generate_uniform",
      [](int64_t num_nodes, int64_t num_edges, uint64_t seed, bool directed, bool weighted) {
        UniformOptions o;
        o.num_nodes = num_nodes;
        o.num_edges = num_edges;
        o.seed = seed;
        o.directed = directed;
        o.weighted = weighted;
        return interruptible([&] { return uniform(o); });
      },
      py::arg("num_nodes"), py::arg("num_edges"), py::arg("seed"), py::arg("directed"), py::arg("weighted"));

  m.def(
      "generate_grid",
      [](int64_t rows, int64_t cols, bool weighted, uint64_t seed) {
        GridOptions o;
        o.rows = rows;
        o.cols = cols;
        o.weighted = weighted;
        o.seed = seed;
        return interruptible([&] { return grid(o); });
      },
      py::arg("rows"), py::arg("cols"), py::arg("weighted"), py::arg("seed"));
}

}  // namespace sg::py_bind
