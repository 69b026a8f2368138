// BFS hop levels, direction-optimizing (Beamer et al. 2012, GAP bfs.cc): top-down over the out-CSR, bottom-up over
// the in-CSR.
//
// A node's level is the depth of the step that first reaches it, and that depth does not
// depend on which frontier node reaches it first, so the levels are deterministic by
// construction. Top-down claims nodes with a CAS on the level array; bottom-up gives each
// task whole 64-node bitmap words, so it needs no atomics. Small top-down steps (the long
// thin frontiers of grids and roads) run on the calling thread, without waking the others.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "native/native.hpp"

namespace sg::native {

namespace {

constexpr int64_t kAlpha = 15;  // go bottom-up once the frontier's out-edges exceed unexplored edges / alpha
constexpr int64_t kBeta = 18;   // go back top-down once the frontier shrinks below n / beta
constexpr int64_t kQueueFlush = 1024;
constexpr int64_t kSerialNodes = 256;   // a top-down step over at most this many nodes
constexpr int64_t kSerialEdges = 4096;  // and edges runs on the calling thread alone

using Word = uint64_t;

inline bool test_bit(const Word* bits, int64_t v) { return (bits[v >> 6] >> (v & 63)) & 1; }

// Expand queue[head, tail) along out-edges; newly reached nodes get `depth + 1` and are appended
// at tail. Returns the new tail and the sum of the new nodes' out-degrees (the scout count).
template <class Out>
std::pair<int64_t, int64_t> top_down_step(Out out, node_t* level, node_t* queue, int64_t head, int64_t tail,
                                          node_t depth) {
  std::atomic<int64_t> next_tail{tail};
  std::atomic<int64_t> scout{0};
  tbb::parallel_for(tbb::blocked_range<int64_t>(head, tail, 64), [&](const tbb::blocked_range<int64_t>& r) {
    node_t buffer[kQueueFlush];
    int64_t count = 0, local_scout = 0;
    auto flush = [&] {
      const int64_t at = next_tail.fetch_add(count, std::memory_order_relaxed);
      std::copy(buffer, buffer + count, queue + at);
      count = 0;
    };
    for (int64_t i = r.begin(); i != r.end(); ++i) {
      const int64_t u = queue[i];
      for (int64_t k = out.begin(u); k < out.end(u); ++k) {
        const node_t v = out.idx[k];
        node_t unvisited = -1;
        if (__atomic_load_n(&level[v], __ATOMIC_RELAXED) < 0 &&
            __atomic_compare_exchange_n(&level[v], &unvisited, depth + 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
          local_scout += out.degree(v);
          buffer[count++] = v;
          if (count == kQueueFlush) flush();
        }
      }
    }
    if (count) flush();
    scout.fetch_add(local_scout, std::memory_order_relaxed);
  });
  return {next_tail.load(), scout.load()};
}

// top_down_step on the calling thread: no CAS, no buffers.
template <class Out>
std::pair<int64_t, int64_t> top_down_serial(Out out, node_t* level, node_t* queue, int64_t head, int64_t tail,
                                            node_t depth) {
  int64_t next_tail = tail, scout = 0;
  for (int64_t i = head; i < tail; ++i) {
    const int64_t u = queue[i];
    for (int64_t k = out.begin(u); k < out.end(u); ++k) {
      const node_t v = out.idx[k];
      if (level[v] < 0) {
        level[v] = depth + 1;
        scout += out.degree(v);
        queue[next_tail++] = v;
      }
    }
  }
  return {next_tail, scout};
}

// Every unvisited node looks for an in-neighbor in `front`; found ones get `depth + 1` and a bit
// in `next`. Returns how many nodes were reached.
template <class In>
int64_t bottom_up_step(In in, node_t* level, const Word* front, Word* next, int64_t n, node_t depth) {
  const int64_t words = (n + 63) / 64;
  return tbb::parallel_reduce(
      tbb::blocked_range<int64_t>(0, words, 16), int64_t{0},
      [&](const tbb::blocked_range<int64_t>& r, int64_t awake) {
        for (int64_t w = r.begin(); w != r.end(); ++w) {
          Word bits = 0;
          for (int64_t v = w * 64, e = std::min(n, v + 64); v < e; ++v) {
            if (level[v] >= 0) continue;
            for (int64_t k = in.begin(v); k < in.end(v); ++k) {
              if (test_bit(front, in.idx[k])) {
                level[v] = depth + 1;
                bits |= Word{1} << (v & 63);
                ++awake;
                break;
              }
            }
          }
          next[w] = bits;
        }
        return awake;
      },
      [](int64_t a, int64_t b) { return a + b; });
}

// The frontier queue[head, tail) as a bitmap (O(frontier), not O(n): only the words are cleared).
void queue_to_bitmap(const node_t* queue, int64_t head, int64_t tail, Word* bits, int64_t n) {
  parallel_fill<Word>(bits, (n + 63) / 64, 0);
  parallel_range(tail - head, 1 << 12, [&](int64_t b, int64_t e) {
    for (int64_t i = head + b; i < head + e; ++i)
      __atomic_fetch_or(&bits[queue[i] >> 6], Word{1} << (queue[i] & 63), __ATOMIC_RELAXED);
  });
}

// Append the bitmap's nodes to queue at tail; returns the new tail.
int64_t bitmap_to_queue(const Word* bits, int64_t n, node_t* queue, int64_t tail) {
  std::atomic<int64_t> next_tail{tail};
  parallel_range((n + 63) / 64, 1 << 10, [&](int64_t wb, int64_t we) {
    int64_t count = 0;
    for (int64_t w = wb; w < we; ++w) count += __builtin_popcountll(bits[w]);
    int64_t at = next_tail.fetch_add(count, std::memory_order_relaxed);
    for (int64_t w = wb; w < we; ++w)
      for (Word b = bits[w]; b; b &= b - 1) queue[at++] = static_cast<node_t>(w * 64 + __builtin_ctzll(b));
  });
  return next_tail.load();
}

template <class Out, class In>
void direction_optimizing_bfs(Out out, In in, int64_t n, int64_t source, node_t* level) {
  Array<node_t> queue(static_cast<size_t>(n));  // every node enters at most once: a sliding window
  Array<Word> front, next;
  int64_t head = 0, tail = 1;
  queue[0] = static_cast<node_t>(source);
  level[source] = 0;
  node_t depth = 0;
  int64_t edges_to_check = static_cast<int64_t>(out.end(n - 1));
  int64_t scout = out.degree(source);
  while (head < tail) {
    if (scout > edges_to_check / kAlpha) {
      if (front.empty()) {
        front = Array<Word>(static_cast<size_t>((n + 63) / 64));
        next = Array<Word>(static_cast<size_t>((n + 63) / 64));
      }
      queue_to_bitmap(queue.data(), head, tail, front.data(), n);
      int64_t awake = tail - head, old_awake;
      do {
        old_awake = awake;
        awake = bottom_up_step(in, level, front.data(), next.data(), n, depth);
        ++depth;
        std::swap(front, next);
      } while (awake >= old_awake || awake > n / kBeta);
      head = tail;
      tail = bitmap_to_queue(front.data(), n, queue.data(), tail);
      scout = 1;
    } else {
      edges_to_check -= scout;
      const bool small = tail - head <= kSerialNodes && scout <= kSerialEdges;
      const auto [new_tail, new_scout] = small ? top_down_serial(out, level, queue.data(), head, tail, depth)
                                               : top_down_step(out, level, queue.data(), head, tail, depth);
      head = tail;
      tail = new_tail;
      scout = new_scout;
      ++depth;
    }
  }
}

}  // namespace

Array<int64_t> bfs(const Graph& g, int64_t source) {
  const int64_t n = g.num_nodes();
  if (source < 0 || source >= n)
    fail(ErrorKind::Parameter, "source {} is out of range for a graph with {} nodes", source, n);
  Array<node_t> level(static_cast<size_t>(n));
  parallel_fill<node_t>(level.data(), n, -1);
  g.out().visit(
      [&](auto out) { g.in().visit([&](auto in) { direction_optimizing_bfs(out, in, n, source, level.data()); }); });
  Array<int64_t> levels(static_cast<size_t>(n));
  parallel_range(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) levels[v] = level[v];
  });
  return levels;
}

}  // namespace sg::native
