// Reductions to scalars and normalize: per block in node order, blocks combined left to right.
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/block_engine.hpp"

namespace sg::ops {

namespace {

template <class T, class Acc, class Fold>
Acc reduce(const Frame& f, const T* x, Acc init, Fold fold) {
  const Partition& p = f.graph->partition();
  std::vector<Acc> partials(static_cast<size_t>(p.num_blocks()));
  for_each_block(p, [&](int64_t b, int64_t lo, int64_t hi) {
    Acc a = init;
    for (int64_t v = lo; v < hi; ++v) a = fold(a, x[v]);
    partials[b] = a;
  });
  Acc a = init;
  for (const Acc& part : partials) a = fold(a, part);  // left to right; fold is also the combine
  return a;
}

template <class T>
constexpr T lowest() {
  return std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
}
template <class T>
constexpr T highest() {
  return std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
}

template <class T>
T absolute(T x) {
  return x < 0 ? static_cast<T>(-x) : x;
}

template <class T>
void reduce_numeric(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  const T* x = f.slot(v.inputs[0]).vec<T>();
  Slot& out = f.slot(id);
  auto add = [](T a, T b) { return static_cast<T>(a + b); };
  switch (v.op) {
    case OpCode::Sum: return out.set<T>(reduce<T, T>(f, x, T(0), add));
    case OpCode::RMin: return out.set<T>(reduce<T, T>(f, x, highest<T>(), [](T a, T b) { return b < a ? b : a; }));
    case OpCode::RMax: return out.set<T>(reduce<T, T>(f, x, lowest<T>(), [](T a, T b) { return a < b ? b : a; }));
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    const T n = static_cast<T>(f.graph->num_nodes());
    // Norm folds take |x| of elements; their partials are already non-negative, so |p| == p.
    switch (v.op) {
      case OpCode::Mean: return out.set<T>(reduce<T, T>(f, x, T(0), add) / n);
      case OpCode::NormL1:
        return out.set<T>(reduce<T, T>(f, x, T(0), [](T a, T b) { return a + absolute(b); }));
      case OpCode::NormInf:
        return out.set<T>(reduce<T, T>(f, x, T(0), [](T a, T b) { return a < absolute(b) ? absolute(b) : a; }));
      case OpCode::NormL2: {
        const Partition& p = f.graph->partition();
        std::vector<T> partials(static_cast<size_t>(p.num_blocks()));
        for_each_block(p, [&](int64_t b, int64_t lo, int64_t hi) {
          T a = 0;
          for (int64_t i = lo; i < hi; ++i) a += x[i] * x[i];
          partials[b] = a;
        });
        T a = 0;
        for (T part : partials) a += part;
        return out.set<T>(std::sqrt(a));
      }
      default: break;
    }
  }
}

}  // namespace

void eval_reduce(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  if (op_info(v.op).rule == Rule::ReduceMask) {
    const uint8_t* m = f.slot(v.inputs[0]).vec<uint8_t>();
    Slot& out = f.slot(id);
    if (v.op == OpCode::Count)
      return out.set<int64_t>(reduce<uint8_t, int64_t>(f, m, 0, [](int64_t a, int64_t b) { return a + b; }));
    if (v.op == OpCode::Any)
      return out.set<int64_t>(reduce<uint8_t, uint8_t>(f, m, 0, [](uint8_t a, uint8_t b) { return uint8_t(a | (b != 0)); }));
    return out.set<int64_t>(reduce<uint8_t, uint8_t>(f, m, 1, [](uint8_t a, uint8_t b) { return uint8_t(a & (b != 0)); }));
  }
  with_dtype(f.value(v.inputs[0]).type.dtype, [&](auto t) { reduce_numeric<decltype(t)>(f, id); });
}

void eval_normalize(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  with_dtype(v.type.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_floating_point_v<T>) {
      const T* x = f.slot(v.inputs[0]).vec<T>();
      const T s = v.by_max ? reduce<T, T>(f, x, lowest<T>(), [](T a, T b) { return a < b ? b : a; })
                           : reduce<T, T>(f, x, T(0), [](T a, T b) { return a + b; });
      T* out = f.slot(id).vec<T>();
      for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) out[i] = x[i] / s;
      });
    }
  });
}

}  // namespace sg::ops
