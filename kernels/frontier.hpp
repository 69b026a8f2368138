// Frontier iterations of a monotone min / max fixed point (compiler/frontier.cpp finds them):
// x[v] <- better(x[v], G(x[u] (+ w)) over v's aggregated neighbors u), visiting only the
// neighbors u that changed in the previous iteration (the frontier). Push scatters the
// frontier's candidates along its edges (an atomic min / max per target); pull lets each node
// look for frontier neighbors (Beamer's bottom-up step, exact for any min / max). Both compute
// exactly the dense pass's values: min and max are order-free and no -0.0 ever appears (the
// State checks its start), so the result is the same at any thread count and in either direction.
#pragma once
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/array.hpp"
#include "graph/graph.hpp"
#include "ir/ir.hpp"

namespace sg::kernels {

using Word = uint64_t;  // 64 nodes of a frontier bitmap

// One value of the carry's type, kept exactly (a float carry's in `f`, an integer one's in `i`).
struct CarryScalar {
  double f = 0;
  int64_t i = 0;
  template <class T>
  T get() const {
    return std::is_floating_point_v<T> ? static_cast<T>(f) : static_cast<T>(i);
  }
  template <class T>
  void set(T v) {
    if constexpr (std::is_floating_point_v<T>)
      f = static_cast<double>(v);
    else
      i = static_cast<int64_t>(v);
  }
};

// The nodes that changed, as a bitmap, and as a list when it was built by a push or asked for.
struct Frontier {
  Array<Word> bits;    // (n + 63) / 64 words
  Array<node_t> list;  // capacity n; its first `size` entries hold the frontier when `listed`
  int64_t size = 0;
  int64_t scout = 0;  // the push edges of its nodes, when listed (Beamer's rule); or a bound on them
  bool listed = false;
  bool clean = true;     // all bits zero: ready to collect a push
  bool has_bits = true;  // the bits mark the frontier (a push of one candidate lists its nodes only)
  // Every node of the frontier holds one value (a BFS level): then neither step reads the
  // frontier's values, and a push that offers one candidate needs no bits to list each node once.
  bool uniform = false;
  CarryScalar value;  // that value
  void allocate(int64_t n, bool with_list = true);
  template <class T>
  void set_uniform(T v) {
    uniform = true;
    value.set(v);
  }
};

// G: one `+ s` or `- s` of a loop-invariant scalar (s + c when scalar_first).
struct Shift {
  bool sub = false;
  bool scalar_first = false;
  double s = 0;  // exact for float64 and float32 (a float32 scalar is kept rounded)
};

// The nodes a pull need not look at: every node whose value is no worse than `below` (values
// only improve, so each stays so), as bits. A pull whose bound is no better than `below` skips
// them without reading their values; one with a better bound starts the set over.
struct Reached {
  Array<Word> bits;
  CarryScalar below;
  bool valid = false;
};

// One loop's traversal: which edges, what each candidate is, and the buffers it works in.
struct FrontierKernel {
  const Graph* g = nullptr;
  Direction dir = Direction::In;  // the aggregation's: a push follows the edges the other way
  EdgeOp edge = EdgeOp::None;     // None or AddWeight
  bool is_min = true;
  DType dtype = DType::F64;
  std::vector<Shift> shifts;
  unsigned char* x = nullptr;     // the carry, updated in place
  unsigned char* snap = nullptr;  // n values: the frontier's values as the iteration began (by list position or node)
  double weight_bound = 0;        // the smallest (is_min) or largest edge weight (AddWeight only)
  double delta = 0;               // > 0: an ordered loop, settling buckets of this width in order
  Reached* reached = nullptr;     // unordered loops: the pull's skip set
  int64_t max_push_degree = 0;    // a bound on the push edges of any node
  int64_t pull_threshold = 0;     // the scout above which Beamer's rule pulls
};

// The starting frontier: every node whose value is not the combine's identity (an identity's
// candidates are the identity again, and change nothing). Counts the NaN nodes in `nans`: they
// never change, yet each counts as changed in `x != update`. Returns the first node holding
// -0.0 (n if none, or the dtype is an integer), found in the same pass over x.
int64_t start_frontier(const FrontierKernel& k, Frontier& f, int64_t& nans);

// One iteration from `cur` into `next` (whose bits are clean for a push); both return how many
// nodes changed (next.size). A push needs cur.listed.
void frontier_push(const FrontierKernel& k, Frontier& cur, Frontier& next);
void frontier_pull(const FrontierKernel& k, Frontier& cur, Frontier& next);

// The bitmap's nodes as a list, with their scout count (or, without count_scout, a bound on it:
// one random degree load per node saved); the list's nodes as bits (for a pull after a push
// that listed only); and zeroing the bits for a push.
void list_frontier(const FrontierKernel& k, Frontier& f, bool count_scout = true);
void mark_frontier(Frontier& f);
void clear_frontier(Frontier& f);

// An ordered loop's pending nodes (changed, not yet pushed), filed in buckets floor(value / delta)
// of a min fixed point (delta-stepping's bins; kernels/frontier_ordered.cpp).
struct BucketStore;
struct OrderedFrontier {
  Array<Word> pending;  // the pending nodes' bits
  int64_t count = 0;    // and their number
  int64_t current = 0;  // no pending node is in a lower bucket
  std::shared_ptr<BucketStore> store;
  void allocate(int64_t n);
};

// Every node of `start`'s bitmap pending (start.size of them), filed by its value.
void start_ordered(const FrontierKernel& k, const Frontier& start, OrderedFrontier& o);

// One ordered iteration: settle the lowest bucket holding pending nodes (push them, then the
// nodes they improve into it, until none is left). Returns how many it began with (0: none
// pending); o.count is the pending nodes after it.
int64_t settle_bucket(const FrontierKernel& k, OrderedFrontier& o);

// The default bucket width of ordered loops and the native sssp: Meyer & Sanders' Theta(1 / degree)
// for random weights, scaled by the mean weight, the degree taken at an edge's head (over a fixed
// sample of the out-edges): on skewed graphs (RMAT) a wide bucket relaxes its hubs several times,
// each costing millions of edges, so hubs count by how often edges reach them. The factor 2
// trades a few repeated relaxations for half the rounds. 1 for unweighted graphs (a BFS level).
// Only speed depends on it, never the values.
double default_delta(const Graph& g);

// A bound on the push edges of any node: its CSRs' longest rows (kept by the Graph), summed.
int64_t max_push_degree(const FrontierKernel& k);

// The smallest (is_min) or largest edge weight over the edges the kernel reads.
double extreme_weight(const Graph& g, bool smallest);

// Beamer's direction rule (as GAP's bfs.cc, alpha 15 and beta 18): pull once the frontier's
// push edges exceed 1/alpha of all edges, and keep pulling while the frontier grows or holds
// more than n/beta nodes.
struct DirectionRule {
  bool pulling = false;
  int64_t previous = 0;
  bool choose_pull(int64_t size, int64_t scout, int64_t push_edges, int64_t n);
  static int64_t threshold(int64_t push_edges);  // the scout above which a push turns to pulling
};

}  // namespace sg::kernels
