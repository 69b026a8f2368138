// Frontier push and pull steps (kernels/frontier.hpp), generic over the value type, min / max
// and the edge's contribution.
#include "kernels/frontier_candidates.hpp"

namespace sg::kernels {

using namespace frontier_detail;

namespace {

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

template <class T, bool kMin, int kEdge>
void push(const Candidates<T, kMin, kEdge>& c, Frontier& cur, Frontier& next) {
  // A uniform frontier's values are known: nothing to snapshot (a BFS level's random loads).
  if (!cur.uniform) {
    const auto [first, last] = value_range(c, cur, c.k.g->num_nodes(), reinterpret_cast<T*>(c.k.snap), true);
    if (first == last) cur.set_uniform(first);
  }
  const bool uniform = cur.uniform;
  const T value = cur.value.get<T>();
  // One candidate for every edge: a node changes at most once, so the next frontier is listed
  // without bits (no random bit stores now, none to clear later) and is uniform again.
  const bool single = uniform && kEdge != kAddWeight;
  T single_candidate{};
  if constexpr (kEdge != kAddWeight) single_candidate = c.shift(c.edge(value, nullptr, 0));
  T* x = reinterpret_cast<T*>(c.k.x);
  const T* snap = reinterpret_cast<const T*>(c.k.snap);
  std::atomic<int64_t> tail{0}, scout{0};
  // The next frontier's push edges (Beamer's scout) matter only if they could pass the pull
  // threshold: else each reached node's degree lookup (a random load) is skipped, and the scout
  // is bounded by its size times the largest degree (grids, roads: never near the threshold).
  const int64_t max_degree = std::max<int64_t>(c.k.max_push_degree, 1);
  const bool counting = cur.scout > c.k.pull_threshold / max_degree;
  // Newly changed nodes gather in a per-task sink, appended to next's list a block at a time.
  struct Sink {
    node_t buffer[kFlush];
    int64_t count = 0, scout = 0;
  };
  auto flush = [&](Sink& sink) {
    std::copy(sink.buffer, sink.buffer + sink.count,
              next.list.data() + tail.fetch_add(sink.count, std::memory_order_relaxed));
    sink.count = 0;
  };
  auto finish = [&](Sink& sink) {
    if (sink.count) flush(sink);
    scout.fetch_add(sink.scout, std::memory_order_relaxed);
  };
  // Edges first .. end - 1 of one row of `view`, from a node holding xu (its candidate `shifted`
  // when edges add nothing); `degree(v)` is v's push edges (the scout). On the calling thread
  // alone (a small frontier) the plain loads and stores do what the atomics do.
  auto relax = [&](auto view, T xu, T shifted, int64_t first, int64_t end, Sink& sink, auto degree, auto parallel,
                   auto counted, auto one_candidate) {
    constexpr bool kAtomic = decltype(parallel)::value;
    constexpr bool kCount = decltype(counted)::value;
    constexpr bool kOne = decltype(one_candidate)::value;
    // Locals, not captured references: an atomic is a compiler barrier, after which anything
    // reached through a reference (the row's end, x, the candidate) is reloaded.
    T* const xs = x;
    Word* const bits = next.bits.data();
    const auto* const idx = view.idx;
    const double* const w = view.w;
    for (int64_t e = first; e < end; ++e) {
      const node_t v = idx[e];
      const T cand = kEdge == kPlain || kOne ? shifted : c.shift(c.edge(xu, w, e));
      const Word bit = Word{1} << (v & 63);
      if constexpr (kAtomic) {
        if (!improve<T, kMin>(xs, v, cand)) continue;
        if (!kOne && (__atomic_fetch_or(&bits[v >> 6], bit, __ATOMIC_RELAXED) & bit)) continue;
      } else {
        if (!c.better(cand, xs[v])) continue;
        xs[v] = cand;
        if (!kOne) {
          if (bits[v >> 6] & bit) continue;
          bits[v >> 6] |= bit;
        }
      }
      sink.buffer[sink.count++] = v;
      if constexpr (kCount) sink.scout += degree(v);
      if (sink.count == kFlush) flush(sink);
    }
  };
  auto candidate = [&](int64_t i, auto one_candidate) {
    const T xu = uniform ? value : snap[i];
    return std::pair<T, T>{xu, decltype(one_candidate)::value ? single_candidate : c.shift(xu)};
  };
  // Whole rows of the list's nodes lo .. hi - 1, the CSRs dispatched once. Nothing per node but
  // its value and row bounds: a push waits on misses (a row, its neighbors' values), the CPU
  // overlaps as many as its window holds, and each instruction spent per node narrows that window.
  auto rows = [&](int64_t lo, int64_t hi, auto parallel, auto counted, auto one_candidate) {
    Sink sink;
    const node_t* const list = cur.list.data();
    with_push_views(c.k, [&](auto... views) {
      auto degree = [&](int64_t v) { return push_degree_in(v, views...); };
      for (int64_t i = lo; i != hi; ++i) {
        const node_t u = list[i];
        const std::pair<T, T> from = candidate(i, one_candidate);
        (relax(views, from.first, from.second, views.begin(u), views.end(u), sink, degree, parallel, counted,
               one_candidate),
         ...);
      }
    });
    finish(sink);
  };
  // Edges from .. to - 1 of the concatenated push rows of the list's nodes (a few hubs' rows,
  // shared among the threads by edges); start[i] is where node i's rows begin.
  auto split = [&](const int64_t* start, int64_t from, int64_t to, auto counted, auto one_candidate) {
    Sink sink;
    with_push_views(c.k, [&](auto... views) {
      auto degree = [&](int64_t v) { return push_degree_in(v, views...); };
      int64_t i = std::upper_bound(start, start + cur.size + 1, from) - start - 1;
      for (int64_t at = from; at < to; at = start[++i]) {
        const node_t u = cur.list[i];
        // Plain locals, not a structured binding: a C++17 lambda cannot capture one.
        const std::pair<T, T> value_and_candidate = candidate(i, one_candidate);
        const T xu = value_and_candidate.first, shifted = value_and_candidate.second;
        int64_t base = start[i];  // where this view's part of the row begins
        const int64_t piece_end = std::min(to, start[i + 1]);
        auto piece = [&](auto view) {
          const int64_t row = view.begin(u), length = view.end(u) - row;
          const int64_t first = row + std::max<int64_t>(at - base, 0), end = row + std::min(length, piece_end - base);
          base += length;
          relax(view, xu, shifted, first, end, sink, degree, std::true_type{}, counted, one_candidate);
        };
        (piece(views), ...);
      }
    });
    finish(sink);
  };
  auto run = [&](auto counted, auto one_candidate) {
    if (cur.size <= kSerialPushNodes && cur.scout <= kSerialEdges) {  // too little to share
      rows(0, cur.size, std::false_type{}, counted, one_candidate);
    } else if (cur.size < kSplitRowNodes) {
      // A few nodes with many edges (an RMAT graph's hubs, near the source): shared by edges,
      // since a node-by-node split would leave all of them in one task.
      int64_t start[kSplitRowNodes + 1];
      start[0] = 0;
      for (int64_t i = 0; i < cur.size; ++i) start[i + 1] = start[i] + push_degree(c.k, cur.list[i]);
      tbb::parallel_for(
          tbb::blocked_range<int64_t>(0, start[cur.size], 2048),
          [&](const tbb::blocked_range<int64_t>& r) { split(start, r.begin(), r.end(), counted, one_candidate); });
    } else {
      tbb::parallel_for(tbb::blocked_range<int64_t>(0, cur.size, 64), [&](const tbb::blocked_range<int64_t>& r) {
        rows(r.begin(), r.end(), std::true_type{}, counted, one_candidate);
      });
    }
  };
  auto run_single = [&](auto counted) {
    if constexpr (kEdge != kAddWeight)
      if (single) return run(counted, std::true_type{});
    run(counted, std::false_type{});
  };
  if (counting)
    run_single(std::true_type{});
  else
    run_single(std::false_type{});
  next.size = tail.load();
  next.scout = counting ? scout.load() : next.size * max_degree;
  next.listed = true;
  next.has_bits = !single;
  next.clean = single || next.size == 0;  // a single-candidate push left the (clean) bits alone
  next.uniform = false;
  if (single) next.set_uniform(single_candidate);
}

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
  // stays in a register; alike and two are compile-time, so an edge costs a load and a bit test.
  auto sweep_word = [&](int64_t w, auto a, auto b, auto alike_tag, auto two_tag) -> int64_t {
    constexpr bool kAlike = decltype(alike_tag)::value, kTwo = decltype(two_tag)::value;
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
      if constexpr (kTwo)
        if (c.better(lo, best)) scan(b);
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
  auto sweep = [&](auto a, auto b, auto alike_tag, auto two_tag) {
    return tbb::parallel_reduce(
        tbb::blocked_range<int64_t>(0, words_of(n), 16), int64_t{0},
        [&](const tbb::blocked_range<int64_t>& r, int64_t changed) {
          for (int64_t w = r.begin(); w != r.end(); ++w) changed += sweep_word(w, a, b, alike_tag, two_tag);
          return changed;
        },
        [](int64_t p, int64_t q) { return p + q; });
  };
  auto by_alike = [&](auto a, auto b, auto two_tag) -> int64_t {
    if constexpr (kEdge != kAddWeight)
      if (alike) return sweep(a, b, std::true_type{}, two_tag);
    return sweep(a, b, std::false_type{}, two_tag);
  };
  next.size = in.visit([&](auto a) -> int64_t {
    if (two) return g.out().visit([&](auto b) { return by_alike(a, b, std::true_type{}); });
    return by_alike(a, a, std::false_type{});
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

void frontier_push(const FrontierKernel& k, Frontier& cur, Frontier& next) {
  with_candidates(k, [&](auto c) { push(c, cur, next); });
}

void frontier_pull(const FrontierKernel& k, Frontier& cur, Frontier& next) {
  with_candidates(k, [&](auto c) { pull(c, cur, next); });
}

}  // namespace sg::kernels
