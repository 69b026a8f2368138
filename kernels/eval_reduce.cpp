// Reductions to scalars and normalize: per block in lane order (core/lanes.hpp), blocks
// combined left to right.
// The same reducer serves the unfused step and a reduction fused into a larger pass.
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/error.hpp"
#include "kernels/arith.hpp"
#include "kernels/block_engine.hpp"
#include "kernels/fused.hpp"
#include "kernels/lanes_simd.hpp"
#include "kernels/select.hpp"
#include "kernels/wrapping.hpp"

namespace sg::kernels {

// Every reduction of the table has its fold in kernels/arith.hpp (a missing one fails here).
#define SG_FOLD_DEFINED(e, ...) static_assert(sizeof(arith::e<double>) > 0, "fold of " #e);
SG_REDUCTION_OPS(SG_FOLD_DEFINED)
#undef SG_FOLD_DEFINED

namespace {

template <class T>
constexpr T lowest() {
  return std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
}
template <class T>
constexpr T highest() {
  return std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
}
// A reduction's start value: the table's identity of its fold.
template <class T>
T identity(OpCode op) {
  switch (op_info(op).identity) {
    case Identity::Zero: return T(0);
    case Identity::One: return T(1);
    case Identity::Highest: return highest<T>();
    case Identity::Lowest: return lowest<T>();
    case Identity::None: break;
  }
  fail(ErrorKind::Program, "{} is not a reduction", op_name(op));
}

template <class A>
void store(Partial& p, const A* lane) {
  for (int k = 0; k < kLanes; ++k) {
    if constexpr (std::is_floating_point_v<A>)
      p.f[k] = static_cast<double>(lane[k]);
    else
      p.i[k] = static_cast<int64_t>(lane[k]);
  }
}
template <class A>
void load(const Partial& p, A* lane) {
  for (int k = 0; k < kLanes; ++k) {
    if constexpr (std::is_floating_point_v<A>)
      lane[k] = static_cast<A>(p.f[k]);
    else
      lane[k] = static_cast<A>(p.i[k]);
  }
}

// fn(init, fold, combine, finish) for reduction `op` over elements of type T.
template <class T, class Fn>
void with_reducer(OpCode op, int64_t n, Fn&& fn) {
  auto same = [](auto a) { return a; };
  // fold: the op's functor (kernels/arith.hpp); combine: how two blocks' partials merge.
  if constexpr (std::is_same_v<T, uint8_t>) {
    if (op == OpCode::Count) return fn(identity<int64_t>(op), arith::Count<T>{}, arith::Count<T>{}, same);
    if (op == OpCode::Any) return fn(identity<uint8_t>(op), arith::Any<T>{}, arith::Any<T>{}, same);
    if (op == OpCode::All) return fn(identity<uint8_t>(op), arith::All<T>{}, arith::All<T>{}, same);
  } else {
    switch (op) {
      case OpCode::Sum: return fn(identity<T>(op), arith::Sum<T>{}, arith::Sum<T>{}, same);
      case OpCode::RMin: return fn(identity<T>(op), arith::RMin<T>{}, arith::RMin<T>{}, same);
      case OpCode::RMax: return fn(identity<T>(op), arith::RMax<T>{}, arith::RMax<T>{}, same);
      default: break;
    }
    if constexpr (std::is_floating_point_v<T>) {
      switch (op) {
        case OpCode::Mean:
          return fn(identity<T>(op), arith::Mean<T>{}, arith::Mean<T>{}, [n](T a) { return a / static_cast<T>(n); });
        case OpCode::NormL1:  // partials are >= 0, so folding one (|p| == p) merges it
          return fn(identity<T>(op), arith::NormL1<T>{}, arith::NormL1<T>{}, same);
        case OpCode::NormInf: return fn(identity<T>(op), arith::NormInf<T>{}, arith::NormInf<T>{}, same);
        case OpCode::NormL2:
          return fn(identity<T>(op), arith::NormL2<T>{}, arith::Sum<T>{}, [](T a) { return std::sqrt(a); });
        default: break;
      }
    }
  }
  fail(ErrorKind::Program, "{} has no reducer over this dtype", op_name(op));
}

template <class F>
void with_input_dtype(const Frame& f, int32_t id, F&& fn) {
  with_dtype(f.value(f.value(id).inputs[0]).type.dtype, fn);
}

// 0 if every mask byte of the strip is false, 1 if every one is true, -1 if mixed.
template <class C>
int mask_summary(const C& c, int64_t len) {
  if constexpr (C::kIsScalar) {
    return c.s != 0;
  } else {
    uint8_t any = 0, all = 1;
    for (int64_t i = 0; i < len; ++i) {  // vectorized: 16 mask bytes per instruction
      any |= c.p[i];
      all &= static_cast<uint8_t>(c.p[i] != 0);
    }
    return any == 0 ? 0 : all ? 1 : -1;
  }
}

// The producer's element i over one strip, for the producers can_fold_into_reduction admits:
// fn(at, quad4) with at(i) the element and quad4(i) elements i .. i + 3 as vectors
// (kernels/lanes_simd.hpp; generic lambdas, only instantiated for float64 by fold_strip). `zero_is_identity`: folding
// +-0 leaves a lane's bits unchanged (sums and norms: a lane starts at +0 and so never holds -0), so a strip whose
// elements are all a scalar zero calls nothing. The Args are captured by value: by reference, their pointers are
// reloaded every element.
template <class T, class Fn>
void with_producer(const Frame& f, int32_t producer, int64_t lo, int64_t len, bool zero_is_identity, int64_t strip_key,
                   Fn&& fn) {
  const Value& e = f.value(producer);
  const auto& in = e.inputs;
  if (e.op == OpCode::Where) {
    // A hoisted mask's summary is computed once per strip and State: a uniform strip then
    // never loads the mask again.
    int8_t* cached = f.mask_summary(in[0], strip_key);
    auto pick_one = [&](int uniform) {
      const int32_t pick = uniform ? in[1] : in[2];
      if (zero_is_identity && scalar_operand(f, pick) && f.slot(pick).get<T>() == T(0)) return;
      with_arg<T>(f, pick, lo, len,
                  [&](auto a) { fn([a](int64_t i) { return a[i]; }, [a](auto i) { return quad(a, i); }); });
    };
    if (cached && (*cached == 0 || *cached == 1)) return pick_one(*cached);
    with_arg<uint8_t>(f, in[0], lo, len, [&](auto c) {
      // A strip with a uniform mask (no sinks in it, say) is one operand: no select at all.
      const int uniform = cached && *cached == 2 ? -1 : mask_summary(c, len);
      if (cached) *cached = static_cast<int8_t>(uniform < 0 ? 2 : uniform);
      if (uniform >= 0) return pick_one(uniform);
      if constexpr (!decltype(c)::kIsScalar) {  // a scalar mask is uniform: handled above
        with_arg<T>(f, in[1], lo, len, [&](auto a) {
          with_arg<T>(f, in[2], lo, len, [&](auto b) {
            fn([c, a, b](int64_t i) { return select(c[i], a[i], b[i]); },
               [c, a, b](auto i) {
                 const Quad qa = quad(a, i), qb = quad(b, i);
                 return Quad{select2(c.p + i, qa.lo, qb.lo), select2(c.p + i + 2, qa.hi, qb.hi)};
               });
          });
        });
      }
    });
    return;
  }
  with_arg<T>(f, in[0], lo, len, [&](auto a) {
    with_arg<T>(f, in[1], lo, len, [&](auto b) {
      auto quads = [a, b](auto op) {
        return [a, b, op](auto i) {
          const Quad qa = quad(a, i), qb = quad(b, i);
          return Quad{op(qa.lo, qb.lo), op(qa.hi, qb.hi)};
        };
      };
      switch (e.op) {
        case OpCode::Add:
          return fn([a, b](int64_t i) { return static_cast<T>(a[i] + b[i]); },
                    quads([](auto x, auto y) { return x + y; }));
        case OpCode::Sub:
          return fn([a, b](int64_t i) { return static_cast<T>(a[i] - b[i]); },
                    quads([](auto x, auto y) { return x - y; }));
        case OpCode::Mul:
          return fn([a, b](int64_t i) { return static_cast<T>(a[i] * b[i]); },
                    quads([](auto x, auto y) { return x * y; }));
        default: fail(ErrorKind::Program, "{} cannot fold into a reduction", op_name(e.op));
      }
    });
  });
}

// lane[k] = fold(lane[k], at(i)) over a strip: float64 sums and L1 norms as vectors
// (kernels/lanes_simd.hpp, the same bits), other reductions and the tail as scalars.
template <class T, class A, class At, class Quad4, class Fold>
void fold_strip(OpCode op, A* lane, int64_t len, At&& at, Quad4&& quad4, Fold&& fold) {
  int64_t done = 0;
  if constexpr (std::is_same_v<T, double> && std::is_same_v<A, double>) {
    if (op == OpCode::Sum || op == OpCode::Mean)
      done = fold_sum_quads<false>(lane, len, quad4);
    else if (op == OpCode::NormL1)
      done = fold_sum_quads<true>(lane, len, quad4);
  }
  // `done` is a multiple of 4: element done + j is still in lane j mod 4.
  fold_lanes_at(
      lane, len - done, [&](int64_t j) { return at(done + j); }, fold);
}

}  // namespace

void reduce_block(const Frame& f, int32_t id, const void* x, int64_t len, Partial& out, bool resume) {
  with_input_dtype(f, id, [&](auto t) {
    using T = decltype(t);
    const T* p = static_cast<const T*>(x);
    const OpCode op = f.value(id).op;
    with_reducer<T>(op, 0, [&](auto init, auto fold, auto, auto) {
      using A = decltype(init);
      A lane[kLanes] = {init, init, init, init};
      if (resume) load(out, lane);
      const Arg<T, false> x{p, T{}};
      fold_strip<T>(
          op, lane, len, [p](int64_t i) { return p[i]; }, [x](auto i) { return quad(x, i); }, fold);
      store(out, lane);
    });
  });
}

void reduce_map_block(const Frame& f, int32_t id, int32_t producer, int64_t lo, int64_t len, Partial& out, bool resume,
                      int64_t strip_key) {
  with_dtype(f.value(producer).type.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_floating_point_v<T>) {
      with_reducer<T>(f.value(id).op, 0, [&](auto init, auto fold, auto, auto) {
        using A = decltype(init);
        A lane[kLanes] = {init, init, init, init};
        if (resume) load(out, lane);
        const OpCode op = f.value(id).op;
        const bool zero_is_identity =
            op == OpCode::Sum || op == OpCode::Mean || op == OpCode::NormL1 || op == OpCode::NormL2;
        with_producer<T>(f, producer, lo, len, zero_is_identity, strip_key,
                         [&](auto at, auto quad4) { fold_strip<T>(op, lane, len, at, quad4, fold); });
        store(out, lane);
      });
    }
  });
}

void reduce_finish(const Frame& f, int32_t id, const Partial* partials) {
  const int64_t nb = f.graph->partition().num_blocks();
  with_input_dtype(f, id, [&](auto t) {
    using T = decltype(t);
    with_reducer<T>(f.value(id).op, f.graph->num_nodes(), [&](auto init, auto, auto combine, auto finish) {
      using A = decltype(init);
      A a = init;
      for (int64_t b = 0; b < nb; ++b) {
        A lane[kLanes];
        load(partials[b], lane);
        a = combine(a, combine_lanes(lane, combine));
      }
      const auto r = finish(a);
      f.slot(id).set(r);
    });
  });
}

void eval_reduce(const Frame& f, int32_t id) {
  const Partition& p = f.graph->partition();
  std::vector<Partial> scratch;
  Partial* partials = f.partials_of(id, scratch);
  const Slot& in = f.slot(f.value(id).inputs[0]);
  const int size = dtype_size(f.value(f.value(id).inputs[0]).type.dtype);
  for_each_block(p, [&](int64_t b, int64_t lo, int64_t hi) {
    reduce_block(f, id, in.node + lo * size, hi - lo, partials[b], false);
  });
  reduce_finish(f, id, partials);
}

void eval_normalize(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  with_dtype(v.type.dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_floating_point_v<T>) {
      const T* x = f.slot(v.inputs[0]).vec<T>();
      const Partition& p = f.graph->partition();
      std::vector<Partial> scratch;
      Partial* partials = f.partials_of(id, scratch);
      auto fold = [&](T a, T b) { return v.by_max ? (a < b ? b : a) : static_cast<T>(a + b); };
      const T init = v.by_max ? lowest<T>() : T(0);
      for_each_block(p, [&](int64_t b, int64_t lo, int64_t hi) {
        T lane[kLanes] = {init, init, init, init};
        fold_lanes(lane, x + lo, hi - lo, fold);
        partials[b].f[0] = static_cast<double>(combine_lanes(lane, fold));
      });
      T s = init;
      for (int64_t b = 0; b < p.num_blocks(); ++b) s = fold(s, static_cast<T>(partials[b].f[0]));
      T* out = f.slot(id).vec<T>();
      for_each_block(p, [&](int64_t, int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) out[i] = x[i] / s;
      });
    }
  });
}

}  // namespace sg::kernels

namespace sg {

bool can_fold_into_reduction(const ProgramIR& ir, int32_t reduction, int32_t producer) {
  const Value& r = ir.values[reduction];
  const Value& e = ir.values[producer];
  if (op_info(r.op).rule != Rule::Reduce || !is_float(e.type.dtype) || e.type.shape != Shape::Node) return false;
  return e.op == OpCode::Add || e.op == OpCode::Sub || e.op == OpCode::Mul || e.op == OpCode::Where;
}

}  // namespace sg
