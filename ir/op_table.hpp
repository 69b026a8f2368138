// The one op table: every op's properties, as the validator, the passes, kernel formation, the
// interpreter, the code generator, the printer and the Python builder ask them.
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

// How an op's result type follows from its inputs (ir/validate.cpp).
enum class Rule : uint8_t {
  Source,      // param, const, fill, input: dtype from the `to` attr
  Graph,       // graph properties: dtype attr (or fixed), shape fixed by the op
  Carry,       // the loop-carried value inside the body: the type of its init
  Broadcast,   // scalar -> node vector
  Arith2,      // numeric x numeric, same dtype, shapes broadcast
  Arith1,      // numeric -> same
  Float1,      // float -> same (sqrt, exp, log, recip, floor, ceil)
  Compare,     // numeric x numeric -> bool
  Logic2,      // bool x bool -> bool
  Logic1,      // bool -> bool
  Select,      // where(bool, a, b)
  Fma,         // a * b + c, all numeric of one dtype
  MaskedMul,   // where(mask, 0, a * b)
  Cast,        // any -> dtype attr
  Reduce,      // node numeric -> scalar (same dtype; float for mean and norms)
  ReduceMask,  // node bool -> scalar (count: int64, any/all: bool)
  Aggregate,   // neighbor_agg: node -> node
  Normalize,   // node float -> node
  Gather,      // gather(x, idx): node x, int64 node idx -> node of x's dtype
  Scatter,     // scatter(target, idx, values) [combine]: numeric node, int64 node, target's dtype
  Link,        // link(parent, active) [direction, edges]: int64 node, bool (node or scalar) -> int64 node
  SampleMode,  // sample_mode(x): int64 node -> int64 scalar
};

// How an op reads its node inputs. Kernel formation, rotation, codegen and the fused-pass
// opener ask reads_other_nodes(): such an op needs its input complete before its pass starts.
enum class Access : uint8_t {
  None,       // no node inputs (sources, graph properties, the carry)
  Own,        // element i from the inputs' element i (elementwise)
  Neighbors,  // element i from i's neighbors' elements (a gather)
  All,        // element i from any element: normalize divides by a whole-vector sum; gather
              // reads and scatter writes at run-time indices. Such an op runs as a pass of its own
  Fold,       // one scalar folded over every element (reductions), in lane order
};

// The dtypes an op's value operands accept (the mask of where / masked_mul is always bool, the
// index of gather / scatter always int64).
enum class Domain : uint8_t { Any, Numeric, Float, Bool };

// A reduction's start value (the identity of its fold); None for every other op.
enum class Identity : uint8_t { None, Zero, One, Highest, Lowest };

// Whether putting the op in place of the plain ops it stands for changes rounding: fma rounds
// a * b + c once, x * recip(s) rounds twice where x / s rounds once. Exact mode never introduces
// a Changes op (compiler/rewrite.cpp checks its own output against this column).
enum class Rounding : uint8_t { Exact, Changes };

// Which values compiled chunk epilogues compute four rows at a time (kernels/lane_vectors.hpp):
// float64 ones, and for bools only the ops whose bits do not depend on true being 1 (a stored
// bool) or all ones (a lane mask). The libm calls (pow, exp, log) and conversions have none.
// For a reduction: whether its fold runs on four float64 lanes (the mask reductions do not).
enum class Lanes : uint8_t { No, F64, F64Bool };

// Every op, one line each. Elementwise ops each have an arithmetic functor of the same name in
// kernels/arith.hpp that the interpreter calls and generated row kernels spell
// (sg::arith::Add<double>{}(a, b)); reductions have their fold step there, under their name
// too. A missing functor fails to compile.
// X(Enum, "name", arity, Rule, Domain, Access, Identity, Rounding, Lanes)
#define SG_OP_TABLE(X) SG_SOURCE_OPS(X) SG_ELEMENTWISE_OPS(X) SG_WHOLE_VECTOR_OPS(X)

#define SG_SOURCE_OPS(X)                                               \
  X(Param, "param", 0, Source, Any, None, None, Exact, No)             \
  X(Const, "const", 0, Source, Any, None, None, Exact, No)             \
  X(Fill, "fill", 0, Source, Any, None, None, Exact, No)               \
  X(Input, "input", 0, Source, Any, None, None, Exact, No)             \
  X(NumNodes, "num_nodes", 0, Graph, Numeric, None, None, Exact, No)   \
  X(NumEdges, "num_edges", 0, Graph, Numeric, None, None, Exact, No)   \
  X(Directed, "directed", 0, Graph, Numeric, None, None, Exact, No)    \
  X(OutDegree, "out_degree", 0, Graph, Numeric, None, None, Exact, No) \
  X(InDegree, "in_degree", 0, Graph, Numeric, None, None, Exact, No)   \
  X(NodeId, "node_id", 0, Graph, Numeric, None, None, Exact, No)       \
  X(Carry, "carry", 0, Carry, Any, None, None, Exact, No)

#define SG_ELEMENTWISE_OPS(X)                                              \
  X(Broadcast, "broadcast", 1, Broadcast, Any, Own, None, Exact, F64Bool)  \
  X(Add, "add", 2, Arith2, Numeric, Own, None, Exact, F64)                 \
  X(Sub, "sub", 2, Arith2, Numeric, Own, None, Exact, F64)                 \
  X(Mul, "mul", 2, Arith2, Numeric, Own, None, Exact, F64)                 \
  X(Div, "div", 2, Arith2, Float, Own, None, Exact, F64)                   \
  X(Minimum, "minimum", 2, Arith2, Numeric, Own, None, Exact, F64)         \
  X(Maximum, "maximum", 2, Arith2, Numeric, Own, None, Exact, F64)         \
  X(Pow, "pow", 2, Arith2, Float, Own, None, Exact, No)                    \
  X(Neg, "neg", 1, Arith1, Numeric, Own, None, Exact, F64)                 \
  X(Abs, "abs", 1, Arith1, Numeric, Own, None, Exact, F64)                 \
  X(Sqrt, "sqrt", 1, Float1, Float, Own, None, Exact, F64)                 \
  X(Exp, "exp", 1, Float1, Float, Own, None, Exact, No)                    \
  X(Log, "log", 1, Float1, Float, Own, None, Exact, No)                    \
  X(Recip, "recip", 1, Float1, Float, Own, None, Changes, F64)             \
  X(Floor, "floor", 1, Float1, Float, Own, None, Exact, F64)               \
  X(Ceil, "ceil", 1, Float1, Float, Own, None, Exact, F64)                 \
  X(Lt, "lt", 2, Compare, Numeric, Own, None, Exact, F64)                  \
  X(Le, "le", 2, Compare, Numeric, Own, None, Exact, F64)                  \
  X(Gt, "gt", 2, Compare, Numeric, Own, None, Exact, F64)                  \
  X(Ge, "ge", 2, Compare, Numeric, Own, None, Exact, F64)                  \
  X(Eq, "eq", 2, Compare, Any, Own, None, Exact, F64Bool)                  \
  X(Ne, "ne", 2, Compare, Any, Own, None, Exact, F64Bool)                  \
  X(And, "and", 2, Logic2, Bool, Own, None, Exact, F64Bool)                \
  X(Or, "or", 2, Logic2, Bool, Own, None, Exact, F64Bool)                  \
  X(Not, "not", 1, Logic1, Bool, Own, None, Exact, F64Bool)                \
  X(Where, "where", 3, Select, Any, Own, None, Exact, F64Bool)             \
  X(Fma, "fma", 3, Fma, Float, Own, None, Changes, F64)                    \
  X(MaskedMul, "masked_mul", 3, MaskedMul, Numeric, Own, None, Exact, F64) \
  X(Cast, "cast", 1, Cast, Any, Own, None, Exact, No)

#define SG_REDUCTION_OPS(X)                                        \
  X(Sum, "sum", 1, Reduce, Numeric, Fold, Zero, Exact, F64)        \
  X(Mean, "mean", 1, Reduce, Float, Fold, Zero, Exact, F64)        \
  X(RMin, "min", 1, Reduce, Numeric, Fold, Highest, Exact, F64)    \
  X(RMax, "max", 1, Reduce, Numeric, Fold, Lowest, Exact, F64)     \
  X(NormL1, "norm_l1", 1, Reduce, Float, Fold, Zero, Exact, F64)   \
  X(NormL2, "norm_l2", 1, Reduce, Float, Fold, Zero, Exact, F64)   \
  X(NormInf, "norm_inf", 1, Reduce, Float, Fold, Zero, Exact, F64) \
  X(Count, "count", 1, ReduceMask, Bool, Fold, Zero, Exact, No)    \
  X(Any, "any", 1, ReduceMask, Bool, Fold, Zero, Exact, No)        \
  X(All, "all", 1, ReduceMask, Bool, Fold, One, Exact, No)

#define SG_WHOLE_VECTOR_OPS(X)                                                      \
  SG_REDUCTION_OPS(X)                                                               \
  X(NeighborAgg, "neighbor_agg", 1, Aggregate, Numeric, Neighbors, None, Exact, No) \
  X(Normalize, "normalize", 1, Normalize, Float, All, None, Exact, No)              \
  X(Gather, "gather", 2, Gather, Any, All, None, Exact, No)                         \
  X(Scatter, "scatter", 3, Scatter, Numeric, All, None, Exact, No)                  \
  X(Link, "link", 2, Link, Numeric, All, None, Exact, No)                           \
  X(SampleMode, "sample_mode", 1, SampleMode, Numeric, All, None, Exact, No)

enum class OpCode : uint8_t {
#define SG_OP_ENUM(e, ...) e,
  SG_OP_TABLE(SG_OP_ENUM)
#undef SG_OP_ENUM
      Count_
};

struct OpInfo {
  OpCode code;
  std::string_view enum_name;  // also the name of its functor in kernels/arith.hpp
  std::string_view name;       // as the IR text, the printer and the Python builder spell it
  int arity;
  Rule rule;
  Domain domain;
  Access access;
  Identity identity;
  Rounding rounding;
  Lanes lanes;
  bool elementwise;
};

namespace op_table_detail {
#define SG_OP_IS(e, ...) OpCode::e,
inline constexpr OpCode kElementwise[] = {SG_ELEMENTWISE_OPS(SG_OP_IS)};
#undef SG_OP_IS
constexpr bool is_elementwise(OpCode op) {
  for (OpCode e : kElementwise)
    if (e == op) return true;
  return false;
}
}  // namespace op_table_detail

inline constexpr OpInfo kOps[] = {
#define SG_OP_INFO(e, name, arity, rule, domain, access, identity, rounding, lanes) \
  {OpCode::e,                                                                       \
   #e,                                                                              \
   name,                                                                            \
   arity,                                                                           \
   Rule::rule,                                                                      \
   Domain::domain,                                                                  \
   Access::access,                                                                  \
   Identity::identity,                                                              \
   Rounding::rounding,                                                              \
   Lanes::lanes,                                                                    \
   op_table_detail::is_elementwise(OpCode::e)},
    SG_OP_TABLE(SG_OP_INFO)
#undef SG_OP_INFO
};
inline constexpr int kNumOps = static_cast<int>(OpCode::Count_);
static_assert(sizeof(kOps) / sizeof(kOps[0]) == kNumOps, "one table row per op");

constexpr const OpInfo& op_info(OpCode op) { return kOps[static_cast<int>(op)]; }
constexpr std::string_view op_name(OpCode op) { return op_info(op).name; }
// Node vector -> scalar (sum, norms, count, any, ...).
constexpr bool is_reduction(OpCode op) { return op_info(op).access == Access::Fold; }
// Reads nodes other than the one it computes: its input must be complete before its pass.
constexpr bool reads_other_nodes(OpCode op) {
  const Access a = op_info(op).access;
  return a == Access::Neighbors || a == Access::All;
}
// Whether `d` is one of the dtypes the op's value operands accept.
constexpr bool accepts(Domain domain, DType d) {
  switch (domain) {
    case Domain::Any: return true;
    case Domain::Numeric: return d != DType::Bool;
    case Domain::Float: return d == DType::F64 || d == DType::F32;
    case Domain::Bool: return d == DType::Bool;
  }
  return false;
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
