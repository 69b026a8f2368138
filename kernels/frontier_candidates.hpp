// The candidates of a frontier iteration, shared by the push and pull steps (kernels/frontier.cpp,
// kernels/frontier_pull.cpp) and the frontier bookkeeping (kernels/frontier_sets.cpp): what an
// edge contributes, G, the traversal's CSRs and the frontier's value range. Internal to kernels/.
#pragma once
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "core/parallel.hpp"
#include "kernels/frame.hpp"
#include "kernels/frontier.hpp"
#include "kernels/wrapping.hpp"

namespace sg::kernels::frontier_detail {

constexpr int64_t kFlush = 1024;  // a push's per-task buffer of newly changed nodes
// A push from at most kSerialPushNodes nodes over at most kSerialEdges edges runs on the calling
// thread; larger ones are shared even when small: each edge's load of x is a cache miss on a
// graph without locality, and a second thread overlaps them.
constexpr int64_t kSerialPushNodes = 256;
constexpr int64_t kSerialEdges = 4096;
constexpr int64_t kSerialNodes = 4096;  // a snapshot of fewer nodes runs on the calling thread
constexpr int64_t kSplitRowNodes = 64;  // a parallel push from fewer nodes shares their rows by edges
constexpr int64_t kAlpha = 15, kBeta = 18;

enum EdgeKind { kPlain, kAddWeight, kAddOne };

inline bool test_bit(const Word* bits, int64_t v) { return (bits[v >> 6] >> (v & 63)) & 1; }
inline int64_t words_of(int64_t n) { return (n + 63) / 64; }

// The CSRs a push follows from a frontier node: the aggregation's edges, reversed.
template <class F>
void for_push_csrs(const FrontierKernel& k, F&& f) {
  const Graph& g = *k.g;
  if (k.dir == Direction::Both) {
    f(g.out());
    if (g.directed()) f(g.in());
  } else {
    f(k.dir == Direction::In ? g.out() : g.in());
  }
}

// f(views...) with the typed views of the push CSRs, dispatched once for a whole loop over nodes:
// one view, or the out- and in-CSR's (direction Both on a directed graph), so that a loop
// visiting both loads each node's value once.
template <class F>
void with_push_views(const FrontierKernel& k, F&& f) {
  const Graph& g = *k.g;
  if (k.dir == Direction::Both && g.directed())
    visit_pair(g.out(), g.in(), [&](auto out, auto in) { f(out, in); });
  else
    (k.dir == Direction::Out ? g.in() : g.out()).visit([&](auto view) { f(view); });
}

// A node's push edges, summed over the views with_push_views gives (inlined where a per-node call
// with its CSR dispatch would cost as much as the node's own work).
template <class... Views>
int64_t push_degree_in(int64_t v, const Views&... views) {
  return (views.degree(v) + ...);
}

template <class T, bool kMin, int kEdge>
struct Candidates {
  static constexpr bool kIsMin = kMin;
  static constexpr int kEdgeKind = kEdge;
  const FrontierKernel& k;
  T identity() const {
    if constexpr (std::is_floating_point_v<T>)
      return kMin ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity();
    else
      return kMin ? std::numeric_limits<T>::max() : std::numeric_limits<T>::lowest();
  }
  T opposite() const {  // the worst value there is: the far end from the identity
    if constexpr (std::is_floating_point_v<T>)
      return -identity();
    else
      return kMin ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  static bool better(T a, T b) { return kMin ? a < b : b < a; }  // a replaces b (never a NaN)
  T edge(T xu, const double* w, int64_t e) const {
    if constexpr (kEdge == kAddWeight) return static_cast<T>(xu + static_cast<T>(w[e]));
    if constexpr (kEdge == kAddOne) return wrap_add(xu, T(1));
    return xu;
  }
  T shift(T c) const { return apply_shifts(c, k.shifts.data(), k.shifts.size()); }
  // G over shifts a caller keeps in registers (the vector's fields are reloaded after every atomic).
  static T apply_shifts(T c, const Shift* shifts, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      const T v = static_cast<T>(shifts[i].s);
      c = shifts[i].sub ? wrap_sub(c, v) : shifts[i].scalar_first ? wrap_add(v, c) : wrap_add(c, v);
    }
    return c;
  }
};

// Lowers (raises) x[v] to c if c is better; true if this call changed it, from `prev`.
template <class T, bool kMin>
bool improve(T* x, int64_t v, T c, T& prev) {
  __atomic_load(&x[v], &prev, __ATOMIC_RELAXED);
  while (kMin ? c < prev : prev < c)
    if (__atomic_compare_exchange(&x[v], &prev, &c, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return true;
  return false;
}

template <class T, bool kMin>
bool improve(T* x, int64_t v, T c) {
  T prev;
  return improve<T, kMin>(x, v, c, prev);
}

inline int64_t push_degree(const FrontierKernel& k, int64_t v) {
  int64_t d = 0;
  for_push_csrs(k, [&](const Csr& c) { d += c.row_begin(v + 1) - c.row_begin(v); });
  return d;
}

// f(Candidates<T, kMin, kEdge>{k}) for the kernel's dtype, combine and edge.
template <class F>
void with_candidates(const FrontierKernel& k, F&& f) {
  const bool weighted = k.g->weighted();
  const int kind = k.edge == EdgeOp::AddWeight ? (weighted ? kAddWeight : kAddOne) : kPlain;
  with_dtype(k.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (!std::is_same_v<T, uint8_t>) {
      auto by_edge = [&](auto min_tag) {
        constexpr bool kMin = decltype(min_tag)::value;
        if (kind == kAddWeight) return f(Candidates<T, kMin, kAddWeight>{k});
        if (kind == kAddOne) return f(Candidates<T, kMin, kAddOne>{k});
        return f(Candidates<T, kMin, kPlain>{k});
      };
      if (k.is_min)
        by_edge(std::true_type{});
      else
        by_edge(std::false_type{});
    }
  });
}

// f(u, i) for the frontier's nodes (i: the position in its list, or -1), in parallel chunks
// folding an accumulator: acc = f(acc, u, i).
template <class Acc, class F, class Join>
Acc fold_frontier(const Frontier& f, int64_t n, Acc init, F&& fn, Join&& join) {
  auto listed = [&](int64_t lo, int64_t hi, Acc acc) {
    for (int64_t i = lo; i < hi; ++i) acc = fn(acc, f.list[i], i);
    return acc;
  };
  if (f.listed && f.size < kSerialNodes) return listed(0, f.size, init);
  if (f.listed)
    return tbb::parallel_reduce(
        tbb::blocked_range<int64_t>(0, f.size, 4096), init,
        [&](const tbb::blocked_range<int64_t>& r, Acc acc) { return listed(r.begin(), r.end(), acc); }, join);
  return tbb::parallel_reduce(
      tbb::blocked_range<int64_t>(0, words_of(n), 256), init,
      [&](const tbb::blocked_range<int64_t>& r, Acc acc) {
        for (int64_t w = r.begin(); w != r.end(); ++w)
          for (Word b = f.bits[w]; b; b &= b - 1) acc = fn(acc, w * 64 + __builtin_ctzll(b), int64_t{-1});
        return acc;
      },
      join);
}

// The best and the worst of the frontier's values (the identity and its opposite if none). With
// `snap`, each is also copied there as the iteration begins, before any store: for a push
// (compact) at snap[i] for the list's i-th node, read in list order; for a pull at snap[u].
template <class T, bool kMin, int kEdge>
std::pair<T, T> value_range(const Candidates<T, kMin, kEdge>& c, const Frontier& f, int64_t n, T* snap = nullptr,
                            bool compact = false) {
  const T* x = reinterpret_cast<const T*>(c.k.x);
  using Range = std::pair<T, T>;
  auto join = [&](Range a, Range b) {
    return Range{c.better(b.first, a.first) ? b.first : a.first, c.better(a.second, b.second) ? b.second : a.second};
  };
  return fold_frontier(
      f, n, Range{c.identity(), c.opposite()},
      [&](Range acc, int64_t u, int64_t i) {
        const T xu = x[u];
        if (snap) snap[compact ? i : u] = xu;
        return join(acc, {xu, xu});
      },
      join);
}

}  // namespace sg::kernels::frontier_detail
