// HITS, eigenvector and Katz centrality: power iterations with NetworkX's contracts.
//
// Each step is a pull over a CSR (row sums in edge order, kernels/gather.hpp) followed by its
// elementwise epilogue; every reduction (max, L1 change, L2 norm, sum) folds in the lane order
// of core/lanes.hpp, blocks left to right, as the builder programs in
// stepgraph.algorithms.centrality do, so twin and builder agree to rounding at any thread count.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "kernels/gather.hpp"
#include "native/native.hpp"

namespace sg::native {

namespace {

void check_power(const Graph& g, const PowerOptions& o) {
  if (o.max_iter < 0) fail(ErrorKind::Parameter, "max_iter must be >= 0, got {}", o.max_iter);
  if (!(o.tol >= 0.0) || !std::isfinite(o.tol))
    fail(ErrorKind::Parameter, "tol must be finite and >= 0, got {}", o.tol);
  if (o.nstart)
    for (int64_t v = 0; v < g.num_nodes(); ++v)
      if (!std::isfinite(o.nstart[v])) fail(ErrorKind::Parameter, "nstart[{}] = {} is not finite", v, o.nstart[v]);
}

// out[v] = sum over v's row of csr of x[u] (times the edge weight when weighted), in edge order.
void pull(const Graph& g, const Csr& csr, bool weighted, const double* x, double* out) {
  csr.visit([&](auto c) {
    const double* w = weighted ? c.w : nullptr;
    for_each_block(g.partition(), [&](int64_t, int64_t lo, int64_t hi) {
      for (int64_t v = lo; v < hi; ++v) {
        if (w)
          out[v] = row_sum<double>(c.begin(v), c.end(v), [&](int64_t k) { return x[c.idx[k]] * w[k]; });
        else
          out[v] = row_sum<double>(c.begin(v), c.end(v), [&](int64_t k) { return x[c.idx[k]]; });
      }
    });
  });
}

// fold(acc, f(v)) over the nodes in lane order per block, blocks combined left to right by `combine`.
template <class F, class Fold, class Combine>
double fold_nodes(const Graph& g, double init, F&& f, Fold&& fold, Combine&& combine) {
  const Partition& p = g.partition();
  std::vector<double> partials(static_cast<size_t>(p.num_blocks()));
  for_each_block(p, [&](int64_t b, int64_t lo, int64_t hi) {
    double lane[kLanes] = {init, init, init, init};
    for_each_lane(lo, hi, [&](int64_t v, auto k) { lane[k] = fold(lane[k], f(v)); });
    partials[b] = combine_lanes(lane, combine);
  });
  return combine_in_order(partials.data(), p.num_blocks(), init, combine);
}

double sum_of(const Graph& g, const double* x) {
  auto add = [](double a, double b) { return a + b; };
  return fold_nodes(
      g, 0.0, [&](int64_t v) { return x[v]; }, add, add);
}
double l1_change(const Graph& g, const double* x, const double* last) {
  auto add = [](double a, double b) { return a + b; };
  return fold_nodes(
      g, 0.0, [&](int64_t v) { return x[v] - last[v]; }, [](double a, double d) { return a + std::abs(d); }, add);
}
double l2_norm(const Graph& g, const double* x) {
  auto add = [](double a, double b) { return a + b; };
  return std::sqrt(fold_nodes(
      g, 0.0, [&](int64_t v) { return x[v]; }, [](double a, double y) { return a + y * y; }, add));
}
double max_of(const Graph& g, const double* x) {
  auto mx = [](double a, double b) { return a < b ? b : a; };
  return fold_nodes(
      g, -std::numeric_limits<double>::infinity(), [&](int64_t v) { return x[v]; }, mx, mx);
}

template <class F>
void for_nodes(const Graph& g, F&& f) {
  parallel_range(g.num_nodes(), 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) f(v);
  });
}

// x0 = nstart, divided by its sum when `by_sum` (HITS, eigenvector); without nstart, `fill` everywhere.
Array<double> start_vector(const Graph& g, const double* nstart, bool by_sum, double fill) {
  const int64_t n = g.num_nodes();
  Array<double> x(static_cast<size_t>(n));
  if (!nstart) {
    parallel_fill(x.data(), n, fill);
  } else if (!by_sum) {
    for_nodes(g, [&](int64_t v) { x[v] = nstart[v]; });
  } else {
    const double s = sum_of(g, nstart);
    if (s == 0.0) fail(ErrorKind::Parameter, "nstart sums to zero; it needs a nonzero sum");
    for_nodes(g, [&](int64_t v) { x[v] = nstart[v] / s; });
  }
  return x;
}

// The loop of every power iteration here: step() writes the next iterate into `next` (reading x)
// and returns its L1 change; the buffers swap, and the loop stops once that change is < limit.
template <class R, class Step>
void iterate(R& r, Array<double>& x, Array<double>& next, int64_t max_iter, double limit, Step&& step) {
  for (int64_t it = 0; it < max_iter; ++it) {
    const double err = step();
    std::swap(x, next);
    r.residuals.push_back(err);
    r.iterations = it + 1;
    if (err < limit) {
      r.converged = true;
      break;
    }
  }
}

}  // namespace

HitsResult hits(const Graph& g, const PowerOptions& o, bool normalized) {
  check_power(g, o);
  HitsResult r;
  const int64_t n = g.num_nodes();
  if (n == 0) {
    r.converged = true;
    return r;
  }
  const bool weighted = o.weighted && g.weighted();
  Array<double> x = start_vector(g, o.nstart, /*by_sum=*/true, 1.0 / static_cast<double>(n));
  Array<double> y(static_cast<size_t>(n)), z(static_cast<size_t>(n));
  iterate(r, x, z, o.max_iter, o.tol, [&] {
    pull(g, g.out(), weighted, x.data(), y.data());  // y = A x
    pull(g, g.in(), weighted, y.data(), z.data());   // z = A^T y
    const double mx = max_of(g, z.data());
    for_nodes(g, [&](int64_t v) { z[v] = z[v] / mx; });
    return l1_change(g, z.data(), x.data());
  });
  // hubs = A a; NetworkX scales both to sum 1, or (normalized=False) a to unit L2 norm first.
  if (!normalized) {
    const double norm = l2_norm(g, x.data());
    for_nodes(g, [&](int64_t v) { x[v] = x[v] / norm; });
  }
  pull(g, g.out(), weighted, x.data(), y.data());
  if (normalized) {
    const double sa = sum_of(g, x.data()), sh = sum_of(g, y.data());
    for_nodes(g, [&](int64_t v) {
      x[v] = x[v] / sa;
      y[v] = y[v] / sh;
    });
  }
  r.authorities = std::move(x);
  r.hubs = std::move(y);
  return r;
}

IterativeResult<double> eigenvector_centrality(const Graph& g, const PowerOptions& o) {
  check_power(g, o);
  const int64_t n = g.num_nodes();
  if (n == 0) fail(ErrorKind::Graph, "eigenvector_centrality is not defined for the null graph (no nodes)");
  const bool weighted = o.weighted && g.weighted();
  IterativeResult<double> r;
  Array<double> x = start_vector(g, o.nstart, /*by_sum=*/true, 1.0 / static_cast<double>(n));
  Array<double> next(static_cast<size_t>(n));
  iterate(r, x, next, o.max_iter, static_cast<double>(n) * o.tol, [&] {
    pull(g, g.in(), weighted, x.data(), next.data());  // (A^T + I) x
    for_nodes(g, [&](int64_t v) { next[v] = x[v] + next[v]; });
    const double norm = l2_norm(g, next.data());
    const double scale = norm == 0.0 ? 1.0 : norm;  // NetworkX: `norm or 1`
    for_nodes(g, [&](int64_t v) { next[v] = next[v] / scale; });
    return l1_change(g, next.data(), x.data());
  });
  r.values = std::move(x);
  return r;
}

IterativeResult<double> katz_centrality(const Graph& g, const KatzOptions& o) {
  check_power(g, o.power);
  if (!std::isfinite(o.alpha)) fail(ErrorKind::Parameter, "alpha must be finite, got {}", o.alpha);
  if (!o.beta_vec && !std::isfinite(o.beta)) fail(ErrorKind::Parameter, "beta must be finite, got {}", o.beta);
  const int64_t n = g.num_nodes();
  if (o.beta_vec)
    for (int64_t v = 0; v < n; ++v)
      if (!std::isfinite(o.beta_vec[v])) fail(ErrorKind::Parameter, "beta[{}] = {} is not finite", v, o.beta_vec[v]);
  IterativeResult<double> r;
  if (n == 0) {
    r.converged = true;
    return r;
  }
  const bool weighted = o.power.weighted && g.weighted();
  Array<double> x = start_vector(g, o.power.nstart, /*by_sum=*/false, 0.0);
  Array<double> next(static_cast<size_t>(n));
  iterate(r, x, next, o.power.max_iter, static_cast<double>(n) * o.power.tol, [&] {
    pull(g, g.in(), weighted, x.data(), next.data());  // alpha A^T x + beta
    for_nodes(g, [&](int64_t v) { next[v] = o.alpha * next[v] + (o.beta_vec ? o.beta_vec[v] : o.beta); });
    return l1_change(g, next.data(), x.data());
  });
  if (o.normalized) {
    const double norm = l2_norm(g, x.data());
    const double s = norm == 0.0 ? 1.0 : 1.0 / norm;  // NetworkX: x * (1 / hypot(x)), 1 if zero
    for_nodes(g, [&](int64_t v) { x[v] = x[v] * s; });
  }
  r.values = std::move(x);
  return r;
}

}  // namespace sg::native
