// The op table as Python sees it: the builder's type rules and the table tests read it.
#include "ir/op_table.hpp"
#include "python/bindings/bindings.hpp"

namespace sg::py_bind {

namespace {

const char* rule_name(Rule r) {
  switch (r) {
    case Rule::Source: return "source";
    case Rule::Graph: return "graph";
    case Rule::Carry: return "carry";
    case Rule::Broadcast: return "broadcast";
    case Rule::Arith2: return "arith2";
    case Rule::Arith1: return "arith1";
    case Rule::Float1: return "float1";
    case Rule::Compare: return "compare";
    case Rule::Logic2: return "logic2";
    case Rule::Logic1: return "logic1";
    case Rule::Select: return "select";
    case Rule::Fma: return "fma";
    case Rule::MaskedMul: return "masked_mul";
    case Rule::Cast: return "cast";
    case Rule::Reduce: return "reduce";
    case Rule::ReduceMask: return "reduce_mask";
    case Rule::Aggregate: return "aggregate";
    case Rule::Normalize: return "normalize";
    case Rule::Gather: return "gather";
    case Rule::Scatter: return "scatter";
    case Rule::Link: return "link";
    case Rule::SampleMode: return "sample_mode";
  }
  return "?";
}
const char* access_name(Access a) {
  switch (a) {
    case Access::None: return "none";
    case Access::Own: return "own";
    case Access::Neighbors: return "neighbors";
    case Access::All: return "all";
    case Access::Fold: return "fold";
  }
  return "?";
}
const char* identity_name(Identity i) {
  switch (i) {
    case Identity::None: return "none";
    case Identity::Zero: return "zero";
    case Identity::One: return "one";
    case Identity::Highest: return "highest";
    case Identity::Lowest: return "lowest";
  }
  return "?";
}
const char* lanes_name(Lanes l) {
  switch (l) {
    case Lanes::No: return "none";
    case Lanes::F64: return "f64";
    case Lanes::F64Bool: return "f64+bool";
  }
  return "?";
}

py::list accepted_dtypes(Domain d) {
  py::list out;
  for (DType t : {DType::F64, DType::F32, DType::I64, DType::Bool})
    if (accepts(d, t)) out.append(std::string(dtype_name(t)));
  return out;
}

}  // namespace

void bind_ops(py::module_& m) {
  m.def(
      "op_table",
      [] {
        py::list out;
        for (const OpInfo& op : kOps) {
          py::dict d;
          d["name"] = std::string(op.name);
          d["arity"] = op.arity;
          d["rule"] = rule_name(op.rule);
          d["dtypes"] = accepted_dtypes(op.domain);
          d["access"] = access_name(op.access);
          d["identity"] = identity_name(op.identity);
          d["changes_rounding"] = op.rounding == Rounding::Changes;
          d["lanes"] = lanes_name(op.lanes);
          d["elementwise"] = op.elementwise;
          out.append(d);
        }
        return out;
      },
      "Every IR op and its properties, in table order (ir/op_table.hpp).");
}

}  // namespace sg::py_bind
