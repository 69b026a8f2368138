// The gather of a pull kernel's neighbor_agg, as kernels/eval_aggregate.cpp's EdgeLoad and
// aggregate_rows compute it: the same order of adds, so the same bits.
#include "compiler/row_gen.hpp"

namespace sg::compiler::rowgen {

std::string emit_gather(Gen& g) {
  const ProgramIR& ir = g.ir;
  Kernel& k = g.k;
  const Value& agg = ir.values[k.values[0]];
  const DType d = agg.type.dtype;
  const std::string T = ctype(d);
  const int x = g.node(agg.inputs[0], false);
  // load(idx, w): an edge's contribution from one CSR.
  auto load = [&](const char* ix, const char* wt) {
    const std::string xu = fmt::format("n{}[{}[e]]", x, ix);
    if (agg.edge == EdgeOp::MulWeight)
      return fmt::format("kW ? static_cast<{0}>({1} * static_cast<{0}>({2}[e])) : {1}", T, xu, wt);
    if (agg.edge == EdgeOp::AddWeight)
      return fmt::format("kW ? static_cast<{0}>({1} + static_cast<{0}>({2}[e])) : sg::wrap_add<{0}>({1}, {0}(1))", T,
                         xu, wt);
    return xu;
  };
  const int32_t id = k.values[0];
  const bool both = agg.direction == Direction::Both;  // two CSRs when the graph is directed
  g.gather += "    const int64_t b = static_cast<int64_t>(off[v]), f = static_cast<int64_t>(off[v + 1]);\n";
  if (both)
    g.gather +=
        "    const int64_t b2 = off2 ? static_cast<int64_t>(off2[v]) : 0, "
        "f2 = off2 ? static_cast<int64_t>(off2[v + 1]) : 0;\n";
  if (agg.combine == Combine::Sum || agg.combine == Combine::Mean) {
    g.gather +=
        fmt::format("    {0} v{1} = sg::row_sum<{0}>(b, f, [&](int64_t e) {{ return static_cast<{0}>({2}); }});\n", T,
                    id, load("idx", "w"));
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
    g.gather +=
        fmt::format("    for (int64_t e = b; e < f; ++e) {{ const {0} y = static_cast<{0}>({1}); v{2} = {3}; }}\n", T,
                    load("idx", "w"), id, pick);
    if (both)
      g.gather +=
          fmt::format("    for (int64_t e = b2; e < f2; ++e) {{ const {0} y = static_cast<{0}>({1}); v{2} = {3}; }}\n",
                      T, load("idx2", "w2"), id, pick);
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
        "        sg::sliced_row_sums<{0}>(sv, [&](int64_t e) SG_ROW_INLINE {{ return static_cast<{0}>({1}); }}, "
        "gbuf);\n"
        "      }}\n",
        T, load("sidx", "sw"));
  }
  g.to_chunk = fmt::format("    gbuf[v - c0] = v{};\n", id);
  g.from_chunk = fmt::format("    const {} v{} = gbuf[v - c0];\n", T, id);
  if (d == DType::F64)
    g.vrow = fmt::format("    const sg::vec4::F V{} = sg::vec4::load(gbuf + (v - c0));\n", id);
  else
    g.refuse_lanes(fmt::format("%{} gathers {}", id, dtype_name(d)));
  return T;
}

}  // namespace sg::compiler::rowgen
