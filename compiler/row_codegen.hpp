// Row-kernel code generation: a pull kernel and its epilogue as one C++ row loop.
#pragma once
#include <string>

#include "ir/ir.hpp"
#include "kernels/plan.hpp"

namespace sg::compiler {

// Fills kernel.row: the generated source and its operand lists, or `refused` with the reason.
void generate_row_kernel(const ProgramIR& ir, Kernel& kernel);

// Why a compiled chunk gathers neighbor_agg `agg` row by row, or "" when it gathers over the
// sliced CSR (a sum over one direction).
std::string row_by_row_why(const Value& agg);

// The headers every generated source starts with (embedded at build time, see CMakeLists.txt).
const std::string& row_prelude();

}  // namespace sg::compiler
