// link (union-find over a slice of each row's edges) and sample_mode (the most frequent of a
// fixed sample of a vector's values): Afforest's two steps as ops (kernels/union_find.hpp).
//
// link(parent, active)[direction, edges a:b]: parent is a forest pointing down (parent[u] in
// [0, u]); every active node u is joined with the neighbors at positions a .. b-1 of its row
// (out-edges, in-edges, or both: an undirected graph's in-edges are its out-edges). The result
// is compressed: out[u] is the smallest node u is connected to through the forest and the
// linked edges, whatever the thread count (order-free; see union_find.hpp).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>

#include "core/error.hpp"
#include "kernels/block_engine.hpp"
#include "kernels/union_find.hpp"

namespace sg::kernels {

namespace {

[[noreturn]] void not_a_forest(const Frame& f, int32_t id, int64_t u, int64_t p) {
  const Value& v = f.value(id);
  fail(ErrorKind::Parameter,
       "link: parent{}[{}] = {} is not in [0, {}]: a parent forest points each node at itself or a smaller "
       "node{}",
       operand_name(f.value(v.inputs[0])), u, p, u, user_line(v));
}

// Copy parent into out, checking that it points down; returns the first bad node or n.
int64_t copy_forest(const Frame& f, const int64_t* parent, int64_t* out, int64_t n) {
  std::atomic<int64_t> first_bad{n};
  for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t p = parent[u];
      if (p < 0 || p > u) return note_lowest(first_bad, u);
      out[u] = p;
    }
  });
  return first_bad.load();
}

// Join every active row u with the neighbors in its slice of `csr`; whether any edge was linked.
template <class Csr>
bool link_rows(const Frame& f, const Value& v, Csr csr, const uint8_t* active, int64_t* out) {
  const int64_t from = v.edges_from, to = v.edges_to;
  std::atomic<bool> linked{false};
  for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) {
    bool any = false;
    for (int64_t u = lo; u < hi; ++u) {
      if (active && !active[u]) continue;
      const int64_t row = csr.begin(u), end = csr.end(u);
      const int64_t b = row + std::min(from, end - row);
      const int64_t e = to < 0 ? end : row + std::min(to, end - row);
      any |= b < e;
      for (int64_t k = b; k < e; ++k) uf_link<int64_t>(u, csr.idx[k], out);
    }
    if (any) linked.store(true, std::memory_order_relaxed);
  });
  return linked.load();
}

// node_id and link give compressed forests pointing down: nothing to check or compress.
bool compressed_forest(const Value& v) { return v.op == OpCode::NodeId || v.op == OpCode::Link; }

}  // namespace

void eval_link(const Frame& f, int32_t id) {
  check_pass_of_its_own(f, id);
  const Value& v = f.value(id);
  const Graph& g = *f.graph;
  const int64_t n = g.num_nodes();
  const int64_t* parent = f.slot(v.inputs[0]).vec<int64_t>();
  int64_t* out = f.slot(id).vec<int64_t>();
  const bool compressed = compressed_forest(f.value(v.inputs[0]));
  if (compressed) {
    if (out != parent) std::memcpy(out, parent, static_cast<size_t>(n) * sizeof(int64_t));
  } else if (const int64_t u = copy_forest(f, parent, out, n); u < n) {
    not_a_forest(f, id, u, parent[u]);
  }
  const Slot& mask = f.slot(v.inputs[1]);
  const bool scalar_mask = f.value(v.inputs[1]).type.shape == Shape::Scalar;
  const uint8_t* active = scalar_mask ? nullptr : mask.vec<uint8_t>();
  const bool none_active = scalar_mask && mask.i == 0;
  const bool out_rows = !none_active && (v.direction != Direction::In || !g.directed());
  const bool in_rows = !none_active && g.directed() && v.direction != Direction::Out;
  bool linked = false;
  if (out_rows) g.out().visit([&](auto csr) { linked |= link_rows(f, v, csr, active, out); });
  if (in_rows) g.in().visit([&](auto csr) { linked |= link_rows(f, v, csr, active, out); });
  if (linked || !compressed) uf_compress(out, n);
}

void eval_sample_mode(const Frame& f, int32_t id) {
  check_pass_of_its_own(f, id);
  const Value& v = f.value(id);
  const int64_t n = f.graph->num_nodes();
  const int64_t* x = f.slot(v.inputs[0]).vec<int64_t>();
  // An empty vector gives the lowest int64, as max() of nothing does.
  f.slot(id).set<int64_t>(n == 0 ? std::numeric_limits<int64_t>::min() : sample_mode(x, n, kModeSamples));
}

}  // namespace sg::kernels
