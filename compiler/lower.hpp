// The compiler's entry point: a validated IR to the Plan a State runs (compiler/lower.cpp).
#pragma once
#include "compiler/pass.hpp"
#include "kernels/plan.hpp"

namespace sg::compiler {

// Optimize `ir` in place (IR passes) and return the plan to run it with.
Plan compile(ProgramIR& ir, const Options& opts);

}  // namespace sg::compiler
