// The pass manager's vocabulary: options, the pass table, and the log explain prints.
#pragma once
#include <string>
#include <vector>

#include "ir/ir.hpp"
#include "kernels/plan.hpp"

namespace sg::compiler {

constexpr int kMaxOptLevel = 3;  // opt levels are 0..kMaxOptLevel

// Names disable takes beside the IR passes and rewrite rules: kernel formation's fusion, and
// the features (feature_names(), which enable takes too).
inline constexpr char kFusion[] = "fusion";
inline constexpr char kInPlace[] = "in_place";
inline constexpr char kCompiled[] = "compiled";
inline constexpr char kFrontier[] = "frontier";
inline constexpr char kUnchangedRows[] = "unchanged_rows";

struct Options {
  int opt_level = 3;
  bool exact = false;                 // no rewrite that changes rounding (fma, reciprocal)
  std::vector<std::string> disabled;  // pass or rule names switched off
  std::vector<std::string> opted_in;  // opt-in features switched on (opt_in_names())
  bool enabled(const std::string& name) const;
  // ParameterError unless opt_level is 0..kMaxOptLevel.
  void check_opt_level() const;
  // ParameterError for a disabled name no pass, rewrite rule or feature has (is_known_name), or an
  // enabled name no feature has.
  void check_names() const;
};

// Features: "in_place" (a carry's update stored over the carry when only its own node reads
// the old value: one node vector less; an interrupted pass is resumed, not discarded) and
// "compiled" (a pull kernel's gather and epilogue generated as C++, compiler/row_codegen.cpp) are
// on at O3 unless disabled; enabling "compiled" makes a missing C++ compiler an error instead
// of an interpreted run. "frontier" (from opt level 1) runs a monotone min / max fixed point over
// the nodes that changed (compiler/frontier.cpp). "unchanged_rows" (from opt level 1) lets an
// aggregation of a carry keep the rows whose neighbors did not change (compiler/unchanged_rows.cpp).
// opt_in_names() lists the features that are off unless enabled (none
// now).
const std::vector<std::string>& feature_names();
const std::vector<std::string>& opt_in_names();  // the features off by default

using PassFn = ProgramIR (*)(const ProgramIR&, const Options&, std::vector<std::string>& notes);

struct PassInfo {
  const char* name;
  int min_level;  // runs from this opt level on
  PassFn run;
  const char* doc;
};

// The passes of the IR pipeline, in order (kernel formation and buffer assignment follow).
const std::vector<PassInfo>& ir_passes();

// Run every enabled IR pass in order; each result is validated again.
ProgramIR optimize(const ProgramIR& ir, const Options& opts, std::vector<PassRecord>& log);

ProgramIR fold_constants(const ProgramIR&, const Options&, std::vector<std::string>&);
ProgramIR hoist_invariants(const ProgramIR&, const Options&, std::vector<std::string>&);
ProgramIR eliminate_common_subexpressions(const ProgramIR&, const Options&, std::vector<std::string>&);
ProgramIR eliminate_dead_code(const ProgramIR&, const Options&, std::vector<std::string>&);
ProgramIR rotate_loop(const ProgramIR&, const Options&, std::vector<std::string>&);
ProgramIR rewrite_patterns(const ProgramIR&, const Options&, std::vector<std::string>&);

// Whether (and how) the loop can run over the nodes that changed, or why not (compiler/frontier.cpp).
FrontierPlan plan_frontier(const ProgramIR& ir, const Options& opts);

// Names of the pattern-rewrite rules (compiler/rewrite.cpp), each disable-able like a pass.
std::vector<std::string> rewrite_rule_names();

}  // namespace sg::compiler
