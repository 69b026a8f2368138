// The pattern-rewrite table's vocabulary: a rule is a name, a rounding flag, a matcher and a builder.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/rewriter.hpp"

namespace sg::compiler {

// What the rewrite pass knows while it walks the program: the program being built (inputs of
// the value under inspection are already rewritten) and how many users each new value has.
struct RewriteCtx {
  Rewriter& rw;
  std::vector<int> uses;              // by new id: users among values and roots
  std::map<int32_t, int32_t> recips;  // new id of s -> its prologue recip(s), shared by its divisions

  const Value& at(int32_t new_id) const { return rw.emitted(new_id); }
  // Emit a helper value (e.g. a hoisted recip) the rewritten value will use.
  int32_t emit(Value v) {
    for (int32_t i : v.inputs) ++uses[i];
    uses.push_back(0);
    return rw.emit(std::move(v));
  }
};

// The operands a matcher found, for its builder.
struct Match {
  int32_t a = -1, b = -1, c = -1;
};

// match: does the rule apply to `v` (inputs are new ids)? build: the replacement value.
using MatchFn = bool (*)(const RewriteCtx&, const Value& v, Match& m);
using BuildFn = Value (*)(RewriteCtx&, const Value& v, const Match& m);

struct RewriteRule {
  const char* name;       // disable with Options::disabled / build(disable=[name])
  bool changes_rounding;  // never applied with Options::exact
  MatchFn match;
  BuildFn build;
  const char* doc;  // the pattern, as the pass notes show it
};

// The rules, in the order they are tried on each value.
const std::vector<RewriteRule>& rewrite_rules();

}  // namespace sg::compiler
