// Frontier bookkeeping (kernels/frontier.hpp): the starting frontier, bitmap / list conversions,
// the direction rule and the weight-derived bounds.
#include "kernels/frontier_candidates.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sg::kernels {

using namespace frontier_detail;

void Frontier::allocate(int64_t n, bool with_list) {
  bits = Array<Word>(static_cast<size_t>(words_of(n)));
  std::fill(bits.begin(), bits.end(), Word{0});
  if (with_list) list = Array<node_t>(static_cast<size_t>(n));
  size = scout = 0;
  listed = uniform = false;
  clean = has_bits = true;
}

namespace {

// The 64 values at x as frontier bits (not `id`, not NaN); their NaNs' bits in `nan` and their
// -0.0s' in `negative_zero` (the same compares: zero equals -0.0, and the sign bit tells them apart).
template <class T>
Word frontier_word(const T* x, int64_t count, T id, Word& nan, Word& negative_zero) {
#if defined(__SSE2__)
  if constexpr (std::is_same_v<T, double>) {
    if (count == 64) {  // two values per compare: the scalar loop's bit shuffling costs more than the loads
      const __m128d ids = _mm_set1_pd(id), zero = _mm_setzero_pd();
      Word out = 0, nans = 0, zeros = 0;
      for (int j = 0; j < 64; j += 2) {
        const __m128d v = _mm_loadu_pd(x + j);
        const __m128d unordered = _mm_cmpunord_pd(v, v);
        out |= static_cast<Word>(_mm_movemask_pd(_mm_or_pd(unordered, _mm_cmpeq_pd(v, ids)))) << j;
        nans |= static_cast<Word>(_mm_movemask_pd(unordered)) << j;
        zeros |= static_cast<Word>(_mm_movemask_pd(_mm_cmpeq_pd(v, zero)) & _mm_movemask_pd(v)) << j;
      }
      nan = nans;
      negative_zero = zeros;
      return ~out;
    }
  }
#endif
  Word word = 0, nans = 0, zeros = 0;
  for (int64_t j = 0; j < count; ++j) {
    const bool is_nan = x[j] != x[j];
    nans |= Word{is_nan} << j;
    word |= Word{!is_nan && x[j] != id} << j;
    if constexpr (std::is_floating_point_v<T>) zeros |= Word{x[j] == 0 && std::signbit(x[j])} << j;
  }
  nan = nans;
  negative_zero = zeros;
  return word;
}

}  // namespace

int64_t start_frontier(const FrontierKernel& k, Frontier& f, int64_t& nans) {
  const int64_t n = k.g->num_nodes();
  int64_t first_negative_zero = n;
  with_candidates(k, [&](auto c) {
    using T = std::remove_reference_t<decltype(c.identity())>;
    const T* x = reinterpret_cast<const T*>(k.x);
    const T id = c.identity();
    struct Counts {
      int64_t size = 0, nans = 0, negative_zero = INT64_MAX;
    };
    const Counts total = tbb::parallel_reduce(
        tbb::blocked_range<int64_t>(0, words_of(n), 256), Counts{},
        [&](const tbb::blocked_range<int64_t>& r, Counts acc) {
          for (int64_t w = r.begin(); w != r.end(); ++w) {
            Word nan = 0, zeros = 0;
            const Word word = frontier_word(x + w * 64, std::min<int64_t>(64, n - w * 64), id, nan, zeros);
            f.bits[w] = word;
            acc.size += __builtin_popcountll(word);
            acc.nans += __builtin_popcountll(nan);
            if (zeros) acc.negative_zero = std::min(acc.negative_zero, w * 64 + __builtin_ctzll(zeros));
          }
          return acc;
        },
        [](Counts a, Counts b) {
          return Counts{a.size + b.size, a.nans + b.nans, std::min(a.negative_zero, b.negative_zero)};
        });
    f.size = total.size;
    nans = total.nans;
    first_negative_zero = std::min(total.negative_zero, n);
  });
  f.listed = f.uniform = false;
  f.has_bits = true;
  f.clean = f.size == 0;
  return first_negative_zero;
}

void list_frontier(const FrontierKernel& k, Frontier& f, bool count_scout) {
  const int64_t n = k.g->num_nodes();
  std::atomic<int64_t> tail{0}, scout{0};
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, words_of(n), 1024), [&](const tbb::blocked_range<int64_t>& r) {
    int64_t count = 0, local_scout = 0;
    for (int64_t w = r.begin(); w != r.end(); ++w) count += __builtin_popcountll(f.bits[w]);
    int64_t at = tail.fetch_add(count, std::memory_order_relaxed);
    with_push_views(k, [&](auto... views) {
      for (int64_t w = r.begin(); w != r.end(); ++w)
        for (Word b = f.bits[w]; b; b &= b - 1) {
          const node_t v = static_cast<node_t>(w * 64 + __builtin_ctzll(b));
          f.list[at++] = v;
          if (count_scout) local_scout += push_degree_in(v, views...);
        }
    });
    scout.fetch_add(local_scout, std::memory_order_relaxed);
  });
  f.scout = count_scout ? scout.load() : f.size * std::max<int64_t>(k.max_push_degree, 1);
  f.listed = true;
}

void mark_frontier(Frontier& f) {
  auto mark = [&](int64_t lo, int64_t hi, auto parallel) {
    for (int64_t i = lo; i < hi; ++i) {
      const node_t v = f.list[i];
      if constexpr (decltype(parallel)::value)
        __atomic_fetch_or(&f.bits[v >> 6], Word{1} << (v & 63), __ATOMIC_RELAXED);
      else
        f.bits[v >> 6] |= Word{1} << (v & 63);
    }
  };
  if (f.size < kSerialNodes)
    mark(0, f.size, std::false_type{});
  else
    parallel_range(f.size, 1 << 12, [&](int64_t lo, int64_t hi) { mark(lo, hi, std::true_type{}); });
  f.has_bits = true;
  f.clean = f.size == 0;
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
