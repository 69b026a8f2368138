// The sliced CSR's storage as kernels read it (SELL-C-sigma; built by graph/sliced_csr.cpp).
// Generated row kernels embed this header, so the layout is one definition for both sides.
#pragma once
#include <cstdint>

namespace sg {

// Rows per slice, summed side by side, and the rows sorted by degree within each window (the C
// and sigma of SELL-C-sigma). A window is kSortWindow rows from a partition block's start.
// 1024, not 256: wider windows pair rows of closer degree, so on rmat(18) the edges left to one
// row's chain of adds fell from 18 % to 9 %, and its gather ran 0.91-0.95x (uniform(200k):
// 0.96x); a window's sums (8 KB of float64) still sit in L1.
constexpr int kSliceRows = 4;
constexpr int64_t kSortWindow = 1024;

// Some slices of a CSR's sliced form. Slice s holds kSliceRows rows in descending degree from
// entry slice_at[s] of src (and w), edge-major in four parts: len[0] steps of all four rows' next
// edges, then len[1] steps of rows 0-2's, len[2] of rows 0-1's, len[3] of row 0's alone. So the
// longer rows' tails are still summed side by side (one row's tail after another was 1.02-1.07x
// slower on rmat(18)). Each slice starts at a multiple of kSliceRows entries (at most 3 unused),
// so a step's four sources never straddle a cache line: unaligned, uniform(200k) ran 1.13x.
// The per-slice fields are narrow (32 bytes a slice, was 56) because the gather streams them:
// uniform(200k)'s gather ran 0.91-0.94x (rmat(18): no change).
struct SlicedView {
  const int64_t* slice_at = nullptr;  // per slice (and one past the last): its first entry
  const uint32_t* len = nullptr;      // kSliceRows per slice: the steps of its 4-, 3-, 2- and 1-row parts
  const uint16_t* row = nullptr;      // kSliceRows per slice: each row's place in its window (kNoRow: none)
  const int32_t* src = nullptr;       // the edges' sources
  const double* w = nullptr;          // their weights, or null when unweighted
  int64_t first = 0, last = 0;        // the slices [first, last) of the rows asked for
  int64_t rows = 0;                   // how many rows they hold, from a window's start
};

// A slice's unused place (a window's last slice may hold fewer than kSliceRows rows); never
// below the window's row count, as only a window of under kSortWindow rows has one.
constexpr uint16_t kNoRow = 0xffff;
static_assert(kSortWindow <= kNoRow, "a row's place in its window is 16 bits");

// A block's view (rows [lo, hi)) narrowed to rows [r0, r1): r0 at a window's start, r1 at one or
// at hi. A full window has kSortWindow / kSliceRows slices; the block's last may have fewer.
inline SlicedView sliced_rows(SlicedView block, int64_t lo, int64_t hi, int64_t r0, int64_t r1) {
  const int64_t first = block.first;
  block.first = first + (r0 - lo) / kSliceRows;
  if (r1 != hi) block.last = first + (r1 - lo) / kSliceRows;
  block.rows = r1 - r0;
  return block;
}

}  // namespace sg
