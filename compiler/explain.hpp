// Printers of a compiled program: explain (jaxpr-like plan text) and Graphviz DOT.
#pragma once
#include <string>

#include "ir/ir.hpp"
#include "kernels/plan.hpp"

namespace sg::compiler {

std::string explain(const ProgramIR& ir, const Plan& plan, bool passes);
std::string to_dot(const ProgramIR& ir, const Plan& plan);

bool is_known_name(const std::string& name);  // a pass or rewrite rule that can be disabled
std::string known_names();

}  // namespace sg::compiler
