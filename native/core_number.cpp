// Core numbers by Batagelj-Zaversnik bucket peeling (2003): O(n + m), sequential.
//
// Nodes sit in an array sorted by their current degree, with the start of each degree's bin;
// taking them in that order, each node's core number is its degree when taken, and every
// neighbor still of higher degree loses one (moved to the front of its bin, which then starts
// one later). Neighbors are a multiset, as NetworkX's all_neighbors: the undirected adjacency,
// or in- and out-neighbors together for a directed graph (degree = in + out), a parallel edge
// once per edge. NetworkX refuses self-loops, and so does this.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "native/native.hpp"

namespace sg::native {

namespace {

int64_t self_loops(const Graph& g) {
  std::atomic<int64_t> count{0};
  g.out().visit([&](auto c) {
    parallel_range(g.num_nodes(), 1 << 14, [&](int64_t b, int64_t e) {
      int64_t local = 0;
      for (int64_t v = b; v < e; ++v)
        for (int64_t k = c.begin(v); k < c.end(v); ++k) local += c.idx[k] == v;
      count += local;
    });
  });
  return count.load();
}

template <class In, class Out>
Array<int64_t> peel(const Graph& g, In in, Out out) {
  const int64_t n = g.num_nodes();
  const bool both = g.directed();
  std::vector<int64_t> deg(static_cast<size_t>(n));
  int64_t max_deg = 0;
  for (int64_t v = 0; v < n; ++v) {
    deg[v] = in.degree(v) + (both ? out.degree(v) : 0);
    max_deg = std::max(max_deg, deg[v]);
  }
  // bin[d]: where the nodes of degree d start in vert; pos[v]: v's index in vert.
  std::vector<int64_t> bin(static_cast<size_t>(max_deg) + 1, 0), pos(static_cast<size_t>(n)),
      vert(static_cast<size_t>(n));
  for (int64_t v = 0; v < n; ++v) ++bin[deg[v]];
  int64_t start = 0;
  for (int64_t d = 0; d <= max_deg; ++d) {
    const int64_t count = bin[d];
    bin[d] = start;
    start += count;
  }
  for (int64_t v = 0; v < n; ++v) {
    pos[v] = bin[deg[v]]++;
    vert[pos[v]] = v;
  }
  for (int64_t d = max_deg; d > 0; --d) bin[d] = bin[d - 1];
  bin[0] = 0;
  auto lower = [&](int64_t v, int64_t u) {  // v is taken: a neighbor u of higher degree loses one
    if (deg[u] <= deg[v]) return;
    const int64_t du = deg[u], pu = pos[u], pw = bin[du], w = vert[pw];
    if (u != w) {
      pos[u] = pw;
      vert[pu] = w;
      pos[w] = pu;
      vert[pw] = u;
    }
    ++bin[du];
    --deg[u];
  };
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = vert[i];
    for (int64_t k = in.begin(v); k < in.end(v); ++k) lower(v, in.idx[k]);
    if (both)
      for (int64_t k = out.begin(v); k < out.end(v); ++k) lower(v, out.idx[k]);
  }
  Array<int64_t> core(static_cast<size_t>(n));
  for (int64_t v = 0; v < n; ++v) core[v] = deg[v];
  return core;
}

}  // namespace

Array<int64_t> core_number(const Graph& g) {
  if (const int64_t loops = self_loops(g))
    fail(ErrorKind::Graph, "core_number is not defined for graphs with self-loops; this graph has {}", loops);
  return g.in().visit([&](auto in) { return g.out().visit([&](auto out) { return peel(g, in, out); }); });
}

}  // namespace sg::native
