// Branch-free where(c, a, b): a bit mask instead of a jump, so a mask the predictor cannot
// learn (43 % sinks on rmat(18)) costs no mispredictions. Bit-exact: the result is a or b.
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace sg::kernels {

// Whether a mask with `set` of `n` entries true is predictable enough for a branch: under 1/16
// or over 15/16 true (measured on PageRank's sinks; else select, above).
inline bool branch_predictable(int64_t set, int64_t n) { return set * 16 < n || set * 16 > 15 * n; }

template <class T>
inline T select(uint8_t c, T a, T b) {
  using U = std::conditional_t<sizeof(T) == 8, uint64_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint8_t>>;
  static_assert(sizeof(U) == sizeof(T), "select: unsupported element size");
  const U mask = static_cast<U>(U(0) - static_cast<U>(c != 0));
  U ua, ub;
  std::memcpy(&ua, &a, sizeof(T));
  std::memcpy(&ub, &b, sizeof(T));
  const U r = static_cast<U>((ua & mask) | (ub & static_cast<U>(~mask)));
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}

// The value whose bits are the low sizeof(T) bytes of `bits` (generated code spells constants
// this way: exact for every value, NaN payloads and -0.0 included, and still folded at compile time).
template <class T>
inline T from_bits(uint64_t bits) {
  using U = std::conditional_t<sizeof(T) == 8, uint64_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint8_t>>;
  const U u = static_cast<U>(bits);
  T out;
  std::memcpy(&out, &u, sizeof(T));
  return out;
}

}  // namespace sg::kernels
