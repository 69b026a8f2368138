// The arithmetic of every elementwise op, written once. The interpreter's kernels call these
// functors and generated row kernels spell them (sg::arith::Add<double>{}(a, b)), so both
// compute the same bits by construction. T is the type an op computes in (its operands' dtype:
// double, float, int64_t, uint8_t for bool), or for ops the table gives a 4-lane form, the
// lane vectors of kernels/lane_vectors.hpp (vec4::F for float64, vec4::M for bool).
// Generated sources embed this header (CMakeLists.txt, SG_ROW_PRELUDE).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/convert.hpp"
#include "kernels/lane_vectors.hpp"
#include "kernels/select.hpp"
#include "kernels/wrapping.hpp"

namespace sg::arith {

template <class T>
constexpr bool kLanes = std::is_same_v<T, vec4::F> || std::is_same_v<T, vec4::M>;

// c ? a : b, lane by lane for vectors (a branch-free blend either way).
template <class C, class T>
inline T pick(C c, T a, T b) {
  if constexpr (kLanes<T>)
    return vec4::select(c, a, b);
  else
    return c ? a : b;
}
// A comparison's result: a stored bool (0 or 1), or a mask per lane (all ones or zero).
template <class R>
inline auto truth(R r) {
  if constexpr (std::is_same_v<R, bool>)
    return static_cast<uint8_t>(r);
  else
    return r;
}
template <class T>
inline T constant(double x) {
  if constexpr (kLanes<T>)
    return vec4::splat(x);
  else
    return T(x);
}

// |x|: a bit mask for floats (|-0.0| is +0.0, a NaN keeps its payload).
template <class T>
inline T magnitude(T x) {
  if constexpr (kLanes<T>)
    return vec4::fabs(x);
  else
    return std::fabs(x);  // a bit mask: |-0.0| is +0.0
}

// clang-format off
template <class T> struct Broadcast { T operator()(T a) const { return a; } };
template <class T> struct Add { T operator()(T a, T b) const { return wrap_add(a, b); } };
template <class T> struct Sub { T operator()(T a, T b) const { return wrap_sub(a, b); } };
template <class T> struct Mul { T operator()(T a, T b) const { return wrap_mul(a, b); } };
template <class T> struct Div { T operator()(T a, T b) const { return a / b; } };
template <class T> struct Minimum { T operator()(T a, T b) const { return pick(b < a, b, a); } };
template <class T> struct Maximum { T operator()(T a, T b) const { return pick(a < b, b, a); } };
template <class T> struct Neg { T operator()(T a) const { return wrap_neg(a); } };  // -(+0.0) is -0.0
template <class T> struct Exp { T operator()(T a) const { return std::exp(a); } };
template <class T> struct Log { T operator()(T a) const { return std::log(a); } };
template <class T> struct Recip { T operator()(T a) const { return constant<T>(1) / a; } };
template <class T> struct Lt { auto operator()(T a, T b) const { return truth(a < b); } };
template <class T> struct Le { auto operator()(T a, T b) const { return truth(a <= b); } };
template <class T> struct Gt { auto operator()(T a, T b) const { return truth(a > b); } };
template <class T> struct Ge { auto operator()(T a, T b) const { return truth(a >= b); } };
template <class T> struct Eq { auto operator()(T a, T b) const { return truth(a == b); } };
template <class T> struct Ne { auto operator()(T a, T b) const { return truth(a != b); } };
template <class T> struct And { T operator()(T a, T b) const { return T(a & b); } };
template <class T> struct Or { T operator()(T a, T b) const { return T(a | b); } };
// clang-format on

// A compiler folds pow(x, c) for the constants c = 2, 1, 0, -1 (x * x, x, 1, 1 / x) when
// generated code spells c; the interpreter sees c only at run time. Both take the folded form,
// so a constant and a variable exponent give the same bits (libm's pow is not correctly
// rounded; x * x is).
template <class T>
struct Pow {
  T operator()(T a, T b) const {
    if (b == T(2)) return a * a;
    if (b == T(1)) return a;
    if (b == T(0)) return T(1);
    if (b == T(-1)) return T(1) / a;
    return std::pow(a, b);
  }
};
// |a|: IEEE fabs for floats (abs(-0.0) is +0.0, as numpy's); int64 wraps (abs(min) is min).
template <class T>
struct Abs {
  T operator()(T a) const {
    if constexpr (std::is_integral_v<T>)
      return a < 0 ? wrap_neg(a) : a;
    else
      return magnitude(a);
  }
};
template <class T>
struct Sqrt {
  T operator()(T a) const {
    if constexpr (kLanes<T>)
      return vec4::sqrt(a);
    else
      return std::sqrt(a);
  }
};
// Rounded toward -inf / +inf: exact, so the 4-lane forms are four scalar calls.
template <class T>
struct Floor {
  T operator()(T a) const {
    if constexpr (kLanes<T>) {
      for (int q = 0; q < 4; ++q) a[q] = std::floor(a[q]);
      return a;
    } else {
      return std::floor(a);
    }
  }
};
template <class T>
struct Ceil {
  T operator()(T a) const {
    if constexpr (kLanes<T>) {
      for (int q = 0; q < 4; ++q) a[q] = std::ceil(a[q]);
      return a;
    } else {
      return std::ceil(a);
    }
  }
};
template <class T>
struct Not {
  T operator()(T a) const {
    if constexpr (kLanes<T>)
      return ~a;
    else
      return T(!a);
  }
};
// Bits of a where c, else bits of b (no compare on the values: NaN payloads and -0.0 pass).
template <class T>
struct Where {
  template <class C>
  T operator()(C c, T a, T b) const {
    if constexpr (kLanes<T>)
      return vec4::select(c, a, b);
    else
      return kernels::select<T>(c, a, b);
  }
};
// a * b + c rounded once.
template <class T>
struct Fma {
  T operator()(T a, T b, T c) const {
    if constexpr (kLanes<T>)
      return vec4::fma(a, b, c);
    else
      return std::fma(a, b, c);
  }
};
// where(c, 0, a * b): the product is not computed into the result where c holds.
template <class T>
struct MaskedMul {
  template <class C>
  T operator()(C c, T a, T b) const {
    if constexpr (kLanes<T>)
      return vec4::select(c, constant<T>(0), a * b);
    else
      return c ? T(0) : wrap_mul(a, b);
  }
};
// To dtype D (kernels/convert.hpp: saturating float -> int, NaN -> 0, x != 0 -> bool).
template <class S>
struct Cast {
  template <class D>
  D to(S x) const {
    return kernels::convert<S, D>(x);
  }
};

// Reductions: the fold of one element x into an accumulator (a lane), which starts at the op's
// identity (ir/op_table.hpp). Mean and norm_l2 are finished after the fold (/ n, sqrt).
// clang-format off
template <class T> struct Sum { T operator()(T acc, T x) const { return wrap_add(acc, x); } };
template <class T> struct Mean { T operator()(T acc, T x) const { return acc + x; } };
template <class T> struct RMin { T operator()(T acc, T x) const { return pick(x < acc, x, acc); } };
template <class T> struct RMax { T operator()(T acc, T x) const { return pick(acc < x, x, acc); } };
template <class T> struct NormL1 { T operator()(T acc, T x) const { return acc + magnitude(x); } };
template <class T> struct NormL2 { T operator()(T acc, T x) const { return acc + x * x; } };
template <class T> struct NormInf { T operator()(T acc, T x) const { return pick(acc < magnitude(x), magnitude(x), acc); } };
// Mask reductions: x is a stored bool (0 or 1).
template <class T> struct Count { int64_t operator()(int64_t acc, int64_t x) const { return acc + x; } };
template <class T> struct Any { uint8_t operator()(uint8_t acc, uint8_t x) const { return static_cast<uint8_t>(acc | (x != 0)); } };
template <class T> struct All { uint8_t operator()(uint8_t acc, uint8_t x) const { return static_cast<uint8_t>(acc & (x != 0)); } };
// clang-format on

}  // namespace sg::arith
