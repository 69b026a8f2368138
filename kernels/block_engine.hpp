// Block engine of the elementwise kernels: operands as block pointers (scalars expanded into
// a thread-local scratch block, numexpr-style), results written block by block.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/cpu.hpp"
#include "core/parallel.hpp"
#include "kernels/frame.hpp"

namespace sg::kernels {

constexpr int64_t kScratchBytes = kBlockNodes * 8;

// While a fused kernel runs a strip on this thread, elementwise ops run once, on that strip.
using sg::FusedBlock;
inline thread_local const FusedBlock* tl_block = nullptr;

using sg::Partial;

// This thread's scratch: the State's slot for this TBB thread, else a thread-local one
// (a thread the State did not expect, e.g. after the thread limit was raised).
ThreadScratch& thread_scratch(const Frame& f);

// Operand scratch block k (of three) for this thread.
inline unsigned char* scratch_block(const Frame& f, int k) {
  return thread_scratch(f).operands.data() + k * kScratchBytes;
}

// Operand `in` over [lo, lo + len): its node data, or its scalar repeated in scratch block k.
template <class T>
const T* operand(const Frame& f, int32_t in, int64_t lo, int64_t len, int k) {
  const Slot& s = f.slot(in);
  if (tl_block)
    if (unsigned char* t = tl_block->temp(in)) return reinterpret_cast<const T*>(t);
  if (f.value(in).type.shape == Shape::Node) return s.vec<T>() + lo;
  T* out = reinterpret_cast<T*>(scratch_block(f, k));
  const T v = s.get<T>();
  for (int64_t i = 0; i < len; ++i) out[i] = v;
  return out;
}

// body(lo, len, out) over the graph's blocks for node results, or once with len 1 for scalars.
template <class R, class Body>
void run_elementwise(const Frame& f, int32_t id, Body&& body) {
  Slot& out = f.slot(id);
  if (f.value(id).type.shape == Shape::Scalar) {
    R r{};
    body(int64_t{0}, int64_t{1}, &r);
    out.set<R>(r);
    return;
  }
  if (tl_block) {  // inside a fused kernel: this block only, into a temporary or the full buffer
    unsigned char* t = tl_block->temp(id);
    body(tl_block->lo, tl_block->len, t ? reinterpret_cast<R*>(t) : out.vec<R>() + tl_block->lo);
    return;
  }
  R* o = out.vec<R>();
  for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) { body(lo, hi - lo, o + lo); });
}

// An operand inside a loop: a pointer, or one scalar kept in a register (known at compile time).
template <class T, bool kScalar>
struct Arg {
  static constexpr bool kIsScalar = kScalar;
  const T* p;
  T s;
  T operator[](int64_t i) const {
    if constexpr (kScalar)
      return s;
    else
      return p[i];
  }
};

// True when operand `in` is a plain scalar (not a node vector or a block temporary).
inline bool scalar_operand(const Frame& f, int32_t in) { return f.value(in).type.shape == Shape::Scalar; }

// fn(Arg<T, scalar?>) for operand `in` over [lo, lo + len).
template <class T, class Fn>
void with_arg(const Frame& f, int32_t in, int64_t lo, int64_t len, Fn&& fn) {
  if (scalar_operand(f, in))
    fn(Arg<T, true>{nullptr, f.slot(in).get<T>()});
  else
    fn(Arg<T, false>{operand<T>(f, in, lo, len, 0), T{}});
}

// out[i] = fn(args[i]...) for i < len. Everything by value: a bound or pointer reached through a
// lambda's captured reference is reloaded after every store (it might alias `out`), which keeps
// the loop scalar.
template <class R, class Fn, class... Args>
inline void map_loop_base(R* __restrict out, int64_t len, Fn fn, Args... args) {
  for (int64_t i = 0; i < len; ++i) out[i] = fn(args[i]...);
}

#if defined(__x86_64__) && defined(__GNUC__)
// The same loop for CPUs with AVX2, chosen at run time: the baseline x86-64 target (SSE2) has no
// 64-bit integer compare and no cheap way to narrow a double compare to a bool byte, so
// comparisons, selects and int64 maps stay scalar there. Same bits: IEEE ops round alike in any
// lane width, and -ffp-contract=off (without "fma" in the target) keeps a * b + c two roundings.
template <class R, class Fn, class... Args>
__attribute__((target("avx2"))) void map_loop_avx2(R* __restrict out, int64_t len, Fn fn, Args... args) {
  for (int64_t i = 0; i < len; ++i) out[i] = fn(args[i]...);
}
#endif

template <class R, class Fn, class... Args>
inline void map_loop(R* __restrict out, int64_t len, Fn fn, Args... args) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (cpu_has(CpuFeature::Avx2)) return map_loop_avx2(out, len, fn, args...);
#endif
  map_loop_base(out, len, fn, args...);
}

template <class T, class R, class Fn>
void map1(const Frame& f, int32_t id, Fn fn) {
  const auto& in = f.value(id).inputs;
  run_elementwise<R>(f, id, [&](int64_t lo, int64_t len, R* __restrict out) {
    with_arg<T>(f, in[0], lo, len, [&](auto a) { map_loop(out, len, fn, a); });
  });
}

template <class A, class B, class R, class Fn>
void map2(const Frame& f, int32_t id, Fn fn) {
  const auto& in = f.value(id).inputs;
  run_elementwise<R>(f, id, [&](int64_t lo, int64_t len, R* __restrict out) {
    with_arg<A>(f, in[0], lo, len,
                [&](auto a) { with_arg<B>(f, in[1], lo, len, [&](auto b) { map_loop(out, len, fn, a, b); }); });
  });
}

template <class A, class B, class C, class R, class Fn>
void map3(const Frame& f, int32_t id, Fn fn) {
  const auto& in = f.value(id).inputs;
  run_elementwise<R>(f, id, [&](int64_t lo, int64_t len, R* __restrict out) {
    with_arg<A>(f, in[0], lo, len, [&](auto a) {
      with_arg<B>(f, in[1], lo, len,
                  [&](auto b) { with_arg<C>(f, in[2], lo, len, [&](auto c) { map_loop(out, len, fn, a, b, c); }); });
    });
  });
}

void eval_elementwise(const Frame& f, int32_t id);
void eval_reduce(const Frame& f, int32_t id);
void eval_aggregate(const Frame& f, int32_t id);
void eval_normalize(const Frame& f, int32_t id);
void eval_gather(const Frame& f, int32_t id);       // kernels/eval_index.cpp
void eval_scatter(const Frame& f, int32_t id);      // kernels/eval_index.cpp
void eval_link(const Frame& f, int32_t id);         // kernels/eval_link.cpp
void eval_sample_mode(const Frame& f, int32_t id);  // kernels/eval_link.cpp

// For the ops that run as a pass of their own (gather, scatter, link; kernels/eval_index.cpp):
// a Program error if one was fused into a kernel; the lowest bad position found by any thread;
// and how a bad-input message names an operand (" 'name'" or "") and the user's line.
void check_pass_of_its_own(const Frame& f, int32_t id);
void note_lowest(std::atomic<int64_t>& first, int64_t u);
std::string operand_name(const Value& operand);
std::string user_line(const Value& v);

// Fused-kernel pieces: one block of a reduction or of a neighbor aggregation.
// resume=true continues the block's partial (a block processed in strips, in node order).
void reduce_block(const Frame& f, int32_t id, const void* x, int64_t len, Partial& out, bool resume);
// One strip of reduction `id` over elementwise value `producer`, computed in the same loop
// (the producer is never stored; see can_fold_into_reduction). `strip_key` names the strip
// for Frame::mask_summary (-1: none).
void reduce_map_block(const Frame& f, int32_t id, int32_t producer, int64_t lo, int64_t len, Partial& out, bool resume,
                      int64_t strip_key = -1);
void reduce_finish(const Frame& f, int32_t id, const Partial* partials);
void aggregate_block(const Frame& f, int32_t id, int64_t lo, int64_t hi, void* out);

}  // namespace sg::kernels
