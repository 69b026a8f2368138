// Lowering: the whole pipeline from a validated IR to the Plan a State runs, top to bottom.
//
//   1. IR passes (compiler/pass_manager.cpp: fold, cse, hoist, dce, rewrite, rotate), each
//      validated again and logged for explain().
//   2. Kernel formation (compiler/kernels.cpp): the prologue's and the loop body's values in
//      passes over node data, with the fusions refused and why.
//   3. In-place updates: a carry's update stored over the carry when only its own pass reads it.
//   4. Unchanged rows (compiler/unchanged_rows.cpp): aggregations of a carry that recompute
//      only the rows whose neighbors changed.
//   5. Row codegen (compiler/row_codegen.cpp): each pull kernel's gather and epilogue as C++.
//   6. Frontier detection (compiler/frontier.cpp): whether the loop can run over changed nodes.
//   7. Epilogue outputs over dead carries (compiler/epilogue_over_carries.cpp), for a run that
//      hands its buffers to its result.
//   8. Buffers are assigned when a State binds a graph (compiler/buffers.cpp: sizes need n).
// Every choice not taken for a reason the user controls leaves a hint explain() prints.
#include <fmt/format.h>

#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "compiler/row_codegen.hpp"

namespace sg::compiler {

namespace {

void place_in_place_updates(const ProgramIR& ir, const Options& opts, Plan& plan) {
  if (opts.enabled(kInPlace)) return mark_in_place(ir, plan);
  for (const InPlace& c : in_place_candidates(ir, plan))  // say what disabling it costs
    plan.hints.push_back(fmt::format(
        "{} <- %{} could be stored over {} in place (one node vector less), but disable=('{}',) keeps two buffers",
        c.carry->name, c.carry->update, c.carry->name, kInPlace));
}

void generate_row_kernels(const ProgramIR& ir, Plan& plan) {
  for (size_t s = 0; s < plan.kernels.size(); ++s) {
    Kernel& k = plan.kernels[s];
    if (k.kind != Kernel::Kind::Node || !k.reads_neighbors || k.values.size() < 2) continue;
    generate_row_kernel(ir, k);
    if (plan.compile_rows) continue;
    if (k.row.refused.empty())
      plan.hints.push_back(fmt::format(
          "step {}'s epilogue could be compiled into its row loop, but disable=('{}',) keeps it interpreted", s + 1,
          kCompiled));
    k.row = RowKernel{};
  }
}

}  // namespace

Plan compile(ProgramIR& ir, const Options& opts) {
  Plan plan;
  plan.opt_level = opts.opt_level;
  plan.exact = opts.exact;
  ir = optimize(ir, opts, plan.log);
  plan.frontier = plan_frontier(ir, opts);
  const bool fuse = opts.opt_level >= 3 && opts.enabled(kFusion);
  form_kernels(ir, fuse, plan);
  if (opts.enabled(kInPlace)) place_epilogue_over_carries(ir, plan);
  plan.compile_rows = fuse && opts.enabled(kCompiled);
  if (fuse) place_in_place_updates(ir, opts, plan);
  place_unchanged_rows(ir, opts, plan);
  if (fuse) generate_row_kernels(ir, plan);
  return plan;
}

}  // namespace sg::compiler
