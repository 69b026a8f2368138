// Aggregations keeping their unchanged rows (compiler/unchanged_rows.cpp decides which): at the
// end of each dense iteration, the carry's nodes that changed, and from them the rows each such
// aggregation recomputes in the next iteration.
//
// Few changes: their neighbors' rows are marked by pushing along the edges the other way (work
// in the changed nodes' degrees). Many: the aggregation tests each row's neighbors itself,
// stopping at the first that changed. Either way every other row keeps last iteration's value,
// which is the value recomputing it would give (its inputs are the same bits).
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <cstring>

#include "exec/program.hpp"

namespace sg {

namespace {

constexpr int64_t kPushShare = 8;        // push while the changed nodes' edges are under 1/8 of all
constexpr int64_t kSerialEdges = 16384;  // a push over fewer edges runs on the calling thread

// f(csr) for each CSR a change at a node reaches rows through: the aggregation's, reversed.
template <class F>
void for_push_csrs(const Graph& g, Direction dir, F&& f) {
  if (dir == Direction::Both) {
    f(g.out());
    if (g.directed()) f(g.in());
  } else {
    f(dir == Direction::In ? g.out() : g.in());
  }
}

int64_t degree(const Csr& c, int64_t v) { return c.row_begin(v + 1) - c.row_begin(v); }

// The nodes whose bits differ between `before` and `after` (elements of `size` bytes) into
// `changed`; returns the edges a push from them follows.
int64_t find_changes(const unsigned char* before, const unsigned char* after, size_t size, int64_t n, const Graph& g,
                     Direction dir, uint64_t* changed) {
  auto differs = [&](int64_t v) {
    const size_t at = static_cast<size_t>(v) * size;
    switch (size) {
      case 8: {
        uint64_t a, b;
        std::memcpy(&a, before + at, 8);
        std::memcpy(&b, after + at, 8);
        return a != b;
      }
      case 4: {
        uint32_t a, b;
        std::memcpy(&a, before + at, 4);
        std::memcpy(&b, after + at, 4);
        return a != b;
      }
      default: return std::memcmp(before + at, after + at, size) != 0;
    }
  };
  const int64_t words = (n + 63) / 64;
  return tbb::parallel_reduce(
      tbb::blocked_range<int64_t>(0, words, 256), int64_t{0},
      [&](const tbb::blocked_range<int64_t>& r, int64_t edges) {
        for (int64_t w = r.begin(); w < r.end(); ++w) {
          uint64_t word = 0;
          const int64_t end = std::min(n, (w + 1) * 64);
          for (int64_t v = w * 64; v < end; ++v) word |= uint64_t{differs(v)} << (v & 63);
          changed[w] = word;
          for (uint64_t b = word; b; b &= b - 1) {
            const int64_t v = w * 64 + __builtin_ctzll(b);
            for_push_csrs(g, dir, [&](const Csr& c) { edges += degree(c, v); });
          }
        }
        return edges;
      },
      [](int64_t a, int64_t b) { return a + b; });
}

// Marks in `rows` every row a changed node is a neighbor of.
void push_rows(const uint64_t* changed, int64_t n, const Graph& g, Direction dir, int64_t edges, uint64_t* rows) {
  const int64_t words = (n + 63) / 64;
  std::memset(rows, 0, static_cast<size_t>(words) * sizeof(uint64_t));
  auto mark = [&](int64_t lo, int64_t hi, bool atomic) {
    for (int64_t w = lo; w < hi; ++w)
      for (uint64_t b = changed[w]; b; b &= b - 1) {
        const int64_t v = w * 64 + __builtin_ctzll(b);
        for_push_csrs(g, dir, [&](const Csr& c) {
          for (int64_t k = c.row_begin(v); k < c.row_begin(v + 1); ++k) {
            const node_t u = c.idx[k];
            const uint64_t bit = uint64_t{1} << (u & 63);
            if (atomic)
              __atomic_fetch_or(&rows[u >> 6], bit, __ATOMIC_RELAXED);
            else
              rows[u >> 6] |= bit;
          }
        });
      }
  };
  if (edges < kSerialEdges) return mark(0, words, false);
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, words, 64),
                    [&](const tbb::blocked_range<int64_t>& r) { mark(r.begin(), r.end(), true); });
}

int64_t push_edges_total(const Graph& g, Direction dir) {
  int64_t total = 0;
  for_push_csrs(g, dir, [&](const Csr& c) { total += c.nnz; });
  return total;
}

}  // namespace

void State::prepare_unchanged_rows() {
  const Plan& plan = program_->plan();
  if (plan.unchanged_rows.empty()) return;
  const size_t words = static_cast<size_t>((graph_->num_nodes() + 63) / 64);
  changes_.resize(plan.unchanged_rows.size());
  for (ChangeTrack& t : changes_) {
    t.changed = Array<uint64_t>(words);
    t.rows = Array<uint64_t>(words);
    stats_.allocations += 2;
  }
  row_filters_.assign(program_->ir().values.size(), RowFilter{});  // inactive until an iteration ends
  frame_.row_filters = &row_filters_;
}

void State::track_changes() {
  const Plan& plan = program_->plan();
  const ProgramIR& ir = program_->ir();
  const Graph& g = *graph_;
  const int64_t n = g.num_nodes();
  stats_.unchanged_rows.push_back(kept_rows_.load(std::memory_order_relaxed));
  for (size_t e = 0; e < plan.unchanged_rows.size(); ++e) {
    const UnchangedRows& u = plan.unchanged_rows[e];
    const CarryDecl& c = ir.carries[static_cast<size_t>(u.carry)];
    const Direction dir = value(u.aggregate).direction;
    ChangeTrack& t = changes_[e];
    const size_t size = static_cast<size_t>(dtype_size(value(c.value).type.dtype));
    const int64_t edges = find_changes(slots_[c.value].node, slots_[c.update].node, size, n, g, dir, t.changed.data());
    const bool push = edges * kPushShare < push_edges_total(g, dir);
    if (push) push_rows(t.changed.data(), n, g, dir, edges, t.rows.data());
    row_filters_[static_cast<size_t>(u.aggregate)] =
        RowFilter{push ? t.rows.data() : nullptr, push ? nullptr : t.changed.data(), &kept_rows_,
                  u.updates >= 0 ? ir.carries[static_cast<size_t>(u.updates)].value : -1};
  }
}

}  // namespace sg
