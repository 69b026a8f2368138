// Frontier detection: a loop whose one carry is a monotone min / max fixed point over its
// neighbors runs over the nodes that changed instead of every node (exec/frontier_loop.cpp).
//
// The update must read x <- minimum(x, G(neighbor_agg(x, min, dir, edge))), G a chain of
// `+ s` / `- s` with loop-invariant scalars s (or the max form). Then a node's candidate from
// neighbor u depends on x[u] alone, so a node none of whose aggregated neighbors changed keeps
// its value: each iteration need only combine the changed nodes' candidates. G commutes with
// the min because rounding is monotone, so the frontier computes the same bits as the dense
// pass. The rest of the body may only count the changes (count / any of update != x) and
// compute scalars from that count. Every refusal is a sentence explain() prints.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "compiler/pass.hpp"

namespace sg::compiler {

namespace {

bool is_body(const ProgramIR& ir, int32_t id) { return ir.values[id].region == Region::Body; }

std::string named(const ProgramIR& ir, int32_t id) {
  const Value& v = ir.values[id];
  const std::string& label = v.label.empty() ? v.name : v.label;
  return label.empty() ? fmt::format("%{} ({})", id, op_name(v.op)) : fmt::format("{} (%{})", label, id);
}

// A loop-invariant scalar: computed before the loop (a const, a param, a hoisted value), or in
// the body from such scalars only (below opt level 2 nothing is hoisted).
bool invariant_scalar(const ProgramIR& ir, int32_t id) {
  const Value& v = ir.values[id];
  if (v.type.shape != Shape::Scalar) return false;
  if (!is_body(ir, id)) return true;
  if (v.op == OpCode::Carry || is_reduction(v.op)) return false;
  for (int32_t in : v.inputs)
    if (!invariant_scalar(ir, in)) return false;
  return true;
}

// Follows G from the min's other operand down to the aggregation; returns the aggregation's
// id (or -1 with `why` set) and G's values in application order.
int32_t match_chain(const ProgramIR& ir, int32_t id, std::vector<int32_t>& shifts, std::string& why) {
  while (is_body(ir, id) && (ir.values[id].op == OpCode::Add || ir.values[id].op == OpCode::Sub)) {
    const Value& v = ir.values[id];
    const int32_t a = v.inputs[0], b = v.inputs[1];
    if (v.op == OpCode::Add && invariant_scalar(ir, a) && !invariant_scalar(ir, b)) {
      shifts.insert(shifts.begin(), id);
      id = b;
    } else if (invariant_scalar(ir, b) && !invariant_scalar(ir, a)) {
      shifts.insert(shifts.begin(), id);
      id = a;
    } else {
      why = fmt::format("{} is not the aggregate plus or minus a loop-invariant scalar", named(ir, id));
      return -1;
    }
  }
  if (ir.values[id].op != OpCode::NeighborAgg) {
    why =
        fmt::format("{} is not a neighbor_agg (only + and - of loop-invariant scalars may follow one)", named(ir, id));
    return -1;
  }
  return id;
}

// The frontier form of the loop, or a plan whose `refused` says why there is none.
FrontierPlan match(const ProgramIR& ir) {
  FrontierPlan p;
  auto refuse = [&](std::string why) {
    p.refused = std::move(why);
    return p;
  };
  if (ir.carries.size() != 1)
    return refuse(
        fmt::format("the loop carries {} values; a frontier loop carries one node vector", ir.carries.size()));
  const CarryDecl& c = ir.carries[0];
  const int32_t x = c.value;
  const Type xt = ir.values[x].type;
  if (xt.shape != Shape::Node || xt.dtype == DType::Bool)
    return refuse(fmt::format("the carry '{}' is not a numeric node vector", c.name));
  const Value& upd = ir.values[c.update];
  if (!is_body(ir, c.update) || (upd.op != OpCode::Minimum && upd.op != OpCode::Maximum))
    return refuse(fmt::format("'{}' is not updated as minimum(x, ...) or maximum(x, ...)", c.name));
  p.is_min = upd.op == OpCode::Minimum;
  const int32_t other = upd.inputs[0] == x ? upd.inputs[1] : upd.inputs[1] == x ? upd.inputs[0] : -1;
  if (other < 0)
    return refuse(fmt::format("'{}''s update {} does not read '{}' itself", c.name, named(ir, c.update), c.name));
  std::string why;
  p.aggregate = match_chain(ir, other, p.shifts, why);
  if (p.aggregate < 0) return refuse(why);
  const Value& agg = ir.values[p.aggregate];
  const char* want = p.is_min ? "min" : "max";
  if (agg.combine != (p.is_min ? Combine::Min : Combine::Max))
    return refuse(fmt::format("{} combines by {}, not {} as the update does", named(ir, p.aggregate),
                              combine_name(agg.combine), want));
  if (agg.inputs[0] != x)
    return refuse(
        fmt::format("{} aggregates {}, not '{}' itself", named(ir, p.aggregate), named(ir, agg.inputs[0]), c.name));
  if (agg.edge == EdgeOp::MulWeight)
    return refuse(
        fmt::format("{} multiplies by edge weights (a negative weight reverses the order)", named(ir, p.aggregate)));
  if (xt.dtype == DType::I64 && (agg.edge != EdgeOp::None || !p.shifts.empty()))
    return refuse(
        fmt::format("'{}' is int64 and its candidates add to it (an addition that wraps is not monotone)", c.name));
  std::set<int32_t> known = {x, p.aggregate, c.update};
  known.insert(p.shifts.begin(), p.shifts.end());
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    const Value& v = ir.values[id];
    if (!is_body(ir, id) || known.count(id)) continue;
    const bool change_mask =
        v.op == OpCode::Ne && v.type.shape == Shape::Node &&
        ((v.inputs[0] == x && v.inputs[1] == c.update) || (v.inputs[1] == x && v.inputs[0] == c.update));
    const bool counts_changes = (v.op == OpCode::Count || v.op == OpCode::Any) && p.changes < 0 && v.inputs[0] >= 0 &&
                                ir.values[v.inputs[0]].op == OpCode::Ne && known.count(v.inputs[0]);
    if (change_mask) {
      known.insert(id);
      continue;
    }
    if (counts_changes) {
      p.changes = id;
      known.insert(id);
      continue;
    }
    if (invariant_scalar(ir, id)) {
      p.invariants.push_back(id);
      continue;
    }
    bool from_count = v.type.shape == Shape::Scalar && p.changes >= 0;
    for (int32_t in : v.inputs)
      from_count = from_count && (invariant_scalar(ir, in) || in == p.changes ||
                                  std::count(p.from_changes.begin(), p.from_changes.end(), in));
    if (!from_count)
      return refuse(fmt::format("the loop computes {}, which is neither '{}''s update nor a count of its changes",
                                named(ir, id), c.name));
    p.from_changes.push_back(id);
  }
  // A frontier iteration stores only the carry (and the count's scalars): nothing after the loop
  // may read the update or the change mask.
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    const Value& v = ir.values[id];
    if (v.region != Region::Epilogue) continue;
    for (int32_t in : v.inputs)
      if (is_body(ir, in) && ir.values[in].type.shape == Shape::Node && in != x)
        return refuse(fmt::format("{} after the loop reads {}, which a frontier iteration does not store",
                                  named(ir, id), named(ir, in)));
  }
  for (const auto& [name, id] : ir.outputs)
    if (is_body(ir, id) && ir.values[id].type.shape == Shape::Node && id != x)
      return refuse(fmt::format("output '{}' is {}, which a frontier iteration does not store", name, named(ir, id)));
  if (ir.ordered && !p.is_min)
    return refuse(fmt::format("loop.in_order() buckets a min fixed point, and '{}' is a max one", c.name));
  p.ordered = ir.ordered;
  p.delta = ir.delta;
  p.carry = 0;
  return p;
}

}  // namespace

FrontierPlan plan_frontier(const ProgramIR& ir, const Options& opts) {
  FrontierPlan p;
  if (!ir.has_loop) return p;  // no loop: nothing to say
  if (opts.opt_level < 1)
    p.refused = "opt_level 0 runs every loop dense";
  else if (!opts.enabled(kFrontier))
    p.refused = fmt::format("disable=('{}',) runs it dense", kFrontier);
  else
    p = match(ir);
  if (ir.ordered && !p.active())
    p.refused += "; so loop.in_order() has no effect: every node is visited every iteration";
  return p;
}

}  // namespace sg::compiler
