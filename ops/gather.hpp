// Row gathers over a CSR, shared by the native twins and the builder's neighbor_agg kernels,
// so both sum every row in the same fixed order and agree bit for bit.
#pragma once
#include <cstdint>
#include <type_traits>

#include "ops/wrapping.hpp"

namespace sg {

// Sum of load(k) for k in [b, e): four interleaved partial sums (k mod 4) combined as
// (s0 + s1) + (s2 + s3), which breaks the add latency chain yet stays order-fixed.
template <class T, class Load>
inline T row_sum(int64_t b, int64_t e, Load&& load) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t k = b;
  // s += x, except that int64 sums wrap around instead of overflowing (ops/wrapping.hpp).
  auto acc = [](T& s, auto x) {
    if constexpr (std::is_integral_v<T>) s = wrap_add<T>(s, static_cast<T>(x));
    else s += x;
  };
  for (; k + 4 <= e; k += 4) {
    acc(s0, load(k));
    acc(s1, load(k + 1));
    acc(s2, load(k + 2));
    acc(s3, load(k + 3));
  }
  for (; k < e; ++k) acc(s0, load(k));
  if constexpr (std::is_integral_v<T>) return wrap_add<T>(wrap_add<T>(s0, s1), wrap_add<T>(s2, s3));
  else return (s0 + s1) + (s2 + s3);
}

}  // namespace sg
