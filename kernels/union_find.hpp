// Concurrent union-find on a parent forest whose pointers only go down (Afforest's linking, as
// GAP's cc.cc), shared by the builder's link op (kernels/eval_link.cpp) and the native twin
// (native/components.cpp).
//
// A root is only ever hooked under a smaller root (one CAS), so every parent is <= its child
// and every tree's root is its smallest node. Once the links are done and compress() has run,
// each node holds the smallest node id it is connected to: the same labels whatever the thread
// count or the order the links ran in.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/parallel.hpp"

namespace sg::kernels {

template <class T>
inline T uf_load(const T* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}
template <class T>
inline void uf_store(T* p, T v) {
  __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

// Join the trees of u and v, hooking the larger root under the smaller one.
template <class T>
void uf_link(T u, T v, T* parent) {
  T p1 = uf_load(&parent[u]);
  T p2 = uf_load(&parent[v]);
  while (p1 != p2) {
    const T high = std::max(p1, p2);
    const T low = std::min(p1, p2);
    const T p_high = uf_load(&parent[high]);
    if (p_high == low) break;  // already joined
    T expected = high;
    if (p_high == high &&
        __atomic_compare_exchange_n(&parent[high], &expected, low, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
      break;
    p1 = uf_load(&parent[uf_load(&parent[high])]);
    p2 = uf_load(&parent[low]);
  }
}

// The root of v's tree (no links may run concurrently with a caller that relies on it).
template <class T>
T uf_root(const T* parent, T v) {
  T root = uf_load(&parent[v]);
  while (uf_load(&parent[root]) != root) root = uf_load(&parent[root]);
  return root;
}

// Point every node straight at its root, in parallel (no links run meanwhile).
template <class T>
void uf_compress(T* parent, int64_t n) {
  parallel_range(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) {
      const T root = uf_root(parent, static_cast<T>(v));
      if (root != uf_load(&parent[v])) uf_store(&parent[v], root);
    }
  });
}

// The most frequent of `samples` entries of x[0 .. n) drawn by a fixed-seed splitmix64 (ties to
// the smallest value): Afforest's guess of the giant component, cheap and reproducible.
template <class T>
T sample_mode(const T* x, int64_t n, int64_t samples) {
  std::vector<T> sample(static_cast<size_t>(samples));
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (T& s : sample) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    s = x[z % static_cast<uint64_t>(n)];
  }
  std::sort(sample.begin(), sample.end());
  T best = sample[0];
  size_t best_count = 0;
  for (size_t i = 0; i < sample.size();) {
    size_t j = i;
    while (j < sample.size() && sample[j] == sample[i]) ++j;
    if (j - i > best_count) {
      best_count = j - i;
      best = sample[i];
    }
    i = j;
  }
  return best;
}

// Afforest's sample size (Sutton et al. 2018; GAP's cc.cc draws as many).
constexpr int64_t kModeSamples = 1024;

}  // namespace sg::kernels
