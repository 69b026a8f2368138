// The frontier push step (kernels/frontier.hpp), generic over the value type, min / max and the
// edge's contribution; the pull is kernels/frontier_pull.cpp.
#include "kernels/frontier_candidates.hpp"

namespace sg::kernels {

using namespace frontier_detail;

namespace {

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
                   auto one_candidate) {
    constexpr bool kAtomic = decltype(parallel)::value;
    constexpr bool kOne = decltype(one_candidate)::value;
    // Locals, not captured references: an atomic is a compiler barrier, after which anything
    // reached through a reference (the row's end, x, the candidate) is reloaded.
    T* const xs = x;
    Word* const bits = next.bits.data();
    const bool count = counting;
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
      if (count) sink.scout += degree(v);
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
  auto rows = [&](int64_t lo, int64_t hi, auto parallel, auto one_candidate) {
    Sink sink;
    const node_t* const list = cur.list.data();
    with_push_views(c.k, [&](auto... views) {
      auto degree = [&](int64_t v) { return push_degree_in(v, views...); };
      for (int64_t i = lo; i != hi; ++i) {
        const node_t u = list[i];
        const std::pair<T, T> from = candidate(i, one_candidate);
        (relax(views, from.first, from.second, views.begin(u), views.end(u), sink, degree, parallel, one_candidate),
         ...);
      }
    });
    finish(sink);
  };
  // Edges from .. to - 1 of the concatenated push rows of the list's nodes (a few hubs' rows,
  // shared among the threads by edges); start[i] is where node i's rows begin.
  auto split = [&](const int64_t* start, int64_t from, int64_t to, auto one_candidate) {
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
          relax(view, xu, shifted, first, end, sink, degree, std::true_type{}, one_candidate);
        };
        (piece(views), ...);
      }
    });
    finish(sink);
  };
  auto run = [&](auto one_candidate) {
    if (cur.size <= kSerialPushNodes && cur.scout <= kSerialEdges) {  // too little to share
      rows(0, cur.size, std::false_type{}, one_candidate);
    } else if (cur.size < kSplitRowNodes) {
      // A few nodes with many edges (an RMAT graph's hubs, near the source): shared by edges,
      // since a node-by-node split would leave all of them in one task.
      int64_t start[kSplitRowNodes + 1];
      start[0] = 0;
      for (int64_t i = 0; i < cur.size; ++i) start[i + 1] = start[i] + push_degree(c.k, cur.list[i]);
      tbb::parallel_for(tbb::blocked_range<int64_t>(0, start[cur.size], 2048),
                        [&](const tbb::blocked_range<int64_t>& r) { split(start, r.begin(), r.end(), one_candidate); });
    } else {
      tbb::parallel_for(tbb::blocked_range<int64_t>(0, cur.size, 64), [&](const tbb::blocked_range<int64_t>& r) {
        rows(r.begin(), r.end(), std::true_type{}, one_candidate);
      });
    }
  };
  // One candidate is compile-time (no bits to test or set); whether the scout is counted is not:
  // its branch per reached node predicts perfectly, and each compile-time flag doubles the code.
  if constexpr (kEdge != kAddWeight)
    if (single) run(std::true_type{});
  if (kEdge == kAddWeight || !single) run(std::false_type{});
  next.size = tail.load();
  next.scout = counting ? scout.load() : next.size * max_degree;
  next.listed = true;
  next.has_bits = !single;
  next.clean = single || next.size == 0;  // a single-candidate push left the (clean) bits alone
  next.uniform = false;
  if (single) next.set_uniform(single_candidate);
}

}  // namespace

void frontier_push(const FrontierKernel& k, Frontier& cur, Frontier& next) {
  with_candidates(k, [&](auto c) { push(c, cur, next); });
}

}  // namespace sg::kernels
