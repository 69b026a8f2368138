// eval_value: one IR value, dispatched on its op's rule; sources and graph properties here.
#include "core/error.hpp"
#include "kernels/arith.hpp"
#include "kernels/block_engine.hpp"

namespace sg {

namespace {

// body(o, lo, hi) writes node result `id` for nodes [lo, hi) at o[0 .. hi - lo): inside a fused
// kernel, once for its strip (a temporary or the buffer); else once per block of the graph.
template <class T, class Body>
void for_each_node_range(const Frame& f, int32_t id, Body&& body) {
  if (const kernels::FusedBlock* blk = kernels::tl_block) {
    unsigned char* t = blk->temp(id);
    return body(t ? reinterpret_cast<T*>(t) : f.slot(id).vec<T>() + blk->lo, blk->lo, blk->lo + blk->len);
  }
  T* o = f.slot(id).vec<T>();
  for_each_block(f.graph->partition(), [&](int64_t, int64_t lo, int64_t hi) { body(o + lo, lo, hi); });
}

template <class T>
void fill(const Frame& f, int32_t id, T value) {
  for_each_node_range<T>(f, id, [value](T* o, int64_t lo, int64_t hi) {
    for (int64_t i = 0; i < hi - lo; ++i) o[i] = value;
  });
}

void eval_graph(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  const Graph& g = *f.graph;
  Slot& out = f.slot(id);
  with_dtype(v.type.dtype, [&](auto t) {
    using T = decltype(t);
    switch (v.op) {
      case OpCode::NumNodes: return out.set<T>(static_cast<T>(g.num_nodes()));
      case OpCode::NumEdges: return out.set<T>(static_cast<T>(g.num_edges()));
      case OpCode::Directed: return out.set<T>(static_cast<T>(g.directed()));
      case OpCode::OutDegree:
      case OpCode::InDegree: {  // straight into the slot: a degree in the loop allocates nothing
        const bool weighted = v.weighted && g.weighted();
        g.csr(v.op == OpCode::InDegree).visit([&](auto c) {
          for_each_node_range<T>(f, id, [&](T* o, int64_t lo, int64_t hi) {
            for (int64_t u = lo; u < hi; ++u) {
              if (!weighted) {
                o[u - lo] = static_cast<T>(c.degree(u));
                continue;
              }
              double s = 0;  // the same row-order sum as Graph::degree_weights
              for (int64_t k = c.begin(u); k < c.end(u); ++k) s += c.w[k];
              o[u - lo] = static_cast<T>(s);
            }
          });
        });
        return;
      }
      case OpCode::NodeId:
        return for_each_node_range<T>(f, id, [](T* o, int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) o[i - lo] = static_cast<T>(i);
        });
      default: fail(ErrorKind::Program, "{} is not a graph property", op_name(v.op));
    }
  });
}

}  // namespace

void eval_value(const Frame& f, int32_t id) {
  const Value& v = f.value(id);
  switch (op_info(v.op).rule) {
    case Rule::Source:
      if (v.op == OpCode::Param || v.op == OpCode::Input) return;  // bound at init
      return with_dtype(v.type.dtype, [&](auto t) {
        using T = decltype(t);
        if (v.op == OpCode::Const)
          f.slot(id).set<T>(static_cast<T>(v.number));
        else
          fill<T>(f, id, static_cast<T>(v.number));
      });
    case Rule::Graph: return eval_graph(f, id);
    case Rule::Carry: return;  // bound by the loop
    case Rule::Broadcast:
      return with_dtype(v.type.dtype, [&](auto t) {
        using T = decltype(t);
        fill<T>(f, id, arith::Broadcast<T>{}(f.slot(v.inputs[0]).get<T>()));
      });
    case Rule::Reduce:
    case Rule::ReduceMask: return kernels::eval_reduce(f, id);
    case Rule::Aggregate: return kernels::eval_aggregate(f, id);
    case Rule::Normalize: return kernels::eval_normalize(f, id);
    case Rule::Gather: return kernels::eval_gather(f, id);
    case Rule::Scatter: return kernels::eval_scatter(f, id);
    case Rule::Link: return kernels::eval_link(f, id);
    case Rule::SampleMode: return kernels::eval_sample_mode(f, id);
    default: return kernels::eval_elementwise(f, id);
  }
}

}  // namespace sg
