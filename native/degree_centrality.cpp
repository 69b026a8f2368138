// Degree centrality: degree * (1 / (n - 1)), computed as NetworkX does so the results match bitwise.
//
// Directed: in-degree + out-degree. Undirected: the CSR row count, so a self-loop counts once
// (NetworkX counts it twice). n == 1 gives [1.0] (as NetworkX); n == 0 an empty array.
#include <cstdint>

#include "core/parallel.hpp"
#include "native/native.hpp"

namespace sg::native {

Array<double> degree_centrality(const Graph& g) {
  const int64_t n = g.num_nodes();
  Array<double> centrality(static_cast<size_t>(n));
  if (n == 1) centrality[0] = 1.0;
  if (n <= 1) return centrality;
  const double scale = 1.0 / (static_cast<double>(n) - 1.0);
  g.out().visit([&](auto out) {
    g.in().visit([&](auto in) {
      const bool both = g.directed();
      parallel_range(n, 1 << 14, [&](int64_t b, int64_t e) {
        for (int64_t v = b; v < e; ++v) {
          const int64_t degree = out.degree(v) + (both ? in.degree(v) : 0);
          centrality[v] = static_cast<double>(degree) * scale;
        }
      });
    });
  });
  return centrality;
}

}  // namespace sg::native
