// Running one kernel of a plan: scalar steps, single ops, or a fused pass over node blocks.
#pragma once
#include "kernels/frame.hpp"
#include "kernels/plan.hpp"

namespace sg {

// A fused kernel runs block by block (numexpr-style): each op over the block, values that
// never leave the kernel in block-sized temporaries, reductions as per-block partials
// combined left to right afterwards, exactly as the unfused ops would. A kernel with an
// attached row kernel runs `loop` (kernels/row_loop.hpp), its branch variant if `branch`
// (row_variant); the others ignore both.
void run_kernel(const Frame& f, const Kernel& k, RowLoop loop = RowLoop::Interpreted, bool branch = false);

// Whether a row kernel's hoisted masks (RowKernel::branch_masks) are nearly uniform, so a branch
// on them is predicted: under 1/16 or over 15/16 true, the native twins' rule for sinks.
bool masks_nearly_uniform(const Frame& f, const RowKernel& rk);

// Whether a fused kernel can compute elementwise value `producer` inside the loop of
// `reduction` (its only user), never storing it: float add / sub / mul / where.
bool can_fold_into_reduction(const ProgramIR& ir, int32_t reduction, int32_t producer);

// Fused kernels run each block in strips of this many nodes (their temporaries stay in L1 or
// L2), whole sort windows of the sliced CSR (strips of 512, 1024 and 2048 measured the same).
constexpr int64_t kStripNodes = 1024;
constexpr int64_t kStripBytes = kStripNodes * 8;
// Strip s of block b has the key b * kStripsPerBlock + s (Frame::mask_summary).
constexpr int64_t kStripsPerBlock = (kBlockNodes + kStripNodes - 1) / kStripNodes;

}  // namespace sg
