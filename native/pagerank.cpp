// Native PageRank (NetworkX's contract): one fused pull pass over the in-CSR per iteration.
//
// Per window of a block: gather the contributions c[u] = x[u] / outdeg(u) of each node's
// in-neighbors (over the sliced in-CSR, graph/sliced_csr.hpp); then per node v: new rank
// = alpha * (sum + dangling_sum * dw[v]) + (1 - alpha) * p[v], and in the same pass the L1
// residual, the next iteration's contribution, and the next dangling (sink) mass (both folded
// in the lane order of core/lanes.hpp, as the builder's reductions are), two nodes per vector
// op (0.89-0.96x of the scalar loop's iteration time, paired A/B on uniform(200k) and rmat(18)).
// x is updated in place (only v reads x[v]); c is double-buffered.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/gather.hpp"
#include "kernels/select.hpp"
#include "native/native.hpp"
#include "native/pagerank_setup.hpp"

namespace sg::native {

namespace {

// A per-node vector or one value for every node (uniform teleport / dangling weights).
template <class T>
struct NodeValue {
  const T* vec = nullptr;
  T scalar = 0;
};

// Two float64 lanes: SSE2's width, so this portable build (no -march) gets packed ops; 4-wide
// vector types lower to scalar compares and branches without AVX.
typedef double D2 __attribute__((vector_size(16)));
typedef int64_t M2 __attribute__((vector_size(16)));

inline D2 load2(const double* p) {
  D2 x;
  std::memcpy(&x, p, sizeof x);
  return x;
}
inline void store2(double* p, D2 x) { std::memcpy(p, &x, sizeof x); }
inline D2 splat2(double x) { return D2{x, x}; }
inline D2 bits_and(D2 x, M2 m) { return reinterpret_cast<D2>(reinterpret_cast<M2>(x) & m); }

// The epilogue over rows [w0, w1) four at a time, as lanes 0-1 and 2-3 (each reduction lane
// folds the rows the scalar loop gives it, bit for bit); the sink mass by a mask, which costs an
// AND, not a branch. Returns the first row it left to the scalar loop.
template <bool kTeleVec, bool kDanglingVec>
int64_t epilogue_by4(int64_t w0, int64_t w1, const double* __restrict sums, double a, double dsum, NodeValue<double> dw,
                     NodeValue<double> tele, const double* __restrict invp, double* __restrict xp,
                     double* __restrict cout, double* err, double* sink) {
  const D2 zero = splat2(0.0), av = splat2(a), dsv = splat2(dsum);
  const D2 d_scalar = splat2(dsum * dw.scalar), t_scalar = splat2(tele.scalar);
  const M2 abs_mask = {INT64_MAX, INT64_MAX};
  D2 e[2] = {load2(err), load2(err + 2)}, k[2] = {load2(sink), load2(sink + 2)};
  int64_t v = w0;
  for (; v + 4 <= w1; v += 4) {
    for (int h = 0; h < 2; ++h) {
      const int64_t u = v + 2 * h;
      const D2 dm = kDanglingVec ? dsv * load2(dw.vec + u) : d_scalar;
      const D2 t = kTeleVec ? load2(tele.vec + u) : t_scalar;
      const D2 xn = av * (load2(sums + (u - w0)) + dm) + t;
      e[h] = e[h] + bits_and(xn - load2(xp + u), abs_mask);
      store2(xp + u, xn);
      const D2 inv = load2(invp + u);
      store2(cout + u, xn * inv);
      k[h] = k[h] + bits_and(xn, inv == zero);
    }
  }
  store2(err, e[0]);
  store2(err + 2, e[1]);
  store2(sink, k[0]);
  store2(sink + 2, k[1]);
  return v;
}

template <class T, bool kWeighted, bool kTeleVec, bool kDanglingVec, bool kSinkMask>
void iterate(const Graph& g, const SlicedCsr& sliced, T alpha, NodeValue<T> tele, NodeValue<T> dw, const T* inv, T* x,
             T*& c, T*& c_next, T& dangling_sum, int64_t max_iter, double tol, IterativeResult<T>& r) {
  const Partition& part = g.partition();
  const int64_t nb = part.num_blocks();
  std::vector<T> err_part(static_cast<size_t>(nb)), sink_part(static_cast<size_t>(nb));
  const double limit = static_cast<double>(g.num_nodes()) * tol;
  for (int64_t it = 0; it < max_iter; ++it) {
    const T* cc = c;
    T* cn = c_next;
    const T dsum = dangling_sum;
    for_each_block(part, [&, cc, cn, dsum](int64_t b, int64_t lo, int64_t hi) {
      // Locals (not captured references) so the compiler keeps them in registers across stores.
      const T* __restrict cin = cc;
      const T* __restrict invp = inv;
      T* __restrict xp = x;
      T* __restrict cout = cn;
      const T a = alpha, d_scalar = dsum * dw.scalar, t_scalar = tele.scalar;
      T err[kLanes] = {}, sink[kLanes] = {};  // the reductions' lanes (core/lanes.hpp)
      const SlicedView sv = sliced.view(part, b);
      const int32_t* __restrict src = sv.src;
      const double* __restrict w = sv.w;
      // A window's gathers (sliced, so many loads in flight), then its epilogue in node order.
      T sums[kSortWindow];
      for (int64_t w0 = lo; w0 < hi; w0 += kSortWindow) {
        const int64_t w1 = std::min(hi, w0 + kSortWindow);
        sliced_row_sums<T>(
            sliced_rows(sv, lo, hi, w0, w1),
            [&](int64_t k) {
              if constexpr (kWeighted)
                return cin[src[k]] * static_cast<T>(w[k]);
              else
                return cin[src[k]];
            },
            sums);
        // Lanes by (v - lo) mod 4 as for_each_lane(lo, hi) folds them: windows start at multiples of 4.
        int64_t v0 = w0;
        if constexpr (std::is_same_v<T, double>)
          v0 = epilogue_by4<kTeleVec, kDanglingVec>(w0, w1, sums, a, dsum, dw, tele, invp, xp, cout, err, sink);
        for_each_lane(v0, w1, [&](int64_t v, auto lane) {
          const T s = sums[v - w0];
          const T dm = kDanglingVec ? dsum * dw.vec[v] : d_scalar;
          const T t = kTeleVec ? tele.vec[v] : t_scalar;
          const T xn = a * (s + dm) + t;
          err[lane] += std::abs(xn - xp[v]);
          xp[v] = xn;
          cout[v] = xn * invp[v];
          if constexpr (kSinkMask)
            sink[lane] += kernels::select(invp[v] == T(0), xn, T(0));
          else if (invp[v] == T(0))
            sink[lane] += xn;
        });
      }
      auto add = [](T p, T q) { return p + q; };
      err_part[b] = combine_lanes(err, add);
      sink_part[b] = combine_lanes(sink, add);
    });
    std::swap(c, c_next);
    auto plus = [](T a, T b) { return a + b; };
    const T err = combine_in_order(err_part.data(), nb, T(0), plus);
    dangling_sum = combine_in_order(sink_part.data(), nb, T(0), plus);
    r.residuals.push_back(static_cast<double>(err));
    r.iterations = it + 1;
    if (static_cast<double>(err) < limit) {
      r.converged = true;
      return;
    }
  }
}

}  // namespace

template <class T>
IterativeResult<T> pagerank(const Graph& g, const PageRankOptions& o) {
  check_pagerank_options(g, o);
  IterativeResult<T> r;
  const int64_t n = g.num_nodes();
  if (n == 0) {
    r.converged = true;
    return r;
  }
  const bool weighted = o.weighted && g.weighted();
  const T alpha = static_cast<T>(o.alpha);
  const T one_minus_alpha = T(1) - alpha;

  // Loop invariants: 1/outdeg, teleport (1 - alpha) * p, dangling weights.
  Array<T> inv = inverse_out_degree<T>(g, weighted);
  Array<T> p, tele_vec, dangling_vec;
  NodeValue<T> tele, dw;
  if (o.personalization) {
    p = normalized<T>(g, o.personalization, "personalization");
    tele_vec = Array<T>(static_cast<size_t>(n));
    for (int64_t v = 0; v < n; ++v) tele_vec[v] = one_minus_alpha * p[v];
    tele.vec = tele_vec.data();
    dw.vec = p.data();
  } else {
    const T uniform = T(1) / static_cast<T>(n);
    tele.scalar = one_minus_alpha * uniform;
    dw.scalar = uniform;
  }
  if (o.dangling) {
    dangling_vec = normalized<T>(g, o.dangling, "dangling");
    dw = NodeValue<T>{dangling_vec.data(), 0};
  }

  r.values = o.nstart ? normalized<T>(g, o.nstart, "nstart") : Array<T>(static_cast<size_t>(n));
  if (!o.nstart) parallel_fill(r.values.data(), n, T(1) / static_cast<T>(n));
  T* x = r.values.data();
  Array<T> c0(static_cast<size_t>(n)), c1(static_cast<size_t>(n));
  parallel_range(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) c0[v] = x[v] * inv[v];
  });
  T dangling_sum = blocked_sum<T>(g.partition(), [&](int64_t v) { return inv[v] == T(0) ? x[v] : T(0); });
  T* c = c0.data();
  T* c_next = c1.data();

  // The scalar loop (float32, and a float64 block's last rows) folds sinks with a branch when
  // they are rare (or nearly all nodes): the branch is then predicted. Otherwise a mask, a few
  // instructions per node but no mispredictions (scalar float64, before epilogue_by4:
  // uniform(200k) 5 % faster by branch; rmat(18), 43 % sinks, 7 % faster by mask).
  const int64_t sinks = blocked_sum<int64_t>(g.partition(), [&](int64_t v) { return int64_t{inv[v] == T(0)}; });
  const bool sink_mask = !kernels::branch_predictable(sinks, n);
  const SlicedCsr& sliced = g.sliced(true);
  {
    const bool tv = tele.vec != nullptr, dv = dw.vec != nullptr;
    auto run = [&](auto weighted_c, auto tele_c, auto dangling_c, auto mask_c) {
      iterate<T, decltype(weighted_c)::value, decltype(tele_c)::value, decltype(dangling_c)::value,
              decltype(mask_c)::value>(g, sliced, alpha, tele, dw, inv.data(), x, c, c_next, dangling_sum, o.max_iter,
                                       o.tol, r);
    };
    auto with_mask = [&](auto w, auto t, auto d) {
      if (sink_mask)
        run(w, t, d, std::true_type{});
      else
        run(w, t, d, std::false_type{});
    };
    using F = std::false_type;
    using Tr = std::true_type;
    if (weighted) {
      if (tv)
        dv ? with_mask(Tr{}, Tr{}, Tr{}) : with_mask(Tr{}, Tr{}, F{});
      else
        dv ? with_mask(Tr{}, F{}, Tr{}) : with_mask(Tr{}, F{}, F{});
    } else {
      if (tv)
        dv ? with_mask(F{}, Tr{}, Tr{}) : with_mask(F{}, Tr{}, F{});
      else
        dv ? with_mask(F{}, F{}, Tr{}) : with_mask(F{}, F{}, F{});
    }
  }
  return r;
}

template IterativeResult<double> pagerank<double>(const Graph&, const PageRankOptions&);
template IterativeResult<float> pagerank<float>(const Graph&, const PageRankOptions&);

}  // namespace sg::native
