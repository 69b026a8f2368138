// Loop rotation: work at the loop's head that needs only carried values moves to the end of
// the previous iteration (and to the prologue for the first one), so it fuses into that pass.
//
// PageRank: contributions x * inv and the sink mass sum(where(sink, x, 0)) open each
// iteration and force a pass of their own; rotated, they are computed from the new ranks
// in the aggregation's epilogue and carried, making the iteration a single pass. Every value
// is computed by the same ops from the same inputs, so results do not change by a bit.
#include <set>

#include "compiler/pass.hpp"
#include "compiler/rewriter.hpp"
#include "core/error.hpp"

namespace sg::compiler {

namespace {

bool node_work(const Value& v) { return v.type.shape == Shape::Node || is_reduction(v.op); }

}  // namespace

namespace {

// "<base>_ahead", or "<base>_ahead_<id>" when a carry or output already has that name; bases
// are cut so the name stays an identifier the IR text accepts (200 characters).
std::string unique_name(const ProgramIR& ir, const std::vector<CarryDecl>& added, const std::string& base, int32_t id) {
  auto taken = [&](const std::string& name) {
    for (const CarryDecl& c : ir.carries)
      if (c.name == name) return true;
    for (const CarryDecl& c : added)
      if (c.name == name) return true;
    for (const auto& [out, v] : ir.outputs)
      if (out == name) return true;
    return false;
  };
  const std::string stem = base.substr(0, 160) + "_ahead";
  if (!taken(stem)) return stem;
  for (int k = 0;; ++k) {
    const std::string name = k == 0 ? fmt::format("{}_{}", stem, id) : fmt::format("{}_{}_{}", stem, id, k);
    if (!taken(name)) return name;
  }
}

}  // namespace

ProgramIR rotate_loop(const ProgramIR& ir, const Options&, std::vector<std::string>& notes) {
  if (!ir.has_loop) return ir;
  const int32_t nv = static_cast<int32_t>(ir.values.size());
  const std::vector<char> root = roots(ir);
  std::vector<int32_t> update_of(nv, -1), init_of(nv, -1);
  for (const CarryDecl& c : ir.carries) {
    update_of[c.value] = c.update;
    init_of[c.value] = c.init;
  }
  // The head: loop values computable from carried and prologue values alone (not roots) by
  // elementwise, reduction and scalar ops.
  std::vector<char> head(nv, 0);
  for (int32_t id = 0; id < nv; ++id) {
    const Value& v = ir.values[id];
    if (v.region != Region::Body) continue;
    if (v.op == OpCode::Carry || root[id]) continue;
    // Only per-node map and reduction work rotates: a neighbor_agg is what the head feeds.
    if (reads_other_nodes(v.op) || op_info(v.op).access == Access::None) continue;
    bool ok = true;
    for (int32_t u : v.inputs) {
      const Value& p = ir.values[u];
      ok &= p.region == Region::Prologue || p.op == OpCode::Carry || head[u];
    }
    head[id] = ok;
  }
  // The frontier: head values the rest of the loop uses; they become carried values.
  std::vector<char> frontier(nv, 0);
  bool worth_it = false;
  for (int32_t id = 0; id < nv; ++id) {
    const Value& v = ir.values[id];
    if (v.region != Region::Body || head[id]) continue;
    for (int32_t u : v.inputs)
      if (head[u]) frontier[u] = 1;
  }
  for (int32_t id = 0; id < nv; ++id) worth_it |= head[id] && node_work(ir.values[id]);
  if (!worth_it) return ir;

  Rewriter rw(ir);
  std::vector<int32_t> first(nv, -1), next(nv, -1);  // prologue copy, end-of-iteration copy
  std::vector<CarryDecl> added;
  auto copy = [&](int32_t id, Region region, bool at_end) {
    Value v = ir.values[id];
    v.region = region;
    for (int32_t& u : v.inputs) {
      const Value& p = ir.values[u];
      if (head[u])
        u = at_end ? next[u] : first[u];
      else if (p.op == OpCode::Carry)
        u = rw.map(at_end ? update_of[u] : init_of[u]);
      else
        u = rw.map(u);
    }
    return rw.emit(std::move(v));
  };
  for (int32_t id = 0; id < nv; ++id) {
    if (head[id]) {
      first[id] = copy(id, Region::Prologue, false);
      if (frontier[id]) {
        Value c;
        c.op = OpCode::Carry;
        c.type = ir.values[id].type;
        c.region = Region::Body;
        // Named after what the user called the value (explain shows it), else after its op.
        const Value& src = ir.values[id];
        c.name = unique_name(ir, added, src.label.empty() ? std::string(op_name(src.op)) : src.label, id);
        c.label = c.name;
        c.loc = ir.values[id].loc;
        const int32_t cid = rw.emit(c);
        rw.set(id, cid);
        added.push_back({c.name, first[id], cid, -1});
        notes.push_back(fmt::format("%{} = {}: computed from the previous iteration's values and carried", id,
                                    op_name(ir.values[id].op)));
      }
    } else {
      rw.keep(id);
    }
  }
  // The head again, from this iteration's updates: after every value, since an update may
  // be a hoisted value with a larger id than any loop value.
  for (int32_t h = 0; h < nv; ++h)
    if (head[h]) next[h] = copy(h, Region::Body, true);
  for (CarryDecl& c : added)
    for (int32_t h = 0; h < nv; ++h)
      if (frontier[h] && first[h] == c.init) c.update = next[h];
  ProgramIR out = rw.finish();
  for (const CarryDecl& c : added) out.carries.push_back(c);
  return out;
}

}  // namespace sg::compiler
