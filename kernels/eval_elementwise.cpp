// Elementwise kernels: arithmetic, comparisons, logic, where, fma, masked_mul, cast.
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/block_engine.hpp"
#include "kernels/convert.hpp"
#include "kernels/select.hpp"
#include "kernels/wrapping.hpp"

namespace sg::kernels {

namespace {

template <class T>
void arith2(const Frame& f, int32_t id) {
  switch (f.value(id).op) {
    case OpCode::Add: return map2<T, T, T>(f, id, [](T a, T b) { return wrap_add(a, b); });
    case OpCode::Sub: return map2<T, T, T>(f, id, [](T a, T b) { return wrap_sub(a, b); });
    case OpCode::Mul: return map2<T, T, T>(f, id, [](T a, T b) { return wrap_mul(a, b); });
    case OpCode::Minimum: return map2<T, T, T>(f, id, [](T a, T b) { return b < a ? b : a; });
    case OpCode::Maximum: return map2<T, T, T>(f, id, [](T a, T b) { return a < b ? b : a; });
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (f.value(id).op == OpCode::Div) return map2<T, T, T>(f, id, [](T a, T b) { return a / b; });
    if (f.value(id).op == OpCode::Pow) return map2<T, T, T>(f, id, [](T a, T b) { return std::pow(a, b); });
  }
}

template <class T>
void arith1(const Frame& f, int32_t id) {
  switch (f.value(id).op) {
    case OpCode::Neg: return map1<T, T>(f, id, [](T a) { return wrap_neg(a); });
    case OpCode::Abs: return map1<T, T>(f, id, [](T a) { return a < 0 ? wrap_neg(a) : a; });
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (f.value(id).op) {
      case OpCode::Sqrt: return map1<T, T>(f, id, [](T a) { return std::sqrt(a); });
      case OpCode::Exp: return map1<T, T>(f, id, [](T a) { return std::exp(a); });
      case OpCode::Log: return map1<T, T>(f, id, [](T a) { return std::log(a); });
      case OpCode::Recip: return map1<T, T>(f, id, [](T a) { return T(1) / a; });
      default: break;
    }
  }
}

template <class T>
void compare(const Frame& f, int32_t id) {
  using B = uint8_t;
  switch (f.value(id).op) {
    case OpCode::Lt: return map2<T, T, B>(f, id, [](T a, T b) { return B(a < b); });
    case OpCode::Le: return map2<T, T, B>(f, id, [](T a, T b) { return B(a <= b); });
    case OpCode::Gt: return map2<T, T, B>(f, id, [](T a, T b) { return B(a > b); });
    case OpCode::Ge: return map2<T, T, B>(f, id, [](T a, T b) { return B(a >= b); });
    case OpCode::Eq: return map2<T, T, B>(f, id, [](T a, T b) { return B(a == b); });
    case OpCode::Ne: return map2<T, T, B>(f, id, [](T a, T b) { return B(a != b); });
    default: break;
  }
}

// out = a * b + c rounded once. Hardware FMA where the CPU has it (chosen once, at load
// time); otherwise libm's fma, which rounds identically, one call per element. Operands are
// Args, so scalars (alpha, a teleport constant) stay in registers.
template <class T, class A, class B, class C>
__attribute__((target("fma"))) void fma_loop_hw(A a, B b, C c, T* __restrict out, int64_t len) {
  for (int64_t i = 0; i < len; ++i) out[i] = std::fma(a[i], b[i], c[i]);
}
template <class T, class A, class B, class C>
void fma_loop_sw(A a, B b, C c, T* __restrict out, int64_t len) {
  for (int64_t i = 0; i < len; ++i) out[i] = std::fma(a[i], b[i], c[i]);
}
template <class T, class A, class B, class C>
void fma_loop(A a, B b, C c, T* out, int64_t len) {
  static const bool hw = __builtin_cpu_supports("fma");
  if (hw) fma_loop_hw<T>(a, b, c, out, len);
  else fma_loop_sw<T>(a, b, c, out, len);
}

}  // namespace

void eval_elementwise(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  const DType d0 = f.value(v.inputs[0]).type.dtype;
  using B = uint8_t;
  switch (op_info(v.op).rule) {
    case Rule::Arith2:
      return with_dtype(d0, [&](auto t) { arith2<decltype(t)>(f, id); });
    case Rule::Arith1:
    case Rule::Float1:
      return with_dtype(d0, [&](auto t) { arith1<decltype(t)>(f, id); });
    case Rule::Compare:
      return with_dtype(d0, [&](auto t) { compare<decltype(t)>(f, id); });
    case Rule::Logic2:
      if (v.op == OpCode::And) return map2<B, B, B>(f, id, [](B a, B b) { return B(a & b); });
      return map2<B, B, B>(f, id, [](B a, B b) { return B(a | b); });
    case Rule::Logic1:
      return map1<B, B>(f, id, [](B a) { return B(!a); });
    case Rule::Select:
      return with_dtype(v.type.dtype, [&](auto t) {
        using T = decltype(t);
        map3<B, T, T, T>(f, id, [](B c, T a, T b) { return select(c, a, b); });
      });
    case Rule::Fma:
      return with_dtype(v.type.dtype, [&](auto t) {
        using T = decltype(t);
        if constexpr (std::is_floating_point_v<T>) {
          const auto& in = v.inputs;
          run_elementwise<T>(f, id, [&](int64_t lo, int64_t len, T* out) {
            with_arg<T>(f, in[0], lo, len, [&](auto a) {
              with_arg<T>(f, in[1], lo, len, [&](auto b) {
                with_arg<T>(f, in[2], lo, len, [&](auto c) { fma_loop<T>(a, b, c, out, len); });
              });
            });
          });
        }
      });
    case Rule::MaskedMul:
      return with_dtype(v.type.dtype, [&](auto t) {
        using T = decltype(t);
        map3<B, T, T, T>(f, id, [](B c, T a, T b) { return c ? T(0) : wrap_mul(a, b); });
      });
    case Rule::Cast:
      return with_dtype(d0, [&](auto s) {
        with_dtype(v.type.dtype, [&](auto d) {
          using S = decltype(s);
          using D = decltype(d);
          map1<S, D>(f, id, [](S x) { return convert<S, D>(x); });
        });
      });
    default:
      break;
  }
}

}  // namespace sg::kernels
