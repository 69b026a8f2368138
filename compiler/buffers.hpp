// Buffer assignment by liveness: which physical buffer holds each node value of a program.
#pragma once
#include <cstdint>
#include <vector>

#include "ir/ir.hpp"
#include "kernels/plan.hpp"

namespace sg {

struct BufferAssignment {
  std::vector<int32_t> buffer_of;            // per value: physical buffer index, -1 for none
  std::vector<int64_t> buffer_bytes;         // per physical buffer, for n nodes
  std::vector<int32_t> released_after_init;  // buffers only the prologue needs
};

// Prologue values get buffers for init (strip temporaries of its fused kernels get none); those
// the loop and epilogue never read are released after it and reused. Loop values share buffers
// when their live ranges (in kernels of one iteration) do not overlap. Carried values and their updates own their
// buffers (they swap); block temporaries of fused kernels get none.
BufferAssignment assign_buffers(const ProgramIR& ir, const Plan& plan, int64_t n);

}  // namespace sg
