// Pattern rewrites rule by rule: where each fires, where it must not, and that results hold.
//
// Results: the rewritten program against the original on a small graph, bitwise for the
// exact rules and within 1e-12 relative for fma / reciprocal.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/explain.hpp"
#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "compiler/pass.hpp"
#include "compiler/rewrite_rules.hpp"
#include "core/error.hpp"
#include "exec/program.hpp"

using namespace sg;
using namespace sg::compiler;

namespace {

ProgramIR ir_of(const std::string& lines) { return parse_ir("sgir 1\n" + lines + "end\n"); }

Options with(bool exact, std::vector<std::string> disabled = {}) {
  Options o;
  o.exact = exact;
  o.disabled = std::move(disabled);
  return o;
}

// The rewrite pass alone; the result must validate.
ProgramIR rewrite_only(const ProgramIR& ir, const Options& opts, std::vector<std::string>& notes) {
  ProgramIR out = rewrite_patterns(ir, opts, notes);
  validate_ir(out);
  return out;
}

// rewrite then dce, as the O3 pipeline runs them.
ProgramIR rewrite_dce(const ProgramIR& ir, const Options& opts, std::vector<std::string>& notes) {
  std::vector<std::string> dce_notes;
  ProgramIR out = eliminate_dead_code(rewrite_only(ir, opts, notes), opts, dce_notes);
  validate_ir(out);
  return out;
}

// The rule does not apply: the program comes back unchanged, with no note.
void check_unchanged(const std::string& text, const Options& opts) {
  const ProgramIR ir = ir_of(text);
  std::vector<std::string> notes;
  CHECK(print_ir(rewrite_only(ir, opts, notes)) == print_ir(ir));
  CHECK(notes.empty());
}

// 7 nodes, weighted, directed; node 6 is a sink, node 5 has a self-loop.
GraphPtr test_graph() {
  const std::vector<int64_t> src = {0, 0, 1, 2, 2, 3, 4, 5, 1, 4, 5};
  const std::vector<int64_t> dst = {1, 2, 2, 0, 3, 4, 5, 3, 6, 6, 5};
  const std::vector<double> w = {1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 1.0, 0.25, 1.0, 0.5, 2.0};
  return Graph::from_edges(src.data(), dst.data(), w.data(), static_cast<int64_t>(src.size()), 7, BuildOptions{});
}

// Run `ir` on the test graph (fused kernels or one kernel per value) and read output "x".
std::vector<double> run(const ProgramIR& ir, bool fuse) {
  Plan plan;
  plan.opt_level = fuse ? 3 : 0;
  form_kernels(ir, fuse, plan);
  auto prog = std::make_shared<const Program>(ir, std::move(plan));
  const GraphPtr g = test_graph();
  State s(prog, g, Bindings{});
  s.run(ir.max_iter, {});
  const double* x = s.slot(prog->find_output("x")).vec<double>();
  return std::vector<double>(x, x + g->num_nodes());
}

// The rewritten program against the original (unfused, as at O0), fused and unfused.
void check_same_result(const ProgramIR& before, const ProgramIR& after, bool bitwise) {
  const std::vector<double> ref = run(before, false);
  for (double r : ref) REQUIRE(std::isfinite(r));
  for (bool fuse : {false, true}) {
    const std::vector<double> got = run(after, fuse);
    REQUIRE(got.size() == ref.size());
    if (bitwise) {
      CHECK(std::memcmp(got.data(), ref.data(), ref.size() * sizeof(double)) == 0);
    } else {
      for (size_t i = 0; i < ref.size(); ++i) CHECK(std::abs(got[i] - ref[i]) <= 1e-12 * std::abs(ref[i]));
    }
  }
}

int count_op(const ProgramIR& ir, OpCode op) {
  int n = 0;
  for (const Value& v : ir.values) n += v.op == op;
  return n;
}

// x <- agg(where(sink, ZERO, x * recip(deg))) + 0.15; `zero` is value %5, `extra` lines
// come after %11 and `update` names the carry update.
std::string masked_program(const std::string& zero, const std::string& extra = "", int update = 11) {
  return "loop 4\n"
         "v P out_degree f64 n 0 weighted=1\n"
         "v P const f64 s 0 number=0\n"
         "v P eq bool n 2 0 1\n"
         "v P recip f64 n 1 0\n"
         "v P fill f64 n 0 number=0.125\n" +
         zero + "\n" +
         "v P const f64 s 0 number=0.15\n"
         "v B carry f64 n 0 name=x\n"
         "v B mul f64 n 2 7 3\n"
         "v B where f64 n 3 2 5 8\n"
         "v B neighbor_agg f64 n 1 9 combine=sum direction=in edge=mul_weight\n"
         "v B add f64 n 2 10 6\n" +
         extra + fmt::format("carry x 4 7 {}\noutput x 7\n", update);
}

const char* const kMaskedGolden =  // the 0 const and the product are gone
    "{ program\n"
    "    %0:f64[n]      = out_degree[weighted]\n"
    "    %1:f64         = const[0]\n"
    "    %2:bool[n]     = eq %0 %1\n"
    "    %3:f64[n]      = recip %0\n"
    "    %4:f64[n]      = fill[0.125]\n"
    "    %5:f64         = const[0.15]\n"
    "  loop max_iter=4 carry(x=%4):\n"
    "      %6:f64[n]      = carry[x]\n"
    "      %7:f64[n]      = masked_mul %2 %6 %3\n"
    "      %8:f64[n]      = neighbor_agg[sum, in, mul_weight] %7\n"
    "      %9:f64[n]      = add %8 %5\n"
    "      x <- %9\n"
    "  out(x=%6)\n"
    "}\n";

}  // namespace

TEST_CASE("masked_mul: where(c, 0, a*b) becomes masked_mul(c, a, b), bit for bit", "[fusion]") {
  const ProgramIR ir = ir_of(masked_program("v P const f64 s 0 number=0"));
  std::vector<std::string> notes;
  const ProgramIR out = rewrite_dce(ir, with(true), notes);  // exact rule: fires in exact mode too
  CHECK(print_ir(out) == kMaskedGolden);
  CHECK(notes ==
        std::vector<std::string>{"%9 = where %2 %5 %8: where(c, 0, a*b) -> masked_mul(c, a, b) (rule masked_mul)"});
  check_same_result(ir, out, true);  // sinks: recip(0) = inf, inf * x is masked either way
}

TEST_CASE("masked_mul: a fill of 0, or a broadcast 0 folded first, is a zero too", "[fusion]") {
  for (const char* zero : {"v P fill f64 n 0 number=0", "v P broadcast f64 n 1 1"}) {
    const ProgramIR ir = ir_of(masked_program(zero));
    std::vector<std::string> notes;
    const ProgramIR out = rewrite_dce(ir, with(false), notes);
    CHECK(count_op(out, OpCode::MaskedMul) == 1);
    CHECK(count_op(out, OpCode::Where) == 0);
    CHECK(count_op(out, OpCode::Mul) == 0);
    check_same_result(ir, out, true);
  }
}

TEST_CASE("masked_mul then broadcast: a broadcast the product brings in folds too", "[fusion]") {
  // where(sink, 0, broadcast(sum(x)) * 0.5) -> masked_mul(sink, sum(x), 0.5)
  const ProgramIR ir = ir_of(
      "loop 3\n"
      "v P out_degree f64 n 0 weighted=1\n"
      "v P const f64 s 0 number=0\n"
      "v P eq bool n 2 0 1\n"
      "v P const f64 s 0 number=0.5\n"
      "v P fill f64 n 0 number=1\n"
      "v B carry f64 n 0 name=x\n"
      "v B sum f64 s 1 5\n"
      "v B broadcast f64 n 1 6\n"
      "v B mul f64 n 2 7 3\n"
      "v B where f64 n 3 2 1 8\n"
      "v B add f64 n 2 5 9\n"
      "carry x 4 5 10\n"
      "output x 5\n");
  std::vector<std::string> notes;
  const ProgramIR out = rewrite_dce(ir, with(false), notes);
  CHECK(count_op(out, OpCode::Broadcast) == 0);
  CHECK(count_op(out, OpCode::Mul) == 0);
  REQUIRE(count_op(out, OpCode::MaskedMul) == 1);
  CHECK(notes.size() == 2);
  check_same_result(ir, out, true);
}

TEST_CASE("masked_mul: not when it would be wrong or wasteful", "[fusion]") {
  SECTION("the product has another user") {
    check_unchanged(masked_program("v P const f64 s 0 number=0", "v B add f64 n 2 11 8\n", 12), with(false));
  }
  SECTION("the constant is -0 (where would give -0, masked_mul +0)") {
    check_unchanged(masked_program("v P const f64 s 0 number=-0"), with(false));
  }
  SECTION("the constant is not 0") { check_unchanged(masked_program("v P const f64 s 0 number=1"), with(false)); }
  SECTION("switched off by name") {
    check_unchanged(masked_program("v P const f64 s 0 number=0"), with(false, {"masked_mul"}));
  }
  SECTION("the product is loop-invariant: it stays computed once, in the prologue") {
    check_unchanged(
        "loop 3\n"
        "v P out_degree f64 n 0 weighted=1\n"
        "v P const f64 s 0 number=0\n"
        "v P mul f64 n 2 0 0\n"
        "v P const f64 s 0 number=0.5\n"
        "v B carry f64 n 0 name=x\n"
        "v B gt bool n 2 4 3\n"
        "v B where f64 n 3 5 1 2\n"
        "v B add f64 n 2 4 6\n"
        "carry x 0 4 7\n"
        "output x 4\n",
        with(false));
  }
}

namespace {

// x <- LINE6 (of %5 = alpha * agg(x) and %2 = 0.01875), with `extra` lines after it.
std::string fma_program(const std::string& line6, const std::string& extra = "", int update = 6) {
  return "loop 4\n"
         "v P param f64 s 0 name=alpha number=0.85\n"
         "v P fill f64 n 0 number=0.125\n"
         "v P const f64 s 0 number=0.01875\n"
         "v B carry f64 n 0 name=x\n"
         "v B neighbor_agg f64 n 1 3 combine=sum direction=in edge=mul_weight\n"
         "v B mul f64 n 2 0 4\n" +
         line6 + "\n" + extra + fmt::format("carry x 1 3 {}\noutput x 3\n", update);
}

}  // namespace

TEST_CASE("fma: a*b + c and c + a*b contract into fma(a, b, c)", "[fusion]") {
  for (const char* line : {"v B add f64 n 2 5 2", "v B add f64 n 2 2 5"}) {
    const ProgramIR ir = ir_of(fma_program(line));
    std::vector<std::string> notes;
    const ProgramIR out = rewrite_dce(ir, with(false), notes);
    CHECK(print_ir(out) ==
          "{ program\n"
          "    %0:f64         = param[alpha=0.85]\n"
          "    %1:f64[n]      = fill[0.125]\n"
          "    %2:f64         = const[0.01875]\n"
          "  loop max_iter=4 carry(x=%1):\n"
          "      %3:f64[n]      = carry[x]\n"
          "      %4:f64[n]      = neighbor_agg[sum, in, mul_weight] %3\n"
          "      %5:f64[n]      = fma %0 %4 %2\n"
          "      x <- %5\n"
          "  out(x=%3)\n"
          "}\n");
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("(rule fma)") != std::string::npos);
    check_same_result(ir, out, false);
  }
}

TEST_CASE("fma: not in exact mode, not for a shared or scalar product, not for integers", "[fusion]") {
  SECTION("exact") { check_unchanged(fma_program("v B add f64 n 2 5 2"), with(true)); }
  SECTION("switched off by name") { check_unchanged(fma_program("v B add f64 n 2 5 2"), with(false, {"fma"})); }
  SECTION("the product has another user") {
    check_unchanged(fma_program("v B add f64 n 2 5 2", "v B sub f64 n 2 6 5\n", 7), with(false));
  }
  SECTION("a scalar product added to a node vector (contracting would make it per-node work)") {
    check_unchanged(
        "loop 2\n"
        "v P param f64 s 0 name=alpha number=0.85\n"
        "v P fill f64 n 0 number=0.125\n"
        "v B carry f64 n 0 name=x\n"
        "v B sum f64 s 1 2\n"
        "v B mul f64 s 2 0 3\n"
        "v B add f64 n 2 2 4\n"
        "carry x 1 2 5\n"
        "output x 2\n",
        with(false));
  }
  SECTION("float32 (one f32 rounding is 6e-8, far beyond the 1e-12 contract); reciprocal too") {
    check_unchanged(
        "loop 2\n"
        "v P param f32 s 0 name=alpha number=0.5 to=f32\n"
        "v P fill f32 n 0 number=0.125 to=f32\n"
        "v P const f32 s 0 number=0.25 to=f32\n"
        "v B carry f32 n 0 name=x\n"
        "v B neighbor_agg f32 n 1 3 combine=sum direction=in\n"
        "v B mul f32 n 2 0 4\n"
        "v B add f32 n 2 5 2\n"
        "v B div f32 n 2 6 0\n"
        "carry x 1 3 7\n"
        "output x 3\n",
        with(false));
  }
  SECTION("int64") {
    check_unchanged(
        "v P node_id i64 n 0 to=i64\n"
        "v P const i64 s 0 number=3 to=i64\n"
        "v P mul i64 n 2 0 1\n"
        "v P add i64 n 2 2 1\n"
        "output k 3\n",
        with(false));
  }
}

namespace {

// The init 1/n broadcast is a carry init and folds into the add; the loop's own broadcast of
// sum(x) folds into the sub but stays for neg, neighbor_agg, max and an add with a scalar.
const char* const kBroadcast =
    "loop 3\n"
    "v P num_nodes f64 s 0\n"
    "v P const f64 s 0 number=1\n"
    "v P div f64 s 2 1 0\n"
    "v P broadcast f64 n 1 2\n"
    "v B carry f64 n 0 name=x\n"
    "v B neighbor_agg f64 n 1 4 combine=sum direction=in\n"
    "v B add f64 n 2 5 3\n"
    "v B sum f64 s 1 4\n"
    "v B broadcast f64 n 1 7\n"
    "v B sub f64 n 2 6 8\n"
    "v B neg f64 n 1 8\n"
    "v B neighbor_agg f64 n 1 8 combine=max direction=in\n"
    "v B max f64 s 1 8\n"
    "v B add f64 n 2 8 12\n"
    "v B add f64 n 2 9 10\n"
    "v B add f64 n 2 11 13\n"
    "v B mul f64 n 2 14 15\n"
    "carry x 3 4 16\n"
    "output x 4\n";

}  // namespace

TEST_CASE("broadcast: folded into elementwise consumers, kept where a node vector is needed", "[fusion]") {
  const ProgramIR ir = ir_of(kBroadcast);
  std::vector<std::string> notes;
  const ProgramIR out = rewrite_dce(ir, with(true), notes);
  // The same program with exactly two inputs changed (nothing else becomes dead).
  std::string expected = print_ir(ir);
  for (auto [from, to] : {std::pair<const char*, const char*>{"add %5 %3", "add %5 %2"}, {"sub %6 %8", "sub %6 %7"}}) {
    REQUIRE(expected.find(from) != std::string::npos);
    expected.replace(expected.find(from), std::string(from).size(), to);
  }
  CHECK(print_ir(out) == expected);
  CHECK(notes ==
        std::vector<std::string>{"%6 = add %5 %3: broadcast(s) used by an elementwise op -> s (rule broadcast)",
                                 "%9 = sub %6 %8: broadcast(s) used by an elementwise op -> s (rule broadcast)"});
  check_same_result(ir, out, true);
}

TEST_CASE("broadcast: a carry init or update is never folded away", "[fusion]") {
  // x <- broadcast(sum(x) * 0.5): the update must stay a node vector.
  check_unchanged(
      "loop 3\n"
      "v P num_nodes f64 s 0\n"
      "v P broadcast f64 n 1 0\n"
      "v P const f64 s 0 number=0.5\n"
      "v B carry f64 n 0 name=x\n"
      "v B sum f64 s 1 3\n"
      "v B mul f64 s 2 4 2\n"
      "v B broadcast f64 n 1 5\n"
      "carry x 1 3 6\n"
      "output x 3\n",
      with(false));
  check_unchanged(kBroadcast, with(false, {"broadcast"}));
}

namespace {

// x <- agg(x) / n - x / n: two divisions by the loop-invariant n share one prologue recip.
const char* const kRecip =
    "loop 4\n"
    "v P num_nodes f64 s 0\n"
    "v P fill f64 n 0 number=1\n"
    "v B carry f64 n 0 name=x\n"
    "v B neighbor_agg f64 n 1 2 combine=sum direction=in edge=mul_weight\n"
    "v B div f64 n 2 3 0\n"
    "v B div f64 n 2 2 0\n"
    "v B sub f64 n 2 4 5\n"
    "carry x 1 2 6\n"
    "output x 2\n";

}  // namespace

TEST_CASE("reciprocal: x / s -> x * recip(s), recip(s) once in the prologue", "[fusion]") {
  const ProgramIR ir = ir_of(kRecip);
  std::vector<std::string> notes;
  const ProgramIR out = rewrite_dce(ir, with(false), notes);
  CHECK(print_ir(out) ==
        "{ program\n"
        "    %0:f64         = num_nodes\n"
        "    %1:f64[n]      = fill[1]\n"
        "    %4:f64         = recip %0\n"
        "  loop max_iter=4 carry(x=%1):\n"
        "      %2:f64[n]      = carry[x]\n"
        "      %3:f64[n]      = neighbor_agg[sum, in, mul_weight] %2\n"
        "      %5:f64[n]      = mul %3 %4\n"
        "      %6:f64[n]      = mul %2 %4\n"
        "      %7:f64[n]      = sub %5 %6\n"
        "      x <- %7\n"
        "  out(x=%2)\n"
        "}\n");
  CHECK(out.values[4].hoisted);
  CHECK(notes.size() == 2);
  check_same_result(ir, out, false);
}

TEST_CASE("reciprocal: not in exact mode, not for a divisor the loop computes", "[fusion]") {
  SECTION("exact") { check_unchanged(kRecip, with(true)); }
  SECTION("switched off by name") { check_unchanged(kRecip, with(false, {"reciprocal"})); }
  SECTION("the divisor is not loop-invariant (sum(x) changes every iteration)") {
    check_unchanged(
        "loop 3\n"
        "v P fill f64 n 0 number=1\n"
        "v B carry f64 n 0 name=x\n"
        "v B sum f64 s 1 1\n"
        "v B div f64 n 2 1 2\n"
        "carry x 0 1 3\n"
        "output x 1\n",
        with(false));
  }
  SECTION("the divisor is a node vector, or the quotient a scalar") {
    check_unchanged(
        "loop 3\n"
        "v P num_nodes f64 s 0\n"
        "v P out_degree f64 n 0 weighted=0\n"
        "v P fill f64 n 0 number=1\n"
        "v B carry f64 n 0 name=x\n"
        "v B div f64 n 2 3 1\n"
        "v B sum f64 s 1 3\n"
        "v B div f64 s 2 5 0\n"
        "v B add f64 n 2 4 6\n"
        "carry x 2 3 7\n"
        "output x 3\n",
        with(false));
  }
}

TEST_CASE("reciprocal then fma: x / s + c -> fma(x, recip(s), c)", "[fusion]") {
  const std::string text =
      "loop 4\n"
      "v P param f64 s 0 name=s number=3\n"
      "v P fill f64 n 0 number=1\n"
      "v P const f64 s 0 number=0.25\n"
      "v B carry f64 n 0 name=x\n"
      "v B neighbor_agg f64 n 1 3 combine=sum direction=in edge=mul_weight\n"
      "v B div f64 n 2 4 0\n"
      "v B add f64 n 2 5 2\n"
      "carry x 1 3 6\n"
      "output x 3\n";
  const ProgramIR ir = ir_of(text);
  std::vector<std::string> notes;
  const ProgramIR out = rewrite_dce(ir, with(false), notes);
  CHECK(count_op(out, OpCode::Fma) == 1);
  CHECK(count_op(out, OpCode::Recip) == 1);
  CHECK(count_op(out, OpCode::Div) == 0);
  CHECK(count_op(out, OpCode::Mul) == 0);
  CHECK(notes.size() == 2);
  check_same_result(ir, out, false);
  check_unchanged(text, with(true));
}

TEST_CASE("rewrite in the pipeline: O3 runs it after dce, exact and disable are honored", "[fusion]") {
  const ProgramIR ir = ir_of(fma_program("v B add f64 n 2 5 2"));
  auto rewrite_notes = [&](const Options& o, ProgramIR& out) {
    out = ir;
    const Plan plan = compile(out, o);
    for (const PassRecord& r : plan.log)
      if (r.name == "rewrite") return static_cast<int>(r.notes.size());
    return -1;  // the pass did not run
  };
  ProgramIR out;
  CHECK(rewrite_notes(with(false), out) == 1);
  CHECK(count_op(out, OpCode::Fma) == 1);
  CHECK(count_op(out, OpCode::Mul) == 0);  // the second dce dropped the absorbed mul
  check_same_result(ir, out, false);
  CHECK(rewrite_notes(with(true), out) == 0);
  CHECK(count_op(out, OpCode::Fma) == 0);
  check_same_result(ir, out, true);
  CHECK(rewrite_notes(with(false, {"fma"}), out) == 0);
  CHECK(rewrite_notes(with(false, {"rewrite"}), out) == -1);
  Options o2 = with(false);
  o2.opt_level = 2;
  CHECK(rewrite_notes(o2, out) == -1);
}

TEST_CASE("rewrite rules are names explain and disable know", "[fusion]") {
  for (const RewriteRule& r : rewrite_rules()) {
    CHECK(is_known_name(r.name));
    CHECK(known_names().find(r.name) != std::string::npos);
  }
  CHECK(rewrite_rules().size() == 4);
  CHECK(is_known_name("rewrite"));
  CHECK_FALSE(is_known_name("fmaa"));
  CHECK(known_names() ==
        "fold, cse, hoist, dce, rewrite, rotate, fusion, in_place, compiled, frontier, unchanged_rows, broadcast, "
        "masked_mul, fma, reciprocal");
}
