// Weak connected components by Afforest (Sutton et al. 2018, GAP cc.cc); label = smallest node id.
//
// Union-find where a root is only ever hooked under a smaller root (CAS), so parent pointers
// always decrease and every tree's root is its smallest node: the labels are deterministic by
// construction, whatever the thread count or schedule. Afforest links a couple of neighbors
// per node first, guesses the giant component by sampling, and then skips the edges of the
// nodes already inside it (those edges are seen from their other end). The last
// compression writes the int64 labels in the same pass.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/parallel.hpp"
#include "native/native.hpp"

namespace sg::native {

namespace {

constexpr int64_t kNeighborRounds = 2;
constexpr int64_t kSamples = 1024;

inline node_t load(const node_t* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
inline void store(node_t* p, node_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
inline bool compare_and_swap(node_t* p, node_t expected, node_t desired) {
  return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

// Join the trees of u and v, hooking the larger root under the smaller one.
void link(node_t u, node_t v, node_t* comp) {
  node_t p1 = load(&comp[u]);
  node_t p2 = load(&comp[v]);
  while (p1 != p2) {
    const node_t high = std::max(p1, p2);
    const node_t low = std::min(p1, p2);
    const node_t p_high = load(&comp[high]);
    if (p_high == low) break;  // already joined
    if (p_high == high && compare_and_swap(&comp[high], high, low)) break;
    p1 = load(&comp[load(&comp[high])]);
    p2 = load(&comp[low]);
  }
}

// Point every node straight at its root (no links run concurrently).
void compress(node_t* comp, int64_t n) {
  parallel_range(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) {
      while (load(&comp[v]) != load(&comp[load(&comp[v])])) store(&comp[v], load(&comp[load(&comp[v])]));
    }
  });
}

// The most frequent root among a fixed pseudo-random sample (splitmix64, fixed seed): a guess
// of the giant component, which only affects speed, never the labels.
node_t sample_frequent_root(const node_t* comp, int64_t n) {
  std::vector<node_t> sample(static_cast<size_t>(kSamples));
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (auto& s : sample) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    s = comp[z % static_cast<uint64_t>(n)];
  }
  std::sort(sample.begin(), sample.end());
  node_t best = sample[0];
  int64_t best_count = 0;
  for (size_t i = 0; i < sample.size();) {
    size_t j = i;
    while (j < sample.size() && sample[j] == sample[i]) ++j;
    if (static_cast<int64_t>(j - i) > best_count) {
      best_count = static_cast<int64_t>(j - i);
      best = sample[i];
    }
    i = j;
  }
  return best;
}

// Afforest's linking; the trees are left uncompressed (connected_components' output pass does it).
template <class Out, class In>
void afforest(const Graph& g, Out out, In in, node_t* comp) {
  const int64_t n = g.num_nodes();
  const Partition& blocks = g.partition();
  for (int64_t r = 0; r < kNeighborRounds; ++r) {
    for_each_block(blocks, [&](int64_t, int64_t begin, int64_t end) {
      for (int64_t u = begin; u < end; ++u)
        if (out.degree(u) > r) link(static_cast<node_t>(u), out.idx[out.begin(u) + r], comp);
    });
    compress(comp, n);
  }
  const node_t giant = sample_frequent_root(comp, n);
  for_each_block(blocks, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      if (load(&comp[u]) == giant) continue;
      const node_t uu = static_cast<node_t>(u);
      for (int64_t k = out.begin(u) + kNeighborRounds; k < out.end(u); ++k) link(uu, out.idx[k], comp);
      // A directed edge into u from a skipped giant-component node is only seen from here.
      if (g.directed())
        for (int64_t k = in.begin(u); k < in.end(u); ++k) link(uu, in.idx[k], comp);
    }
  });
}

}  // namespace

Array<int64_t> connected_components(const Graph& g) {
  const int64_t n = g.num_nodes();
  Array<int64_t> labels(static_cast<size_t>(n));
  if (n == 0) return labels;
  Array<node_t> comp(static_cast<size_t>(n));
  parallel_range(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) comp[v] = static_cast<node_t>(v);
  });
  g.out().visit([&](auto out) { g.in().visit([&](auto in) { afforest(g, out, in, comp.data()); }); });
  // Compress and write the labels in one pass (no links run now: roots are final).
  parallel_range(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) {
      const node_t parent = load(&comp[v]);
      node_t root = parent;
      while (load(&comp[root]) != root) root = load(&comp[root]);
      if (root != parent) store(&comp[v], root);
      labels[v] = root;
    }
  });
  return labels;
}

}  // namespace sg::native
