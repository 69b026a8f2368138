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
constexpr int kSliceRows = 4;
constexpr int64_t kSortWindow = 256;

// Some slices of a CSR's sliced form. Slice s holds kSliceRows rows in descending degree from
// entry at = slice_at[s] of src (and w): first the edges all its rows have, edge-major (row r's
// edge j at at + kSliceRows * j + r for j < deg[3]), then rows 0, 1 and 2's remaining edges, each
// row's contiguous. Each slice starts at a multiple of kSliceRows entries (at most 3 unused),
// so a step's four sources never straddle a cache line: unaligned, uniform(200k) ran 1.13x.
struct SlicedView {
  const int64_t* slice_at = nullptr;  // per slice (and one past the last): its first entry
  const int64_t* deg = nullptr;       // kSliceRows per slice: the rows' degrees (0: no row)
  const int32_t* row = nullptr;       // kSliceRows per slice: the rows (-1: none)
  const int32_t* src = nullptr;       // the edges' sources
  const double* w = nullptr;          // their weights, or null when unweighted
  int64_t first = 0, last = 0;        // the slices [first, last) of the rows asked for
};

// A block's view (rows [lo, hi)) narrowed to rows [r0, r1): r0 at a window's start, r1 at one or
// at hi. A full window has kSortWindow / kSliceRows slices; the block's last may have fewer.
inline SlicedView sliced_rows(SlicedView block, int64_t lo, int64_t hi, int64_t r0, int64_t r1) {
  const int64_t first = block.first;
  block.first = first + (r0 - lo) / kSliceRows;
  if (r1 != hi) block.last = first + (r1 - lo) / kSliceRows;
  return block;
}

// The row sums of the view's slices into out[v - lo] for each of their rows v, bit for bit the
// row_sum of each row: load(k) reads entry k of v.src / v.w.
template <class T, class Load>
inline void sliced_row_sums(const SlicedView& v, int64_t lo, Load&& load, T* out) {
  static_assert(kSliceRows == 4, "the loop below sums four rows");
  for (int64_t s = v.first; s < v.last; ++s) {
    const int64_t* d = v.deg + kSliceRows * s;
    const int32_t* r = v.row + kSliceRows * s;
    T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const int64_t at = v.slice_at[s], common_end = at + 4 * d[3];
    for (int64_t k = at; k < common_end; k += 4) {
      gather_add(a0, load(k));
      gather_add(a1, load(k + 1));
      gather_add(a2, load(k + 2));
      gather_add(a3, load(k + 3));
    }
    // The longer rows' tails, one after another (sorting makes them short and rare).
    const int64_t e0 = common_end + (d[0] - d[3]), e1 = e0 + (d[1] - d[3]), e2 = e1 + (d[2] - d[3]);
    for (int64_t k = common_end; k < e0; ++k) gather_add(a0, load(k));
    for (int64_t k = e0; k < e1; ++k) gather_add(a1, load(k));
    for (int64_t k = e1; k < e2; ++k) gather_add(a2, load(k));
    out[r[0] - lo] = a0;
    if (r[1] >= 0) out[r[1] - lo] = a1;
    if (r[2] >= 0) out[r[2] - lo] = a2;
    if (r[3] >= 0) out[r[3] - lo] = a3;
  }
}

}  // namespace sg
