// Seed-deterministic parallel graph generators (RMAT, uniform G(n, m), 2-D grid) built with Graph::from_edges.
//
// Every edge is a pure function of (seed, edge index) through the counter-based RNG in
// core/rng.hpp, so the edge list, and the CSR built from it, is bitwise identical for
// any number of threads. Invalid parameters throw sg::Error(ErrorKind::Parameter).
#pragma once
#include <cstdint>

#include "core/array.hpp"
#include "graph/graph.hpp"

namespace sg {

// Generated edge lists are refused past this size (the overflow guard for edge_factor << scale).
constexpr int64_t kMaxGeneratedEdges = int64_t{1} << 40;
constexpr int64_t kMaxRmatScale = 30;  // 2^30 nodes: ids stay 32-bit

struct EdgeList {
  int64_t num_nodes = 0;
  Array<node_t> src, dst;
  Array<double> weights;  // empty when unweighted
  int64_t size() const { return static_cast<int64_t>(src.size()); }
};

struct RmatOptions {
  int64_t scale = 10;                   // 2^scale nodes
  int64_t edge_factor = 16;             // edge_factor * 2^scale edges
  double a = 0.57, b = 0.19, c = 0.19;  // quadrant probabilities; d = 1 - a - b - c
  uint64_t seed = 0;
  bool directed = true;
  bool weighted = false;
  bool permute = true;  // relabel ids by a seeded random permutation (as GAP does)
};

struct UniformOptions {
  int64_t num_nodes = 0;
  int64_t num_edges = 0;
  uint64_t seed = 0;
  bool directed = true;
  bool weighted = false;
};

struct GridOptions {
  int64_t rows = 0, cols = 0;
  bool weighted = false;
  uint64_t seed = 0;  // only the weights are random
};

// Recursive-matrix (Chakrabarti, Zhan, Faloutsos 2004) edges: each of scale levels picks a
// quadrant with probabilities a, b, c, d (a: src bit 0 / dst bit 0, b: 0/1, c: 1/0, d: 1/1),
// from 32 random bits per level. Self-loops and duplicates are kept.
EdgeList rmat_edges(const RmatOptions& opts);
// Erdős–Rényi G(n, m) with replacement: both endpoints uniform over [0, n), unbiased.
EdgeList uniform_edges(const UniformOptions& opts);
// The undirected 4-neighbour lattice, node r * cols + c: first the rows * (cols - 1)
// horizontal edges (r, c)-(r, c + 1), then the (rows - 1) * cols vertical (r, c)-(r + 1, c).
EdgeList grid_edges(const GridOptions& opts);

// A seeded uniformly random permutation of [0, 2^scale): perm[v] is v's new id.
Array<node_t> random_permutation(int64_t scale, uint64_t seed);

// The same, built into a Graph (grid is always undirected).
GraphPtr rmat(const RmatOptions& opts);
GraphPtr uniform(const UniformOptions& opts);
GraphPtr grid(const GridOptions& opts);

}  // namespace sg
