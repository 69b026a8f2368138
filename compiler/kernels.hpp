// Kernel formation: values grouped into passes over node data, and in-place carry updates.
#pragma once
#include "compiler/pass.hpp"
#include "compiler/rewriter.hpp"
#include "kernels/plan.hpp"

namespace sg::compiler {

// Split the values `region` computes (the loop body, or the prologue) into kernels; with
// fuse=false, one kernel per value. Refused fusions are appended to `refused`.
std::vector<Kernel> form_kernels(const ProgramIR& ir, Region region, bool fuse, std::vector<FusionDecision>& refused);
// plan.prologue and plan.kernels (the loop body), and plan.refused.
void form_kernels(const ProgramIR& ir, bool fuse, Plan& plan);
// A carry update a fused pass can store over its carry: plan.kernels[kernel].values[entry].
struct InPlace {
  const CarryDecl* carry;
  size_t kernel, entry;
};
std::vector<InPlace> in_place_candidates(const ProgramIR& ir, const Plan& plan);
// Marks every candidate (Kernel::in_place).
void mark_in_place(const ProgramIR& ir, Plan& plan);

// Which epilogue outputs a run that hands its buffers to its result stores over dead carries
// (compiler/epilogue_over_carries.cpp): Plan::epilogue_over.
void place_epilogue_over_carries(const ProgramIR& ir, Plan& plan);

// Which loop aggregations keep their unchanged rows across iterations, and why the others do
// not (compiler/unchanged_rows.cpp): Plan::unchanged_rows, Plan::unchanged_refused.
void place_unchanged_rows(const ProgramIR& ir, const Options& opts, Plan& plan);

}  // namespace sg::compiler
