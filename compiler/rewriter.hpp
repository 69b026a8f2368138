// Rewriter: rebuild a program value by value (emit, remap), the way every pass edits IR.
#pragma once
#include <vector>

#include "ir/ir.hpp"

namespace sg::compiler {

// Walk the old values in order; for each, either emit a (possibly new) value whose inputs
// are already new ids, or map the old id onto an existing new one. finish() remaps the
// carries, the until predicate, the residual and the outputs.
class Rewriter {
 public:
  explicit Rewriter(const ProgramIR& in) : in_(in), map_(in.values.size(), -1) {
    out_.has_loop = in.has_loop;
    out_.max_iter = in.max_iter;
    out_.ordered = in.ordered;
    out_.delta = in.delta;
  }
  const ProgramIR& in() const { return in_; }
  const Value& old(int32_t id) const { return in_.values[id]; }
  int32_t map(int32_t old_id) const { return map_[old_id]; }
  void set(int32_t old_id, int32_t new_id) { map_[old_id] = new_id; }
  const Value& emitted(int32_t new_id) const { return out_.values[new_id]; }

  // A copy of old value `id` with its inputs remapped.
  Value remapped(int32_t id) const {
    Value v = in_.values[id];
    for (int32_t& i : v.inputs) i = map_[i];
    return v;
  }
  int32_t emit(Value v) {
    out_.values.push_back(std::move(v));
    return static_cast<int32_t>(out_.values.size()) - 1;
  }
  // Emit the remapped copy of old value `id` and map it.
  int32_t keep(int32_t id) {
    const int32_t n = emit(remapped(id));
    set(id, n);
    return n;
  }

  ProgramIR finish() {
    for (CarryDecl c : in_.carries) {
      c.init = map_[c.init];
      c.value = map_[c.value];
      c.update = map_[c.update];
      out_.carries.push_back(c);
    }
    out_.until = in_.until >= 0 ? map_[in_.until] : -1;
    out_.residual = in_.residual >= 0 ? map_[in_.residual] : -1;
    for (auto [name, id] : in_.outputs) out_.outputs.emplace_back(name, map_[id]);
    return std::move(out_);
  }

 private:
  const ProgramIR& in_;
  std::vector<int32_t> map_;
  ProgramIR out_;
};

// Values the program needs directly: outputs, carries (init, value, update), until, residual.
inline std::vector<char> roots(const ProgramIR& ir) {
  std::vector<char> r(ir.values.size(), 0);
  for (const auto& o : ir.outputs) r[o.second] = 1;
  for (const CarryDecl& c : ir.carries) r[c.init] = r[c.value] = r[c.update] = 1;
  if (ir.until >= 0) r[ir.until] = 1;
  if (ir.residual >= 0) r[ir.residual] = 1;
  return r;
}

// How many values use each value as an input (roots count as one use each).
inline std::vector<int> use_counts(const ProgramIR& ir) {
  std::vector<int> uses(ir.values.size(), 0);
  for (const Value& v : ir.values)
    for (int32_t i : v.inputs) ++uses[i];
  const std::vector<char> r = roots(ir);
  for (size_t i = 0; i < r.size(); ++i) uses[i] += r[i];
  return uses;
}

}  // namespace sg::compiler
