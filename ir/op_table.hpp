// The one op table: it drives the OpCode enum, names, arity, type rules, printer and bindings.
#pragma once
#include <cstdint>
#include <string_view>

namespace sg {

enum class DType : uint8_t { F64, F32, I64, Bool };
enum class Shape : uint8_t { Scalar, Node };

struct Type {
  DType dtype = DType::F64;
  Shape shape = Shape::Scalar;
  bool operator==(const Type& o) const { return dtype == o.dtype && shape == o.shape; }
  bool operator!=(const Type& o) const { return !(*this == o); }
};

// How an op's result type follows from its inputs (see ops/type_rules.cpp).
enum class Rule : uint8_t {
  Source,     // param, const, fill, input: dtype from the `to` attr
  Graph,      // graph properties: dtype attr (or fixed), shape fixed by the op
  Carry,      // the loop-carried value inside the body: the type of its init
  Broadcast,  // scalar -> node vector
  Arith2,     // numeric x numeric, same dtype, shapes broadcast
  Arith1,     // numeric -> same
  Float1,     // float -> same (sqrt, exp, log, recip)
  Compare,    // numeric x numeric -> bool
  Logic2,     // bool x bool -> bool
  Logic1,     // bool -> bool
  Select,     // where(bool, a, b)
  Fma,        // a * b + c, all numeric of one dtype
  MaskedMul,  // where(mask, 0, a * b)
  Cast,       // any -> dtype attr
  Reduce,     // node numeric -> scalar (same dtype; float for mean and norms)
  ReduceMask, // node bool -> scalar (count: int64, any/all: bool)
  Aggregate,  // neighbor_agg: node -> node
  Normalize,  // node float -> node
};

// X(Enum, "name", arity, Rule, shape-of-graph-op)
#define SG_OP_TABLE(X)                              \
  X(Param, "param", 0, Source)                      \
  X(Const, "const", 0, Source)                      \
  X(Fill, "fill", 0, Source)                        \
  X(Input, "input", 0, Source)                      \
  X(NumNodes, "num_nodes", 0, Graph)                \
  X(NumEdges, "num_edges", 0, Graph)                \
  X(Directed, "directed", 0, Graph)                 \
  X(OutDegree, "out_degree", 0, Graph)              \
  X(InDegree, "in_degree", 0, Graph)                \
  X(NodeId, "node_id", 0, Graph)                    \
  X(Carry, "carry", 0, Carry)                       \
  X(Broadcast, "broadcast", 1, Broadcast)           \
  X(Add, "add", 2, Arith2)                          \
  X(Sub, "sub", 2, Arith2)                          \
  X(Mul, "mul", 2, Arith2)                          \
  X(Div, "div", 2, Arith2)                          \
  X(Minimum, "minimum", 2, Arith2)                  \
  X(Maximum, "maximum", 2, Arith2)                  \
  X(Pow, "pow", 2, Arith2)                          \
  X(Neg, "neg", 1, Arith1)                          \
  X(Abs, "abs", 1, Arith1)                          \
  X(Sqrt, "sqrt", 1, Float1)                        \
  X(Exp, "exp", 1, Float1)                          \
  X(Log, "log", 1, Float1)                          \
  X(Recip, "recip", 1, Float1)                      \
  X(Lt, "lt", 2, Compare)                           \
  X(Le, "le", 2, Compare)                           \
  X(Gt, "gt", 2, Compare)                           \
  X(Ge, "ge", 2, Compare)                           \
  X(Eq, "eq", 2, Compare)                           \
  X(Ne, "ne", 2, Compare)                           \
  X(And, "and", 2, Logic2)                          \
  X(Or, "or", 2, Logic2)                            \
  X(Not, "not", 1, Logic1)                          \
  X(Where, "where", 3, Select)                      \
  X(Fma, "fma", 3, Fma)                             \
  X(MaskedMul, "masked_mul", 3, MaskedMul)          \
  X(Cast, "cast", 1, Cast)                          \
  X(Sum, "sum", 1, Reduce)                          \
  X(Mean, "mean", 1, Reduce)                        \
  X(RMin, "min", 1, Reduce)                         \
  X(RMax, "max", 1, Reduce)                         \
  X(NormL1, "norm_l1", 1, Reduce)                   \
  X(NormL2, "norm_l2", 1, Reduce)                   \
  X(NormInf, "norm_inf", 1, Reduce)                 \
  X(Count, "count", 1, ReduceMask)                  \
  X(Any, "any", 1, ReduceMask)                      \
  X(All, "all", 1, ReduceMask)                      \
  X(NeighborAgg, "neighbor_agg", 1, Aggregate)      \
  X(Normalize, "normalize", 1, Normalize)

enum class OpCode : uint8_t {
#define SG_OP_ENUM(e, name, arity, rule) e,
  SG_OP_TABLE(SG_OP_ENUM)
#undef SG_OP_ENUM
      Count_
};

struct OpInfo {
  OpCode code;
  std::string_view name;
  int arity;
  Rule rule;
};

inline constexpr OpInfo kOps[] = {
#define SG_OP_INFO(e, name, arity, rule) {OpCode::e, name, arity, Rule::rule},
    SG_OP_TABLE(SG_OP_INFO)
#undef SG_OP_INFO
};
inline constexpr int kNumOps = static_cast<int>(OpCode::Count_);

inline const OpInfo& op_info(OpCode op) { return kOps[static_cast<int>(op)]; }
inline std::string_view op_name(OpCode op) { return op_info(op).name; }
// Node vector -> scalar (sum, norms, count, any, ...).
inline bool is_reduction(OpCode op) {
  const Rule r = op_info(op).rule;
  return r == Rule::Reduce || r == Rule::ReduceMask;
}

inline std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::F64: return "f64";
    case DType::F32: return "f32";
    case DType::I64: return "i64";
    case DType::Bool: return "bool";
  }
  return "?";
}
inline bool is_float(DType d) { return d == DType::F64 || d == DType::F32; }
inline bool is_numeric(DType d) { return d != DType::Bool; }
inline int dtype_size(DType d) { return d == DType::F32 ? 4 : d == DType::Bool ? 1 : 8; }

}  // namespace sg
