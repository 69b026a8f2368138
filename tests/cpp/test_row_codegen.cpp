// The row-kernel generator: what it emits for a pull kernel, and what it refuses (and says why).
#include <catch2/catch.hpp>

#include <string>

#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "compiler/pass.hpp"
#include "compiler/row_codegen.hpp"
#include "ir/ir.hpp"

using namespace sg;
using namespace sg::compiler;

namespace {

// x <- 0.5 x + 0.5 agg_sum_in(x), residual |new - x|_1.
const char* const kDecay =
    "sgir 1\nloop 5\n"
    "v P fill f64 n 0 number=1.0 to=f64\n"
    "v B carry f64 n 0 name=x\n"
    "v B const f64 s 0 number=0.5 to=f64\n"
    "v B mul f64 n 2 1 2\n"
    "v B neighbor_agg f64 n 1 1 combine=sum direction=in edge=none\n"
    "v B const f64 s 0 number=0.5 to=f64\n"
    "v B mul f64 n 2 4 5\n"
    "v B add f64 n 2 3 6\n"
    "v B sub f64 n 2 7 1\n"
    "v B norm_l1 f64 s 1 8\n"
    "v B const f64 s 0 number=0.0 to=f64\n"
    "v B lt bool s 2 9 10\n"
    "carry x 0 1 7\nuntil 11\nresidual 9\noutput x 1\nend\n";

// l <- mode of the neighbors' labels + 1.
const char* const kModeRows =
    "sgir 1\nloop 3\n"
    "v P node_id i64 n 0 to=i64\n"
    "v B carry i64 n 0 name=l\n"
    "v B neighbor_agg i64 n 1 1 combine=mode direction=both edge=none\n"
    "v B const i64 s 0 number=1.0 to=i64\n"
    "v B add i64 n 2 2 3\n"
    "carry l 0 1 4\noutput l 1\nend\n";

Plan plan_of(const char* text, std::vector<std::string> enable) {
  ProgramIR ir = parse_ir(text);
  Options opts;
  opts.opted_in = std::move(enable);
  return compile(ir, opts);
}

const Kernel& pull_kernel(const Plan& plan) {
  for (const Kernel& k : plan.kernels)
    if (k.reads_neighbors) return k;
  FAIL("no pull kernel");
  return plan.kernels.front();
}

}  // namespace

TEST_CASE("a pull kernel's epilogue is generated as one row loop", "[codegen]") {
  const Plan plan = plan_of(kDecay, {"compiled"});
  const RowKernel& r = pull_kernel(plan).row;
  REQUIRE(r.refused.empty());
  CHECK(r.symbol.rfind("sg_rk", 0) == 0);
  CHECK(r.reductions.size() == 1);  // the residual, folded per row
  CHECK(!r.attached());
  // Two layouts: each row's epilogue after its gather, or per chunk of rows the gathers in one
  // loop, then the epilogue and the residual's lane fold.
  const std::string& src = r.source;
  const size_t per_row = src.find("if constexpr (kPerRow)");
  REQUIRE(per_row != std::string::npos);
  CHECK(src.find("sg::for_each_lane(a->lo, a->hi", per_row) != std::string::npos);
  CHECK(src.find("sg::row_sum<double>(b, f", per_row) != std::string::npos);
  // A sum's chunks gather over the sliced CSR, whose row sums have row_sum's bits.
  CHECK(r.sliced);
  const size_t loop = src.find("sg::sliced_row_sums<double>(sv, [", per_row);
  REQUIRE(loop != std::string::npos);
  CHECK(src.find("sg::for_each_lane(c0, c1", per_row) == std::string::npos);
  CHECK(src.find("sg::arith::NormL1<double>{}(", loop) != std::string::npos);  // the residual, per row
  CHECK(src.find(r.symbol + "_abi()") != std::string::npos);
  for (int v = 0; v < kRowVariants; ++v) CHECK(src.find(r.symbol + "_" + std::to_string(v) + "(") != std::string::npos);
  // The embedded headers come without their include guards and project includes.
  CHECK(src.find("#pragma once") == std::string::npos);
  CHECK(src.find("#include \"") == std::string::npos);
  CHECK(src.find("inline T row_sum(") != std::string::npos);
}

TEST_CASE("the same code gets the same symbol, other code another", "[codegen]") {
  const Plan a = plan_of(kDecay, {"compiled"}), b = plan_of(kDecay, {"compiled"});
  CHECK(pull_kernel(a).row.source == pull_kernel(b).row.source);
  std::string other = kDecay;
  for (size_t at; (at = other.find("number=0.5")) != std::string::npos;) other.replace(at, 10, "number=0.25");
  const Plan c = plan_of(other.c_str(), {"compiled"});
  // Constants are spelled into the code (so the compiler folds them): another kernel.
  CHECK(pull_kernel(c).row.symbol != pull_kernel(a).row.symbol);
  CHECK(pull_kernel(c).row.source.find("from_bits<double>(0x3fd0000000000000ull)") != std::string::npos);
  other.replace(other.find("combine=sum"), 11, "combine=max");
  const Plan d = plan_of(other.c_str(), {"compiled"});
  CHECK(pull_kernel(d).row.symbol != pull_kernel(a).row.symbol);
  // A max has no sliced form: its chunks gather row by row.
  CHECK(!pull_kernel(d).row.sliced);
  CHECK(pull_kernel(d).row.source.find("sg::for_each_lane(c0, c1") != std::string::npos);
  CHECK(pull_kernel(d).row.source.find("sg::sliced_row_sums<") == std::string::npos);
}

TEST_CASE("a mode row is not generated, and the plan says why", "[codegen]") {
  const Plan plan = plan_of(kModeRows, {"compiled"});
  const RowKernel& r = pull_kernel(plan).row;
  CHECK(r.source.empty());
  CHECK(r.refused.find("mode") != std::string::npos);
}

TEST_CASE("generated at O3 by default; disabled, nothing is generated but a hint names it", "[codegen]") {
  CHECK(!pull_kernel(plan_of(kDecay, {})).row.source.empty());
  ProgramIR ir = parse_ir(kDecay);
  Options opts;
  opts.disabled = {"compiled"};
  const Plan plan = compile(ir, opts);
  CHECK(pull_kernel(plan).row.source.empty());
  CHECK(pull_kernel(plan).row.refused.empty());
  bool hinted = false;
  for (const std::string& h : plan.hints) hinted = hinted || h.find("disable=('compiled',)") != std::string::npos;
  CHECK(hinted);
}
