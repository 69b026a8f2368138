// neighbor_agg: pull aggregation over the in-CSR (direction=in), out-CSR (out), or both.
//
// Row order is the CSR's; sums add each row's values in order (kernels/gather.hpp), as the native
// twins do. A plain sum over one CSR walks its sliced form (graph/sliced_csr.hpp), whole
// sort windows at a time; other sums use row_sum, which gives the same bits.
// Empty rows give the combine's identity: sum 0, min +inf (int: max), max -inf (int: lowest),
// mean NaN (0 / 0), mode INT64_MIN, h_index 0. Without weights an edge's weight is 1.
// An aggregation keeping its unchanged rows (Frame::row_filter) leaves the others as they are.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "kernels/block_engine.hpp"
#include "kernels/gather.hpp"

namespace sg::kernels {

namespace {

// What an edge contributes, decided once per call (not per edge).
enum EdgeKind { kPlain, kMulWeight, kAddWeight, kAddOne };

EdgeKind edge_kind(EdgeOp op, bool weighted) {
  if (op == EdgeOp::MulWeight) return weighted ? kMulWeight : kPlain;  // weight 1: x * 1 == x
  if (op == EdgeOp::AddWeight) return weighted ? kAddWeight : kAddOne;
  return kPlain;
}

// Edge k's contribution, from a CSR's (or a sliced CSR's) sources and weights.
template <class T, int kKind>
struct EdgeLoad {
  const node_t* __restrict idx;
  const double* __restrict w;
  const T* __restrict x;
  EdgeLoad(const node_t* i, const double* ws, const T* xs) : idx(i), w(ws), x(xs) {}
  T operator()(int64_t k) const {
    const T xu = x[idx[k]];
    if constexpr (kKind == kMulWeight)
      return static_cast<T>(xu * static_cast<T>(w[k]));
    else if constexpr (kKind == kAddWeight)
      return static_cast<T>(xu + static_cast<T>(w[k]));
    else if constexpr (kKind == kAddOne)
      return wrap_add(xu, T(1));
    else
      return xu;
  }
};

// The most frequent of a row's labels, the smallest on ties (INT64_MIN for an empty row), counted
// in an open-addressing table (Fibonacci hashing) whose used slots are reset after each row:
// O(degree) per row, where sorting the row cost O(degree log degree).
class ModeCounter {
 public:
  template <class ForEach>
  int64_t mode(int64_t size, ForEach&& for_each_label) {
    if (size == 0) return std::numeric_limits<int64_t>::min();
    if (size <= 2) {  // one label, or two: equal, or a tie to the smaller
      int64_t best = std::numeric_limits<int64_t>::max();
      for_each_label([&](int64_t y) { best = std::min(best, y); });
      return best;
    }
    if (size <= kSmall) return small_mode(size, for_each_label);
    bits_ = 2;
    while (bits_ < 40 && (int64_t{1} << bits_) < 2 * size) ++bits_;  // load factor <= 1/2
    if (keys_.size() < (size_t{1} << bits_)) {
      keys_.assign(size_t{1} << bits_, 0);
      counts_.assign(size_t{1} << bits_, 0);
    }
    // Gathered first, then counted: the gather's loads are independent of each other and overlap
    // in flight, where a hash insert between two loads (and its mispredicted probes) would stall them.
    if (labels_.size() < static_cast<size_t>(size)) labels_.resize(static_cast<size_t>(size));
    int64_t* labels = labels_.data();
    int64_t k = 0;
    for_each_label([&](int64_t y) { labels[k++] = y; });
    used_.clear();
    for (int64_t i = 0; i < k; ++i) add(labels[i]);
    int64_t best = 0, best_count = 0;
    for (uint64_t slot : used_) {
      const int64_t label = keys_[slot], count = counts_[slot];
      if (count > best_count || (count == best_count && label < best)) {
        best = label;
        best_count = count;
      }
      counts_[slot] = 0;  // a zero count marks a free slot
    }
    return best;
  }

 private:
  static constexpr int64_t kSmall = 8;

  // A short row (grids, roads) by comparing every pair: no table to size, probe or reset.
  template <class ForEach>
  static int64_t small_mode(int64_t size, ForEach&& for_each_label) {
    int64_t labels[kSmall];
    int64_t k = 0;
    for_each_label([&](int64_t y) { labels[k++] = y; });
    int64_t best = labels[0], best_count = 0;
    for (int64_t i = 0; i < size; ++i) {
      int64_t count = 0;
      for (int64_t j = 0; j < size; ++j) count += labels[j] == labels[i];
      if (count > best_count || (count == best_count && labels[i] < best)) {
        best = labels[i];
        best_count = count;
      }
    }
    return best;
  }

  void add(int64_t label) {
    const uint64_t mask = (uint64_t{1} << bits_) - 1;
    uint64_t slot = (static_cast<uint64_t>(label) * 0x9E3779B97F4A7C15ull) >> (64 - bits_);
    while (counts_[slot] != 0 && keys_[slot] != label) slot = (slot + 1) & mask;
    if (counts_[slot] == 0) {
      keys_[slot] = label;
      used_.push_back(slot);
    }
    ++counts_[slot];
  }
  int bits_ = 2;
  std::vector<int64_t> labels_, keys_, counts_;
  std::vector<uint64_t> used_;
};

// Whether row u is left as it was: a filter is given, and none of u's aggregated neighbors
// changed (or u is not among the rows it lists).
template <class InCsr, class OutCsr>
bool unchanged(const RowFilter& r, const InCsr& in, const OutCsr& out, bool two, int64_t u) {
  auto test = [](const uint64_t* bits, int64_t v) { return (bits[v >> 6] >> (v & 63)) & 1; };
  if (r.rows) return !test(r.rows, u);
  for (int64_t k = in.begin(u); k < in.end(u); ++k)
    if (test(r.changed, in.idx[k])) return false;
  if (two)
    for (int64_t k = out.begin(u); k < out.end(u); ++k)
      if (test(r.changed, out.idx[k])) return false;
  return true;
}

// The h-index of a row: the largest h with at least h values >= h (0 when empty). Counted in
// `counts`, capped at the row's size (no value above it can raise h), so O(size) with no sort.
template <class ForEach>
int64_t h_index_of(int64_t size, std::vector<int64_t>& counts, ForEach&& for_each_value) {
  counts.assign(static_cast<size_t>(size) + 1, 0);
  for_each_value([&](int64_t y) {
    if (y > 0) ++counts[static_cast<size_t>(std::min(y, size))];
  });
  int64_t at_least = 0;
  for (int64_t h = size; h > 0; --h) {
    at_least += counts[static_cast<size_t>(h)];
    if (at_least >= h) return h;
  }
  return 0;
}

struct RowScratch {
  std::vector<int64_t> counts;
  ModeCounter modes;
};

// This thread's scratch, found once per call and passed down: a thread_local named in the row
// loop itself is looked up again (__tls_get_addr, in a shared library) at every label, and GCC
// propagates a thread_local passed by reference into its callee as if it were named there.
[[gnu::noinline]] RowScratch& row_scratch() {
  thread_local RowScratch scratch;
  return scratch;
}

// The rows of [lo, hi) no filter keeps, one at a time (every combine but the one-CSR sum).
template <class T, class InCsr, class OutCsr, class Load>
void each_row(const Value& v, const InCsr& in, const OutCsr& out, const Load& lin, const Load& lout,
              const RowFilter* filter, bool two, int64_t lo, int64_t hi, T* __restrict o, const Frame& f,
              std::vector<int64_t>& counts, ModeCounter& modes);

// Rows [lo, hi) into o[0 .. hi - lo).
template <class T, int kKind, class InCsr, class OutCsr>
void aggregate_rows(const Frame& f, int32_t id, const InCsr& in, const OutCsr& out, bool two, int64_t lo, int64_t hi,
                    T* __restrict o) {
  const Value& v = f.value(id);
  const T* x = f.slot(v.inputs[0]).vec<T>();
  const EdgeLoad<T, kKind> lin(in.idx, in.w, x);
  const EdgeLoad<T, kKind> lout(out.idx, out.w, x);
  const RowFilter* filter = f.row_filter(id);
  if (v.combine == Combine::Sum && !two && !filter) {  // the hot case (PageRank): one CSR, a plain row sum
    const Graph& g = *f.graph;
    const SlicedView s = g.sliced(v.direction != Direction::Out).view(g.partition(), lo, hi);
    sliced_row_sums<T>(s, EdgeLoad<T, kKind>(s.src, s.w, x), o);
    return;
  }
  RowScratch& scratch = row_scratch();
  each_row<T>(v, in, out, lin, lout, filter, two, lo, hi, o, f, scratch.counts, scratch.modes);
}

template <class T, class InCsr, class OutCsr, class Load>
void each_row(const Value& v, const InCsr& in, const OutCsr& out, const Load& lin, const Load& lout,
              const RowFilter* filter, bool two, int64_t lo, int64_t hi, T* __restrict o, const Frame& f,
              std::vector<int64_t>& counts, ModeCounter& modes) {
  {
    int64_t kept = 0;
    const T* previous = filter && filter->previous >= 0 ? f.slot(filter->previous).vec<T>() : nullptr;
    for (int64_t u = lo; u < hi; ++u) {
      if (filter && unchanged(*filter, in, out, two, u)) {
        if (previous) o[u - lo] = previous[u];
        ++kept;
        continue;
      }
      switch (v.combine) {
        case Combine::Sum:
        case Combine::Mean: {
          T s = row_sum<T>(in.begin(u), in.end(u), lin);
          if (two) s = wrap_add(s, row_sum<T>(out.begin(u), out.end(u), lout));
          if (v.combine == Combine::Mean) {
            if constexpr (std::is_floating_point_v<T>) s = s / static_cast<T>(in.degree(u) + (two ? out.degree(u) : 0));
          }
          o[u - lo] = s;
          break;
        }
        case Combine::Min:
        case Combine::Max: {
          const bool is_min = v.combine == Combine::Min;
          T a = is_min
                    ? (std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max())
                    : (std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity()
                                                   : std::numeric_limits<T>::lowest());
          auto fold = [&](T y) { a = is_min ? (y < a ? y : a) : (a < y ? y : a); };
          for (int64_t k = in.begin(u); k < in.end(u); ++k) fold(lin(k));
          if (two)
            for (int64_t k = out.begin(u); k < out.end(u); ++k) fold(lout(k));
          o[u - lo] = a;
          break;
        }
        case Combine::Mode: {
          const int64_t size = in.degree(u) + (two ? out.degree(u) : 0);
          o[u - lo] = static_cast<T>(modes.mode(size, [&](auto add) {
            for (int64_t k = in.begin(u); k < in.end(u); ++k) add(static_cast<int64_t>(lin(k)));
            if (two)
              for (int64_t k = out.begin(u); k < out.end(u); ++k) add(static_cast<int64_t>(lout(k)));
          }));
          break;
        }
        case Combine::HIndex: {
          const int64_t size = in.degree(u) + (two ? out.degree(u) : 0);
          o[u - lo] = static_cast<T>(h_index_of(size, counts, [&](auto add) {
            for (int64_t k = in.begin(u); k < in.end(u); ++k) add(static_cast<int64_t>(lin(k)));
            if (two)
              for (int64_t k = out.begin(u); k < out.end(u); ++k) add(static_cast<int64_t>(lout(k)));
          }));
          break;
        }
      }
    }
    if (kept && filter->kept) filter->kept->fetch_add(kept, std::memory_order_relaxed);
  }
}

// fn(rows) where rows(lo, hi, out) aggregates rows [lo, hi) into out[0 .. hi - lo).
template <class Fn>
void with_rows(const Frame& f, int32_t id, Fn&& fn) {
  const Value& v = f.value(id);
  const Graph& g = *f.graph;
  // direction=in pulls over in-edges; out over out-edges; both over the two (once if undirected).
  const Csr& first = v.direction == Direction::Out ? g.out() : g.in();
  const bool two = v.direction == Direction::Both && g.directed();
  with_dtype(v.type.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (!std::is_same_v<T, uint8_t>) {
      first.visit([&](auto a) {
        g.out().visit([&](auto b) {
          const EdgeKind kind = edge_kind(v.edge, a.w != nullptr);
          fn(
              [&](int64_t lo, int64_t hi, void* out) {
                T* o = static_cast<T*>(out);
                switch (kind) {
                  case kMulWeight: return aggregate_rows<T, kMulWeight>(f, id, a, b, two, lo, hi, o);
                  case kAddWeight: return aggregate_rows<T, kAddWeight>(f, id, a, b, two, lo, hi, o);
                  case kAddOne: return aggregate_rows<T, kAddOne>(f, id, a, b, two, lo, hi, o);
                  default: return aggregate_rows<T, kPlain>(f, id, a, b, two, lo, hi, o);
                }
              },
              sizeof(T));
        });
      });
    }
  });
}

}  // namespace

void eval_aggregate(const Frame& f, int32_t id) {
  unsigned char* base = f.slot(id).node;
  with_rows(f, id, [&](auto rows, size_t size) {
    for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) { rows(lo, hi, base + lo * size); });
  });
}

void aggregate_block(const Frame& f, int32_t id, int64_t lo, int64_t hi, void* out) {
  with_rows(f, id, [&](auto rows, size_t) { rows(lo, hi, out); });
}

}  // namespace sg::kernels
