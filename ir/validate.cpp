// IR validation: types recomputed from the op table's rules, regions, carries, outputs.
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "ir/ir.hpp"

namespace sg {

std::string type_name(Type t) { return fmt::format("{}{}", dtype_name(t.dtype), t.shape == Shape::Node ? "[n]" : ""); }

namespace {

template <class... Args>
[[noreturn]] void bad_value(const ProgramIR& ir, int32_t id, fmt::format_string<Args...> f, Args&&... args) {
  const Value& v = ir.values[id];
  const std::string where = v.loc.empty() ? "" : fmt::format(" (at {})", v.loc);
  fail(ErrorKind::Program, "{}: {}{}", op_name(v.op), fmt::format(f, std::forward<Args>(args)...), where);
}

Shape broadcast(std::initializer_list<Type> ts) {
  for (Type t : ts)
    if (t.shape == Shape::Node) return Shape::Node;
  return Shape::Scalar;
}

std::string kinds(const ProgramIR& ir, const Value& v) {
  std::string s;
  for (int32_t i : v.inputs) s += (s.empty() ? "" : ", ") + type_name(ir.values[i].type);
  return s;
}

}  // namespace

Type infer_type(const ProgramIR& ir, int32_t id) {
  const Value& v = ir.values[id];
  auto in = [&](int k) { return ir.values[v.inputs[k]].type; };
  auto same_numeric = [&](int a, int b) {
    if (!is_numeric(in(a).dtype) || !is_numeric(in(b).dtype) || in(a).dtype != in(b).dtype)
      bad_value(ir, id, "needs numeric inputs of one dtype, got ({})", kinds(ir, v));
  };
  switch (op_info(v.op).rule) {
    case Rule::Source:
      if (v.op == OpCode::Param && !is_numeric(v.to)) bad_value(ir, id, "a param must be numeric");
      if (v.to == DType::I64 && v.op != OpCode::Input &&
          !(std::isfinite(v.number) && v.number == std::trunc(v.number) && std::abs(v.number) < 9.2e18))
        bad_value(ir, id, "{} is not an int64 value", v.number);
      if (v.to == DType::Bool && v.op != OpCode::Input && v.number != 0 && v.number != 1)
        bad_value(ir, id, "{} is not a bool value (0 or 1)", v.number);
      return Type{v.to, (v.op == OpCode::Fill || v.op == OpCode::Input) ? Shape::Node : Shape::Scalar};
    case Rule::Graph:
      if (v.op == OpCode::Directed) return Type{DType::Bool, Shape::Scalar};
      if (!is_numeric(v.to)) bad_value(ir, id, "dtype must be numeric");
      return Type{v.to, (v.op == OpCode::NumNodes || v.op == OpCode::NumEdges) ? Shape::Scalar : Shape::Node};
    case Rule::Carry: return v.type;  // checked against its init in validate_ir
    case Rule::Broadcast:
      if (in(0).shape != Shape::Scalar) bad_value(ir, id, "broadcasts a scalar, got {}", type_name(in(0)));
      return Type{in(0).dtype, Shape::Node};
    case Rule::Arith2:
      same_numeric(0, 1);
      if (!accepts(op_info(v.op).domain, in(0).dtype))
        bad_value(ir, id, "needs float inputs, got ({}); cast first", kinds(ir, v));
      return Type{in(0).dtype, broadcast({in(0), in(1)})};
    case Rule::Arith1:
      if (!accepts(op_info(v.op).domain, in(0).dtype))
        bad_value(ir, id, "needs a numeric input, got {}", type_name(in(0)));
      return in(0);
    case Rule::Float1:
      if (!accepts(op_info(v.op).domain, in(0).dtype))
        bad_value(ir, id, "needs a float input, got {}", type_name(in(0)));
      return in(0);
    case Rule::Compare:
      if (in(0).dtype != in(1).dtype || !accepts(op_info(v.op).domain, in(0).dtype))
        bad_value(ir, id, "compares values of one dtype, got ({})", kinds(ir, v));
      return Type{DType::Bool, broadcast({in(0), in(1)})};
    case Rule::Logic2:
      if (in(0).dtype != DType::Bool || in(1).dtype != DType::Bool)
        bad_value(ir, id, "needs masks or bools, got ({})", kinds(ir, v));
      return Type{DType::Bool, broadcast({in(0), in(1)})};
    case Rule::Logic1:
      if (in(0).dtype != DType::Bool) bad_value(ir, id, "needs a mask or bool, got {}", type_name(in(0)));
      return in(0);
    case Rule::Select:
      if (in(0).dtype != DType::Bool || in(1).dtype != in(2).dtype)
        bad_value(ir, id, "needs (mask, a, b) with a and b of one dtype, got ({})", kinds(ir, v));
      return Type{in(1).dtype, broadcast({in(0), in(1), in(2)})};
    case Rule::Fma:
      same_numeric(0, 1);
      same_numeric(1, 2);
      if (!accepts(op_info(v.op).domain, in(0).dtype)) bad_value(ir, id, "needs float inputs, got ({})", kinds(ir, v));
      return Type{in(0).dtype, broadcast({in(0), in(1), in(2)})};
    case Rule::MaskedMul:
      if (in(0).dtype != DType::Bool) bad_value(ir, id, "needs a mask first, got ({})", kinds(ir, v));
      same_numeric(1, 2);
      return Type{in(1).dtype, broadcast({in(0), in(1), in(2)})};
    case Rule::Cast: return Type{v.to, in(0).shape};
    case Rule::Reduce: {
      if (in(0).shape != Shape::Node || !is_numeric(in(0).dtype))
        bad_value(ir, id, "reduces a numeric node vector, got {}", type_name(in(0)));
      if (!accepts(op_info(v.op).domain, in(0).dtype))
        bad_value(ir, id, "needs a float vector, got {}", type_name(in(0)));
      return Type{in(0).dtype, Shape::Scalar};
    }
    case Rule::ReduceMask:
      if (in(0) != Type{DType::Bool, Shape::Node}) bad_value(ir, id, "reduces a mask, got {}", type_name(in(0)));
      return Type{v.op == OpCode::Count ? DType::I64 : DType::Bool, Shape::Scalar};
    case Rule::Aggregate: {
      const Type t = in(0);
      if (t.shape != Shape::Node || !is_numeric(t.dtype))
        bad_value(ir, id, "aggregates a numeric node vector, got {}", type_name(t));
      if (v.combine == Combine::Mode && t.dtype != DType::I64)
        bad_value(ir, id, "combine=mode needs int64 labels, got {}", type_name(t));
      if (v.combine == Combine::Mean && !is_float(t.dtype))
        bad_value(ir, id, "combine=mean needs a float vector, got {}", type_name(t));
      if (v.edge != EdgeOp::None && !is_float(t.dtype))
        bad_value(ir, id, "edge={} needs a float vector, got {}", edge_name(v.edge), type_name(t));
      if (v.combine == Combine::HIndex && t.dtype != DType::I64)
        bad_value(ir, id, "combine=h_index needs an int64 vector, got {}", type_name(t));
      if (v.edge != EdgeOp::None && (v.combine == Combine::Mode || v.combine == Combine::HIndex))
        bad_value(ir, id, "combine={} takes no edge op", combine_name(v.combine));
      return t;
    }
    case Rule::Normalize:
      if (in(0).shape != Shape::Node || !is_float(in(0).dtype))
        bad_value(ir, id, "normalizes a float node vector, got {}", type_name(in(0)));
      return in(0);
    case Rule::Gather:
      if (in(0).shape != Shape::Node) bad_value(ir, id, "gathers from a node vector, got ({})", kinds(ir, v));
      if (in(1) != Type{DType::I64, Shape::Node})
        bad_value(ir, id, "needs an int64 node vector of indices, got ({}); cast first", kinds(ir, v));
      return in(0);
    case Rule::Scatter: {
      const Type t = in(0);
      if (t.shape != Shape::Node || !accepts(op_info(v.op).domain, t.dtype))
        bad_value(ir, id, "scatters into a numeric node vector, got ({})", kinds(ir, v));
      if (in(1) != Type{DType::I64, Shape::Node})
        bad_value(ir, id, "needs an int64 node vector of indices, got ({}); cast first", kinds(ir, v));
      if (in(2).dtype != t.dtype) bad_value(ir, id, "needs values of the target's dtype, got ({})", kinds(ir, v));
      if (v.combine != Combine::Sum && v.combine != Combine::Min && v.combine != Combine::Max)
        bad_value(ir, id, "combine must be sum, min or max, got {}", combine_name(v.combine));
      return t;
    }
    case Rule::Link:
      if (in(0) != Type{DType::I64, Shape::Node})
        bad_value(ir, id, "links a parent forest, an int64 node vector, got ({})", kinds(ir, v));
      if (in(1).dtype != DType::Bool) bad_value(ir, id, "needs a bool mask of active rows, got ({})", kinds(ir, v));
      if (v.edges_from < 0 || v.edges_to < -1 || (v.edges_to >= 0 && v.edges_to < v.edges_from))
        bad_value(ir, id, "edges {}:{} is not a slice from:to with 0 <= from <= to", v.edges_from, v.edges_to);
      return in(0);
    case Rule::SampleMode:
      if (in(0) != Type{DType::I64, Shape::Node})
        bad_value(ir, id, "takes the mode of an int64 node vector, got ({})", kinds(ir, v));
      return Type{DType::I64, Shape::Scalar};
  }
  bad_value(ir, id, "unknown op");
}

DType compute_dtype(const ProgramIR& ir, const Value& v) {
  switch (op_info(v.op).rule) {
    case Rule::Select:
    case Rule::MaskedMul: return ir.values[v.inputs[1]].type.dtype;
    case Rule::Broadcast:
    case Rule::Arith2:
    case Rule::Arith1:
    case Rule::Float1:
    case Rule::Compare:
    case Rule::Logic2:
    case Rule::Logic1:
    case Rule::Fma:
    case Rule::Cast:
    case Rule::Reduce:
    case Rule::ReduceMask: return ir.values[v.inputs[0]].type.dtype;
    case Rule::Source:
    case Rule::Graph:
    case Rule::Carry:
    case Rule::Aggregate:
    case Rule::Normalize:
    case Rule::Gather:
    case Rule::Scatter:
    case Rule::Link:
    case Rule::SampleMode: return v.type.dtype;
  }
  return v.type.dtype;
}

void validate_ir(ProgramIR& ir) {
  const int32_t nv = static_cast<int32_t>(ir.values.size());
  std::set<std::string> params;
  for (int32_t id = 0; id < nv; ++id) {
    Value& v = ir.values[id];
    if (v.region == Region::Body && !ir.has_loop) bad_value(ir, id, "a loop value in a program without a loop");
    if (v.op == OpCode::Carry && v.region != Region::Body) bad_value(ir, id, "a carried value must be in the loop");
    if ((v.op == OpCode::Param || v.op == OpCode::Input) && !params.insert(v.name).second)
      bad_value(ir, id, "input '{}' is declared twice", v.name);
    if ((v.op == OpCode::Param || v.op == OpCode::Carry || v.op == OpCode::Input) && v.name.empty())
      bad_value(ir, id, "needs a name");
    for (int32_t i : v.inputs) {
      const Value& u = ir.values[i];
      const bool ok = u.region == Region::Prologue || u.region == v.region ||
                      (v.region == Region::Epilogue && u.op == OpCode::Carry);
      if (!ok) bad_value(ir, id, "uses %{} from another region (only carried values leave the loop)", i);
    }
    const Type t = infer_type(ir, id);
    if (t != v.type) bad_value(ir, id, "declared {} but its inputs give {}", type_name(v.type), type_name(t));
  }
  std::set<std::string> carry_names;
  std::vector<int> carry_uses(static_cast<size_t>(nv), 0);
  for (const CarryDecl& c : ir.carries) {
    if (!ir.has_loop) fail(ErrorKind::Program, "carry '{}' outside a loop", c.name);
    if (!carry_names.insert(c.name).second) fail(ErrorKind::Program, "carry '{}' is declared twice", c.name);
    const Value &init = ir.values[c.init], &cv = ir.values[c.value], &up = ir.values[c.update];
    if (cv.op != OpCode::Carry || cv.name != c.name)
      fail(ErrorKind::Program, "carry '{}' does not name its carried value", c.name);
    if (init.region != Region::Prologue)
      fail(ErrorKind::Program, "carry '{}' starts from a non-prologue value", c.name);
    if (up.region == Region::Epilogue) fail(ErrorKind::Program, "carry '{}' is updated from outside the loop", c.name);
    if (init.type != cv.type || up.type != cv.type)
      fail(ErrorKind::Program, "carry '{}' is {} but starts as {} and is updated with {}", c.name, type_name(cv.type),
           type_name(init.type), type_name(up.type));
    ++carry_uses[c.value];
  }
  for (int32_t id = 0; id < nv; ++id)
    if (ir.values[id].op == OpCode::Carry && carry_uses[id] != 1)
      bad_value(ir, id, "carried value '{}' has no carry declaration", ir.values[id].name);
  if (ir.has_loop && ir.carries.empty()) fail(ErrorKind::Program, "a loop needs at least one carried value");
  if (ir.ordered && !ir.has_loop) fail(ErrorKind::Program, "'order' without a loop");
  if (ir.until >= 0) {
    const Value& u = ir.values[ir.until];
    // Loop-invariant predicates are fine (hoisting moves them to the prologue).
    if (u.region == Region::Epilogue || u.type != Type{DType::Bool, Shape::Scalar})
      fail(ErrorKind::Program,
           "the loop's until predicate must be a bool scalar computed before or in the loop, got {}{}",
           u.region == Region::Epilogue ? "an epilogue value " : "", type_name(u.type));
  }
  if (ir.residual >= 0) {
    const Value& r = ir.values[ir.residual];
    if (r.region == Region::Epilogue || r.type.shape != Shape::Scalar || !is_numeric(r.type.dtype))
      fail(ErrorKind::Program, "the loop's residual must be a numeric scalar computed before or in the loop, got {}",
           type_name(r.type));
  }
  if (ir.outputs.empty()) fail(ErrorKind::Program, "the program has no outputs");
  std::set<std::string> out_names;
  for (const auto& [name, id] : ir.outputs) {
    if (!out_names.insert(name).second) fail(ErrorKind::Program, "output '{}' is declared twice", name);
    const Value& v = ir.values[id];
    if (v.region == Region::Body && v.op != OpCode::Carry)
      fail(ErrorKind::Program, "output '{}' is a loop temporary; output a carried value instead", name);
  }
}

}  // namespace sg
