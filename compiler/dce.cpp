// Dead-code elimination: keep what outputs, carries and the loop predicate need (and params).
#include "compiler/pass.hpp"
#include "compiler/rewriter.hpp"
#include "core/error.hpp"

namespace sg::compiler {

ProgramIR eliminate_dead_code(const ProgramIR& ir, const Options&, std::vector<std::string>& notes) {
  std::vector<char> live = roots(ir);
  for (int32_t id = static_cast<int32_t>(ir.values.size()) - 1; id >= 0; --id) {
    const Value& v = ir.values[id];
    // Params and input vectors are the program's interface: they stay even when unused.
    if (v.op == OpCode::Param || v.op == OpCode::Input) live[id] = 1;
    if (live[id])
      for (int32_t i : v.inputs) live[i] = 1;
  }
  Rewriter rw(ir);
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    if (live[id])
      rw.keep(id);
    else
      notes.push_back(fmt::format("%{} = {}: unused, removed", id, op_name(ir.values[id].op)));
  }
  return rw.finish();
}

}  // namespace sg::compiler
