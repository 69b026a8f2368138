// Helpers shared by the Catch2 tests.
#pragma once
#include <memory>
#include <string>

#include "compiler/lower.hpp"
#include "core/parallel.hpp"
#include "exec/program.hpp"
#include "ir/ir.hpp"

namespace sg::test {

// Limits the threads for a scope; restores all hardware threads even when a check throws.
struct ThreadLimit {
  explicit ThreadLimit(int n) { set_num_threads(n); }
  ~ThreadLimit() { set_num_threads(0); }
};

// IR text parsed, validated and compiled at `opt_level`, ready for a State.
inline std::shared_ptr<Program> compiled_program(const std::string& text, int opt_level) {
  ProgramIR ir = parse_ir(text);
  compiler::Options opts;
  opts.opt_level = opt_level;
  Plan plan = compiler::compile(ir, opts);
  return std::make_shared<Program>(std::move(ir), std::move(plan));
}

}  // namespace sg::test
