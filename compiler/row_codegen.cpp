// Row-kernel code generation: a pull kernel's gather and its whole epilogue as one C++ loop.
//
// The interpreter runs an epilogue as one vector loop per op over each 1024-node strip after
// the strip's gather. The generated kernel gathers a chunk of rows into a small buffer, then
// runs the whole epilogue (every op, the stores, the reductions' lanes) in one loop over the
// chunk: no dispatch, no strip temporaries, one pass over each stream. Constants are spelled
// into the code, so the compiler folds them (a select against 0.0 is one AND). Every element
// is computed by the same expression as the interpreter's kernels (kernels/eval_elementwise.cpp,
// kernels/eval_reduce.cpp), and the gather and the lanes come from the very same headers
// (embedded in the source), so both give the same bits.
#include "compiler/row_codegen.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/error.hpp"
#include "kernels/frame.hpp"

namespace sg::compiler {

namespace {

const char* ctype(DType d) {
  switch (d) {
    case DType::F64: return "double";
    case DType::F32: return "float";
    case DType::I64: return "int64_t";
    case DType::Bool: break;
  }
  return "uint8_t";
}

// A call of the op's functor (kernels/arith.hpp) on one element computed in type T: the very
// code the interpreter runs. "" for an op that is not elementwise.
std::string functor_call(OpCode op, const std::string& T, const std::vector<std::string>& x) {
  const OpInfo& info = op_info(op);
  if (!info.elementwise) return "";
  std::string args;
  for (const std::string& a : x) args += (args.empty() ? "" : ", ") + a;
  return fmt::format("sg::arith::{}<{}>{{}}({})", info.enum_name, T, args);
}

// The same element as four lanes (kernels/lane_vectors.hpp) of float64 / bool values.
std::string lane_vector_expr(OpCode op, const std::vector<std::string>& x, DType d = DType::F64) {
  return functor_call(op, d == DType::Bool ? "sg::vec4::M" : "sg::vec4::F", x);
}

// A reduction's fold step over four lanes (float64 lanes only), from the elementwise lane forms;
// "" if none.
std::string lane_vector_fold(OpCode op, const std::string& acc, const std::string& x) {
  const std::string ax = fmt::format("sg::vec4::fabs({})", x);
  switch (op) {
    case OpCode::Sum:
    case OpCode::Mean: return lane_vector_expr(OpCode::Add, {acc, x});
    case OpCode::NormL1: return lane_vector_expr(OpCode::Add, {acc, ax});
    case OpCode::NormL2: return lane_vector_expr(OpCode::Add, {acc, lane_vector_expr(OpCode::Mul, {x, x})});
    case OpCode::RMin: return lane_vector_expr(OpCode::Minimum, {acc, x});
    case OpCode::RMax: return lane_vector_expr(OpCode::Maximum, {acc, x});
    case OpCode::NormInf: return lane_vector_expr(OpCode::Maximum, {acc, ax});
    default: return "";
  }
}

// The type an elementwise op computes in (its operands' element type).
DType compute_dtype(const ProgramIR& ir, const Value& v) {
  switch (op_info(v.op).rule) {
    case Rule::Arith2:
    case Rule::Arith1:
    case Rule::Float1:
    case Rule::Compare:
    case Rule::Cast:
      return ir.values[v.inputs[0]].type.dtype;
    default:
      return v.type.dtype;
  }
}

// One fold step of reduction `op` over elements of dtype `in` (kernels/eval_reduce.cpp's
// with_reducer): its lane type, start value and fold; false if it has none.
struct Fold {
  std::string lane_type, init, step;
  bool int_lanes = false;
};
// A reduction's start value (the table's identity) in lane type T.
std::string identity_text(Identity id, const std::string& T, bool fl) {
  switch (id) {
    case Identity::Zero: return "0";
    case Identity::One: return "1";
    case Identity::Highest:
      return fl ? fmt::format("std::numeric_limits<{}>::infinity()", T) : fmt::format("std::numeric_limits<{}>::max()", T);
    case Identity::Lowest:
      return fl ? fmt::format("-std::numeric_limits<{}>::infinity()", T) : fmt::format("std::numeric_limits<{}>::lowest()", T);
    case Identity::None: break;
  }
  return "";
}

bool reduction_fold(OpCode op, DType in, const std::string& acc, const std::string& x, Fold& f) {
  const std::string T = ctype(in);
  if (in == DType::Bool) {
    switch (op) {
      case OpCode::Count: f = {"int64_t", "", fmt::format("{} + {}", acc, x), true}; break;
      case OpCode::Any: f = {"uint8_t", "", fmt::format("uint8_t({} | ({} != 0))", acc, x), true}; break;
      case OpCode::All: f = {"uint8_t", "", fmt::format("uint8_t({} & ({} != 0))", acc, x), true}; break;
      default: return false;
    }
    f.init = identity_text(op_info(op).identity, f.lane_type, false);
    return true;
  }
  const bool fl = is_float(in);
  f.lane_type = T;
  f.int_lanes = !fl;
  f.init = identity_text(op_info(op).identity, T, fl);
  switch (op) {
    case OpCode::Sum: f.step = fmt::format("sg::wrap_add<{}>({}, {})", T, acc, x); return true;
    case OpCode::RMin: f.step = fmt::format("({1} < {0} ? {1} : {0})", acc, x); return true;
    case OpCode::RMax: f.step = fmt::format("({0} < {1} ? {1} : {0})", acc, x); return true;
    default: break;
  }
  if (!fl) return false;
  switch (op) {
    case OpCode::Mean: f.step = fmt::format("{} + {}", acc, x); return true;
    case OpCode::NormL1: f.step = fmt::format("{} + std::fabs({})", acc, x); return true;
    case OpCode::NormL2: f.step = fmt::format("{} + {} * {}", acc, x, x); return true;
    case OpCode::NormInf: f.step = fmt::format("({0} < std::fabs({1}) ? std::fabs({1}) : {0})", acc, x); return true;
    default: return false;
  }
}

// The prelude as one translation unit: no include guards, no project includes (all inline).
std::string inlined_prelude() {
  std::string out, line;
  const std::string& text = row_prelude();
  for (size_t i = 0; i < text.size();) {
    const size_t e = std::min(text.find('\n', i), text.size());
    line = text.substr(i, e - i);
    if (line.rfind("#pragma once", 0) != 0 && line.rfind("#include \"", 0) != 0) out += line + "\n";
    i = e + 1;
  }
  return out;
}

// Rows per chunk: one sort window of the sliced CSR. Measured before the sliced CSR on
// uniform(200k) / rmat(18), loop time against the twin's: chunks of 256 rows 1.02-1.06x /
// 1.05-1.07x; the epilogue inside the gather's own row loop 1.08-1.17x / 1.03-1.04x; chunks of
// 16 or 64 rows were slower, 128 and 512 about the same as 256.
constexpr int kRowChunk = 1024;
static_assert(kRowChunk == kSortWindow, "a sliced chunk gather covers one sort window");

}  // namespace

std::string row_by_row_why(const Value& agg) {
  if (agg.combine != Combine::Sum) return fmt::format("the sliced CSR serves sums, not {}", combine_name(agg.combine));
  if (agg.direction == Direction::Both) return "the sliced CSR serves one direction, not both";
  return "";
}

namespace {

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A constant as the interpreter holds it (static_cast<T>(number)), spelled by its bits: the
// compiler then folds it (a select against 0.0 becomes one AND).
std::string constant(const Value& v) {
  return with_dtype(v.type.dtype, [&](auto t) {
    using T = decltype(t);
    const T x = static_cast<T>(v.number);
    uint64_t bits = 0;
    std::memcpy(&bits, &x, sizeof(T));
    return fmt::format("sg::kernels::from_bits<{}>(0x{:x}ull)", ctype(v.type.dtype), bits);
  });
}

// The generator's state for one kernel: operand lists and the lines of the row body.
struct Gen {
  const ProgramIR& ir;
  Kernel& k;
  std::map<int32_t, size_t> pos;      // kernel value -> entry
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

void refuse(Kernel& k, std::string why) {
  k.row = RowKernel{};
  k.row.refused = std::move(why);
}

}  // namespace

void generate_row_kernel(const ProgramIR& ir, Kernel& k) {
  k.row = RowKernel{};
  if (k.kind != Kernel::Kind::Node || !k.reads_neighbors) {
    refuse(k, "no neighbor_agg: an elementwise pass is already a vector loop per strip");
    return;
  }
  if (k.values.size() < 2) {
    refuse(k, "a lone neighbor_agg has no epilogue to move into its row loop");
    return;
  }
  const Value& agg = ir.values[k.values[0]];
  if (agg.combine == Combine::Mode) {
    refuse(k, "neighbor_agg[mode] sorts each row's labels: not generated");
    return;
  }
  if (agg.type.dtype == DType::Bool) {
    refuse(k, "neighbor_agg over bool");
    return;
  }
  Gen g(ir, k);
  for (size_t i = 0; i < k.values.size(); ++i) g.pos[k.values[i]] = i;

  // An update stored in place goes through its carry's own pointer (one pointer, no aliasing).
  std::map<int32_t, int32_t> in_place_carry;
  for (const CarryDecl& c : ir.carries)
    if (g.pos.count(c.update) && !k.in_place.empty() && k.in_place[g.pos[c.update]]) in_place_carry[c.update] = c.value;

  std::string agg_type;
  // The gather, as kernels/eval_aggregate.cpp's EdgeLoad and aggregate_rows.
  {
    const DType d = agg.type.dtype;
    const std::string T = ctype(d);
    const int x = g.node(agg.inputs[0], false);
    // load(idx, w): an edge's contribution from one CSR.
    auto load = [&](const char* ix, const char* wt) {
      const std::string xu = fmt::format("n{}[{}[e]]", x, ix);
      if (agg.edge == EdgeOp::MulWeight)
        return fmt::format("kW ? static_cast<{0}>({1} * static_cast<{0}>({2}[e])) : {1}", T, xu, wt);
      if (agg.edge == EdgeOp::AddWeight)
        return fmt::format("kW ? static_cast<{0}>({1} + static_cast<{0}>({2}[e])) : sg::wrap_add<{0}>({1}, {0}(1))",
                           T, xu, wt);
      return xu;
    };
    const int32_t id = k.values[0];
    const bool both = agg.direction == Direction::Both;  // two CSRs when the graph is directed
    agg_type = T;
    g.gather += "    const int64_t b = static_cast<int64_t>(off[v]), f = static_cast<int64_t>(off[v + 1]);\n";
    if (both)
      g.gather += "    const int64_t b2 = off2 ? static_cast<int64_t>(off2[v]) : 0, "
                         "f2 = off2 ? static_cast<int64_t>(off2[v + 1]) : 0;\n";
    if (agg.combine == Combine::Sum || agg.combine == Combine::Mean) {
      g.gather += fmt::format("    {0} v{1} = sg::row_sum<{0}>(b, f, [&](int64_t e) {{ return static_cast<{0}>({2}); }});\n",
                           T, id, load("idx", "w"));
      if (both)
        g.gather += fmt::format(
            "    if (off2) v{1} = sg::wrap_add<{0}>(v{1}, sg::row_sum<{0}>(b2, f2, [&](int64_t e) {{ return "
            "static_cast<{0}>({2}); }}));\n",
            T, id, load("idx2", "w2"));
      if (agg.combine == Combine::Mean && is_float(d))
        g.gather += fmt::format("    v{0} = v{0} / static_cast<{1}>((f - b){2});\n", id, T, both ? " + (f2 - b2)" : "");
    } else {
      const bool mn = agg.combine == Combine::Min;
      const std::string init = is_float(d) ? fmt::format("{}std::numeric_limits<{}>::infinity()", mn ? "" : "-", T)
                                           : fmt::format("std::numeric_limits<{}>::{}()", T, mn ? "max" : "lowest");
      const std::string pick = mn ? fmt::format("y < v{0} ? y : v{0}", id) : fmt::format("v{0} < y ? y : v{0}", id);
      g.gather += fmt::format("    {} v{} = {};\n", T, id, init);
      g.gather += fmt::format("    for (int64_t e = b; e < f; ++e) {{ const {0} y = static_cast<{0}>({1}); v{2} = {3}; }}\n",
                           T, load("idx", "w"), id, pick);
      if (both)
        g.gather += fmt::format(
            "    for (int64_t e = b2; e < f2; ++e) {{ const {0} y = static_cast<{0}>({1}); v{2} = {3}; }}\n", T,
            load("idx2", "w2"), id, pick);
    }
    if (row_by_row_why(agg).empty()) {
      // A chunk is one sort window of the sliced CSR (graph/sliced_csr.hpp): its rows summed
      // four side by side, each in row_sum's order, so the rows layout gives the same bits.
      k.row.sliced = true;
      g.chunk_gather = fmt::format(
          "      {{  // the chunk's slices\n"
          "        static_assert(kChunk == sg::kSortWindow, \"a chunk is one sort window\");\n"
          "        const sg::SlicedView sv = sg::sliced_rows(a->sliced, a->lo, a->hi, c0, c1);\n"
          "        const int32_t* __restrict sidx = sv.src;\n"
          "        const double* __restrict sw = sv.w;\n"
          "        (void)sw;\n"
          "        sg::sliced_row_sums<{0}>(sv, [&](int64_t e) SG_ROW_INLINE {{ return static_cast<{0}>({1}); }}, gbuf);\n"
          "      }}\n",
          T, load("sidx", "sw"));
    }
    g.to_chunk = fmt::format("    gbuf[v - c0] = v{};\n", id);
    g.from_chunk = fmt::format("    const {} v{} = gbuf[v - c0];\n", T, id);
    if (d == DType::F64) g.vrow = fmt::format("    const sg::vec4::F V{} = sg::vec4::load(gbuf + (v - c0));\n", id);
    else g.refuse_lanes(fmt::format("%{} gathers {}", id, dtype_name(d)));
  }
  int reductions = 0;
  for (size_t i = 1; i < k.values.size(); ++i) {
    const int32_t id = k.values[i];
    const Value& v = ir.values[id];
    if (is_reduction(v.op)) {
      const DType in = ir.values[v.inputs[0]].type.dtype;
      Fold fold;
      const std::string acc = fmt::format("r{}[lane]", reductions);
      if (!reduction_fold(v.op, in, acc, g.operand(v.inputs[0]), fold)) {
        refuse(k, fmt::format("%{} = {} over {}: not generated", id, op_name(v.op), dtype_name(in)));
        return;
      }
      g.decls += fmt::format("  {0} r{1}[4] = {{{2}, {2}, {2}, {2}}};\n", fold.lane_type, reductions, fold.init);
      const MaskedFold mf = masked_fold(ir, k, g.pos, v, in);
      if (mf.mask >= 0) {
        // Branch variant: fold only where the mask picks x (folding the zero changes no bits).
        Fold picked;
        reduction_fold(v.op, in, acc, g.operand(mf.picked), picked);
        g.row += fmt::format("    if constexpr (kBranch) {{ if ({}{}) {} = {}; }} else {{ {} = {}; }}\n",
                             mf.when_true ? "" : "!", g.operand(mf.mask), acc, picked.step, acc, fold.step);
        if (std::find(k.row.branch_masks.begin(), k.row.branch_masks.end(), mf.mask) == k.row.branch_masks.end())
          k.row.branch_masks.push_back(mf.mask);
      } else {
        g.row += fmt::format("    {} = {};\n", acc, fold.step);
      }
      // Four lanes: the select form (folding the zero a branch skips changes no bits).
      const std::string vx = g.lane_operand(v.inputs[0]), vstep = lane_vector_fold(v.op, fmt::format("R{}", reductions), vx);
      if (fold.int_lanes || vstep.empty()) g.refuse_lanes(fmt::format("%{} = {} over {}", id, op_name(v.op), dtype_name(in)));
      g.vlanes_in += fmt::format("        sg::vec4::F R{0} = sg::vec4::load(r{0});\n", reductions);
      g.vrow += fmt::format("    R{} = {};\n", reductions, vstep);
      g.vlanes_out += fmt::format("        sg::vec4::store(r{0}, R{0});\n", reductions);
      g.lanes_out += fmt::format("  for (int q = 0; q < 4; ++q) a->{1}[{0} * 4 + q] = static_cast<{2}>(r{0}[q]);\n",
                                 reductions, fold.int_lanes ? "ilanes" : "lanes", fold.int_lanes ? "int64_t" : "double");
      k.row.reductions.push_back(id);
      ++reductions;
      continue;
    }
    if (v.type.shape != Shape::Node || reads_other_nodes(v.op)) {
      refuse(k, fmt::format("%{} = {}: not generated in a row loop", id, op_name(v.op)));
      return;
    }
    std::vector<std::string> args;
    for (int32_t u : v.inputs) args.push_back(g.operand(u));
    const DType cd = compute_dtype(ir, v);
    const std::string e = v.op == OpCode::Cast
                              ? fmt::format("sg::arith::Cast<{}>{{}}.to<{}>({})", ctype(cd), ctype(v.type.dtype), args[0])
                              : functor_call(v.op, ctype(cd), args);
    if (e.empty()) {
      refuse(k, fmt::format("%{} = {}: not generated in a row loop", id, op_name(v.op)));
      return;
    }
    g.row += fmt::format("    const {} v{} = {};\n", ctype(v.type.dtype), id, e);
    const Lanes lanes = op_info(v.op).lanes;
    std::string ve;
    if (lanes == Lanes::No || (cd != DType::F64 && !(cd == DType::Bool && lanes == Lanes::F64Bool))) {
      g.refuse_lanes(fmt::format("%{} = {} over {}", id, op_name(v.op), dtype_name(cd)));
    } else {
      std::vector<std::string> vargs;
      for (int32_t u : v.inputs) vargs.push_back(g.lane_operand(u));
      ve = lane_vector_expr(v.op, vargs, cd);
    }
    g.vrow += fmt::format("    const sg::vec4::{} V{} = {};\n", v.type.dtype == DType::Bool ? "M" : "F", id, ve);
  }
  // Stores at the end of the row, after every read of it (an in-place carry is read first).
  for (size_t i = 0; i < k.values.size(); ++i) {
    const int32_t id = k.values[i];
    if (ir.values[id].type.shape != Shape::Node || (!k.folded.empty() && k.folded[i])) continue;
    auto carry = in_place_carry.find(id);
    const bool in_place = carry != in_place_carry.end();
    if (!in_place && k.strip_temp(i)) continue;
    const int target = g.node(in_place ? carry->second : id, true);
    g.stores += fmt::format("    n{}[v] = v{};\n", target, id);
    g.vstores += fmt::format("    sg::vec4::store(n{} + v, V{});\n", target, id);
  }
  if (k.row.nodes.size() > 64 || k.row.scalars.size() > 64 || k.row.reductions.size() > 16) {
    refuse(k, "more than 64 node operands, 64 scalars or 16 reductions");
    return;
  }
  std::string pointers, scalars;
  for (size_t j = 0; j < k.row.nodes.size(); ++j) {
    const char* T = ctype(ir.values[k.row.nodes[j]].type.dtype);
    const bool w = g.node_written[j];
    pointers += fmt::format("  {0}{1}* __restrict n{2} = static_cast<{0}{1}*>(a->node[{2}]);\n", w ? "" : "const ", T, j);
  }
  for (size_t j = 0; j < k.row.scalars.size(); ++j) {
    const DType d = ir.values[k.row.scalars[j]].type.dtype;
    scalars += fmt::format("  const {0} s{1} = static_cast<{0}>(a->{2}scalar[{1}]);\n", ctype(d), j,
                           is_float(d) ? "f" : "i");
  }
  auto indent = [](const std::string& lines) {  // two more spaces: one loop deeper
    std::string out;
    for (size_t i = 0; i < lines.size();) {
      const size_t e = lines.find('\n', i);
      out += "  " + lines.substr(i, e - i + 1);
      i = e + 1;
    }
    return out;
  };
  // The chunk's epilogue four rows per vector op, its last rows (under four) one at a time.
  // Each row v still folds into lane (v - lo) mod 4: chunks start at multiples of 4 from lo.
  k.row.lanes_refused = g.vec_refused;
  std::string lane_loop;
  if (g.vec_refused.empty())
    lane_loop = "      {  // four rows per vector op (kernels/lane_vectors.hpp); the tail below\n" + g.vlanes_in +
                "        for (; v + 4 <= c1; v += 4) {\n" + indent(indent(indent(g.vrow))) + indent(indent(indent(g.vstores))) +
                "        }\n" + g.vlanes_out + "      }\n";
  std::string chunk_gather = g.chunk_gather;
  if (chunk_gather.empty())
    chunk_gather = "      sg::for_each_lane(c0, c1, [&](int64_t v, auto) SG_ROW_INLINE {\n" + indent(indent(g.gather)) +
                   indent(indent(g.to_chunk)) + "      });\n";
  // Two layouts of the same work; the State measures both on its first iterations and keeps
  // the faster (kernels/row_loop.hpp). Both fold row v into lane
  // (v - lo) mod 4 in node order, so they give the interpreter's bits.
  const std::string body = fmt::format(
      "template <class Off, bool kW, bool kPerRow, bool kBranch>\n"
      "void body(const sg::RowArgs* a) {{\n"
      "  const Off* __restrict off = static_cast<const Off*>(a->off);\n"
      "  const int32_t* __restrict idx = a->idx;\n"
      "  const double* __restrict w = a->w;\n"
      "  const Off* __restrict off2 = static_cast<const Off*>(a->off2);\n"
      "  const int32_t* __restrict idx2 = a->idx2;\n"
      "  const double* __restrict w2 = a->w2;\n"
      "  (void)w, (void)off2, (void)idx2, (void)w2;\n"
      "{}{}{}"
      "  if constexpr (kPerRow) {{\n"
      "    // Each row's epilogue right after its gather, as the native twins do: its loads and\n"
      "    // arithmetic overlap the gather's misses and branch mispredictions (skewed graphs).\n"
      "    sg::for_each_lane(a->lo, a->hi, [&](int64_t v, auto lane) SG_ROW_INLINE {{\n"
      "      (void)lane;\n"
      "{}"
      "{}{}"
      "    }});\n"
      "  }} else {{\n"
      "    // Chunks of kChunk rows: their gathers in one tight loop (many loads in flight), then the\n"
      "    // whole epilogue in one loop. Chunks start at multiples of 4 rows from the block's\n"
      "    // start, so each row folds into lane (v - lo) mod 4, as in the interpreter.\n"
      "    constexpr int64_t kChunk = {};\n"
      "    {} gbuf[kChunk];\n"
      "    for (int64_t c0 = a->lo; c0 < a->hi; c0 += kChunk) {{\n"
      "      const int64_t c1 = c0 + kChunk < a->hi ? c0 + kChunk : a->hi;\n"
      "{}"
      "      int64_t v = c0;\n"
      "{}"
      "      sg::for_each_lane(v, c1, [&](int64_t v, auto lane) SG_ROW_INLINE {{\n"
      "        (void)lane;\n"
      "{}"
      "{}{}"
      "      }});\n"
      "    }}\n"
      "  }}\n"
      "{}"
      "}}\n",
      pointers, scalars, g.decls, indent(g.gather), indent(g.row), indent(g.stores), kRowChunk, agg_type,
      chunk_gather, lane_loop, indent(indent(g.from_chunk)), indent(indent(g.row)),
      indent(indent(g.stores)), g.lanes_out);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(body)));
  k.row.symbol = fmt::format("sg_rk{}_{}", kRowKernelAbi, hex);
  std::string src = "// stepgraph row kernel (generated by compiler/row_codegen.cpp; do not edit)\n";
  static const std::string prelude = inlined_prelude();
  src += prelude;
  // Row bodies are forced inline: for_each_lane calls each body at four sites, and GCC left
  // one lane's big body out of line (a call per fourth row, pointers reloaded): rows layout
  // 1.21x the twin's loop on uniform(200k), one thread; inlined, 1.05x.
  src += "\n#include <cmath>\n#include <limits>\n\n#define SG_ROW_INLINE __attribute__((always_inline))\n\nnamespace {\n\n" +
         body + "\n}  // namespace\n\nextern \"C\" {\n";
  src += fmt::format("int {}_abi() {{ return sg::kRowKernelAbi; }}\n", k.row.symbol);
  for (int i = 0; i < kRowVariants; ++i) {
    // Without masks the branch entry points are the plain bodies (no second instantiation to compile).
    const bool branch = (i & 8) && !k.row.branch_masks.empty(), per_row = i & 4, wide = i & 2, weighted = i & 1;
    src += fmt::format("void {}_{}(const sg::RowArgs* a) {{ body<{}, {}, {}, {}>(a); }}\n", k.row.symbol, i,
                       wide ? "int64_t" : "uint32_t", weighted, per_row, branch);
  }
  src += "}\n";
  k.row.source = std::move(src);
}

}  // namespace sg::compiler
