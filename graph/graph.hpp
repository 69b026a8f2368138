// Graph: an immutable CSR graph (out-CSR and in-CSR), built once natively in O(n + m).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>

#include "core/array.hpp"
#include "core/parallel.hpp"
#include "graph/sliced_csr.hpp"

namespace sg {

using node_t = int32_t;  // node ids are 32-bit; graphs past 2^31 - 1 nodes are refused
constexpr int64_t kMaxNodes = INT32_MAX;
constexpr int64_t kWideOffsetEdges = int64_t{1} << 31;  // 64-bit row offsets from here on

// A read-only view of one CSR with a concrete offset type (uint32_t or int64_t).
template <class Off>
struct CsrView {
  using offset_type = Off;
  const Off* off = nullptr;
  const node_t* idx = nullptr;
  const double* w = nullptr;  // nullptr when the graph is unweighted
  int64_t n = 0;

  int64_t begin(int64_t v) const { return static_cast<int64_t>(off[v]); }
  int64_t end(int64_t v) const { return static_cast<int64_t>(off[v + 1]); }
  int64_t degree(int64_t v) const { return end(v) - begin(v); }
};

struct Csr {
  int64_t num_rows = 0;
  int64_t nnz = 0;
  int64_t max_degree = 0;  // the longest row's length
  bool wide = false;       // offsets in off64 (else off32)
  Array<uint32_t> off32;
  Array<int64_t> off64;
  Array<node_t> idx;
  Array<double> w;  // empty when unweighted

  // Call f with the CsrView of the right offset type; kernels are written once, generically.
  template <class F>
  decltype(auto) visit(F&& f) const {
    if (wide) return f(view<int64_t>());
    return f(view<uint32_t>());
  }
  template <class Off>
  CsrView<Off> view() const {
    const double* wp = w.empty() ? nullptr : w.data();
    if constexpr (std::is_same_v<Off, int64_t>)
      return CsrView<Off>{off64.data(), idx.data(), wp, num_rows};
    else
      return CsrView<Off>{off32.data(), idx.data(), wp, num_rows};
  }
  int64_t row_begin(int64_t v) const { return wide ? off64[v] : static_cast<int64_t>(off32[v]); }
};

// f(view of a, view of b) for two CSRs of one graph (its out- and in-CSR). They hold the same
// edges, so Graph gives both the same offset width, and only the two matching pairs of view types
// are instantiated (not four: the kernels visiting both are the largest to compile).
template <class F>
decltype(auto) visit_pair(const Csr& a, const Csr& b, F&& f) {
  if (a.wide != b.wide) throw std::logic_error("visit_pair: CSRs of one graph with different offset widths");
  if (a.wide) return f(a.view<int64_t>(), b.view<int64_t>());
  return f(a.view<uint32_t>(), b.view<uint32_t>());
}

struct BuildOptions {
  bool directed = true;
  bool allow_negative_weights = false;
  bool wide_offsets = false;  // force 64-bit offsets (tests the m >= 2^31 path on small graphs)
};

class Graph;
using GraphPtr = std::shared_ptr<Graph>;  // immutable after construction; non-const for pybind11 holders

class Graph {
 public:
  // Edges (src[i] -> dst[i]), optional weights (nullptr: unweighted). num_nodes < 0: max id + 1.
  // Undirected graphs store both directions (a self-loop once, as in the adjacency matrix);
  // parallel edges are kept. Rows are sorted by neighbor id; parallel edges keep input order.
  template <class Id>
  static GraphPtr from_edges(const Id* src, const Id* dst, const double* weights, int64_t num_edges, int64_t num_nodes,
                             const BuildOptions& opts);
  // Peak bytes from_edges needs for such a graph (checked against the memory available).
  static double build_bytes(int64_t num_nodes, int64_t num_edges, bool weighted, bool directed);

  int64_t num_nodes() const { return n_; }
  int64_t num_edges() const { return m_; }  // as given: an undirected edge counts once
  bool directed() const { return directed_; }
  bool weighted() const { return weighted_; }
  bool has_negative_weights() const { return has_negative_; }
  const Csr& out() const { return *out_; }
  const Csr& in() const { return *in_; }
  const Csr& csr(bool incoming) const { return incoming ? *in_ : *out_; }
  // The graph's fixed block partition (balanced on the pull direction, the in-CSR).
  const Partition& partition() const { return partition_; }

  // The sliced form of the in- or out-CSR (graph/sliced_csr.hpp), built on first use (by one
  // thread; its parallel build is isolated, so a call inside a parallel loop cannot wait on itself).
  const SlicedCsr& sliced(bool incoming) const;

  // Degrees: edge counts, or sums of edge weights (equal to counts when unweighted).
  Array<int64_t> degree_counts(bool incoming) const;
  Array<double> degree_weights(bool incoming) const;

 private:
  int64_t n_ = 0, m_ = 0;
  bool directed_ = true, weighted_ = false, has_negative_ = false;
  std::shared_ptr<Csr> out_, in_;  // the same Csr when undirected
  Partition partition_;
  int slot(bool incoming) const { return incoming && in_ != out_ ? 1 : 0; }  // undirected: one CSR
  mutable std::once_flag sliced_once_[2];
  mutable std::unique_ptr<SlicedCsr> sliced_[2];
};

}  // namespace sg
