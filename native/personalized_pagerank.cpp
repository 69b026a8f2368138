// Personalized PageRank for many sources at once: one pull pass serves all k rank vectors.
//
// Values are stored node-major (k per node) so one in-edge gathers k contiguous values.
// Column j computes exactly what pagerank() does with personalization e_{sources[j]}
// (same expressions, same row order, each row summed in edge order), and freezes once it converges.
#include <cmath>

#include "native/native.hpp"
#include "native/pagerank_setup.hpp"

namespace sg::native {

template <class T>
IterativeResult<T> personalized_pagerank(const Graph& g, const std::vector<int64_t>& sources, const PageRankOptions& o,
                                         std::vector<int64_t>& iters) {
  check_pagerank_options(g, o);
  if (o.personalization) fail(ErrorKind::Parameter, "personalized_pagerank takes sources, not a personalization");
  const int64_t n = g.num_nodes();
  const int64_t k = static_cast<int64_t>(sources.size());
  for (int64_t j = 0; j < k; ++j)
    if (sources[j] < 0 || sources[j] >= n)
      fail(ErrorKind::Parameter, "source {} is out of range for a graph with {} nodes", sources[j], n);
  IterativeResult<T> r;
  iters.assign(static_cast<size_t>(k), 0);
  if (n == 0 || k == 0) {
    r.converged = true;
    r.values = Array<T>(static_cast<size_t>(n * k));
    return r;
  }
  const bool weighted = o.weighted && g.weighted();
  const T alpha = static_cast<T>(o.alpha), one_minus_alpha = T(1) - alpha;
  Array<T> inv = inverse_out_degree<T>(g, weighted);
  Array<T> dangling = o.dangling ? normalized<T>(g, o.dangling, "dangling") : Array<T>();
  Array<T> start = o.nstart ? normalized<T>(g, o.nstart, "nstart") : Array<T>();

  const size_t nk = static_cast<size_t>(n * k);
  Array<T> x(nk), c(nk), c_next(nk);
  parallel_range(n, 1 << 12, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v)
      for (int64_t j = 0; j < k; ++j) {
        x[v * k + j] = o.nstart ? start[v] : T(1) / static_cast<T>(n);
        c[v * k + j] = x[v * k + j] * inv[v];
      }
  });
  const Partition& part = g.partition();
  const int64_t nb = part.num_blocks();
  std::vector<T> dsum(static_cast<size_t>(k)), err_part(static_cast<size_t>(nb * k * kLanes)),
      sink_part(err_part.size());
  for (int64_t j = 0; j < k; ++j)
    dsum[j] = blocked_sum<T>(part, [&](int64_t v) { return inv[v] == T(0) ? x[v * k + j] : T(0); });
  std::vector<char> active(static_cast<size_t>(k), 1);
  int64_t remaining = k;
  const double limit = static_cast<double>(n) * o.tol;

  g.in().visit([&](auto in) {
    for (int64_t it = 0; it < o.max_iter && remaining > 0; ++it) {
      for_each_block(part, [&](int64_t b, int64_t lo, int64_t hi) {
        std::vector<T> acc(static_cast<size_t>(k));  // per source, a row's sum in edge order (kernels/gather.hpp)
        // Residual and sink mass per source, in the lane order of core/lanes.hpp: lane l of
        // source j at [l * k + j].
        T* err = err_part.data() + b * k * kLanes;
        T* sink = sink_part.data() + b * k * kLanes;
        std::fill(err, err + k * kLanes, T(0));
        std::fill(sink, sink + k * kLanes, T(0));
        for (int64_t v = lo; v < hi; ++v) {
          const int64_t lane = ((v - lo) & (kLanes - 1)) * k;
          std::fill(acc.begin(), acc.end(), T(0));
          const int64_t e0 = in.begin(v), e1 = in.end(v);
          for (int64_t kk = e0; kk < e1; ++kk) {
            const T* cu = c.data() + static_cast<int64_t>(in.idx[kk]) * k;
            T* a = acc.data();
            if (in.w) {
              const T w = static_cast<T>(in.w[kk]);
              if (weighted)
                for (int64_t j = 0; j < k; ++j) a[j] += cu[j] * w;
              else
                for (int64_t j = 0; j < k; ++j) a[j] += cu[j];
            } else {
              for (int64_t j = 0; j < k; ++j) a[j] += cu[j];
            }
          }
          for (int64_t j = 0; j < k; ++j) {
            const size_t at = static_cast<size_t>(v * k + j);
            if (!active[j]) {
              c_next[at] = c[at];
              continue;
            }
            const T s = acc[j];
            const T p = v == sources[j] ? T(1) : T(0);
            const T d = o.dangling ? dangling[v] : p;
            const T xn = alpha * (s + dsum[j] * d) + one_minus_alpha * p;
            err[lane + j] += std::abs(xn - x[at]);
            x[at] = xn;
            c_next[at] = xn * inv[v];
            if (inv[v] == T(0)) sink[lane + j] += xn;
          }
        }
      });
      std::swap(c, c_next);
      double worst = 0;
      for (int64_t j = 0; j < k; ++j) {
        if (!active[j]) continue;
        T err = 0, sink = 0;
        for (int64_t b = 0; b < nb; ++b) {
          const T* e = err_part.data() + b * k * kLanes + j;
          const T* d = sink_part.data() + b * k * kLanes + j;
          err += (e[0] + e[k]) + (e[2 * k] + e[3 * k]);
          sink += (d[0] + d[k]) + (d[2 * k] + d[3 * k]);
        }
        dsum[j] = sink;
        iters[j] = it + 1;
        worst = std::max(worst, static_cast<double>(err));
        if (static_cast<double>(err) < limit) {
          active[j] = 0;
          --remaining;
        }
      }
      r.residuals.push_back(worst);
      r.iterations = it + 1;
    }
  });
  r.converged = remaining == 0;
  r.values = Array<T>(nk);
  parallel_range(k, 1, [&](int64_t jb, int64_t je) {
    for (int64_t j = jb; j < je; ++j)
      for (int64_t v = 0; v < n; ++v) r.values[j * n + v] = x[v * k + j];
  });
  return r;
}

template IterativeResult<double> personalized_pagerank<double>(const Graph&, const std::vector<int64_t>&,
                                                               const PageRankOptions&, std::vector<int64_t>&);
template IterativeResult<float> personalized_pagerank<float>(const Graph&, const std::vector<int64_t>&,
                                                             const PageRankOptions&, std::vector<int64_t>&);

}  // namespace sg::native
