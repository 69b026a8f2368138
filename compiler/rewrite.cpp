// Pattern rewrites: one table, one line per rule (Halide style), applied as one bottom-up pass.
//
// Each value is visited once, after its inputs were rewritten; the rules are tried in table
// order until none applies, so one rule's result can enable the next (a folded broadcast of
// 0 lets masked_mul match, a reciprocal's mul lets fma match). Rules that change rounding
// (fma, reciprocal) never run with Options::exact; every other rule is bit-exact. A rewrite
// can leave its old operands unused (the mul an fma absorbed); the dce pass after it drops them.
#include "compiler/rewrite_rules.hpp"

#include <cmath>
#include <initializer_list>

#include "compiler/pass.hpp"
#include "core/error.hpp"

namespace sg::compiler {

namespace {

Shape shape_of(const RewriteCtx& cx, std::initializer_list<int32_t> ids) {
  for (int32_t i : ids)
    if (cx.at(i).type.shape == Shape::Node) return Shape::Node;
  return Shape::Scalar;
}

// A constant +0 (scalar const or fill): where(c, 0, x) picks exactly this value.
bool is_plus_zero(const Value& v) {
  return (v.op == OpCode::Const || v.op == OpCode::Fill) && v.number == 0 && !std::signbit(v.number);
}

// A product only `user` consumes, computed in the user's region with the user's shape (so the
// rewrite neither recomputes hoisted work in the loop nor turns scalar work into per-node work).
bool private_mul(const RewriteCtx& cx, int32_t id, const Value& user) {
  const Value& p = cx.at(id);
  return p.op == OpCode::Mul && cx.uses[id] == 1 && p.region == user.region && p.type.shape == user.type.shape;
}

// -- masked_mul: where(c, 0, a*b) -> masked_mul(c, a, b) ----------------------------------------
bool match_masked_mul(const RewriteCtx& cx, const Value& v, Match& m) {
  if (v.op != OpCode::Where || !is_plus_zero(cx.at(v.inputs[1]))) return false;
  const int32_t p = v.inputs[2];
  if (!private_mul(cx, p, v)) return false;
  m = {v.inputs[0], cx.at(p).inputs[0], cx.at(p).inputs[1]};
  return shape_of(cx, {m.a, m.b, m.c}) == v.type.shape;
}

Value build_masked_mul(RewriteCtx&, const Value& v, const Match& m) {
  Value out = v;
  out.op = OpCode::MaskedMul;
  out.inputs = {m.a, m.b, m.c};
  return out;
}

// The rounding-changing rules touch float64 only: the contract bounds their effect by 1e-12
// relative, and one float32 rounding alone is 6e-8 (integers have no fma or division).
bool may_round(const Value& v) { return v.type.dtype == DType::F64; }

// -- fma: a*b + c and c + a*b -> fma(a, b, c) --------------------------------------------------
bool match_fma(const RewriteCtx& cx, const Value& v, Match& m) {
  if (v.op != OpCode::Add || !may_round(v)) return false;
  for (int k = 0; k < 2; ++k) {
    const int32_t p = v.inputs[k];
    if (!private_mul(cx, p, v)) continue;
    m = {cx.at(p).inputs[0], cx.at(p).inputs[1], v.inputs[1 - k]};
    return true;
  }
  return false;
}

Value build_fma(RewriteCtx&, const Value& v, const Match& m) {
  Value out = v;
  out.op = OpCode::Fma;
  out.inputs = {m.a, m.b, m.c};
  return out;
}

// -- broadcast: op(..., broadcast(s), ...) -> op(..., s, ...) -------------------------------------
// Elementwise ops broadcast scalars themselves. An input is folded only while another input
// stays a node vector, so the consumer keeps its type; carries, outputs, reductions,
// neighbor_agg and normalize keep their broadcast (they are no elementwise consumers).
bool elementwise(OpCode op) {
  switch (op_info(op).rule) {
    case Rule::Arith2:
    case Rule::Compare:
    case Rule::Logic2:
    case Rule::Select:
    case Rule::Fma:
    case Rule::MaskedMul: return true;
    default: return false;
  }
}

// Index of the first input of `inputs` that can take its broadcast's scalar, or -1.
int foldable_input(const RewriteCtx& cx, const std::vector<int32_t>& inputs) {
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (cx.at(inputs[k]).op != OpCode::Broadcast) continue;
    for (size_t j = 0; j < inputs.size(); ++j)
      if (j != k && cx.at(inputs[j]).type.shape == Shape::Node) return static_cast<int>(k);
  }
  return -1;
}

bool match_broadcast(const RewriteCtx& cx, const Value& v, Match& m) {
  if (!elementwise(v.op) || v.type.shape != Shape::Node) return false;
  m.a = foldable_input(cx, v.inputs);
  return m.a >= 0;
}

Value build_broadcast(RewriteCtx& cx, const Value& v, const Match&) {
  Value out = v;
  for (int k = foldable_input(cx, out.inputs); k >= 0; k = foldable_input(cx, out.inputs))
    out.inputs[k] = cx.at(out.inputs[k]).inputs[0];
  return out;
}

// -- reciprocal: x / s -> x * recip(s), recip(s) once in the prologue -------------------------
bool match_reciprocal(const RewriteCtx& cx, const Value& v, Match& m) {
  if (v.op != OpCode::Div || !may_round(v) || v.region != Region::Body || v.type.shape != Shape::Node) return false;
  const Value &x = cx.at(v.inputs[0]), &s = cx.at(v.inputs[1]);
  if (x.type.shape != Shape::Node || s.type.shape != Shape::Scalar || s.region != Region::Prologue) return false;
  m = {v.inputs[0], v.inputs[1], -1};
  return true;
}

Value build_reciprocal(RewriteCtx& cx, const Value& v, const Match& m) {
  auto it = cx.recips.find(m.b);
  if (it == cx.recips.end()) {
    Value r;
    r.op = OpCode::Recip;
    r.type = cx.at(m.b).type;
    r.region = Region::Prologue;
    r.inputs = {m.b};
    r.loc = v.loc;
    r.hoisted = true;
    it = cx.recips.emplace(m.b, cx.emit(std::move(r))).first;
  }
  Value out = v;
  out.op = OpCode::Mul;
  out.inputs = {m.a, it->second};
  return out;
}

constexpr bool kExact = false, kRounds = true;

std::string describe(const Value& v, int32_t id) {
  std::string s = fmt::format("%{} = {}", id, op_name(v.op));
  for (int32_t i : v.inputs) s += fmt::format(" %{}", i);
  return s;
}

// How many values compute with an op whose introduction changes rounding (fma, recip).
int rounding_changes(const ProgramIR& ir) {
  int n = 0;
  for (const Value& v : ir.values) n += op_info(v.op).rounding == Rounding::Changes;
  return n;
}

}  // namespace

const std::vector<RewriteRule>& rewrite_rules() {
  // name, changes rounding, matcher, builder, pattern
  static const std::vector<RewriteRule> rules = {
      {"broadcast", kExact, match_broadcast, build_broadcast, "broadcast(s) used by an elementwise op -> s"},
      {"masked_mul", kExact, match_masked_mul, build_masked_mul, "where(c, 0, a*b) -> masked_mul(c, a, b)"},
      {"fma", kRounds, match_fma, build_fma, "a*b + c -> fma(a, b, c), rounded once"},
      {"reciprocal", kRounds, match_reciprocal, build_reciprocal, "x / s -> x * recip(s), recip(s) in the prologue"},
  };
  return rules;
}

std::vector<std::string> rewrite_rule_names() {
  std::vector<std::string> names;
  for (const RewriteRule& r : rewrite_rules()) names.emplace_back(r.name);
  return names;
}

ProgramIR rewrite_patterns(const ProgramIR& ir, const Options& opts, std::vector<std::string>& notes) {
  Rewriter rw(ir);
  RewriteCtx cx{rw, {}, {}};
  const std::vector<int> old_uses = use_counts(ir);
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    Value v = rw.remapped(id);
    // Rewriting a dead value gains nothing; dce drops it. Rules never undo each other: where,
    // add and div become ops no rule matches, and folding strictly removes broadcast inputs,
    // so this ends after a few rounds (the cap only guards that). Use counts stay exact for
    // new values and may overcount the operands of an absorbed product, which is conservative.
    int budget = 16;
    for (bool again = old_uses[id] > 0; again && budget > 0; --budget) {
      again = false;
      for (const RewriteRule& rule : rewrite_rules()) {
        if ((rule.changes_rounding && opts.exact) || !opts.enabled(rule.name)) continue;
        Match m;
        if (!rule.match(cx, v, m)) continue;
        Value nv = rule.build(cx, v, m);
        for (int32_t i : v.inputs) --cx.uses[i];
        for (int32_t i : nv.inputs) ++cx.uses[i];
        notes.push_back(fmt::format("{}: {} (rule {})", describe(ir.values[id], id), rule.doc, rule.name));
        v = std::move(nv);
        again = true;
        break;
      }
    }
    rw.set(id, rw.emit(std::move(v)));
    cx.uses.push_back(old_uses[id]);
  }
  ProgramIR out = rw.finish();
  if (opts.exact && rounding_changes(out) > rounding_changes(ir))
    fail(ErrorKind::Program, "rewrite introduced an op that changes rounding (ir/op_table.hpp) in exact mode");
  return out;
}

}  // namespace sg::compiler
