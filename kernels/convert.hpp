// cast: one element from type S to type D (shared by the interpreter and generated row kernels).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace sg::kernels {

// Saturating conversion: float -> int maps NaN to 0 and clamps out-of-range values.
template <class S, class D>
inline D convert(S x) {
  if constexpr (std::is_same_v<D, uint8_t>) {
    return static_cast<D>(x != S(0));
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    // Selects, not branches: unreached nodes (inf) scattered among reached ones mispredict.
    const bool high = x >= static_cast<S>(std::numeric_limits<D>::max());
    const bool low = x <= static_cast<S>(std::numeric_limits<D>::min());
    const bool in_range = !high && !low && x == x;  // false for NaN too
    const D v = static_cast<D>(in_range ? x : S(0));
    return high ? std::numeric_limits<D>::max() : low ? std::numeric_limits<D>::min() : v;
  } else {
    return static_cast<D>(x);
  }
}

}  // namespace sg::kernels
