// Unchanged rows: a loop aggregation of a carry keeps the rows whose neighbors did not change.
//
// neighbor_agg(x, ...)[v] reads x at v's aggregated neighbors only (and loop-invariant edge
// weights), so where none of them changed in the previous iteration the row equals last
// iteration's, bit for bit, whatever the combine (mode, h_index, sums in row order alike). Such
// an aggregation is stored in a buffer of its own, kept across iterations (or, when it is a
// carry's update, whose buffers swap, its last rows are read back from that carry), and each iteration
// recomputes only the rows with a changed neighbor (exec/unchanged_rows.cpp tracks the carry's
// changes). This is the pull form of a frontier for loops that are not monotone fixed points:
// label propagation's mode, core numbers' h-index. Only such costly rows are kept: a sum, min
// or max row is hardly dearer than testing its neighbors, and PageRank-like loops, where every
// node changes, would pay the change tracking and a stored aggregate for nothing. For mode and
// h_index rows, every refusal is a sentence explain() prints.
#include <fmt/format.h>

#include "compiler/kernels.hpp"

namespace sg::compiler {

namespace {

std::string named(const ProgramIR& ir, int32_t id) {
  const Value& v = ir.values[id];
  const std::string& label = v.label.empty() ? v.name : v.label;
  return label.empty() ? fmt::format("%{} ({})", id, op_name(v.op)) : fmt::format("{} (%{})", label, id);
}

// The kernel (index into plan.kernels) and entry computing `id`, or {-1, -1}.
std::pair<int, int> find_entry(const Plan& plan, int32_t id) {
  for (size_t k = 0; k < plan.kernels.size(); ++k)
    for (size_t i = 0; i < plan.kernels[k].values.size(); ++i)
      if (plan.kernels[k].values[i] == id) return {static_cast<int>(k), static_cast<int>(i)};
  return {-1, -1};
}

// Why aggregation `id` must recompute every row ("" if it may keep its unchanged ones); sets
// `carry` to the index of the carry it aggregates.
std::string refusal(const ProgramIR& ir, const Plan& plan, int32_t id, int32_t& carry) {
  const Value& agg = ir.values[id];
  const int32_t x = agg.inputs[0];
  carry = -1;
  for (size_t k = 0; k < ir.carries.size(); ++k)
    if (ir.carries[k].value == x) carry = static_cast<int32_t>(k);
  if (carry < 0) return fmt::format("it aggregates {}, which is not a carry", named(ir, x));
  const CarryDecl& c = ir.carries[static_cast<size_t>(carry)];
  if (ir.values[c.update].op == OpCode::Carry)
    return fmt::format("'{}' is updated to another carry's value, not computed", c.name);
  const auto [kernel, entry] = find_entry(plan, c.update);
  if (kernel >= 0 && !plan.kernels[kernel].in_place.empty() && plan.kernels[kernel].in_place[entry])
    return fmt::format("'{}' is updated in place, so its previous values are gone when its changes are sought", c.name);
  return "";
}

}  // namespace

void place_unchanged_rows(const ProgramIR& ir, const Options& opts, Plan& plan) {
  plan.unchanged_rows.clear();
  plan.unchanged_refused.clear();
  if (!ir.has_loop || plan.frontier.active()) return;  // a frontier loop visits changed nodes already
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    const Value& v = ir.values[id];
    if (v.region != Region::Body || v.op != OpCode::NeighborAgg) continue;
    if (v.combine != Combine::Mode && v.combine != Combine::HIndex) continue;  // cheap rows: see above
    int32_t carry = -1;
    std::string why = opts.opt_level < 1 ? "opt_level 0 recomputes every row"
                      : !opts.enabled(kUnchangedRows)
                          ? fmt::format("disable=('{}',) recomputes every row", kUnchangedRows)
                          : refusal(ir, plan, id, carry);
    if (!why.empty()) {
      plan.unchanged_refused.push_back(fmt::format("{} recomputes every row: {}", named(ir, id), why));
      continue;
    }
    int32_t updates = -1;  // the carry it updates, if any: that carry's value holds its last rows
    for (size_t k = 0; k < ir.carries.size(); ++k)
      if (ir.carries[k].update == id) updates = static_cast<int32_t>(k);
    plan.unchanged_rows.push_back(UnchangedRows{id, carry, updates});
    const auto [kernel, entry] = find_entry(plan, id);
    if (kernel >= 0) plan.kernels[kernel].temporary[entry] = 0;  // kept across iterations, so stored
  }
}

}  // namespace sg::compiler
