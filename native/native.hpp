// The hand-written native twins: the yardstick every builder algorithm is measured against.
#pragma once
#include <cstdint>
#include <vector>

#include "core/array.hpp"
#include "graph/graph.hpp"

namespace sg::native {

template <class T>
struct IterativeResult {
  Array<T> values;
  int64_t iterations = 0;
  bool converged = false;
  std::vector<double> residuals;  // one per iteration
};

struct PageRankOptions {
  double alpha = 0.85;
  int64_t max_iter = 100;
  double tol = 1e-6;
  const double* personalization = nullptr;  // length n, >= 0, not all zero; nullptr: uniform
  const double* nstart = nullptr;           // length n; nullptr: uniform
  const double* dangling = nullptr;         // length n; nullptr: the personalization vector
  bool weighted = true;                     // use edge weights when the graph has them
};

// NetworkX's pagerank contract; one fused pass over the in-CSR per iteration.
template <class T>
IterativeResult<T> pagerank(const Graph& g, const PageRankOptions& opts);

// One personalized PageRank per source, computed together (node-major, k values per node).
// values has k * n entries, source-major: values[j * n + v]. Each source runs until its own
// residual converges (and is then frozen), so column j equals pagerank with personalization
// e_{sources[j]}. iterations_per_source receives each source's iteration count.
template <class T>
IterativeResult<T> personalized_pagerank(const Graph& g, const std::vector<int64_t>& sources,
                                         const PageRankOptions& opts, std::vector<int64_t>& iterations_per_source);

struct Labels {
  Array<int64_t> values;
  int64_t iterations = 0;
  bool converged = true;
};

Array<int64_t> connected_components(const Graph& g);         // weak; label = smallest node id
Labels label_propagation(const Graph& g, int64_t max_iter);  // synchronous, ties to smallest label
Array<int64_t> bfs(const Graph& g, int64_t source);          // hop levels, -1 unreachable
Array<double> sssp(const Graph& g, int64_t source);          // distances, inf unreachable
Array<double> degree_centrality(const Graph& g);

// Power iterations with NetworkX's contracts (native/centrality.cpp); nstart: length n or nullptr.
struct PowerOptions {
  int64_t max_iter = 100;
  double tol = 1e-6;
  const double* nstart = nullptr;
  bool weighted = true;  // use edge weights when the graph has them
};

struct HitsResult {
  Array<double> hubs, authorities;
  int64_t iterations = 0;
  bool converged = false;
  std::vector<double> residuals;
};

// Authorities by power iteration on A^T A, scaled to max 1 each step, until the L1 change < tol;
// hubs = A a. normalized: both scaled to sum 1 (else as iterated).
HitsResult hits(const Graph& g, const PowerOptions& opts, bool normalized);
// x <- (A^T + I) x, scaled to unit L2 norm, until the L1 change < n * tol.
IterativeResult<double> eigenvector_centrality(const Graph& g, const PowerOptions& opts);

struct KatzOptions {
  PowerOptions power;
  double alpha = 0.1;
  double beta = 1.0;
  const double* beta_vec = nullptr;  // per-node beta (length n) instead of the scalar
  bool normalized = true;
};
// x <- alpha A^T x + beta from zeros (or nstart), until the L1 change < n * tol; then unit L2 norm.
IterativeResult<double> katz_centrality(const Graph& g, const KatzOptions& opts);

// Core numbers by Batagelj-Zaversnik bucket peeling; degree = in + out for directed graphs.
// Self-loops are refused (ErrorKind::Graph), as NetworkX refuses them.
Array<int64_t> core_number(const Graph& g);

}  // namespace sg::native
