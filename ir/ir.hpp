// The step-graph IR: SSA values in a prologue, at most one loop body, and an epilogue.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/op_table.hpp"

namespace sg {

enum class Region : uint8_t { Prologue, Body, Epilogue };
enum class Combine : uint8_t { Sum, Min, Max, Mean, Mode, HIndex };
enum class Direction : uint8_t { In, Out, Both };
enum class EdgeOp : uint8_t { None, MulWeight, AddWeight };

struct Value {
  OpCode op = OpCode::Const;
  Type type;
  Region region = Region::Prologue;
  std::vector<int32_t> inputs;
  // Attributes (which ones apply depends on the op).
  double number = 0;      // const / fill value, param default
  std::string name;       // param and carry name
  DType to = DType::F64;  // dtype attribute: source ops, graph ops, cast target
  Combine combine = Combine::Sum;
  Direction direction = Direction::In;
  EdgeOp edge = EdgeOp::None;
  bool weighted = false;   // out_degree / in_degree
  bool by_max = false;     // normalize by max instead of sum
  int64_t edges_from = 0;  // link: each row's edges [edges_from, edges_to) (edges_to -1: to the row's end)
  int64_t edges_to = -1;
  std::string label;     // what the user called it (explain only: never part of its identity)
  std::string loc;       // the user's source line, for messages
  bool hoisted = false;  // moved out of the loop by the optimizer
};

struct CarryDecl {
  std::string name;
  int32_t init = -1;    // prologue value
  int32_t value = -1;   // the Carry op inside the body
  int32_t update = -1;  // body (or prologue) value giving the next iteration's value
};

// The iteration limit the Builder gives loops that stop on their own (a fixed point reached):
// explain prints "until converged" for it.
constexpr int64_t kUntilConverged = int64_t{1} << 62;

struct ProgramIR {
  std::vector<Value> values;
  bool has_loop = false;
  int64_t max_iter = 0;
  std::vector<CarryDecl> carries;
  int32_t until = -1;     // scalar bool in the body, or -1
  int32_t residual = -1;  // float scalar in the body reported as state.residual, or -1
  // loop.in_order(): the frontier is processed in buckets of `delta` of the carry's value
  // (delta-stepping); delta 0 asks for one chosen from the graph's weights.
  bool ordered = false;
  double delta = 0;
  std::vector<std::pair<std::string, int32_t>> outputs;
};

// Parse the serialized text form (what the Python builder sends) and validate it fully:
// op codes, ids, regions, attributes, and every type recomputed from the op table.
// Errors are ErrorKind::Program, naming the line or value and the user's source line.
ProgramIR parse_ir(std::string_view text);
void validate_ir(ProgramIR& ir);

// Infer the result type of values[id] from its inputs (throws ErrorKind::Program).
Type infer_type(const ProgramIR& ir, int32_t id);

// The dtype an op computes in: its value operands' (input 1 of where / masked_mul, else input
// 0) for elementwise ops, its own for the rest. The interpreter and the code generator both
// call an op's functor at this type.
DType compute_dtype(const ProgramIR& ir, const Value& v);

// The jaxpr-like printed form, and an op's attributes as printed there ("[sum, in]").
std::string print_ir(const ProgramIR& ir);
std::string op_attrs(const Value& v);
std::string type_name(Type t);

std::string_view combine_name(Combine c);
std::string_view direction_name(Direction d);
std::string_view edge_name(EdgeOp e);

}  // namespace sg
