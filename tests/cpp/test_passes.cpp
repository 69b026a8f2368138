// Golden before/after tests of each optimizer pass run alone, and of kernel formation.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiler/kernels.hpp"
#include "compiler/pass.hpp"
#include "core/error.hpp"
#include "ir/ir.hpp"

using namespace sg;
using namespace sg::compiler;

namespace {

ProgramIR ir_of(const std::string& lines) { return parse_ir("sgir 1\n" + lines + "end\n"); }

// Run one pass alone on `text`; the result must still validate.
std::string after(PassFn pass, const std::string& text, std::vector<std::string>& notes, const Options& opts = {}) {
  ProgramIR out = pass(ir_of(text), opts, notes);
  validate_ir(out);
  return print_ir(out);
}

// The plan in one line per kernel: `node: %a %b* ...` (* = block temporary), `scalar: ...`,
// then one line per refused fusion.
std::string plan_text(const Plan& plan) {
  std::string s;
  for (const Kernel& k : plan.kernels) {
    s += k.kind == Kernel::Kind::Node ? (k.reads_neighbors ? "pull:" : "node:") : "scalar:";
    for (size_t i = 0; i < k.values.size(); ++i) s += fmt::format(" %{}{}", k.values[i], k.temporary[i] ? "*" : "");
    s += "\n";
  }
  for (const FusionDecision& d : plan.refused)
    s += fmt::format("refused %{} -> %{}: {}\n", d.producer, d.consumer, d.reason);
  return s;
}

}  // namespace

const char* const kFold =
    "v P const f64 s 0 number=2\n"
    "v P const f64 s 0 number=3\n"
    "v P mul f64 s 2 0 1\n"
    "v P param f64 s 0 name=a number=1\n"
    "v P add f64 s 2 2 3\n"
    "v P lt bool s 2 0 1\n"
    "v P const f64 s 0 number=0\n"
    "v P where f64 s 3 5 2 6\n"
    "v P fill f64 n 0 number=1\n"
    "v P mul f64 n 2 8 7\n"
    "v P add f64 n 2 9 4\n"
    "v P const i64 s 0 number=7 to=i64\n"
    "v P const i64 s 0 number=2 to=i64\n"
    "v P sub i64 s 2 11 12\n"
    "output y 10\n"
    "output k 13\n";

TEST_CASE("fold: scalar ops of constants become constants, node ops and params stay", "[fusion]") {
  std::vector<std::string> notes;
  CHECK(after(fold_constants, kFold, notes) ==
        "{ program\n"
        "    %0:f64         = const[2]\n"
        "    %1:f64         = const[3]\n"
        "    %2:f64         = const[6]\n"
        "    %3:f64         = param[a=1]\n"
        "    %4:f64         = add %2 %3\n"
        "    %5:bool        = const[1]\n"
        "    %6:f64         = const[0]\n"
        "    %7:f64         = const[6]\n"
        "    %8:f64[n]      = fill[1]\n"
        "    %9:f64[n]      = mul %8 %7\n"
        "    %10:f64[n]     = add %9 %4\n"
        "    %11:i64        = const[7]\n"
        "    %12:i64        = const[2]\n"
        "    %13:i64        = const[5]\n"
        "  out(y=%10, k=%13)\n"
        "}\n");
  CHECK(notes == std::vector<std::string>{"%2 = mul of constants -> const 6", "%5 = lt of constants -> const 1",
                                          "%7 = where of constants -> const 6", "%13 = sub of constants -> const 5"});
}

const char* const kCse =
    "loop 3\n"
    "v P out_degree f64 n 0 weighted=0\n"
    "v P out_degree f64 n 0 weighted=0\n"
    "v P out_degree f64 n 0 weighted=1\n"
    "v P const f64 s 0 number=1\n"
    "v P const f64 s 0 number=1\n"
    "v P add f64 n 2 0 3\n"
    "v P add f64 n 2 1 4\n"
    "v B carry f64 n 0 name=x\n"
    "v B mul f64 n 2 7 5\n"
    "v B mul f64 n 2 7 6\n"
    "v B add f64 n 2 8 9\n"
    "v B add f64 n 2 0 3\n"
    "v B mul f64 n 2 10 11\n"
    "v B sum f64 s 1 12\n"
    "v E sum f64 s 1 7\n"
    "v E sum f64 s 1 7\n"
    "v E add f64 s 2 14 15\n"
    "carry x 5 7 12\n"
    "residual 13\n"
    "output x 7\n"
    "output total 16\n";

TEST_CASE("cse: identical values merge; prologue values serve the loop, not the other way round", "[fusion]") {
  std::vector<std::string> notes;
  CHECK(after(eliminate_common_subexpressions, kCse, notes) ==
        "{ program\n"
        "    %0:f64[n]      = out_degree\n"
        "    %1:f64[n]      = out_degree[weighted]\n"
        "    %2:f64         = const[1]\n"
        "    %3:f64[n]      = add %0 %2\n"
        "  loop max_iter=3 carry(x=%3):\n"
        "      %4:f64[n]      = carry[x]\n"
        "      %5:f64[n]      = mul %4 %3\n"
        "      %6:f64[n]      = add %5 %5\n"
        "      %7:f64[n]      = mul %6 %3\n"
        "      %8:f64         = sum %7\n"
        "      x <- %7\n"
        "      residual %8\n"
        "    %9:f64         = sum %4\n"
        "    %10:f64        = add %9 %9\n"
        "  out(x=%4, total=%10)\n"
        "}\n");
  CHECK(notes == std::vector<std::string>{
                     "%1 = out_degree: same as an earlier value, reused",
                     "%4 = const: same as an earlier value, reused", "%6 = add: same as an earlier value, reused",
                     "%9 = mul: same as an earlier value, reused", "%11 = add: same as an earlier value, reused",
                     "%15 = sum: same as an earlier value, reused"});
}

TEST_CASE("cse: the epilogue does not reuse a loop temporary", "[fusion]") {
  const char* const text =
      "loop 2\n"
      "v P fill f64 n 0 number=1\n"
      "v B carry f64 n 0 name=x\n"
      "v B sum f64 s 1 1\n"
      "v B mul f64 n 2 1 2\n"
      "v E sum f64 s 1 1\n"
      "carry x 0 1 3\n"
      "residual 2\n"
      "output x 1\n"
      "output total 4\n";
  std::vector<std::string> notes;
  ProgramIR out = eliminate_common_subexpressions(ir_of(text), Options{}, notes);
  validate_ir(out);
  CHECK(notes.empty());
  REQUIRE(out.values.size() == 5);
  CHECK(out.values[4].region == Region::Epilogue);
  CHECK(out.outputs[1].second == 4);
}

const char* const kHoist =
    "loop 4\n"
    "v P param f64 s 0 name=a number=2\n"
    "v P out_degree f64 n 0 weighted=0\n"
    "v P fill f64 n 0 number=1\n"
    "v B carry f64 n 0 name=x\n"
    "v B num_nodes f64 s 0\n"
    "v B mul f64 s 2 0 4\n"
    "v B add f64 n 2 1 5\n"
    "v B mul f64 n 2 3 6\n"
    "v B sum f64 s 1 7\n"
    "v B lt bool s 2 8 5\n"
    "carry x 2 3 7\n"
    "until 9\n"
    "output x 3\n";

TEST_CASE("hoist: loop values with only invariant inputs move to the prologue, in chains", "[fusion]") {
  std::vector<std::string> notes;
  ProgramIR out = hoist_invariants(ir_of(kHoist), Options{}, notes);
  validate_ir(out);
  CHECK(print_ir(out) ==
        "{ program\n"
        "    %0:f64         = param[a=2]\n"
        "    %1:f64[n]      = out_degree\n"
        "    %2:f64[n]      = fill[1]\n"
        "    %4:f64         = num_nodes\n"
        "    %5:f64         = mul %0 %4\n"
        "    %6:f64[n]      = add %1 %5\n"
        "  loop max_iter=4 carry(x=%2):\n"
        "      %3:f64[n]      = carry[x]\n"
        "      %7:f64[n]      = mul %3 %6\n"
        "      %8:f64         = sum %7\n"
        "      %9:bool        = lt %8 %5\n"
        "      x <- %7\n"
        "      until %9\n"
        "  out(x=%3)\n"
        "}\n");
  CHECK(notes == std::vector<std::string>{"%4 = num_nodes: loop-invariant, hoisted",
                                          "%5 = mul: loop-invariant, hoisted", "%6 = add: loop-invariant, hoisted"});
  CHECK(out.values[6].hoisted);
  CHECK_FALSE(out.values[7].hoisted);
}

const char* const kDce =
    "loop 2\n"
    "v P param f64 s 0 name=unused number=1\n"
    "v P const f64 s 0 number=2\n"
    "v P const f64 s 0 number=3\n"
    "v P fill f64 n 0 number=1\n"
    "v P mul f64 n 2 3 2\n"
    "v B carry f64 n 0 name=x\n"
    "v B mul f64 n 2 5 1\n"
    "v B sum f64 s 1 6\n"
    "v B neg f64 n 1 6\n"
    "v B norm_l1 f64 s 1 5\n"
    "v B lt bool s 2 9 1\n"
    "v E sum f64 s 1 5\n"
    "carry x 3 5 6\n"
    "until 10\n"
    "residual 7\n"
    "output x 5\n";

TEST_CASE("dce: what no output, carry, until or residual needs goes; params stay", "[fusion]") {
  std::vector<std::string> notes;
  CHECK(after(eliminate_dead_code, kDce, notes) ==
        "{ program\n"
        "    %0:f64         = param[unused=1]\n"
        "    %1:f64         = const[2]\n"
        "    %2:f64[n]      = fill[1]\n"
        "  loop max_iter=2 carry(x=%2):\n"
        "      %3:f64[n]      = carry[x]\n"
        "      %4:f64[n]      = mul %3 %1\n"
        "      %5:f64         = sum %4\n"
        "      %6:f64         = norm_l1 %3\n"
        "      %7:bool        = lt %6 %1\n"
        "      x <- %4\n"
        "      until %7\n"
        "      residual %5\n"
        "  out(x=%3)\n"
        "}\n");
  CHECK(notes == std::vector<std::string>{"%2 = const: unused, removed", "%4 = mul: unused, removed",
                                          "%8 = neg: unused, removed", "%11 = sum: unused, removed"});
}

// One program where every rule applies once, chained: the broadcast of 1/n folds into the
// add, which then contracts with alpha * (agg / n); agg / n became agg * recip(n).
const char* const kRewriteProgram =
    "loop 5\n"
    "v P param f64 s 0 name=alpha number=0.85\n"
    "v P num_nodes f64 s 0\n"
    "v P out_degree f64 n 0 weighted=1\n"
    "v P const f64 s 0 number=0\n"
    "v P eq bool n 2 2 3\n"
    "v P const f64 s 0 number=1\n"
    "v P div f64 s 2 5 1\n"
    "v P broadcast f64 n 1 6\n"
    "v B carry f64 n 0 name=x\n"
    "v B mul f64 n 2 8 2\n"
    "v B where f64 n 3 4 3 9\n"
    "v B neighbor_agg f64 n 1 10 combine=sum direction=in\n"
    "v B sum f64 s 1 8\n"
    "v B div f64 n 2 11 1\n"
    "v B div f64 n 2 11 12\n"
    "v B mul f64 n 2 0 13\n"
    "v B add f64 n 2 15 7\n"
    "v B add f64 n 2 16 14\n"
    "carry x 7 8 17\n"
    "output x 8\n";

TEST_CASE("rewrite: every rule once, chained; the absorbed operands are left for dce", "[fusion]") {
  std::vector<std::string> notes;
  CHECK(after(rewrite_patterns, kRewriteProgram, notes) ==
        "{ program\n"
        "    %0:f64         = param[alpha=0.85]\n"
        "    %1:f64         = num_nodes\n"
        "    %2:f64[n]      = out_degree[weighted]\n"
        "    %3:f64         = const[0]\n"
        "    %4:bool[n]     = eq %2 %3\n"
        "    %5:f64         = const[1]\n"
        "    %6:f64         = div %5 %1\n"
        "    %7:f64[n]      = broadcast %6\n"
        "    %13:f64        = recip %1\n"
        "  loop max_iter=5 carry(x=%7):\n"
        "      %8:f64[n]      = carry[x]\n"
        "      %9:f64[n]      = mul %8 %2\n"
        "      %10:f64[n]     = masked_mul %4 %8 %2\n"
        "      %11:f64[n]     = neighbor_agg[sum, in] %10\n"
        "      %12:f64        = sum %8\n"
        "      %14:f64[n]     = mul %11 %13\n"
        "      %15:f64[n]     = div %11 %12\n"
        "      %16:f64[n]     = mul %0 %14\n"
        "      %17:f64[n]     = fma %0 %14 %6\n"
        "      %18:f64[n]     = add %17 %15\n"
        "      x <- %18\n"
        "  out(x=%8)\n"
        "}\n");
  CHECK(notes ==
        std::vector<std::string>{"%10 = where %4 %3 %9: where(c, 0, a*b) -> masked_mul(c, a, b) (rule masked_mul)",
                                 "%13 = div %11 %1: x / s -> x * recip(s), recip(s) in the prologue (rule reciprocal)",
                                 "%16 = add %15 %7: broadcast(s) used by an elementwise op -> s (rule broadcast)",
                                 "%16 = add %15 %7: a*b + c -> fma(a, b, c), rounded once (rule fma)"});
}

TEST_CASE("rewrite: exact mode keeps the rounding of every value", "[fusion]") {
  std::vector<std::string> notes;
  Options exact;
  exact.exact = true;
  const ProgramIR out = rewrite_patterns(ir_of(kRewriteProgram), exact, notes);
  CHECK(notes ==
        std::vector<std::string>{"%10 = where %4 %3 %9: where(c, 0, a*b) -> masked_mul(c, a, b) (rule masked_mul)",
                                 "%16 = add %15 %7: broadcast(s) used by an elementwise op -> s (rule broadcast)"});
  for (const Value& v : out.values) CHECK((v.op != OpCode::Fma && v.op != OpCode::Recip));
  CHECK(out.values.size() == ir_of(kRewriteProgram).values.size());
}

// PageRank as the O2 pipeline leaves it (before rewrites and rotation).
const char* const kPageRankO2 =
    "loop 100\n"
    "v P param f64 s 0 name=alpha number=0.85\n"
    "v P param f64 s 0 name=tol number=1e-06\n"
    "v P num_nodes f64 s 0\n"
    "v P out_degree f64 n 0 weighted=1\n"
    "v P const f64 s 0 number=0\n"
    "v P eq bool n 2 3 4\n"
    "v P recip f64 n 1 3\n"
    "v P where f64 n 3 5 4 6\n"
    "v P const f64 s 0 number=1\n"
    "v P div f64 s 2 8 2\n"
    "v P broadcast f64 n 1 9\n"
    "v P sub f64 s 2 8 0\n"
    "v P mul f64 s 2 11 9\n"
    "v B carry f64 n 0 name=rank\n"
    "v B mul f64 n 2 13 7\n"
    "v B neighbor_agg f64 n 1 14 combine=sum direction=in edge=mul_weight\n"
    "v B where f64 n 3 5 13 4\n"
    "v B sum f64 s 1 16\n"
    "v B mul f64 s 2 17 9\n"
    "v B add f64 n 2 15 18\n"
    "v B mul f64 n 2 0 19\n"
    "v B add f64 n 2 20 12\n"
    "v B sub f64 n 2 21 13\n"
    "v B norm_l1 f64 s 1 22\n"
    "v P mul f64 s 2 2 1\n"
    "v B lt bool s 2 23 24\n"
    "carry rank 10 13 21\n"
    "until 25\n"
    "residual 23\n"
    "output rank 13\n";

TEST_CASE("kernels: PageRank fuses into two passes; temporaries and the refused fusion", "[fusion]") {
  Plan plan;
  form_kernels(ir_of(kPageRankO2), true, plan);
  CHECK(plan_text(plan) ==
        "node: %14 %16* %17\n"
        "scalar: %18\n"
        "pull: %15* %19* %20* %21 %22* %23\n"
        "scalar: %25\n"
        "refused %14 -> %15: neighbor_agg reads other blocks' values, so its input must be complete first\n");
  CHECK(plan.passes_over_node_data() == 2);
}

TEST_CASE("kernels: without fusion, one kernel per loop value", "[fusion]") {
  Plan plan;
  form_kernels(ir_of(kPageRankO2), false, plan);
  CHECK(plan_text(plan) ==
        "node: %14\npull: %15\nnode: %16\nnode: %17\nscalar: %18\nnode: %19\nnode: %20\n"
        "node: %21\nnode: %22\nnode: %23\nscalar: %25\n");
}

const char* const kNormalize =
    "loop 3\n"
    "v P fill f64 n 0 number=1\n"
    "v P const f64 s 0 number=2\n"
    "v B carry f64 n 0 name=x\n"
    "v B mul f64 n 2 2 1\n"
    "v B normalize f64 n 1 3 by=sum\n"
    "v B add f64 n 2 4 1\n"
    "v B max f64 s 1 5\n"
    "v B div f64 n 2 5 6\n"
    "carry x 0 2 7\n"
    "output x 2\n";

TEST_CASE("kernels: normalize runs alone; work after it opens a new pass", "[fusion]") {
  Plan plan;
  form_kernels(ir_of(kNormalize), true, plan);
  CHECK(plan_text(plan) ==
        "node: %3\n"
        "node: %4\n"
        "node: %5 %6\n"
        "node: %7\n"
        "refused %3 -> %4: normalize needs a whole-vector reduction before its division\n"
        "refused %4 -> %5: the producer (normalize) runs as a step of its own\n"
        "refused %5 -> %7: also uses %6, a scalar ready only once the pass computing its reduction is done\n");
}
