// Elementwise kernels: one per op of the table's elementwise block, each running its functor
// (kernels/arith.hpp) over blocks of nodes or over scalars.
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/cpu.hpp"
#include "core/error.hpp"
#include "kernels/arith.hpp"
#include "kernels/block_engine.hpp"
#include "kernels/cast_avx2.hpp"

namespace sg::kernels {

namespace {

using B = uint8_t;

// out = a * b + c rounded once. Hardware FMA where the CPU has it (chosen once, at load
// time); otherwise libm's fma, which rounds identically, one call per element. Operands are
// Args, so scalars (alpha, a teleport constant) stay in registers.
template <class T, class A, class B, class C>
__attribute__((target("fma"))) void fma_loop_hw(A a, B b, C c, T* __restrict out, int64_t len) {
  for (int64_t i = 0; i < len; ++i) out[i] = arith::Fma<T>{}(a[i], b[i], c[i]);
}
template <class T, class A, class B, class C>
void fma_loop_sw(A a, B b, C c, T* __restrict out, int64_t len) {
  for (int64_t i = 0; i < len; ++i) out[i] = arith::Fma<T>{}(a[i], b[i], c[i]);
}
template <class T, class A, class B, class C>
void fma_loop(A a, B b, C c, T* out, int64_t len) {
  if (cpu_has(CpuFeature::Fma))
    fma_loop_hw<T>(a, b, c, out, len);
  else
    fma_loop_sw<T>(a, b, c, out, len);
}

template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, double>)
    return DType::F64;
  else if constexpr (std::is_same_v<T, float>)
    return DType::F32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return DType::I64;
  else
    return DType::Bool;
}

// Elementwise op `op` over its operands' dtype T, with its functor Fn<T> (kernels/arith.hpp).
// The validator admits only the dtypes the table's domain accepts; others are not instantiated.
template <OpCode op, template <class> class Fn, class T>
void eval_typed(const Frame& f, int32_t id) {
  constexpr OpInfo info = op_info(op);
  if constexpr (!accepts(info.domain, dtype_of<T>())) {
    fail(ErrorKind::Program, "{} over {} passed the validator", info.name, dtype_name(dtype_of<T>()));
  } else if constexpr (info.rule == Rule::Arith2 || info.rule == Rule::Logic2) {
    map2<T, T, T>(f, id, Fn<T>{});
  } else if constexpr (info.rule == Rule::Arith1 || info.rule == Rule::Float1 || info.rule == Rule::Logic1 ||
                       info.rule == Rule::Broadcast) {
    map1<T, T>(f, id, Fn<T>{});
  } else if constexpr (info.rule == Rule::Compare) {
    map2<T, T, B>(f, id, Fn<T>{});
  } else if constexpr (info.rule == Rule::Select || info.rule == Rule::MaskedMul) {
    map3<B, T, T, T>(f, id, Fn<T>{});
  } else if constexpr (info.rule == Rule::Fma) {
    const auto& in = f.value(id).inputs;
    run_elementwise<T>(f, id, [&](int64_t lo, int64_t len, T* out) {
      with_arg<T>(f, in[0], lo, len, [&](auto a) {
        with_arg<T>(f, in[1], lo, len,
                    [&](auto b) { with_arg<T>(f, in[2], lo, len, [&](auto c) { fma_loop<T>(a, b, c, out, len); }); });
      });
    });
  } else if constexpr (info.rule == Rule::Cast) {
    with_dtype(f.value(id).type.dtype, [&](auto d) {
      using D = decltype(d);
#if defined(__x86_64__) && defined(__GNUC__)
      if constexpr (std::is_same_v<T, double> && std::is_same_v<D, int64_t>) {
        const int32_t in = f.value(id).inputs[0];
        if (cpu_has(CpuFeature::Avx2) && !scalar_operand(f, in)) {
          run_elementwise<D>(f, id, [&](int64_t lo, int64_t len, D* out) {
            cast_f64_i64_avx2(operand<T>(f, in, lo, len, 0), out, len);
          });
          return;
        }
      }
#endif
      map1<T, D>(f, id, [](T x) { return Fn<T>{}.template to<D>(x); });
    });
  } else {
    static_assert(info.rule == Rule::Cast, "an elementwise rule without an interpreter kernel");
  }
}

template <OpCode op, template <class> class Fn>
void eval_op(const Frame& f, int32_t id) {
  with_dtype(compute_dtype(*f.ir, f.value(id)), [&](auto t) { eval_typed<op, Fn, decltype(t)>(f, id); });
}

}  // namespace

void eval_elementwise(const Frame& f, int32_t id) {
  const OpCode op = f.value(id).op;
  switch (op) {
#define SG_ELEMENTWISE_CASE(e, ...) \
  case OpCode::e: return eval_op<OpCode::e, arith::e>(f, id);
    SG_ELEMENTWISE_OPS(SG_ELEMENTWISE_CASE)
#undef SG_ELEMENTWISE_CASE
    default: break;
  }
  fail(ErrorKind::Program, "{} is not an elementwise op", op_name(op));
}

}  // namespace sg::kernels
