// Optional x86 instruction sets the kernels may use, detected once per process.
//
// Kernels with a second build for a wider instruction set (kernels/block_engine.hpp's map loop,
// kernels/eval_elementwise.cpp's fused multiply-add) ask here which one to run. Both builds give
// the same bits; SG_CPU_BASELINE=1 in the environment turns every optional set off, so tests can
// compare the two builds on the same machine.
#pragma once

namespace sg {

enum class CpuFeature { Avx2, Fma };

// Whether the CPU has `feature` and SG_CPU_BASELINE does not turn it off. Always false off x86-64.
bool cpu_has(CpuFeature feature);

}  // namespace sg
