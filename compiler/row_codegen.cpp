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

#include "compiler/row_gen.hpp"
#include "core/error.hpp"

namespace sg::compiler {

using namespace rowgen;

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

void refuse(Kernel& k, std::string why) {
  k.row = RowKernel{};
  k.row.refused = std::move(why);
}

// Why kernel k has no row loop at all ("" if the generator can try).
std::string refusal(const ProgramIR& ir, const Kernel& k) {
  if (k.kind == Kernel::Kind::Node && op_info(ir.values[k.values[0]].op).access == Access::All)
    return fmt::format("{} reads or writes any node (a pass of its own): interpreted, not generated",
                       op_name(ir.values[k.values[0]].op));
  if (k.kind != Kernel::Kind::Node || !k.reads_neighbors)
    return "no neighbor_agg: an elementwise pass is already a vector loop per strip";
  if (k.values.size() < 2) return "a lone neighbor_agg has no epilogue to move into its row loop";
  const Value& agg = ir.values[k.values[0]];
  if (agg.combine == Combine::Mode) return "neighbor_agg[mode] counts each row's labels in a hash table: not generated";
  if (agg.combine == Combine::HIndex) return "neighbor_agg[h_index] counts each row's values: not generated";
  if (agg.type.dtype == DType::Bool) return "neighbor_agg over bool";
  return "";
}

// Every value after the gather, in order, as one row's code (and as four rows' where every op
// has a lane form); reductions fold into their lanes. False (and k refused) if one cannot be.
bool emit_epilogue(Gen& g) {
  const ProgramIR& ir = g.ir;
  Kernel& k = g.k;
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
        return false;
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
      const std::string vx = g.lane_operand(v.inputs[0]),
                        vstep = lane_vector_fold(v.op, fmt::format("R{}", reductions), vx);
      if (fold.int_lanes || vstep.empty())
        g.refuse_lanes(fmt::format("%{} = {} over {}", id, op_name(v.op), dtype_name(in)));
      g.vlanes_in += fmt::format("        sg::vec4::F R{0} = sg::vec4::load(r{0});\n", reductions);
      g.vrow += fmt::format("    R{} = {};\n", reductions, vstep);
      g.vlanes_out += fmt::format("        sg::vec4::store(r{0}, R{0});\n", reductions);
      g.lanes_out +=
          fmt::format("  for (int q = 0; q < 4; ++q) a->{1}[{0} * 4 + q] = static_cast<{2}>(r{0}[q]);\n", reductions,
                      fold.int_lanes ? "ilanes" : "lanes", fold.int_lanes ? "int64_t" : "double");
      k.row.reductions.push_back(id);
      ++reductions;
      continue;
    }
    if (v.type.shape != Shape::Node || reads_other_nodes(v.op)) {
      refuse(k, fmt::format("%{} = {}: not generated in a row loop", id, op_name(v.op)));
      return false;
    }
    std::vector<std::string> args;
    for (int32_t u : v.inputs) args.push_back(g.operand(u));
    const DType cd = compute_dtype(ir, v);
    const std::string e = v.op == OpCode::Cast ? fmt::format("sg::arith::Cast<{}>{{}}.to<{}>({})", ctype(cd),
                                                             ctype(v.type.dtype), args[0])
                                               : functor_call(v.op, ctype(cd), args);
    if (e.empty()) {
      refuse(k, fmt::format("%{} = {}: not generated in a row loop", id, op_name(v.op)));
      return false;
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
  return true;
}

// An update stored in place goes through its carry's own pointer (one pointer, no aliasing).
std::map<int32_t, int32_t> in_place_carries(const ProgramIR& ir, const Gen& g) {
  std::map<int32_t, int32_t> out;
  for (const CarryDecl& c : ir.carries) {
    auto it = g.pos.find(c.update);
    if (it != g.pos.end() && !g.k.in_place.empty() && g.k.in_place[it->second]) out[c.update] = c.value;
  }
  return out;
}

void emit_stores(Gen& g) {
  const ProgramIR& ir = g.ir;
  Kernel& k = g.k;
  const std::map<int32_t, int32_t> in_place_carry = in_place_carries(ir, g);
  // At the end of the row, after every read of it (an in-place carry is read first).
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
}

std::string indent(const std::string& lines) {  // two more spaces: one loop deeper
  std::string out;
  for (size_t i = 0; i < lines.size();) {
    const size_t e = lines.find('\n', i);
    out += "  " + lines.substr(i, e - i + 1);
    i = e + 1;
  }
  return out;
}

// The kernel's operands: node buffer pointers (const unless written) and scalar registers.
std::string operand_declarations(const Gen& g) {
  const ProgramIR& ir = g.ir;
  const Kernel& k = g.k;
  std::string pointers, scalars;
  for (size_t j = 0; j < k.row.nodes.size(); ++j) {
    const char* T = ctype(ir.values[k.row.nodes[j]].type.dtype);
    const bool w = g.node_written[j];
    pointers +=
        fmt::format("  {0}{1}* __restrict n{2} = static_cast<{0}{1}*>(a->node[{2}]);\n", w ? "" : "const ", T, j);
  }
  for (size_t j = 0; j < k.row.scalars.size(); ++j) {
    const DType d = ir.values[k.row.scalars[j]].type.dtype;
    scalars +=
        fmt::format("  const {0} s{1} = static_cast<{0}>(a->{2}scalar[{1}]);\n", ctype(d), j, is_float(d) ? "f" : "i");
  }
  return pointers + scalars;
}

// The chunk's epilogue four rows per vector op, its last rows (under four) one at a time.
// Each row v still folds into lane (v - lo) mod 4: chunks start at multiples of 4 from lo.
std::string lane_loop(const Gen& g) {
  if (!g.vec_refused.empty()) return "";
  return "      {  // four rows per vector op (kernels/lane_vectors.hpp); the tail below\n" + g.vlanes_in +
         "        for (; v + 4 <= c1; v += 4) {\n" + indent(indent(indent(g.vrow))) +
         indent(indent(indent(g.vstores))) + "        }\n" + g.vlanes_out + "      }\n";
}

// Two layouts of the same work; the State measures both on its first iterations and keeps the
// faster (kernels/row_loop.hpp). Both fold row v into lane (v - lo) mod 4 in node order, so
// they give the interpreter's bits.
std::string kernel_body(const Gen& g, const std::string& agg_type) {
  std::string chunk_gather = g.chunk_gather;
  if (chunk_gather.empty())
    chunk_gather = "      sg::for_each_lane(c0, c1, [&](int64_t v, auto) SG_ROW_INLINE {\n" + indent(indent(g.gather)) +
                   indent(indent(g.to_chunk)) + "      });\n";
  return fmt::format(
      "template <class Off, bool kW, bool kPerRow, bool kBranch>\n"
      "void body(const sg::RowArgs* a) {{\n"
      "  const Off* __restrict off = static_cast<const Off*>(a->off);\n"
      "  const int32_t* __restrict idx = a->idx;\n"
      "  const double* __restrict w = a->w;\n"
      "  const Off* __restrict off2 = static_cast<const Off*>(a->off2);\n"
      "  const int32_t* __restrict idx2 = a->idx2;\n"
      "  const double* __restrict w2 = a->w2;\n"
      "  (void)w, (void)off2, (void)idx2, (void)w2;\n"
      "{operands}{lane_decls}"
      "  if constexpr (kPerRow) {{\n"
      "    // Each row's epilogue right after its gather, as the native twins do: its loads and\n"
      "    // arithmetic overlap the gather's misses and branch mispredictions (skewed graphs).\n"
      "    sg::for_each_lane(a->lo, a->hi, [&](int64_t v, auto lane) SG_ROW_INLINE {{\n"
      "      (void)lane;\n"
      "{row_gather}"
      "{row_epilogue}{row_stores}"
      "    }});\n"
      "  }} else {{\n"
      "    // Chunks of kChunk rows: their gathers in one tight loop (many loads in flight), then the\n"
      "    // whole epilogue in one loop. Chunks start at multiples of 4 rows from the block's\n"
      "    // start, so each row folds into lane (v - lo) mod 4, as in the interpreter.\n"
      "    constexpr int64_t kChunk = {chunk_rows};\n"
      "    {agg_type} gbuf[kChunk];\n"
      "    for (int64_t c0 = a->lo; c0 < a->hi; c0 += kChunk) {{\n"
      "      const int64_t c1 = c0 + kChunk < a->hi ? c0 + kChunk : a->hi;\n"
      "{chunk_gather}"
      "      int64_t v = c0;\n"
      "{lane_loop}"
      "      sg::for_each_lane(v, c1, [&](int64_t v, auto lane) SG_ROW_INLINE {{\n"
      "        (void)lane;\n"
      "{chunk_from_gbuf}"
      "{chunk_epilogue}{chunk_stores}"
      "      }});\n"
      "    }}\n"
      "  }}\n"
      "{lanes_out}"
      "}}\n",
      fmt::arg("operands", operand_declarations(g)), fmt::arg("lane_decls", g.decls),
      fmt::arg("row_gather", indent(g.gather)), fmt::arg("row_epilogue", indent(g.row)),
      fmt::arg("row_stores", indent(g.stores)), fmt::arg("chunk_rows", kRowChunk), fmt::arg("agg_type", agg_type),
      fmt::arg("chunk_gather", chunk_gather), fmt::arg("lane_loop", lane_loop(g)),
      fmt::arg("chunk_from_gbuf", indent(indent(g.from_chunk))), fmt::arg("chunk_epilogue", indent(indent(g.row))),
      fmt::arg("chunk_stores", indent(indent(g.stores))), fmt::arg("lanes_out", g.lanes_out));
}

// The whole translation unit: the prelude, the body and its C entry points.
std::string kernel_source(const RowKernel& row, const std::string& body) {
  std::string src = "// stepgraph row kernel (generated by compiler/row_codegen.cpp; do not edit)\n";
  static const std::string prelude = inlined_prelude();
  src += prelude;
  // Row bodies are forced inline: for_each_lane calls each body at four sites, and GCC left
  // one lane's big body out of line (a call per fourth row, pointers reloaded): rows layout
  // 1.21x the twin's loop on uniform(200k), one thread; inlined, 1.05x.
  src +=
      "\n#include <cmath>\n#include <limits>\n\n#define SG_ROW_INLINE __attribute__((always_inline))\n\nnamespace "
      "{\n\n" +
      body + "\n}  // namespace\n\nextern \"C\" {\n";
  src += fmt::format("int {}_abi() {{ return sg::kRowKernelAbi; }}\n", row.symbol);
  for (int i = 0; i < kRowVariants; ++i) {
    // Without masks the branch entry points are the plain bodies (no second instantiation to compile).
    const bool branch = (i & 8) && !row.branch_masks.empty(), per_row = i & 4, wide = i & 2, weighted = i & 1;
    src += fmt::format("void {}_{}(const sg::RowArgs* a) {{ body<{}, {}, {}, {}>(a); }}\n", row.symbol, i,
                       wide ? "int64_t" : "uint32_t", weighted, per_row, branch);
  }
  return src + "}\n";
}

}  // namespace

void generate_row_kernel(const ProgramIR& ir, Kernel& k) {
  k.row = RowKernel{};
  if (std::string why = refusal(ir, k); !why.empty()) return refuse(k, std::move(why));
  Gen g(ir, k);
  for (size_t i = 0; i < k.values.size(); ++i) g.pos[k.values[i]] = i;
  const std::string agg_type = emit_gather(g);
  if (!emit_epilogue(g)) return;
  emit_stores(g);
  if (k.row.nodes.size() > 64 || k.row.scalars.size() > 64 || k.row.reductions.size() > 16)
    return refuse(k, "more than 64 node operands, 64 scalars or 16 reductions");
  k.row.lanes_refused = g.vec_refused;
  const std::string body = kernel_body(g, agg_type);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(body)));
  k.row.symbol = fmt::format("sg_rk{}_{}", kRowKernelAbi, hex);
  k.row.source = kernel_source(k.row, body);
}

}  // namespace sg::compiler
