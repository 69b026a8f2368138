// Generators: validation, then edges made in parallel (each a pure function of seed and index), then Graph::from_edges.
#include "graph/generators.hpp"

#include <cmath>

#include <tbb/parallel_sort.h>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace sg {

namespace {

constexpr int64_t kGrain = 1 << 14;

void check_probability(const char* name, double p) {
  if (!(p >= 0.0) || !std::isfinite(p))
    fail(ErrorKind::Parameter, "rmat: {} must be a probability >= 0, got {}", name, p);
}

void validate(const RmatOptions& o) {
  if (o.scale < 0 || o.scale > kMaxRmatScale)
    fail(ErrorKind::Parameter, "rmat: scale must be in [0, {}] (2^scale nodes with 32-bit node ids), got {}",
         kMaxRmatScale, o.scale);
  if (o.edge_factor < 0) fail(ErrorKind::Parameter, "rmat: edge_factor must be >= 0, got {}", o.edge_factor);
  if (o.edge_factor > (kMaxGeneratedEdges >> o.scale))
    fail(ErrorKind::Parameter, "rmat: edge_factor * 2^scale = {} * 2^{} edges exceeds the maximum of 2^40",
         o.edge_factor, o.scale);
  check_probability("a", o.a);
  check_probability("b", o.b);
  check_probability("c", o.c);
  const double sum = o.a + o.b + o.c;
  if (sum > 1.0 + 1e-9)
    fail(ErrorKind::Parameter, "rmat: a + b + c must be <= 1 (d = 1 - a - b - c), got a + b + c = {}", sum);
}

void validate(const UniformOptions& o) {
  if (o.num_nodes < 0) fail(ErrorKind::Parameter, "uniform: num_nodes must be >= 0, got {}", o.num_nodes);
  if (o.num_nodes > kMaxNodes)
    fail(ErrorKind::Parameter, "uniform: num_nodes = {} exceeds the supported maximum of {} (32-bit node ids)",
         o.num_nodes, kMaxNodes);
  if (o.num_edges < 0) fail(ErrorKind::Parameter, "uniform: num_edges must be >= 0, got {}", o.num_edges);
  if (o.num_edges > kMaxGeneratedEdges)
    fail(ErrorKind::Parameter, "uniform: num_edges = {} exceeds the maximum of 2^40", o.num_edges);
  if (o.num_edges > 0 && o.num_nodes == 0)
    fail(ErrorKind::Parameter, "uniform: num_edges = {} > 0 needs num_nodes > 0 (got num_nodes = 0)", o.num_edges);
}

void validate(const GridOptions& o) {
  if (o.rows < 0) fail(ErrorKind::Parameter, "grid: rows must be >= 0, got {}", o.rows);
  if (o.cols < 0) fail(ErrorKind::Parameter, "grid: cols must be >= 0, got {}", o.cols);
  if (o.cols > 0 && o.rows > kMaxNodes / o.cols)
    fail(ErrorKind::Parameter,
         "grid: rows * cols = {} * {} nodes exceeds the supported maximum of {} (32-bit node ids)", o.rows, o.cols,
         kMaxNodes);
}

// Refuse up front what cannot fit: the edge list and the graph built from it are alive together
// (`extra`: the RMAT permutation). Without this, an edge list that overcommit lets malloc hand out
// is OOM-killed once generation touches it, instead of raising.
void ensure_fits(int64_t num_nodes, int64_t m, bool weighted, bool directed, double extra = 0) {
  const double list = static_cast<double>(m) * (2.0 * sizeof(node_t) + (weighted ? 8.0 : 0.0));
  ensure_memory(list + extra + Graph::build_bytes(num_nodes, m, weighted, directed), "generating this graph");
}

EdgeList allocate(int64_t num_nodes, int64_t m, bool weighted) {
  EdgeList el;
  el.num_nodes = num_nodes;
  el.src = Array<node_t>(static_cast<size_t>(m));
  el.dst = Array<node_t>(static_cast<size_t>(m));
  if (weighted) el.weights = Array<double>(static_cast<size_t>(m));
  return el;
}

// Weight of edge i: its own stream, so it does not depend on how the endpoints were drawn.
inline double edge_weight(uint64_t seed, int64_t i) {
  RandomStream rs(seed, RngStream::Weights, static_cast<uint64_t>(i));
  return unit_interval_open_closed(rs());
}

void fill_weights(EdgeList& el, uint64_t seed) {
  if (el.weights.empty()) return;
  double* w = el.weights.data();
  parallel_range(el.size(), kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) w[i] = edge_weight(seed, i);
  });
}

// A cumulative probability as a threshold on a uniform 32-bit draw: P(u < t) = t / 2^32.
uint64_t threshold32(double p) {
  constexpr double kTwo32 = 4294967296.0;
  const double t = std::floor(p * kTwo32 + 0.5);
  if (!(t > 0)) return 0;
  if (t >= kTwo32) return uint64_t{1} << 32;
  return static_cast<uint64_t>(t);
}

GraphPtr build(const EdgeList& el, bool directed) {
  BuildOptions opts;
  opts.directed = directed;
  const double* w = el.weights.empty() ? nullptr : el.weights.data();
  return Graph::from_edges<node_t>(el.src.data(), el.dst.data(), w, el.size(), el.num_nodes, opts);
}

}  // namespace

Array<node_t> random_permutation(int64_t scale, uint64_t seed) {
  if (scale < 0 || scale > kMaxRmatScale)
    fail(ErrorKind::Parameter, "random_permutation: scale must be in [0, {}], got {}", kMaxRmatScale, scale);
  const int64_t n = int64_t{1} << scale;
  const uint64_t mask = static_cast<uint64_t>(n - 1);
  // Sort (random high bits | id): the keys are distinct, so the order, and with it the
  // permutation, is unique whatever the sort's schedule. Ties in the 64 - scale >= 34
  // random bits (rare) fall back to id order, a negligible bias.
  Array<uint64_t> keys(static_cast<size_t>(n));
  parallel_range(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) {
      RandomStream rs(seed, RngStream::RmatPermutation, static_cast<uint64_t>(v));
      keys[v] = (rs() & ~mask) | static_cast<uint64_t>(v);
    }
  });
  tbb::parallel_sort(keys.begin(), keys.end());
  Array<node_t> perm(static_cast<size_t>(n));
  parallel_range(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) perm[v] = static_cast<node_t>(keys[v] & mask);
  });
  return perm;
}

EdgeList rmat_edges(const RmatOptions& o) {
  validate(o);
  const int64_t n = int64_t{1} << o.scale;
  const int64_t m = o.edge_factor << o.scale;
  ensure_fits(n, m, o.weighted, o.directed, o.permute ? static_cast<double>(n) * (8 + sizeof(node_t)) : 0.0);
  EdgeList el = allocate(n, m, o.weighted);
  Array<node_t> perm;
  if (o.permute) perm = random_permutation(o.scale, o.seed);

  // Quadrant q = number of thresholds u reaches: 0 = a, 1 = b, 2 = c, 3 = d;
  // q's high bit is the source bit and its low bit the destination bit.
  const uint64_t t1 = threshold32(o.a), t2 = threshold32(o.a + o.b), t3 = threshold32(o.a + o.b + o.c);
  const int levels = static_cast<int>(o.scale);
  const int num_words = (levels + 1) / 2;
  static_assert(2 * kMaxBlocks * 2 >= kMaxRmatScale, "32 random bits per level");
  const node_t* pm = perm.empty() ? nullptr : perm.data();
  node_t* src = el.src.data();
  node_t* dst = el.dst.data();
  const uint64_t seed = o.seed;
  parallel_range(m, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      uint64_t words[2 * kMaxBlocks];  // level l uses the 32 bits words[l / 2] >> (32 * (l % 2))
      random_words(seed, RngStream::RmatEdges, static_cast<uint64_t>(i), num_words, words);
      uint32_t s = 0, d = 0;
      auto descend = [&](uint64_t u) {
        const uint32_t q =
            static_cast<uint32_t>(u >= t1) + static_cast<uint32_t>(u >= t2) + static_cast<uint32_t>(u >= t3);
        s = (s << 1) | (q >> 1);
        d = (d << 1) | (q & 1u);
      };
      for (int w = 0; w < levels / 2; ++w) {
        descend(words[w] & 0xFFFFFFFFu);
        descend(words[w] >> 32);
      }
      if (levels & 1) descend(words[levels / 2] & 0xFFFFFFFFu);
      if (pm) {
        src[i] = pm[s];
        dst[i] = pm[d];
      } else {
        src[i] = static_cast<node_t>(s);
        dst[i] = static_cast<node_t>(d);
      }
    }
  });
  fill_weights(el, o.seed);
  return el;
}

EdgeList uniform_edges(const UniformOptions& o) {
  validate(o);
  const int64_t m = o.num_edges;
  ensure_fits(o.num_nodes, m, o.weighted, o.directed);
  EdgeList el = allocate(o.num_nodes, m, o.weighted);
  const uint64_t n = static_cast<uint64_t>(o.num_nodes), seed = o.seed;
  node_t* src = el.src.data();
  node_t* dst = el.dst.data();
  parallel_range(m, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      RandomStream rs(seed, RngStream::UniformEdges, static_cast<uint64_t>(i));
      src[i] = static_cast<node_t>(bounded(rs, n));
      dst[i] = static_cast<node_t>(bounded(rs, n));
    }
  });
  fill_weights(el, o.seed);
  return el;
}

EdgeList grid_edges(const GridOptions& o) {
  validate(o);
  const int64_t rows = o.rows, cols = o.cols;
  const int64_t horizontal = cols > 0 ? rows * (cols - 1) : 0;
  const int64_t vertical = rows > 0 ? (rows - 1) * cols : 0;
  const int64_t m = horizontal + vertical;
  ensure_fits(rows * cols, m, o.weighted, false);
  EdgeList el = allocate(rows * cols, m, o.weighted);
  node_t* src = el.src.data();
  node_t* dst = el.dst.data();
  parallel_range(m, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      int64_t u;
      int64_t step;
      if (i < horizontal) {  // edge i joins (r, c) and (r, c + 1)
        u = (i / (cols - 1)) * cols + i % (cols - 1);
        step = 1;
      } else {  // vertical edge j joins node j and the node below it
        u = i - horizontal;
        step = cols;
      }
      src[i] = static_cast<node_t>(u);
      dst[i] = static_cast<node_t>(u + step);
    }
  });
  fill_weights(el, o.seed);
  return el;
}

GraphPtr rmat(const RmatOptions& opts) { return build(rmat_edges(opts), opts.directed); }
GraphPtr uniform(const UniformOptions& opts) { return build(uniform_edges(opts), opts.directed); }
GraphPtr grid(const GridOptions& opts) { return build(grid_edges(opts), false); }

}  // namespace sg
