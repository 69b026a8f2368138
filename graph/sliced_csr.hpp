// SlicedCsr: a CSR's rows in SELL-C-sigma form (Kreutzer et al., SIAM J. Sci. Comput. 2014),
// for pull gathers whose row ends cost no branch mispredictions.
//
// Within each window of kSortWindow rows (from a partition block's start) the rows are sorted by
// degree, longest first, and cut into slices of kSliceRows rows stored edge-major: a slice's
// rows are summed side by side while they last (four, then the longer three, two, one), and
// neighbouring slices have like lengths, so the trip counts repeat. Each row keeps its edges in
// CSR order, so sliced_row_sums (kernels/gather.hpp) gives row_sum's bits. Built lazily, once per
// graph and direction (Graph::sliced); it costs about one more copy of the CSR's sources (and
// weights) and 8 bytes per row.
#pragma once
#include <cstdint>
#include <memory>

#include "core/array.hpp"
#include "core/parallel.hpp"
#include "graph/sliced_view.hpp"

namespace sg {

struct Csr;

struct SlicedCsr {
  Array<int64_t> block_slice;  // num_blocks + 1: block b's slices are [block_slice[b], block_slice[b + 1])
  Array<int64_t> slice_at;     // num_slices + 1
  Array<uint32_t> len;         // kSliceRows per slice: the steps of its 4-, 3-, 2- and 1-row parts
  Array<uint16_t> row;         // kSliceRows per slice: each row's place in its window, or kNoRow
  Array<int32_t> src;
  Array<double> w;  // empty when the CSR is unweighted

  // Throws GraphError if a row has more than UINT32_MAX edges (lengths are 32-bit).
  static std::unique_ptr<SlicedCsr> build(const Csr& csr, const Partition& part);

  int64_t num_slices() const { return static_cast<int64_t>(slice_at.size()) - 1; }
  // The slices of rows [lo, hi): whole sort windows of one block (lo at a window's start, hi at
  // one or at the block's end), as the interpreter's strips and the row kernels' chunks are.
  SlicedView view(const Partition& part, int64_t lo, int64_t hi) const;
  // The slices of block b of `part` (the partition it was built over).
  SlicedView view(const Partition& part, int64_t b) const;
};

}  // namespace sg
