// Validation and loop invariants shared by native PageRank and personalized PageRank.
#pragma once
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "native/native.hpp"

namespace sg::native {

inline void check_pagerank_options(const Graph& g, const PageRankOptions& o) {
  if (!(o.alpha >= 0.0 && o.alpha < 1.0)) fail(ErrorKind::Parameter, "alpha must be in [0, 1), got {}", o.alpha);
  if (o.max_iter < 0) fail(ErrorKind::Parameter, "max_iter must be >= 0, got {}", o.max_iter);
  if (!(o.tol >= 0.0) || !std::isfinite(o.tol))
    fail(ErrorKind::Parameter, "tol must be finite and >= 0, got {}", o.tol);
  if (o.weighted && g.weighted() && g.has_negative_weights())
    fail(ErrorKind::Parameter, "pagerank needs non-negative edge weights; this graph has negative weights");
}

// v / sum(v) with sum in the graph's fixed block order; names the first bad entry.
template <class T>
Array<T> normalized(const Graph& g, const double* v, const char* name) {
  const int64_t n = g.num_nodes();
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) fail(ErrorKind::Parameter, "{}[{}] = {} is not finite", name, i, v[i]);
    if (v[i] < 0) fail(ErrorKind::Parameter, "{}[{}] = {} is negative", name, i, v[i]);
  }
  const T sum = blocked_sum<T>(g.partition(), [&](int64_t i) { return static_cast<T>(v[i]); });
  if (!(sum > 0)) fail(ErrorKind::Parameter, "{} sums to zero; it needs a positive entry", name);
  Array<T> out(static_cast<size_t>(n));
  parallel_range(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = static_cast<T>(v[i]) / sum;
  });
  return out;
}

// 1 / (weighted) out-degree, 0 for sinks (the dangling nodes).
template <class T>
Array<T> inverse_out_degree(const Graph& g, bool weighted) {
  const int64_t n = g.num_nodes();
  Array<double> deg = weighted ? g.degree_weights(false) : Array<double>();
  Array<int64_t> cnt = weighted ? Array<int64_t>() : g.degree_counts(false);
  for (int64_t v = 0; weighted && v < n; ++v)
    if (!std::isfinite(deg[v])) fail(ErrorKind::Parameter, "the out-edge weights of node {} sum to infinity", v);
  Array<T> inv(static_cast<size_t>(n));
  parallel_range(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) {
      const T d = weighted ? static_cast<T>(deg[v]) : static_cast<T>(cnt[v]);
      inv[v] = d == T(0) ? T(0) : T(1) / d;
    }
  });
  return inv;
}

}  // namespace sg::native
