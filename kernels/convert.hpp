// cast: one element from type S to type D (shared by the interpreter and generated row kernels).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sg::kernels {

// Saturating conversion: float -> int maps NaN to 0 and clamps out-of-range values.
template <class S, class D>
inline D convert(S x) {
  if constexpr (std::is_same_v<D, uint8_t>) {
    return static_cast<D>(x != S(0));
#if defined(__x86_64__) && defined(__SSE2__)
  } else if constexpr (std::is_floating_point_v<S> && std::is_same_v<D, int64_t>) {
    // cvttsd2si gives INT64_MIN for NaN and out-of-range values (defined, no branch); only those
    // are fixed up, with masks: too high -> INT64_MIN - 1, which wraps to INT64_MAX; NaN -> 0;
    // too low is INT64_MIN already. GCC turns selects into branches, which mispredict on
    // scattered inf.
    int64_t v = 0;
    if constexpr (std::is_same_v<S, double>)
      v = _mm_cvttsd_si64(_mm_set_sd(x));
    else
      v = _mm_cvttss_si64(_mm_set_ss(x));
    const uint64_t high = (v == std::numeric_limits<int64_t>::min()) & (x > S(0));  // false for NaN
    const uint64_t keep = -static_cast<uint64_t>(x == x);
    return static_cast<int64_t>((static_cast<uint64_t>(v) - high) & keep);
#endif
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
