// The row-kernel generator's shared pieces: the per-kernel state and the C++ spelling of
// operands, op calls and reduction folds (compiler/row_exprs.cpp), and the gather
// (compiler/row_gather.cpp). Only the generator's files include this.
#pragma once
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "compiler/row_codegen.hpp"
#include "kernels/frame.hpp"

namespace sg::compiler::rowgen {

// Rows per chunk: one sort window of the sliced CSR. Measured before the sliced CSR on
// uniform(200k) / rmat(18), loop time against the twin's: chunks of 256 rows 1.02-1.06x /
// 1.05-1.07x; the epilogue inside the gather's own row loop 1.08-1.17x / 1.03-1.04x; chunks of
// 16 or 64 rows were slower, 128 and 512 about the same as 256.
constexpr int kRowChunk = 1024;
static_assert(kRowChunk == kSortWindow, "a sliced chunk gather covers one sort window");

const char* ctype(DType d);
// A constant as the interpreter holds it (static_cast<T>(number)), spelled by its bits: the
// compiler then folds it (a select against 0.0 becomes one AND).
std::string constant(const Value& v);
// A call of the op's functor (kernels/arith.hpp) on one element computed in type T (for a
// reduction: its fold of x into acc): the very code the interpreter runs. "" for other ops.
std::string functor_call(OpCode op, const std::string& T, const std::vector<std::string>& x);
// The same element as four lanes (kernels/lane_vectors.hpp) of float64 / bool values.
std::string lane_vector_expr(OpCode op, const std::vector<std::string>& x, DType d = DType::F64);
// A reduction's fold step over four float64 lanes, from the elementwise lane forms; "" if none.
std::string lane_vector_fold(OpCode op, const std::string& acc, const std::string& x);

// One fold step of reduction `op` over elements of dtype `in` (kernels/eval_reduce.cpp's
// with_reducer): its lane type, start value and fold; false if it has none.
struct Fold {
  std::string lane_type, init, step;
  bool int_lanes = false;
};
bool reduction_fold(OpCode op, DType in, const std::string& acc, const std::string& x, Fold& f);

// The generator's state for one kernel: operand lists and the lines of the row body.
struct Gen {
  const ProgramIR& ir;
  Kernel& k;
  std::map<int32_t, size_t> pos;  // kernel value -> entry
  std::map<int32_t, int> node_of, scalar_of;
  std::vector<char> node_written;
  std::string decls, gather, to_chunk, from_chunk, row, stores, lanes_out;
  std::string chunk_gather;  // the chunks layout's gather over the sliced CSR ("": row by row)
  // The chunk epilogue as 4-lane vectors (kernels/lane_vectors.hpp), unless vec_refused says why not.
  std::string vrow, vstores, vlanes_in, vlanes_out, vec_refused;

  Gen(const ProgramIR& ir_, Kernel& k_) : ir(ir_), k(k_) {}

  int node(int32_t id, bool write) {
    auto it = node_of.find(id);
    if (it == node_of.end()) {
      it = node_of.emplace(id, static_cast<int>(k.row.nodes.size())).first;
      k.row.nodes.push_back(id);
      node_written.push_back(0);
    }
    if (write) node_written[static_cast<size_t>(it->second)] = 1;
    return it->second;
  }
  // Operand `id` at row v: a local, a node buffer element, a constant, or a scalar register.
  std::string operand(int32_t id) {
    if (pos.count(id)) return fmt::format("v{}", id);
    const Value& v = ir.values[id];
    if (v.type.shape == Shape::Node) return fmt::format("n{}[v]", node(id, false));
    if (v.op == OpCode::Const) return constant(v);
    auto it = scalar_of.find(id);
    if (it == scalar_of.end()) {
      it = scalar_of.emplace(id, static_cast<int>(k.row.scalars.size())).first;
      k.row.scalars.push_back(id);
    }
    return fmt::format("s{}", it->second);
  }
  // Operand `id` at rows v..v+3 as a lane vector; "" (and vec_refused set) if it has none.
  std::string lane_operand(int32_t id) {
    const Value& v = ir.values[id];
    const DType d = v.type.dtype;
    if (d != DType::F64 && d != DType::Bool) {
      refuse_lanes(fmt::format("%{} is {}", id, dtype_name(d)));
      return "";
    }
    if (pos.count(id)) return fmt::format("V{}", id);
    if (v.type.shape == Shape::Node) return fmt::format("sg::vec4::load(n{} + v)", node(id, false));
    const std::string x = operand(id);
    return d == DType::F64 ? fmt::format("sg::vec4::splat({})", x) : fmt::format("sg::vec4::splat_mask({} != 0)", x);
  }
  void refuse_lanes(std::string why) {
    if (vec_refused.empty()) vec_refused = std::move(why);
  }
};

// A reduction of where(mask, x, 0) (or where(mask, 0, x)) over a hoisted mask, folded into the
// reduction's loop, where folding the zero leaves the lanes' bits unchanged (sums and norms:
// lanes start at +0 and never hold -0). mask = -1 if the reduction is not one.
struct MaskedFold {
  int32_t mask = -1, picked = -1;
  bool when_true = true;  // x is picked where the mask is true
};
MaskedFold masked_fold(const ProgramIR& ir, const Kernel& k, const std::map<int32_t, size_t>& pos, const Value& red,
                       DType in);

// The gather of the kernel's neighbor_agg (its first value) into g: row by row for the rows
// layout, and for the chunks layout over the sliced CSR when it serves the aggregation.
// Returns the gathered element type.
std::string emit_gather(Gen& g);

}  // namespace sg::compiler::rowgen
