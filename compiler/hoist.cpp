// Loop-invariant hoisting: a loop value whose inputs all come from the prologue moves there.
#include "compiler/pass.hpp"
#include "compiler/rewriter.hpp"
#include "core/error.hpp"

namespace sg::compiler {

ProgramIR hoist_invariants(const ProgramIR& ir, const Options&, std::vector<std::string>& notes) {
  Rewriter rw(ir);
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    Value v = rw.remapped(id);
    if (v.region == Region::Body && v.op != OpCode::Carry) {
      bool invariant = true;
      for (int32_t i : v.inputs) invariant &= rw.emitted(i).region == Region::Prologue;
      if (invariant) {
        v.region = Region::Prologue;  // inputs keep smaller ids, so the prologue order stays valid
        v.hoisted = true;
        notes.push_back(fmt::format("%{} = {}: loop-invariant, hoisted", id, op_name(v.op)));
      }
    }
    rw.set(id, rw.emit(std::move(v)));
  }
  return rw.finish();
}

}  // namespace sg::compiler
