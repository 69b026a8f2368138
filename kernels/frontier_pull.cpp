// The frontier pull step (kernels/frontier.hpp), generic over the value type, min / max and the
// edge's contribution; the push is kernels/frontier.cpp (a file each: both are instantiated for
// every candidate type, and apart they compile in parallel).
#include "kernels/frontier_candidates.hpp"

namespace sg::kernels {

using namespace frontier_detail;

namespace {

template <class T, bool kMin, int kEdge>
void pull(const Candidates<T, kMin, kEdge>& c, Frontier& cur, Frontier& next) {
  const Graph& g = *c.k.g;
  const int64_t n = g.num_nodes();
  // Every candidate is at least `low` (G and the edge's addition are monotone): a node already
  // there cannot improve, and a node's search stops when it finds `low`.
  const auto [first_value, last_value] =
      cur.uniform ? std::pair<T, T>{cur.value.get<T>(), cur.value.get<T>()} : value_range(c, cur, n);
  // All candidates alike (BFS: one level): the first frontier neighbor found gives the best one,
  // so no values need be read.
  const bool alike = kEdge != kAddWeight && first_value == last_value;
  if (!alike) value_range(c, cur, n, reinterpret_cast<T*>(c.k.snap), false);
  if (!cur.has_bits) mark_frontier(cur);
  T low = first_value;
  if constexpr (kEdge == kAddWeight) low = static_cast<T>(low + static_cast<T>(c.k.weight_bound));
  if constexpr (kEdge == kAddOne) low = wrap_add(low, T(1));
  low = c.shift(low);
  bool bounded = true;
  if constexpr (std::is_floating_point_v<T>)
    if (low != low) {
      low = c.opposite();  // inf - inf: no bound, search every row fully
      bounded = false;
    }
  T* x = reinterpret_cast<T*>(c.k.x);
  const T* snap = reinterpret_cast<const T*>(c.k.snap);
  const Word* front = cur.bits.data();
  const bool two = c.k.dir == Direction::Both && g.directed();
  // Nodes known to be no worse than an earlier bound no better than `low` are skipped unread
  // (BFS: every node reached in an earlier level); the set is rebuilt under a better bound.
  Reached* reached = c.k.reached;
  Word* done_bits = reached ? reached->bits.data() : nullptr;
  const T below = reached ? reached->below.get<T>() : T{};
  const bool keep = reached && reached->valid && !c.better(low, below);
  const Csr& in = c.k.dir == Direction::Out ? g.out() : g.in();
  // One word of 64 nodes. Everything the loops read is a local or a by-value parameter, so it
  // stays in a register; alike is compile-time, so an edge costs a load and a bit test (whether a
  // second CSR is read is a test per node, which predicts perfectly).
  auto sweep_word = [&](int64_t w, auto a, auto b, auto alike_tag) -> int64_t {
    constexpr bool kAlike = decltype(alike_tag)::value;
    const bool second = two;
    T* const xs = x;
    const Word* const fr = front;
    const T lo = low;
    Word word = 0;
    Word done = keep ? done_bits[w] : 0;
    const int64_t last = std::min<int64_t>(64, n - w * 64);
    const Word nodes = last == 64 ? ~Word{0} : (Word{1} << last) - 1;
    for (Word todo = nodes & ~done; todo; todo &= todo - 1) {
      const int64_t v = w * 64 + __builtin_ctzll(todo);
      const T xv = xs[v];
      if (!c.better(lo, xv)) {
        done |= Word{1} << (v & 63);
        continue;
      }
      T best = c.identity();
      auto scan = [&](const auto& view) {
        for (int64_t e = view.begin(v), end = view.end(v); e < end; ++e) {
          const node_t u = view.idx[e];
          if (!test_bit(fr, u)) continue;
          if constexpr (kAlike) {
            best = lo;
            return;
          } else {
            const T cand = c.shift(c.edge(snap[u], view.w, e));
            if (!c.better(cand, best)) continue;
            best = cand;
            if (!c.better(lo, best)) return;
          }
        }
      };
      scan(a);
      if (second && c.better(lo, best)) scan(b);
      if (c.better(best, xv)) {
        xs[v] = best;
        word |= Word{1} << (v & 63);
        if (!c.better(lo, best)) done |= Word{1} << (v & 63);
      }
    }
    next.bits[w] = word;
    if (done_bits) done_bits[w] = done;
    return __builtin_popcountll(word);
  };
  auto sweep = [&](auto a, auto b, auto alike_tag) {
    return tbb::parallel_reduce(
        tbb::blocked_range<int64_t>(0, words_of(n), 16), int64_t{0},
        [&](const tbb::blocked_range<int64_t>& r, int64_t changed) {
          for (int64_t w = r.begin(); w != r.end(); ++w) changed += sweep_word(w, a, b, alike_tag);
          return changed;
        },
        [](int64_t p, int64_t q) { return p + q; });
  };
  // `in` and the out-CSR (read only when two): one pair of view types per offset width.
  next.size = visit_pair(in, g.out(), [&](auto a, auto b) -> int64_t {
    if constexpr (kEdge != kAddWeight)
      if (alike) return sweep(a, b, std::true_type{});
    return sweep(a, b, std::false_type{});
  });
  next.listed = false;
  next.has_bits = true;
  next.clean = next.size == 0;
  next.uniform = false;
  if (alike && bounded) next.set_uniform(low);  // each node it changed took `low`
  if (reached) {
    reached->valid = true;
    reached->below.set(low);
  }
}

}  // namespace

void frontier_pull(const FrontierKernel& k, Frontier& cur, Frontier& next) {
  with_candidates(k, [&](auto c) { pull(c, cur, next); });
}

}  // namespace sg::kernels
