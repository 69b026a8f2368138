// The jaxpr-like printed form of a program: one line per value, grouped by region.
#include "core/error.hpp"
#include "ir/ir.hpp"

namespace sg {

namespace {

std::string number(double x) { return fmt::format("{}", x); }

void print_value(std::string& out, const ProgramIR& ir, int32_t id, const char* indent) {
  const Value& v = ir.values[id];
  std::string lhs = fmt::format("%{}:{}", id, type_name(v.type));
  std::string rhs = fmt::format("{}{}", op_name(v.op), op_attrs(v));
  for (int32_t i : v.inputs) rhs += fmt::format(" %{}", i);
  out += fmt::format("{}{:<14} = {}\n", indent, lhs, rhs);
}

}  // namespace

std::string op_attrs(const Value& v) {
  switch (v.op) {
    case OpCode::Param: return fmt::format("[{}={}]", v.name, number(v.number));
    case OpCode::Input: return fmt::format("[{}]", v.name);
    case OpCode::Const:
    case OpCode::Fill: return fmt::format("[{}]", number(v.number));
    case OpCode::OutDegree:
    case OpCode::InDegree: return v.weighted ? "[weighted]" : "";
    case OpCode::Cast: return fmt::format("[{}]", dtype_name(v.to));
    case OpCode::NeighborAgg:
      return fmt::format("[{}, {}{}]", combine_name(v.combine), direction_name(v.direction),
                         v.edge == EdgeOp::None ? "" : fmt::format(", {}", edge_name(v.edge)));
    case OpCode::Normalize: return v.by_max ? "[max]" : "[sum]";
    case OpCode::Scatter: return fmt::format("[{}]", combine_name(v.combine));
    case OpCode::Link:
      return fmt::format("[{}, edges {}:{}]", direction_name(v.direction), v.edges_from,
                         v.edges_to < 0 ? std::string() : fmt::format("{}", v.edges_to));
    case OpCode::Carry: return fmt::format("[{}]", v.name);
    default: return "";
  }
}

std::string print_ir(const ProgramIR& ir) {
  std::string out = "{ program\n";
  const int32_t nv = static_cast<int32_t>(ir.values.size());
  for (int32_t id = 0; id < nv; ++id)
    if (ir.values[id].region == Region::Prologue) print_value(out, ir, id, "    ");
  if (ir.has_loop) {
    std::string carries;
    for (const CarryDecl& c : ir.carries)
      carries += fmt::format("{}{}=%{}", carries.empty() ? "" : ", ", c.name, c.init);
    const std::string limit =
        ir.max_iter >= kUntilConverged ? std::string("until converged") : fmt::format("max_iter={}", ir.max_iter);
    const std::string order = !ir.ordered    ? ""
                              : ir.delta > 0 ? fmt::format(" in order (delta={})", ir.delta)
                                             : " in order (delta=auto)";
    out += fmt::format("  loop {}{} carry({}):\n", limit, order, carries);
    for (int32_t id = 0; id < nv; ++id)
      if (ir.values[id].region == Region::Body) print_value(out, ir, id, "      ");
    for (const CarryDecl& c : ir.carries) out += fmt::format("      {} <- %{}\n", c.name, c.update);
    if (ir.until >= 0) out += fmt::format("      until %{}\n", ir.until);
    if (ir.residual >= 0) out += fmt::format("      residual %{}\n", ir.residual);
  }
  for (int32_t id = 0; id < nv; ++id)
    if (ir.values[id].region == Region::Epilogue) print_value(out, ir, id, "    ");
  std::string outs;
  for (const auto& [name, id] : ir.outputs) outs += fmt::format("{}{}=%{}", outs.empty() ? "" : ", ", name, id);
  out += fmt::format("  out({})\n}}\n", outs);
  return out;
}

}  // namespace sg
