// Constant folding: a scalar op whose inputs are all constants becomes a constant.
#include <cmath>

#include "compiler/pass.hpp"
#include "compiler/rewriter.hpp"
#include "core/error.hpp"
#include "kernels/frame.hpp"

namespace sg::compiler {

namespace {

// Evaluate with the runtime's own scalar kernels, so folding never changes a bit.
bool evaluate(const Rewriter& rw, const Value& v, double& number) {
  ProgramIR mini;
  Value op = v;
  op.inputs.clear();
  for (int32_t i : v.inputs) {
    op.inputs.push_back(static_cast<int32_t>(mini.values.size()));
    mini.values.push_back(rw.emitted(i));
  }
  mini.values.push_back(op);
  std::vector<Slot> slots(mini.values.size());
  for (size_t i = 0; i + 1 < mini.values.size(); ++i) {
    const Value& c = mini.values[i];
    if (is_float(c.type.dtype))
      slots[i].f = c.number;
    else
      slots[i].i = static_cast<int64_t>(c.number);
  }
  Frame f{&mini, nullptr, &slots};
  const int32_t id = static_cast<int32_t>(mini.values.size()) - 1;
  eval_value(f, id);
  const Slot& r = slots[id];
  if (is_float(v.type.dtype)) {
    number = r.f;
    return true;
  }
  if (std::abs(static_cast<double>(r.i)) > 9007199254740992.0) return false;  // not exact as a double
  number = static_cast<double>(r.i);
  return true;
}

}  // namespace

ProgramIR fold_constants(const ProgramIR& ir, const Options&, std::vector<std::string>& notes) {
  Rewriter rw(ir);
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    Value v = rw.remapped(id);
    bool all_const = v.type.shape == Shape::Scalar && op_info(v.op).elementwise && !v.inputs.empty();
    for (int32_t i : v.inputs) all_const &= rw.emitted(i).op == OpCode::Const;
    double number = 0;
    if (all_const && evaluate(rw, v, number)) {
      notes.push_back(fmt::format("%{} = {} of constants -> const {}", id, op_name(v.op), number));
      Value c;
      c.op = OpCode::Const;
      c.type = v.type;
      c.region = v.region;
      c.number = number;
      c.to = v.type.dtype;
      c.loc = v.loc;
      rw.set(id, rw.emit(c));
      continue;
    }
    rw.set(id, rw.emit(std::move(v)));
  }
  return rw.finish();
}

}  // namespace sg::compiler
