// Row gathers over a CSR, shared by the native twins and the builder's neighbor_agg kernels,
// so both sum every row in the same fixed order and agree bit for bit.
#pragma once
#include <cstdint>

namespace sg {

// Sum of load(k) for k in [b, e): four interleaved partial sums (k mod 4) combined as
// (s0 + s1) + (s2 + s3), which breaks the add latency chain yet stays order-fixed.
template <class T, class Load>
inline T row_sum(int64_t b, int64_t e, Load&& load) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t k = b;
  for (; k + 4 <= e; k += 4) {
    s0 += load(k);
    s1 += load(k + 1);
    s2 += load(k + 2);
    s3 += load(k + 3);
  }
  for (; k < e; ++k) s0 += load(k);
  return (s0 + s1) + (s2 + s3);
}

}  // namespace sg
