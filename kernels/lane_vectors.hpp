// Four consecutive rows as one vector (GCC / Clang vector extensions), for compiled chunk
// epilogues (compiler/row_codegen.cpp): lane q holds row v + q, so reduction lane q folds exactly
// the rows it folds in scalar code (core/lanes.hpp), and every lane computes the scalar
// expression's bits (kernels/eval_elementwise.cpp): IEEE add, sub, mul, div, sqrt and fma are
// correctly rounded either way, and selects, compares and fabs are bit operations.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

// Library code includes this header through kernels/arith.hpp without AVX; everything here is
// inline and never called there, so GCC's note on the AVX calling convention does not apply.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace sg::vec4 {

typedef double F __attribute__((vector_size(32)));   // four float64 lanes
typedef int64_t M __attribute__((vector_size(32)));  // four bool lanes: all ones (true) or zero
typedef int8_t B __attribute__((vector_size(4)));    // four bool bytes as stored (0 or 1)

inline F load(const double* p) {
  F x;
  std::memcpy(&x, p, sizeof x);
  return x;
}
inline M load(const uint8_t* p) {
  B b;
  std::memcpy(&b, p, sizeof b);
  return __builtin_convertvector(b != 0, M);
}
inline void store(double* p, F x) { std::memcpy(p, &x, sizeof x); }
inline void store(uint8_t* p, M m) {
  const B b = __builtin_convertvector(m, B) & 1;  // -1 -> 1: a stored bool is 0 or 1
  std::memcpy(p, &b, sizeof b);
}

inline F splat(double x) { return F{x, x, x, x}; }
inline M splat_mask(bool c) {
  const int64_t m = c ? -1 : 0;
  return M{m, m, m, m};
}

// select(c, a, b) lane by lane, as kernels::select: bits of a where c, else bits of b.
inline F select(M c, F a, F b) {
  return reinterpret_cast<F>((reinterpret_cast<M>(a) & c) | (reinterpret_cast<M>(b) & ~c));
}
inline M select(M c, M a, M b) { return (a & c) | (b & ~c); }

inline F fabs(F x) { return reinterpret_cast<F>(reinterpret_cast<M>(x) & INT64_MAX); }

// One correctly rounded op per lane: the compiler emits the packed instruction where it has one.
inline F fma(F a, F b, F c) {
  F r;
  for (int q = 0; q < 4; ++q) r[q] = __builtin_fma(a[q], b[q], c[q]);
  return r;
}
inline F sqrt(F x) {
  F r;
  for (int q = 0; q < 4; ++q) r[q] = __builtin_sqrt(x[q]);
  return r;
}

}  // namespace sg::vec4

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
