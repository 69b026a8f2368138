// Kernel formation: greedy producer->consumer fusion of the loop body, and of the prologue and
// the epilogue, into passes over node data.
//
// Every value goes to the earliest pass its inputs allow: elementwise work joins the pass
// that produces its inputs; a reduction joins the pass producing its input; a neighbor_agg
// needs its input complete, so it opens a new pass whose later elementwise work becomes its
// epilogue; scalar work runs between passes, as soon as the reductions it needs are done.
#include "compiler/kernels.hpp"
#include "compiler/row_codegen.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "kernels/fused.hpp"

namespace sg::compiler {

namespace {

// Whether value `id` is computed by a kernel of `region`: carries are bound by the loop,
// params and input vectors at init.
bool computed_in(const ProgramIR& ir, Region region, int32_t id) {
  const Value& v = ir.values[id];
  return v.region == region && v.op != OpCode::Carry && v.op != OpCode::Param && v.op != OpCode::Input;
}

// Why an op reading any node (Access::All) takes no producer into its pass.
std::string whole_vector_why(OpCode op) {
  switch (op) {
    case OpCode::Gather: return "gather reads x at run-time indices (any node), so it runs as a pass of its own";
    case OpCode::Scatter: return "scatter writes at run-time indices (any node), so it runs as a pass of its own";
    case OpCode::Link: return "link joins trees across the graph (any node), so it runs as a pass of its own";
    case OpCode::SampleMode: return "sample_mode reads sampled nodes (any node), so it runs as a pass of its own";
    default: return "normalize needs a whole-vector reduction before its division";
  }
}

struct Former {
  const ProgramIR& ir;
  std::vector<FusionDecision>& refused;
  Region region;               // the values being formed: the loop body or the prologue
  std::vector<int> kernel_of;  // node kernel index of a value of the region (-1: none)
  std::vector<int> after;      // scalar value: runs after node kernel `after` (-1: before all)
  std::vector<std::vector<int32_t>> node_kernels;
  std::vector<char> opens_pass;                     // kernel starts with neighbor_agg / normalize
  std::vector<char> closed;                         // normalize kernels take nothing else
  std::vector<std::vector<int32_t>> scalars_after;  // index k + 1 for "after kernel k"

  bool in_region(int32_t id) const { return computed_in(ir, region, id); }

  int new_kernel() {
    node_kernels.emplace_back();
    opens_pass.push_back(0);
    closed.push_back(0);
    scalars_after.emplace_back();
    return static_cast<int>(node_kernels.size()) - 1;
  }

  void refuse(int32_t producer, int32_t consumer, std::string reason) {
    refused.push_back({producer, consumer, std::move(reason)});
  }

  void place(int32_t id) {
    const Value& v = ir.values[id];
    const bool node_work = v.type.shape == Shape::Node || is_reduction(v.op);
    if (!node_work) {  // scalar step
      int a = -1;
      for (int32_t u : v.inputs)
        if (in_region(u)) a = std::max(a, ir.values[u].type.shape == Shape::Scalar ? after[u] : kernel_of[u]);
      after[id] = a;
      scalars_after[a + 1].push_back(id);
      return;
    }
    const Access access = op_info(v.op).access;
    // An op reading any element (normalize's whole-vector sum, gather, scatter) runs alone; the
    // rest is block work.
    const bool standalone = access == Access::All;
    const bool needs_complete_input = reads_other_nodes(v.op);
    int from_nodes = 0, from_scalars = 0;
    int32_t late_scalar = -1;
    for (int32_t u : v.inputs) {
      if (!in_region(u)) continue;
      if (ir.values[u].type.shape == Shape::Scalar) {
        if (after[u] + 1 > from_scalars) {
          from_scalars = after[u] + 1;
          late_scalar = u;
        }
      } else {
        const int ku = kernel_of[u];
        from_nodes = std::max(from_nodes, ku + ((needs_complete_input || closed[ku]) ? 1 : 0));
      }
    }
    int k = std::max(from_nodes, from_scalars);
    if (needs_complete_input) {
      k = std::max(k, static_cast<int>(node_kernels.size()));  // a new pass, this op first
      while (k >= static_cast<int>(node_kernels.size())) new_kernel();
      opens_pass[k] = 1;
      closed[k] = standalone;
    } else {
      while (k < static_cast<int>(node_kernels.size()) && closed[k]) ++k;
      while (k >= static_cast<int>(node_kernels.size())) new_kernel();
    }
    node_kernels[k].push_back(id);
    kernel_of[id] = k;
    if (is_reduction(v.op)) after[id] = k;
    for (size_t j = 0; j < v.inputs.size(); ++j) {
      const int32_t u = v.inputs[j];
      if (!in_region(u) || ir.values[u].type.shape != Shape::Node || kernel_of[u] == k) continue;
      if (std::find(v.inputs.begin(), v.inputs.begin() + static_cast<std::ptrdiff_t>(j), u) !=
          v.inputs.begin() + static_cast<std::ptrdiff_t>(j))
        continue;  // gather(f, f): one producer, one refusal
      if (access == Access::Neighbors)
        refuse(u, id, "neighbor_agg reads other blocks' values, so its input must be complete first");
      else if (access == Access::All)
        refuse(u, id, whole_vector_why(v.op));
      else if (closed[kernel_of[u]])
        refuse(u, id, fmt::format("the producer ({}) runs as a step of its own", op_name(ir.values[u].op)));
      else if (late_scalar >= 0 && from_scalars > kernel_of[u])
        refuse(u, id,
               fmt::format("also uses %{}, a scalar ready only once the pass computing its reduction is done",
                           late_scalar));
    }
  }
};

// A temporary whose only user is a reduction of the same kernel is computed inside the
// reduction's loop: one loop and one strip store + load less (e.g. norm_l1(new - old)).
void fold_into_reductions(const ProgramIR& ir, Kernel& k) {
  std::vector<int> users(ir.values.size(), 0);
  for (const Value& v : ir.values)
    for (int32_t u : v.inputs) ++users[u];
  std::vector<int> pos(ir.values.size(), -1);
  for (size_t i = 0; i < k.values.size(); ++i) pos[k.values[i]] = static_cast<int>(i);
  k.folded.assign(k.values.size(), 0);
  k.folds_input.assign(k.values.size(), 0);
  for (size_t i = 0; i < k.values.size(); ++i) {
    const int32_t id = k.values[i];
    if (!is_reduction(ir.values[id].op)) continue;
    const int32_t in = ir.values[id].inputs[0];
    const int p = pos[in];
    if (p >= 0 && k.temporary[p] && users[in] == 1 && can_fold_into_reduction(ir, id, in))
      k.folded[p] = k.folds_input[i] = 1;
  }
}

}  // namespace

std::vector<Kernel> form_kernels(const ProgramIR& ir, Region region, bool fuse, std::vector<FusionDecision>& refused) {
  std::vector<Kernel> out;
  const int32_t nv = static_cast<int32_t>(ir.values.size());
  if (!fuse) {  // one kernel per value: the per-step baseline
    for (int32_t id = 0; id < nv; ++id) {
      const Value& v = ir.values[id];
      if (!computed_in(ir, region, id)) continue;
      Kernel k;
      k.kind = v.type.shape == Shape::Node || is_reduction(v.op) ? Kernel::Kind::Node : Kernel::Kind::Scalar;
      k.values = {id};
      k.temporary = {0};
      k.reads_neighbors = op_info(v.op).access == Access::Neighbors;
      out.push_back(std::move(k));
    }
    return out;
  }
  Former f{ir, refused, region, std::vector<int>(nv, -1), std::vector<int>(nv, -1), {}, {}, {}, {{}}};
  for (int32_t id = 0; id < nv; ++id)
    if (f.in_region(id)) f.place(id);

  // Which node values never leave their pass: they live in block temporaries only.
  std::vector<char> escapes = roots(ir);
  for (int32_t id = 0; id < nv; ++id) {
    const Value& v = ir.values[id];
    for (int32_t u : v.inputs) {
      if (!f.in_region(u) || ir.values[u].type.shape != Shape::Node) continue;
      if (!f.in_region(id) || f.kernel_of[id] != f.kernel_of[u] || reads_other_nodes(v.op)) escapes[u] = 1;
    }
  }
  auto emit_scalars = [&](int slot) {
    if (f.scalars_after[slot].empty()) return;
    Kernel k;
    k.kind = Kernel::Kind::Scalar;
    k.values = f.scalars_after[slot];
    k.temporary.assign(k.values.size(), 0);
    out.push_back(std::move(k));
  };
  emit_scalars(0);
  for (size_t k = 0; k < f.node_kernels.size(); ++k) {
    Kernel kern;
    kern.kind = Kernel::Kind::Node;
    kern.values = f.node_kernels[k];
    kern.reads_neighbors = f.opens_pass[k] && op_info(ir.values[kern.values[0]].op).access == Access::Neighbors;
    for (int32_t id : kern.values)
      kern.temporary.push_back(ir.values[id].type.shape == Shape::Node && !escapes[id] && kern.values.size() > 1);
    fold_into_reductions(ir, kern);
    out.push_back(std::move(kern));
    emit_scalars(static_cast<int>(k) + 1);
  }
  return out;
}

void form_kernels(const ProgramIR& ir, bool fuse, Plan& plan) {
  plan.refused.clear();
  plan.prologue = form_kernels(ir, Region::Prologue, fuse, plan.refused);
  plan.kernels = form_kernels(ir, Region::Body, fuse, plan.refused);
  plan.epilogue = form_kernels(ir, Region::Epilogue, fuse, plan.refused);
}

// A carry whose old value only its own pass reads, node by node, is updated in place: its
// update is computed in a strip temporary and stored over the carry at the end of each strip,
// after every read of the old values there (PageRank: rank <- fma(...), read by the residual).
// One node vector less, and no store stream into a second buffer.
std::vector<InPlace> in_place_candidates(const ProgramIR& ir, const Plan& plan) {
  std::vector<InPlace> out;
  const int32_t nv = static_cast<int32_t>(ir.values.size());
  std::vector<int> kernel_of(nv, -1), pos(nv, -1), update_uses(nv, 0);
  for (size_t k = 0; k < plan.kernels.size(); ++k)
    for (size_t i = 0; i < plan.kernels[k].values.size(); ++i) {
      kernel_of[plan.kernels[k].values[i]] = static_cast<int>(k);
      pos[plan.kernels[k].values[i]] = static_cast<int>(i);
    }
  for (const CarryDecl& c : ir.carries) ++update_uses[c.update];
  for (const CarryDecl& c : ir.carries) {
    const Value &carry = ir.values[c.value], &update = ir.values[c.update];
    const int k = kernel_of[c.update];
    if (carry.type.shape != Shape::Node || update.type != carry.type || update.op == OpCode::Carry ||
        update.region != Region::Body || k < 0 || update_uses[c.update] != 1 || update_uses[c.value] != 0)
      continue;
    const Kernel& kern = plan.kernels[static_cast<size_t>(k)];
    const size_t i = static_cast<size_t>(pos[c.update]);
    if (kern.kind != Kernel::Kind::Node || kern.values.size() < 2 || kern.temporary[i] ||
        (!kern.folded.empty() && kern.folded[i]))
      continue;
    bool node_by_node = true;  // every reader of the old value: this pass, at its own node
    for (int32_t id = 0; id < nv && node_by_node; ++id) {
      const Value& v = ir.values[id];
      if (v.region != Region::Body) continue;
      for (int32_t u : v.inputs) {
        if (u != c.value) continue;
        if (kernel_of[id] != k || reads_other_nodes(v.op)) node_by_node = false;
      }
    }
    if (node_by_node) out.push_back({&c, static_cast<size_t>(k), i});
  }
  return out;
}

void mark_in_place(const ProgramIR& ir, Plan& plan) {
  for (const InPlace& c : in_place_candidates(ir, plan)) {
    Kernel& kern = plan.kernels[c.kernel];
    if (kern.in_place.empty()) kern.in_place.assign(kern.values.size(), 0);
    kern.in_place[c.entry] = 1;
  }
}

}  // namespace sg::compiler
