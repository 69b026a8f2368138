// Frontier bookkeeping (kernels/frontier.hpp): the starting frontier, bitmap / list conversions,
// the direction rule and the weight-derived bounds.
#include "kernels/frontier_candidates.hpp"

namespace sg::kernels {

using namespace frontier_detail;

void Frontier::allocate(int64_t n, bool with_list) {
  bits = Array<Word>(static_cast<size_t>(words_of(n)));
  std::fill(bits.begin(), bits.end(), Word{0});
  if (with_list) list = Array<node_t>(static_cast<size_t>(n));
  size = scout = 0;
  listed = false;
  clean = true;
}

void start_frontier(const FrontierKernel& k, Frontier& f, int64_t& nans) {
  const int64_t n = k.g->num_nodes();
  with_candidates(k, [&](auto c) {
    using T = std::remove_reference_t<decltype(c.identity())>;
    const T* x = reinterpret_cast<const T*>(k.x);
    const T id = c.identity();
    struct Counts {
      int64_t size = 0, nans = 0;
    };
    const Counts total = tbb::parallel_reduce(
        tbb::blocked_range<int64_t>(0, words_of(n), 256), Counts{},
        [&](const tbb::blocked_range<int64_t>& r, Counts acc) {
          for (int64_t w = r.begin(); w != r.end(); ++w) {
            Word word = 0;
            for (int64_t v = w * 64, end = std::min(n, v + 64); v < end; ++v) {
              const bool nan = x[v] != x[v];
              acc.nans += nan;
              word |= Word{!nan && x[v] != id} << (v & 63);
            }
            f.bits[w] = word;
            acc.size += __builtin_popcountll(word);
          }
          return acc;
        },
        [](Counts a, Counts b) {
          return Counts{a.size + b.size, a.nans + b.nans};
        });
    f.size = total.size;
    nans = total.nans;
  });
  f.listed = false;
  f.clean = f.size == 0;
}

void list_frontier(const FrontierKernel& k, Frontier& f) {
  const int64_t n = k.g->num_nodes();
  std::atomic<int64_t> tail{0}, scout{0};
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, words_of(n), 1024), [&](const tbb::blocked_range<int64_t>& r) {
    int64_t count = 0, local_scout = 0;
    for (int64_t w = r.begin(); w != r.end(); ++w) count += __builtin_popcountll(f.bits[w]);
    int64_t at = tail.fetch_add(count, std::memory_order_relaxed);
    for (int64_t w = r.begin(); w != r.end(); ++w)
      for (Word b = f.bits[w]; b; b &= b - 1) {
        const node_t v = static_cast<node_t>(w * 64 + __builtin_ctzll(b));
        f.list[at++] = v;
        local_scout += push_degree(k, v);
      }
    scout.fetch_add(local_scout, std::memory_order_relaxed);
  });
  f.scout = scout.load();
  f.listed = true;
}

void clear_frontier(Frontier& f) {
  if (f.clean) return;
  if (f.listed && f.size < static_cast<int64_t>(f.bits.size())) {
    for (int64_t i = 0; i < f.size; ++i) f.bits[f.list[i] >> 6] = 0;
  } else {
    parallel_fill<Word>(f.bits.data(), static_cast<int64_t>(f.bits.size()), Word{0});
  }
  f.clean = true;
}

double default_delta(const Graph& g) {
  const Csr& out = g.out();
  const int64_t m = out.nnz;
  if (out.w.empty() || m == 0) return 1.0;
  constexpr int64_t kSamples = 4096;
  const int64_t stride = std::max<int64_t>(1, m / kSamples);
  double sum = 0, head_degree = 0;
  int64_t count = 0;
  for (int64_t k = 0; k < m; k += stride, ++count) {
    sum += out.w[k];
    head_degree += static_cast<double>(out.row_begin(out.idx[k] + 1) - out.row_begin(out.idx[k]));
  }
  const double delta = 2.0 * sum / std::max(head_degree, static_cast<double>(count));
  return delta > 0 && std::isfinite(delta) ? delta : 1.0;
}

double extreme_weight(const Graph& g, bool smallest) {
  const double far = smallest ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  auto pick = [smallest](double a, double b) { return smallest ? std::min(a, b) : std::max(a, b); };
  double best = far;
  for (const Csr* c : {&g.out(), &g.in()})  // each edge's weight is in both CSRs: one suffices
    if (!c->w.empty()) {
      best = tbb::parallel_reduce(
          tbb::blocked_range<size_t>(0, c->w.size(), 1 << 16), far,
          [&](const tbb::blocked_range<size_t>& r, double acc) {
            for (size_t e = r.begin(); e != r.end(); ++e) acc = pick(acc, c->w[e]);
            return acc;
          },
          pick);
      break;
    }
  return best;
}

int64_t DirectionRule::threshold(int64_t push_edges) { return push_edges / kAlpha; }

bool DirectionRule::choose_pull(int64_t size, int64_t scout, int64_t push_edges, int64_t n) {
  if (!pulling)
    pulling = scout > threshold(push_edges);
  else
    pulling = size >= previous || size > n / kBeta;
  previous = size;
  return pulling;
}

int64_t max_push_degree(const FrontierKernel& k) {
  int64_t most = 0;  // over two CSRs, a bound: the sum of their longest rows
  for_push_csrs(k, [&](const Csr& c) { most += c.max_degree; });
  return most;
}

}  // namespace sg::kernels
