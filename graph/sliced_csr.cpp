// Building a CSR's sliced form (graph/sliced_csr.hpp): two parallel passes over the blocks.
#include "graph/sliced_csr.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <tbb/parallel_for.h>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "graph/graph.hpp"

namespace sg {

std::unique_ptr<SlicedCsr> SlicedCsr::build(const Csr& csr, const Partition& part) {
  auto s = std::make_unique<SlicedCsr>();
  const int64_t nb = part.num_blocks(), n = part.num_nodes();
  if (n != csr.num_rows) throw std::logic_error("SlicedCsr: partition and CSR differ in rows");
  const bool weighted = !csr.w.empty();
  // Per entry a source (and a weight), per slice its start, degrees and rows, per node its place
  // in the sort. A window's last slice may be partial; a slice pads up to 3 entries.
  const double most_slices =
      static_cast<double>(n) / kSliceRows + static_cast<double>(nb) * (kBlockNodes / kSortWindow);
  const double most_entries = static_cast<double>(csr.nnz) + (kSliceRows - 1) * most_slices;
  ensure_memory(most_entries * (weighted ? 12 : 4) + most_slices * (8 + 6 * kSliceRows) + 4.0 * static_cast<double>(n),
                "slicing this graph's CSR");
  Array<int32_t> order(static_cast<size_t>(n));  // rows sorted within their windows
  Array<int64_t> slices(static_cast<size_t>(nb) + 1), entries(static_cast<size_t>(nb) + 1);
  csr.visit([&](auto c) {
    auto degree = [&](int32_t v) { return c.degree(v); };
    // Pass 1: sort each window, count each block's slices and entries.
    tbb::parallel_for(int64_t{0}, nb, [&](int64_t b) {
      int64_t ns = 0, ne = 0;
      for (int64_t w0 = part.begin(b); w0 < part.end(b); w0 += kSortWindow) {
        const int64_t w1 = std::min(part.end(b), w0 + kSortWindow);
        int32_t* o = order.data() + w0;
        std::iota(o, o + (w1 - w0), static_cast<int32_t>(w0));
        std::stable_sort(o, o + (w1 - w0), [&](int32_t a, int32_t z) { return degree(a) > degree(z); });
        if (degree(o[0]) > int64_t{UINT32_MAX})  // the window's longest row
          fail(ErrorKind::Graph, "node {} has {} edges in one direction; pull gathers take at most {} per node", o[0],
               degree(o[0]), UINT32_MAX);
        for (int64_t i = w0; i < w1; i += kSliceRows) {
          ++ns;
          for (int64_t r = i; r < std::min(w1, i + kSliceRows); ++r) ne += degree(order[r]);
          ne = (ne + kSliceRows - 1) / kSliceRows * kSliceRows;
        }
      }
      slices[b + 1] = ns;
      entries[b + 1] = ne;
    });
    slices[0] = entries[0] = 0;
    std::partial_sum(slices.begin(), slices.end(), slices.begin());
    std::partial_sum(entries.begin(), entries.end(), entries.begin());
    const int64_t total = slices[nb];
    s->block_slice = std::move(slices);
    s->slice_at = Array<int64_t>(static_cast<size_t>(total) + 1);
    s->len = Array<uint32_t>(static_cast<size_t>(total * kSliceRows));
    s->row = Array<uint16_t>(static_cast<size_t>(total * kSliceRows));
    s->src = Array<int32_t>(static_cast<size_t>(entries[nb]));
    if (weighted) s->w = Array<double>(static_cast<size_t>(entries[nb]));
    s->slice_at[total] = entries[nb];
    // Pass 2: fill each block's slices.
    tbb::parallel_for(int64_t{0}, nb, [&](int64_t b) {
      int64_t sl = s->block_slice[b], at = entries[b];
      for (int64_t w0 = part.begin(b); w0 < part.end(b); w0 += kSortWindow) {
        const int64_t w1 = std::min(part.end(b), w0 + kSortWindow);
        for (int64_t i = w0; i < w1; i += kSliceRows, ++sl) {
          int64_t d[kSliceRows];
          for (int r = 0; r < kSliceRows; ++r) {
            const bool has = i + r < w1;
            s->row[sl * kSliceRows + r] = has ? static_cast<uint16_t>(order[i + r] - w0) : kNoRow;
            d[r] = has ? degree(order[i + r]) : 0;
          }
          s->slice_at[sl] = at;
          auto put = [&](int r, int64_t j) {  // row r's edge j at the next entry
            const int64_t k = c.begin(order[i + r]) + j;
            s->src[at] = c.idx[k];
            if (weighted) s->w[at] = c.w[k];
            ++at;
          };
          // Part p: the steps where rows 0 .. live - 1 still have edges (live = 4, 3, 2, 1).
          uint32_t* len = s->len.data() + sl * kSliceRows;
          int64_t from = 0;
          for (int live = kSliceRows; live >= 1; --live) {
            const int64_t to = d[live - 1];
            len[kSliceRows - live] = static_cast<uint32_t>(to - from);
            for (int64_t j = from; j < to; ++j)
              for (int r = 0; r < live; ++r) put(r, j);
            from = to;
          }
          for (; at % kSliceRows; ++at) {
            s->src[at] = 0;
            if (weighted) s->w[at] = 0.0;
          }
        }
      }
    });
  });
  return s;
}

SlicedView SlicedCsr::view(const Partition& part, int64_t b) const {
  SlicedView v{slice_at.data(), len.data(), row.data(), src.data(), w.empty() ? nullptr : w.data()};
  v.first = block_slice[b];
  v.last = block_slice[b + 1];
  v.rows = part.end(b) - part.begin(b);
  return v;
}

SlicedView SlicedCsr::view(const Partition& part, int64_t lo, int64_t hi) const {
  const auto& bounds = part.bounds;
  const int64_t b = std::upper_bound(bounds.begin(), bounds.end(), lo) - bounds.begin() - 1;
  if (b < 0 || b >= part.num_blocks() || hi > part.end(b) || (lo - part.begin(b)) % kSortWindow != 0 ||
      (hi != part.end(b) && (hi - part.begin(b)) % kSortWindow != 0))
    throw std::logic_error("SlicedCsr::view: rows are not whole sort windows of one block");
  return sliced_rows(view(part, b), part.begin(b), part.end(b), lo, hi);
}

}  // namespace sg
