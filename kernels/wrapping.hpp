// Arithmetic of one element type: int64 wraps around (two's complement, as NumPy's int64 does)
// instead of overflowing into undefined behavior; floats are plain IEEE operations.
#pragma once
#include <type_traits>

namespace sg {

template <class T>
inline T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <class T>
inline T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <class T>
inline T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}
template <class T>
inline T wrap_neg(T a) {
  if constexpr (std::is_integral_v<T>)
    return wrap_sub(T(0), a);
  else
    return -a;  // not 0 - a: -(+0.0) is -0.0
}

}  // namespace sg
