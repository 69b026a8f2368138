// The C++ spelling of what a row kernel computes: operands' types and constants, elementwise
// ops as calls of their functors (kernels/arith.hpp), reductions' folds and start values.
#include <cstring>

#include "compiler/row_gen.hpp"

namespace sg::compiler::rowgen {

namespace {

// A reduction's start value (the table's identity) in lane type T.
std::string identity_text(Identity id, const std::string& T, bool fl) {
  switch (id) {
    case Identity::Zero: return "0";
    case Identity::One: return "1";
    case Identity::Highest:
      return fl ? fmt::format("std::numeric_limits<{}>::infinity()", T)
                : fmt::format("std::numeric_limits<{}>::max()", T);
    case Identity::Lowest:
      return fl ? fmt::format("-std::numeric_limits<{}>::infinity()", T)
                : fmt::format("std::numeric_limits<{}>::lowest()", T);
    case Identity::None: break;
  }
  return "";
}

}  // namespace

const char* ctype(DType d) {
  switch (d) {
    case DType::F64: return "double";
    case DType::F32: return "float";
    case DType::I64: return "int64_t";
    case DType::Bool: break;
  }
  return "uint8_t";
}

std::string constant(const Value& v) {
  return with_dtype(v.type.dtype, [&](auto t) {
    using T = decltype(t);
    const T x = static_cast<T>(v.number);
    uint64_t bits = 0;
    std::memcpy(&bits, &x, sizeof(T));
    return fmt::format("sg::kernels::from_bits<{}>(0x{:x}ull)", ctype(v.type.dtype), bits);
  });
}

std::string functor_call(OpCode op, const std::string& T, const std::vector<std::string>& x) {
  const OpInfo& info = op_info(op);
  if (!info.elementwise && !is_reduction(op)) return "";
  std::string args;
  for (const std::string& a : x) args += (args.empty() ? "" : ", ") + a;
  return fmt::format("sg::arith::{}<{}>{{}}({})", info.enum_name, T, args);
}

std::string lane_vector_expr(OpCode op, const std::vector<std::string>& x, DType d) {
  return functor_call(op, d == DType::Bool ? "sg::vec4::M" : "sg::vec4::F", x);
}

std::string lane_vector_fold(OpCode op, const std::string& acc, const std::string& x) {
  if (!is_reduction(op) || op_info(op).lanes == Lanes::No) return "";
  return functor_call(op, "sg::vec4::F", {acc, x});
}

bool reduction_fold(OpCode op, DType in, const std::string& acc, const std::string& x, Fold& f) {
  if (!is_reduction(op) || !accepts(op_info(op).domain, in)) return false;
  const bool fl = is_float(in);
  f.lane_type = op == OpCode::Count ? "int64_t" : ctype(in);
  f.int_lanes = !fl;
  f.init = identity_text(op_info(op).identity, f.lane_type, fl);
  f.step = functor_call(op, ctype(in), {acc, x});
  return true;
}

MaskedFold masked_fold(const ProgramIR& ir, const Kernel& k, const std::map<int32_t, size_t>& pos, const Value& red,
                       DType in) {
  const bool zero_is_identity = red.op == OpCode::Sum || red.op == OpCode::NormL1 || red.op == OpCode::NormL2;
  const int32_t u = red.inputs[0];
  auto it = pos.find(u);
  if (!zero_is_identity || in == DType::Bool || it == pos.end() || k.folded.empty() || !k.folded[it->second]) return {};
  const Value& w = ir.values[u];
  if (w.op != OpCode::Where) return {};
  const Value& m = ir.values[w.inputs[0]];
  if (m.region != Region::Prologue || m.type.shape != Shape::Node || m.type.dtype != DType::Bool) return {};
  auto is_zero = [&](int32_t id) { return ir.values[id].op == OpCode::Const && ir.values[id].number == 0; };
  if (is_zero(w.inputs[2])) return {w.inputs[0], w.inputs[1], true};
  if (is_zero(w.inputs[1])) return {w.inputs[0], w.inputs[2], false};
  return {};
}

}  // namespace sg::compiler::rowgen
