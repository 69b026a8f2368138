// Common-subexpression elimination: identical values (op, attributes, inputs) are computed once.
#include <cstdint>
#include <cstring>
#include <map>
#include <tuple>

#include "compiler/pass.hpp"
#include "compiler/rewriter.hpp"
#include "core/error.hpp"

namespace sg::compiler {

namespace {

using Key = std::tuple<int, int, int, std::vector<int32_t>, uint64_t, std::string, int, int, int, int, bool, bool,
                       int64_t, int64_t>;

Key key_of(const Value& v) {
  // Constants compare by bit pattern: 0.0 and -0.0 differ, NaN equals itself.
  uint64_t bits = 0;
  std::memcpy(&bits, &v.number, sizeof bits);
  return {static_cast<int>(v.op),
          static_cast<int>(v.type.dtype),
          static_cast<int>(v.type.shape),
          v.inputs,
          bits,
          v.name,
          static_cast<int>(v.to),
          static_cast<int>(v.combine),
          static_cast<int>(v.direction),
          static_cast<int>(v.edge),
          v.weighted,
          v.by_max,
          v.edges_from,
          v.edges_to};
}

bool has_identity(OpCode op) { return op == OpCode::Param || op == OpCode::Input || op == OpCode::Carry; }

}  // namespace

ProgramIR eliminate_common_subexpressions(const ProgramIR& ir, const Options&, std::vector<std::string>& notes) {
  Rewriter rw(ir);
  std::map<Key, int32_t> seen;
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    Value v = rw.remapped(id);
    if (!has_identity(v.op)) {
      auto it = seen.find(key_of(v));
      // A prologue value serves every region; otherwise only its own region may reuse it.
      if (it != seen.end()) {
        const Value& e = rw.emitted(it->second);
        if (e.region == Region::Prologue || e.region == v.region) {
          notes.push_back(fmt::format("%{} = {}: same as an earlier value, reused", id, op_name(v.op)));
          rw.set(id, it->second);
          continue;
        }
      }
    }
    const int32_t n = rw.emit(v);
    rw.set(id, n);
    // The newest value wins the key, so later values of its region can reuse it.
    if (!has_identity(v.op)) seen[key_of(rw.emitted(n))] = n;
  }
  return rw.finish();
}

}  // namespace sg::compiler
