// The calling convention between the runtime and a compiled row kernel (compiler/row_codegen.cpp).
// Generated sources embed this header, so both sides agree on it by construction.
#pragma once
#include <cstdint>

#include "kernels/gather.hpp"

namespace sg {

// Bump on any change below: a library built for another ABI is refused at load.
constexpr int kRowKernelAbi = 6;

// One block's call: rows [lo, hi) of one CSR; operands in RowKernel's order.
struct RowArgs {
  const void* off;     // row offsets (uint32_t or int64_t: the entry point says which)
  const int32_t* idx;  // neighbor ids
  const double* w;     // edge weights, or null
  const void* off2;    // direction=both on a directed graph: the out-CSR too (else null)
  const int32_t* idx2;
  const double* w2;
  void* const* node;       // node buffers (RowKernel::nodes)
  const double* fscalar;   // float scalars (RowKernel::scalars; f32 kept as double)
  const int64_t* iscalar;  // int64 / bool scalars, same indexing
  double* lanes;           // out: four lanes per float reduction (RowKernel::reductions order)
  int64_t* ilanes;         // out: four lanes per int64 / bool reduction (same indexing)
  int64_t lo, hi;
  SlicedView sliced;  // the block's slices of the first CSR (RowKernel::sliced), else empty
};
using RowKernelFn = void (*)(const RowArgs*);

// Entry points of one generated library: [branch][layout][wide offsets][weighted]. Layouts:
// chunks of rows (gathers, then the epilogue), or each row's epilogue right after its gather.
// Branch: a reduction of where(hoisted mask, x, 0) tests the mask with a branch instead of a
// select (RowKernel::branch_masks; the State picks it when those masks are nearly uniform).
constexpr int kRowVariants = 16;
inline int row_variant(bool per_row, bool wide, bool weighted, bool branch = false) {
  return (branch ? 8 : 0) + (per_row ? 4 : 0) + (wide ? 2 : 0) + (weighted ? 1 : 0);
}

}  // namespace sg
