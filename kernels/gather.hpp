// Row gathers over a CSR, shared by the native twins and the builder's neighbor_agg kernels,
// so both sum every row in the same fixed order and agree bit for bit.
//
// The order: each row's values left to right, from 0 (as scipy's CSR matvec). Two loops give
// it: row_sum walks one row, sliced_row_sums walks a CSR's sliced form (graph/sliced_csr.hpp)
// four rows side by side, in 0.84-0.88x of row_sum's time (benchmarks/cpp/gather_anatomy.cpp).
#pragma once
#include <cstdint>
#include <type_traits>

#include "graph/sliced_view.hpp"
#include "kernels/wrapping.hpp"

namespace sg {

// s += x, except that integer sums wrap around instead of overflowing (kernels/wrapping.hpp).
template <class T, class X>
inline void gather_add(T& s, X x) {
  if constexpr (std::is_integral_v<T>)
    s = wrap_add<T>(s, static_cast<T>(x));
  else
    s += x;
}

// Sum of load(k) for k in [b, e), in order.
template <class T, class Load>
inline T row_sum(int64_t b, int64_t e, Load&& load) {
  T s = 0;
  for (int64_t k = b; k < e; ++k) gather_add(s, load(k));
  return s;
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
