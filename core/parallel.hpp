// Thread control, the fixed block partition, and order-fixed parallel helpers.
//
// Determinism contract: every parallel reduction in stepgraph is computed per block of a
// Partition (inside the block in the fixed lane order of core/lanes.hpp) and the per-block
// partials are combined left to right. The partition depends only on the graph, never on the number
// of threads or on scheduling, so results are bitwise identical for any thread count.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include "core/array.hpp"
#include "core/interrupt.hpp"
#include "core/lanes.hpp"

namespace sg {

// At most this many nodes per block: fused kernels size their block temporaries by it.
constexpr int64_t kBlockNodes = 4096;
// A block also ends once it holds this many pull edges, so hubs do not serialize a pass.
constexpr int64_t kBlockEdges = int64_t{1} << 16;

// Limit the worker threads for the whole process (0 = all hardware threads).
void set_num_threads(int n);
int get_num_threads();
// Make every thread joining TBB's default arena set up its thread-local storage on arrival
// (the Python module calls this once at import; see parallel.cpp).
void warm_thread_locals_on_tbb_threads();

struct Partition {
  std::vector<int64_t> bounds{0};  // block b covers nodes [bounds[b], bounds[b+1])

  int64_t num_blocks() const { return static_cast<int64_t>(bounds.size()) - 1; }
  int64_t begin(int64_t b) const { return bounds[b]; }
  int64_t end(int64_t b) const { return bounds[b + 1]; }
  int64_t num_nodes() const { return bounds.back(); }

  // Blocks of kBlockNodes nodes.
  static Partition uniform(int64_t n);
  // Blocks of at most kBlockNodes nodes and (where a single node allows) kBlockEdges edges,
  // from CSR row offsets (size n + 1).
  template <class Off>
  static Partition balanced(int64_t n, const Off* offsets);
};

// f(block, begin, end) for every block of the partition, in parallel.
// Inside an InterruptScope, SIGINT skips the blocks not yet started and throws Interrupted
// once the loop has joined (core/interrupt.hpp). With `done` (one byte per block), the loop
// is resumable: it skips the blocks marked done and marks each block it completes, so a loop
// interrupted part-way is finished later by calling it again with the same marks.
template <class F>
void for_each_block(const Partition& p, F&& f, uint8_t* done = nullptr) {
  const bool watch = interrupt_watched();
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(0, p.num_blocks(), 1),
      [&](const tbb::blocked_range<int64_t>& r) {
        for (int64_t b = r.begin(); b != r.end(); ++b) {
          if (watch && interrupt_requested()) return;
          if (done && done[b]) continue;
          f(b, p.begin(b), p.end(b));
          if (done) done[b] = 1;
        }
      },
      tbb::simple_partitioner());
  if (watch && interrupt_requested()) throw Interrupted();
}

// f(begin, end) over [0, n) in parallel chunks of about `grain` (no reductions here).
// Interruptible as for_each_block.
template <class F>
void parallel_range(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  if (n <= grain) {
    f(int64_t{0}, n);
    return;
  }
  const bool watch = interrupt_watched();
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, grain), [&](const tbb::blocked_range<int64_t>& r) {
    if (!(watch && interrupt_requested())) f(r.begin(), r.end());
  });
  if (watch && interrupt_requested()) throw Interrupted();
}

template <class T>
void parallel_fill(T* out, int64_t n, T value) {
  parallel_range(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = value;
  });
}

// Combine per-block partials left to right: the one place reductions are ordered.
template <class T, class Op>
T combine_in_order(const T* partials, int64_t count, T init, Op op) {
  T acc = init;
  for (int64_t b = 0; b < count; ++b) acc = op(acc, partials[b]);
  return acc;
}

// out[i] = in[0] + ... + in[i-1]; out[n] = total. Integer counts only (exact in any order).
template <class In, class Out>
Out exclusive_scan(const In* in, Out* out, int64_t n) {
  constexpr int64_t kChunk = 1 << 16;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<Out> sums(static_cast<size_t>(chunks) + 1, 0);
  parallel_range(chunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      Out s = 0;
      for (int64_t i = c * kChunk, e = std::min(n, (c + 1) * kChunk); i < e; ++i) s += static_cast<Out>(in[i]);
      sums[c + 1] = s;
    }
  });
  for (int64_t c = 0; c < chunks; ++c) sums[c + 1] += sums[c];
  parallel_range(chunks, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      Out s = sums[c];
      for (int64_t i = c * kChunk, e = std::min(n, (c + 1) * kChunk); i < e; ++i) {
        out[i] = s;
        s += static_cast<Out>(in[i]);
      }
    }
  });
  out[n] = sums[chunks];
  return sums[chunks];
}

template <class Off>
Partition Partition::balanced(int64_t n, const Off* offsets) {
  Partition p;
  p.bounds.clear();
  p.bounds.push_back(0);
  int64_t start = 0;
  for (int64_t v = 0; v < n; ++v) {
    const int64_t nodes = v + 1 - start;
    const int64_t edges = static_cast<int64_t>(offsets[v + 1]) - static_cast<int64_t>(offsets[start]);
    if (nodes == kBlockNodes || edges >= kBlockEdges) {
      p.bounds.push_back(v + 1);
      start = v + 1;
    }
  }
  if (start < n) p.bounds.push_back(n);
  return p;
}

}  // namespace sg

namespace sg {

// sum of f(v) over the partition's nodes: in lane order inside a block (core/lanes.hpp),
// blocks left to right.
template <class T, class F>
T blocked_sum(const Partition& p, F&& f) {
  std::vector<T> partials(static_cast<size_t>(p.num_blocks()));
  for_each_block(p, [&](int64_t b, int64_t lo, int64_t hi) {
    T s[kLanes] = {};
    for_each_lane(lo, hi, [&](int64_t v, auto lane) { s[lane] += f(v); });
    partials[b] = combine_lanes(s, [](T a, T x) { return static_cast<T>(a + x); });
  });
  return combine_in_order(partials.data(), p.num_blocks(), T(0), [](T a, T x) { return a + x; });
}

}  // namespace sg
