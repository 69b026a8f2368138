// Index ops: gather (out[u] = x[idx[u]]) and scatter (out = target, then
// out[idx[u]] = combine(out[idx[u]], values[u]) for every u), both bounds-checked.
//
// Each runs as a pass of its own (Access::All): its inputs are complete before it starts.
// gather runs in parallel over blocks. An int64 scatter runs in parallel with atomic updates:
// min, max and a wrapping sum are order-free, so any thread count gives the same bits. A float
// scatter applies u = 0 .. n-1 in node order on one thread, as numpy's ufunc.at: a float sum
// depends on its order, and min / max on NaN and signed zeros (the functors of b.minimum /
// b.maximum, with the accumulated value first).
//
// An index outside [0, n) is a ParameterError naming the op, the lowest such position, its
// value and the user's line; nothing is read or written out of range.
#include <atomic>
#include <cstring>
#include <type_traits>

#include "core/error.hpp"
#include "kernels/arith.hpp"
#include "kernels/block_engine.hpp"

namespace sg::kernels {

namespace {

[[noreturn]] void out_of_range(const Frame& f, int32_t id, int64_t u, int64_t index, int64_t n) {
  const Value& v = f.value(id);
  fail(ErrorKind::Parameter, "{}: index{}[{}] = {} is out of range for a graph with {} nodes{}", op_name(v.op),
       operand_name(f.value(v.inputs[1])), u, index, n, user_line(v));
}

template <class T>
void gather(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  const T* __restrict x = f.slot(v.inputs[0]).vec<T>();
  const int64_t* __restrict idx = f.slot(v.inputs[1]).vec<int64_t>();
  T* __restrict out = f.slot(id).vec<T>();
  const int64_t n = f.graph->num_nodes();
  std::atomic<int64_t> first_bad{n};
  for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t i = idx[u];
      if (static_cast<uint64_t>(i) >= static_cast<uint64_t>(n)) return note_lowest(first_bad, u);
      out[u] = x[i];
    }
  });
  if (const int64_t u = first_bad.load(); u < n) out_of_range(f, id, u, idx[u], n);
}

// out[i] = combine(out[i], x), atomically; order-free for int64.
void combine_atomic(int64_t* p, int64_t x, Combine c) {
  if (c == Combine::Sum) {  // on the unsigned bits: wraps as wrap_add does
    __atomic_fetch_add(reinterpret_cast<uint64_t*>(p), static_cast<uint64_t>(x), __ATOMIC_RELAXED);
    return;
  }
  const bool is_min = c == Combine::Min;
  int64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);
  // Most hooks do not lower the value: no write, so a hot target stays shared.
  while ((is_min ? x < cur : cur < x) &&
         !__atomic_compare_exchange_n(p, &cur, x, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}

template <class T, bool kScalar>
void scatter_into(const Frame& f, int32_t id, T* __restrict out) {
  const Value& v = f.value(id);
  const int64_t* __restrict idx = f.slot(v.inputs[1]).vec<int64_t>();
  const Slot& vs = f.slot(v.inputs[2]);
  const T* __restrict vals = kScalar ? nullptr : vs.vec<T>();
  const T s = vs.get<T>();
  auto value = [&](int64_t u) {
    if constexpr (kScalar)
      return s;
    else
      return vals[u];
  };
  const int64_t n = f.graph->num_nodes();
  if constexpr (std::is_integral_v<T>) {
    std::atomic<int64_t> first_bad{n};
    for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; ++u) {
        const int64_t i = idx[u];
        if (static_cast<uint64_t>(i) >= static_cast<uint64_t>(n)) return note_lowest(first_bad, u);
        combine_atomic(out + i, value(u), v.combine);
      }
    });
    if (const int64_t u = first_bad.load(); u < n) out_of_range(f, id, u, idx[u], n);
  } else {
    auto run = [&](auto fn) {
      for (int64_t u = 0; u < n; ++u) {
        const int64_t i = idx[u];
        if (static_cast<uint64_t>(i) >= static_cast<uint64_t>(n)) out_of_range(f, id, u, i, n);
        out[i] = fn(out[i], value(u));
      }
    };
    switch (v.combine) {
      case Combine::Sum: return run(arith::Add<T>{});
      case Combine::Min: return run(arith::Minimum<T>{});
      case Combine::Max: return run(arith::Maximum<T>{});
      default: fail(ErrorKind::Program, "scatter: combine={} passed the validator", combine_name(v.combine));
    }
  }
}

}  // namespace

void check_pass_of_its_own(const Frame& f, int32_t id) {
  if (tl_block)
    fail(ErrorKind::Program, "{} fused into a kernel (it runs as a pass of its own)", op_name(f.value(id).op));
}

void note_lowest(std::atomic<int64_t>& first, int64_t u) {
  int64_t cur = first.load(std::memory_order_relaxed);
  while (u < cur && !first.compare_exchange_weak(cur, u, std::memory_order_relaxed)) {}
}

std::string operand_name(const Value& operand) {
  const std::string& called = operand.label.empty() ? operand.name : operand.label;  // inputs and carries: their name
  return called.empty() ? "" : fmt::format(" '{}'", called);
}

std::string user_line(const Value& v) { return v.loc.empty() ? "" : fmt::format(" (at {})", v.loc); }

void eval_gather(const Frame& f, int32_t id) {
  check_pass_of_its_own(f, id);
  with_dtype(f.value(id).type.dtype, [&](auto t) { gather<decltype(t)>(f, id); });
}

void eval_scatter(const Frame& f, int32_t id) {
  check_pass_of_its_own(f, id);
  const Value& v = f.value(id);
  with_dtype(v.type.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_same_v<T, uint8_t>) {
      fail(ErrorKind::Program, "scatter over bool passed the validator");
    } else {
      const T* target = f.slot(v.inputs[0]).vec<T>();
      T* out = f.slot(id).vec<T>();
      if (out != target)
        for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) {
          std::memcpy(out + lo, target + lo, static_cast<size_t>(hi - lo) * sizeof(T));
        });
      if (f.value(v.inputs[2]).type.shape == Shape::Scalar)
        scatter_into<T, true>(f, id, out);
      else
        scatter_into<T, false>(f, id, out);
    }
  });
}

}  // namespace sg::kernels
