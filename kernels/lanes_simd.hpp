// The four reduction lanes of core/lanes.hpp as two SSE2 vectors (lanes 0-1 and 2-3).
//
// Element i of a strip (i a multiple of 4 from the strip's start) folds into lane i mod 4, so
// four consecutive elements are one step of every lane: a vector add per pair of lanes is the
// same IEEE operation per lane as the scalar fold, bit for bit (no reassociation, and
// -ffp-contract=off keeps multiplies and adds apart). GCC does not vectorize the scalar fold.
#pragma once
#include <cstdint>
#include <cstring>

namespace sg::kernels {

using f64x2 = double __attribute__((vector_size(16)));
using i64x2 = int64_t __attribute__((vector_size(16)));

// Elements i .. i + 3: lanes 0-1 in lo, lanes 2-3 in hi.
struct Quad {
  f64x2 lo, hi;
};

inline f64x2 load2(const double* p) {
  f64x2 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline f64x2 bits_and(f64x2 x, i64x2 m) {
  i64x2 b;
  std::memcpy(&b, &x, sizeof b);
  b &= m;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

inline f64x2 abs2(f64x2 x) {  // clears the sign bit, as std::fabs does
  return bits_and(x, i64x2{INT64_MAX, INT64_MAX});
}

// where(c, a, b) per lane for mask bytes c[0], c[1] (as kernels::select: branch-free, exact).
inline f64x2 select2(const uint8_t* c, f64x2 a, f64x2 b) {
  const i64x2 m = {-static_cast<int64_t>(c[0] != 0), -static_cast<int64_t>(c[1] != 0)};
  i64x2 ia, ib;
  std::memcpy(&ia, &a, sizeof ia);
  std::memcpy(&ib, &b, sizeof ib);
  const i64x2 r = (ia & m) | (ib & ~m);
  f64x2 out;
  std::memcpy(&out, &r, sizeof out);
  return out;
}

// Four elements of an operand (an Arg of block_engine.hpp: a pointer or a register scalar).
template <class A>
inline Quad quad(const A& a, int64_t i) {
  if constexpr (A::kIsScalar) {
    const f64x2 v = {a.s, a.s};
    return {v, v};
  } else {
    return {load2(a.p + i), load2(a.p + i + 2)};
  }
}

// lane[k] += x, or += |x| (kAbs), for the elements quad4(i) of [0, len - len % 4). The tail
// (under 4 elements: lanes 0 .. 2) is the caller's, with the scalar fold. Returns its start.
template <bool kAbs, class Quad4>
inline int64_t fold_sum_quads(double* lane, int64_t len, Quad4&& quad4) {
  f64x2 lo = {lane[0], lane[1]}, hi = {lane[2], lane[3]};
  int64_t i = 0;
  for (; i + 4 <= len; i += 4) {
    const Quad q = quad4(i);
    lo += kAbs ? abs2(q.lo) : q.lo;
    hi += kAbs ? abs2(q.hi) : q.hi;
  }
  lane[0] = lo[0];
  lane[1] = lo[1];
  lane[2] = hi[0];
  lane[3] = hi[1];
  return i;
}

}  // namespace sg::kernels
