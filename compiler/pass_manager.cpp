// The pass pipeline, as a script: fold, hoist, CSE, DCE, rewrites, rotation (kernels come after).
#include <algorithm>

#include "compiler/explain.hpp"
#include "compiler/pass.hpp"
#include "core/error.hpp"

namespace sg::compiler {

const std::vector<std::string>& feature_names() {
  static const std::vector<std::string> names = {kInPlace, kCompiled, kFrontier, kUnchangedRows};
  return names;
}

const std::vector<std::string>& opt_in_names() {
  static const std::vector<std::string> names = {};
  return names;
}

bool Options::enabled(const std::string& name) const {
  const auto& opt_in = opt_in_names();
  if (std::find(opt_in.begin(), opt_in.end(), name) != opt_in.end() &&
      std::find(opted_in.begin(), opted_in.end(), name) == opted_in.end())
    return false;
  return std::find(disabled.begin(), disabled.end(), name) == disabled.end();
}

void Options::check_opt_level() const {
  if (opt_level < 0 || opt_level > kMaxOptLevel)
    fail(ErrorKind::Parameter, "opt_level must be 0..{}, got {}", kMaxOptLevel, opt_level);
}

void Options::check_names() const {
  for (const std::string& name : disabled)
    if (!is_known_name(name))
      fail(ErrorKind::Parameter, "cannot disable '{}': no pass or rule has that name (known: {})", name, known_names());
  const auto& features = feature_names();
  for (const std::string& name : opted_in)
    if (std::find(features.begin(), features.end(), name) == features.end()) {
      std::string known;
      for (const std::string& o : features) known += (known.empty() ? "" : ", ") + o;
      fail(ErrorKind::Parameter, "cannot enable '{}': the features enable takes are: {}", name, known);
    }
}

const std::vector<PassInfo>& ir_passes() {
  static const std::vector<PassInfo> passes = {
      {"fold", 1, fold_constants, "evaluate ops whose inputs are all constants"},
      {"cse", 1, eliminate_common_subexpressions, "merge identical values"},
      {"hoist", 2, hoist_invariants, "move loop-invariant values to the prologue"},
      {"cse", 2, eliminate_common_subexpressions, "merge values made identical by hoisting"},
      {"dce", 1, eliminate_dead_code, "drop values no output, carry or predicate needs"},
      {"rewrite", 3, rewrite_patterns, "pattern rewrites: masked_mul, fma, broadcast folding, reciprocal"},
      {"dce", 3, eliminate_dead_code, "drop the operands the rewrites absorbed"},
      {"rotate", 3, rotate_loop, "compute the loop's head from the previous iteration, in its pass"},
  };
  return passes;
}

ProgramIR optimize(const ProgramIR& ir, const Options& opts, std::vector<PassRecord>& log) {
  ProgramIR cur = ir;
  for (const PassInfo& p : ir_passes()) {
    if (opts.opt_level < p.min_level || !opts.enabled(p.name)) continue;
    PassRecord rec{p.name, {}, {}};
    cur = p.run(cur, opts, rec.notes);
    validate_ir(cur);  // every pass must leave a valid program behind
    rec.ir_after = print_ir(cur);
    log.push_back(std::move(rec));
  }
  return cur;
}

}  // namespace sg::compiler
