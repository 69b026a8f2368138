// Weak connected components by Afforest (Sutton et al. 2018, GAP cc.cc); label = smallest node id.
//
// Union-find where a root is only ever hooked under a smaller root (CAS), so parent pointers
// always decrease and every tree's root is its smallest node: the labels are deterministic by
// construction, whatever the thread count or schedule. Afforest links a couple of neighbors
// per node first, guesses the giant component by sampling, and then skips the edges of the
// nodes already inside it (those edges are seen from their other end). The last
// compression writes the int64 labels in the same pass.
#include <cstdint>

#include "core/parallel.hpp"
#include "kernels/union_find.hpp"
#include "native/native.hpp"

namespace sg::native {

namespace {

using kernels::uf_compress;
using kernels::uf_link;
using kernels::uf_load;
using kernels::uf_root;
using kernels::uf_store;

constexpr int64_t kNeighborRounds = 2;

// Afforest's linking; the trees are left uncompressed (connected_components' output pass does it).
template <class Out, class In>
void afforest(const Graph& g, Out out, In in, node_t* comp) {
  const int64_t n = g.num_nodes();
  const Partition& blocks = g.partition();
  for (int64_t r = 0; r < kNeighborRounds; ++r) {
    for_each_block(blocks, [&](int64_t, int64_t begin, int64_t end) {
      for (int64_t u = begin; u < end; ++u)
        if (out.degree(u) > r) uf_link(static_cast<node_t>(u), out.idx[out.begin(u) + r], comp);
    });
    uf_compress(comp, n);
  }
  const node_t giant = kernels::sample_mode(comp, n, kernels::kModeSamples);
  for_each_block(blocks, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      if (uf_load(&comp[u]) == giant) continue;
      const node_t uu = static_cast<node_t>(u);
      for (int64_t k = out.begin(u) + kNeighborRounds; k < out.end(u); ++k) uf_link(uu, out.idx[k], comp);
      // A directed edge into u from a skipped giant-component node is only seen from here.
      if (g.directed())
        for (int64_t k = in.begin(u); k < in.end(u); ++k) uf_link(uu, in.idx[k], comp);
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
      const node_t root = uf_root(comp.data(), static_cast<node_t>(v));
      if (root != uf_load(&comp[v])) uf_store(&comp[v], root);
      labels[v] = root;
    }
  });
  return labels;
}

}  // namespace sg::native
