// Row gathers over a CSR, shared by the native twins and the builder's neighbor_agg kernels,
// so both sum every row in the same fixed order and agree bit for bit.
//
// The order: each row's values left to right, from 0 (as scipy's CSR matvec). Two loops give
// it: row_sum walks one row, sliced_row_sums walks a CSR's sliced form (runtime/sliced_csr.hpp)
// four rows side by side, in 0.84-0.88x of row_sum's time (benchmarks/cpp/gather_anatomy.cpp).
#pragma once
#include <cstdint>
#include <type_traits>

#include "ops/wrapping.hpp"

namespace sg {

// s += x, except that integer sums wrap around instead of overflowing (ops/wrapping.hpp).
template <class T, class X>
inline void gather_add(T& s, X x) {
  if constexpr (std::is_integral_v<T>) s = wrap_add<T>(s, static_cast<T>(x));
  else s += x;
}

// Sum of load(k) for k in [b, e), in order.
template <class T, class Load>
inline T row_sum(int64_t b, int64_t e, Load&& load) {
  T s = 0;
  for (int64_t k = b; k < e; ++k) gather_add(s, load(k));
  return s;
}

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

// The row sums of the view's rows into out[i] for its i-th row, bit for bit the row_sum of each
// row: load(k) reads entry k of v.src / v.w.
template <class T, class Load>
inline void sliced_row_sums(const SlicedView& v, Load&& load, T* out) {
  static_assert(kSliceRows == 4, "the loop below sums four rows");
  int64_t s = v.first;
  for (int64_t w0 = 0; w0 < v.rows; w0 += kSortWindow, out += kSortWindow) {
    const int64_t m = v.rows - w0 < kSortWindow ? v.rows - w0 : kSortWindow;  // rows in this window
    for (const int64_t s_end = s + (m + kSliceRows - 1) / kSliceRows; s < s_end; ++s) {
      const uint32_t* len = v.len + kSliceRows * s;
      const uint16_t* r = v.row + kSliceRows * s;
      T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      int64_t k = v.slice_at[s];
      for (const int64_t e = k + int64_t{4} * len[0]; k < e; k += 4) {
        gather_add(a0, load(k));
        gather_add(a1, load(k + 1));
        gather_add(a2, load(k + 2));
        gather_add(a3, load(k + 3));
      }
      for (const int64_t e = k + int64_t{3} * len[1]; k < e; k += 3) {
        gather_add(a0, load(k));
        gather_add(a1, load(k + 1));
        gather_add(a2, load(k + 2));
      }
      for (const int64_t e = k + int64_t{2} * len[2]; k < e; k += 2) {
        gather_add(a0, load(k));
        gather_add(a1, load(k + 1));
      }
      for (const int64_t e = k + len[3]; k < e; ++k) gather_add(a0, load(k));
      out[r[0]] = a0;
      if (r[1] < m) out[r[1]] = a1;
      if (r[2] < m) out[r[2]] = a2;
      if (r[3] < m) out[r[3]] = a3;
    }
  }
}

}  // namespace sg
