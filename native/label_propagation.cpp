// Synchronous label propagation: each node takes its neighbors' most frequent label, ties to the smallest.
//
// Neighbors are a multiset: the stored adjacency of an undirected graph (a self-loop once,
// so it counts the node's own label), or in- and out-neighbors together for a directed graph
// (a directed self-loop is both, so it counts twice); parallel edges count once per edge;
// weights are ignored. Nodes without neighbors keep their label. Labels are double-buffered,
// so each iteration is a pure function of the previous one: deterministic for any schedule.
// Labels are counted in a per-thread hash table; nodes whose neighbors all kept their labels
// in the previous iteration are skipped (their label cannot change).
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <tbb/enumerable_thread_specific.h>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "native/native.hpp"

namespace sg::native {

namespace {

// Counts a node's gathered neighbor labels in a small open-addressing table (Fibonacci hashing)
// and returns the most frequent one, the smallest on ties. Slots are reset after each node, so
// the work is O(degree) whatever the table's capacity.
class LabelCounter {
 public:
  node_t* buffer(int64_t size) {
    if (gathered_.size() < static_cast<size_t>(size)) gathered_.resize(static_cast<size_t>(size));
    return gathered_.data();
  }

  // The most frequent of labels[0, size), the smallest on ties; `n` bounds the distinct labels.
  node_t most_frequent(const node_t* labels, int64_t size, int64_t n) {
    if (size == 1) return labels[0];
    if (size == 2) return std::min(labels[0], labels[1]);  // equal, or a tie
    start(std::min(size, n));
    for (int64_t i = 0; i < size; ++i) add(labels[i]);
    return best_and_reset();
  }

 private:
  static constexpr node_t kEmpty = -1;  // labels are node ids, never negative

  // Size the table for up to `distinct` labels (load factor <= 1/2; at most 2^31 slots).
  void start(int64_t distinct) {
    bits_ = 1;
    while (bits_ < 31 && (int64_t{1} << bits_) < 2 * distinct) ++bits_;
    if (keys_.size() < (size_t{1} << bits_)) {
      keys_.assign(size_t{1} << bits_, kEmpty);
      counts_.assign(size_t{1} << bits_, 0);
    }
    used_.clear();
  }
  void add(node_t label) {
    const uint32_t mask = (uint32_t{1} << bits_) - 1;  // bits_ <= 31
    uint32_t slot = (static_cast<uint32_t>(label) * 0x9E3779B1u) >> (32 - bits_);
    while (keys_[slot] != label) {
      if (keys_[slot] == kEmpty) {
        keys_[slot] = label;
        used_.push_back(slot);
        break;
      }
      slot = (slot + 1) & mask;
    }
    ++counts_[slot];
  }
  node_t best_and_reset() {
    node_t best = kEmpty;
    int64_t best_count = 0;
    for (uint32_t slot : used_) {
      const node_t label = keys_[slot];
      const int64_t count = counts_[slot];
      if (count > best_count || (count == best_count && label < best)) {
        best = label;
        best_count = count;
      }
      keys_[slot] = kEmpty;
      counts_[slot] = 0;
    }
    return best;
  }

  int bits_ = 1;
  std::vector<node_t> gathered_;
  std::vector<node_t> keys_;
  std::vector<int64_t> counts_;
  std::vector<uint32_t> used_;
};

template <class In, class Out>
Labels propagate(const Graph& g, In in, Out out, int64_t max_iter) {
  const int64_t n = g.num_nodes();
  const bool both = g.directed();
  const Partition& blocks = g.partition();
  Array<node_t> current(static_cast<size_t>(n)), next(static_cast<size_t>(n));
  // changed[v]: v's label changed in the previous iteration. A node none of whose neighbors
  // changed would compute the same label as last time, which is its current label: skip it.
  Array<uint8_t> changed(static_cast<size_t>(n)), changed_next(static_cast<size_t>(n));
  parallel_range(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) {
      current[v] = static_cast<node_t>(v);
      changed[v] = 1;
    }
  });
  std::vector<uint8_t> block_changed(static_cast<size_t>(blocks.num_blocks()));
  tbb::enumerable_thread_specific<LabelCounter> counters;

  Labels result;
  result.converged = false;
  while (result.iterations < max_iter) {
    for_each_block(blocks, [&](int64_t block, int64_t begin, int64_t end) {
      LabelCounter& counter = counters.local();
      bool any = false;
      for (int64_t v = begin; v < end; ++v) {
        const int64_t degree = in.degree(v) + (both ? out.degree(v) : 0);
        bool stale = false;
        for (int64_t k = in.begin(v); k < in.end(v) && !stale; ++k) stale = changed[in.idx[k]];
        if (both)
          for (int64_t k = out.begin(v); k < out.end(v) && !stale; ++k) stale = changed[out.idx[k]];
        node_t label = current[v];
        if (stale) {
          // Gather first (independent loads overlap), then count from the L1-resident buffer.
          node_t* gathered = counter.buffer(degree);
          int64_t j = 0;
          for (int64_t k = in.begin(v); k < in.end(v); ++k) gathered[j++] = current[in.idx[k]];
          if (both)
            for (int64_t k = out.begin(v); k < out.end(v); ++k) gathered[j++] = current[out.idx[k]];
          label = counter.most_frequent(gathered, degree, n);
        }
        next[v] = label;
        changed_next[v] = label != current[v];
        any |= label != current[v];
      }
      block_changed[block] = any;
    });
    ++result.iterations;
    std::swap(current, next);
    std::swap(changed, changed_next);
    const bool any_changed = combine_in_order(block_changed.data(), blocks.num_blocks(), uint8_t{0},
                                              [](uint8_t a, uint8_t c) { return static_cast<uint8_t>(a | c); });
    if (!any_changed) {
      result.converged = true;
      break;
    }
  }
  result.values = Array<int64_t>(static_cast<size_t>(n));
  parallel_range(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t v = b; v < e; ++v) result.values[v] = current[v];
  });
  return result;
}

}  // namespace

Labels label_propagation(const Graph& g, int64_t max_iter) {
  if (max_iter < 0) fail(ErrorKind::Parameter, "max_iter must be >= 0, got {}", max_iter);
  if (g.num_nodes() == 0) return Labels{{}, 0, true};  // nothing to iterate over, as in every loop of stepgraph
  return g.in().visit(
      [&](auto in) { return g.out().visit([&](auto out) { return propagate(g, in, out, max_iter); }); });
}

}  // namespace sg::native
