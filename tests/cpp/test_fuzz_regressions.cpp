// Regression tests for the bugs the libFuzzer targets in fuzz/ found (each input is also in fuzz/corpus).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "core/error.hpp"
#include "exec/program.hpp"
#include "graph/graph.hpp"
#include "graph/io.hpp"
#include "ir/ir.hpp"

using namespace sg;

namespace {

// The Program error message of parsing `text`, or "" when it parses.
std::string program_error(const std::string& text) {
  try {
    parse_ir(text);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Program);
    return e.what();
  }
  return "";
}

// Compile `text` at `opt_level` and run it (at most max_iter iterations) on a 5-node graph.
std::shared_ptr<State> run(const std::string& text, int opt_level = 3) {
  ProgramIR ir = parse_ir(text);
  compiler::Options opts;
  opts.opt_level = opt_level;
  Plan plan = compiler::compile(ir, opts);
  auto program = std::make_shared<Program>(std::move(ir), std::move(plan));
  const int32_t src[] = {0, 1, 2, 3}, dst[] = {1, 2, 3, 4};
  auto graph = Graph::from_edges<int32_t>(src, dst, nullptr, 4, 5, BuildOptions{});
  auto state = std::make_shared<State>(program, graph, Bindings{});
  state->run(program->ir().max_iter, {});
  return state;
}

}  // namespace

TEST_CASE("fuzz: a bool const or fill holds 0 or 1 (converting -1e300 to bool was undefined)", "[fuzz]") {
  // fuzz/corpus/fuzz_ir/regress_bool_const.sgir
  CHECK_THAT(program_error("sgir 1\nv P const bool s 0 number=-1e300 to=bool\noutput o 0\nend\n"),
             Catch::Contains("not a bool value"));
  CHECK_THAT(program_error("sgir 1\nv P fill bool n 0 number=2 to=bool\noutput o 0\nend\n"),
             Catch::Contains("not a bool value"));
  CHECK_THAT(program_error("sgir 1\nv P const bool s 0 number=nan to=bool\noutput o 0\nend\n"),
             Catch::Contains("not a bool value"));
  auto s =
      run("sgir 1\nv P const bool s 0 number=1 to=bool\nv P fill bool n 0 number=0 to=bool\n"
          "output o 0\noutput f 1\nend\n");
  CHECK(s->slot(0).i == 1);
  CHECK(s->slot(1).node[0] == 0);
}

TEST_CASE("fuzz: int64 arithmetic wraps around instead of overflowing (signed overflow was undefined)", "[fuzz]") {
  // fuzz/corpus/fuzz_ir/regress_i64_overflow.sgir: -9e18 * 4 in the interpreter, and sums that overflow.
  const std::string text =
      "sgir 1\n"
      "v P const i64 s 0 number=-9000000000000000000 to=i64\n"   // %0
      "v P const i64 s 0 number=4 to=i64\n"                      // %1
      "v P mul i64 s 2 0 1\n"                                    // %2 = -9e18 * 4
      "v P add i64 s 2 0 0\n"                                    // %3 = -9e18 + -9e18
      "v P sub i64 s 2 3 0\n"                                    // %4
      "v P fill i64 n 0 number=9000000000000000000 to=i64\n"     // %5
      "v P mul i64 n 2 5 1\n"                                    // %6 (node vector)
      "v P neg i64 n 1 6\n"                                      // %7
      "v P abs i64 n 1 7\n"                                      // %8
      "v P sum i64 s 1 5\n"                                      // %9 = 5 * 9e18
      "v P neighbor_agg i64 n 1 5 combine=sum direction=both\n"  // %10
      "output a 2\noutput b 3\noutput c 4\noutput d 8\noutput e 9\noutput f 10\n"
      "end\n";
  auto wrap = [](uint64_t x) { return static_cast<int64_t>(x); };
  const uint64_t m9 = static_cast<uint64_t>(int64_t{-9000000000000000000}), p9 = 9000000000000000000u;
  for (int level = 0; level <= 3; ++level) {
    auto s = run(text, level);
    CHECK(s->slot(2).i == wrap(m9 * 4));
    CHECK(s->slot(3).i == wrap(m9 + m9));
    CHECK(s->slot(4).i == wrap(m9 + m9 - m9));
    const int64_t p9x4 = wrap(p9 * 4);
    const int64_t* d = s->slot(8).vec<int64_t>();
    CHECK(d[0] == (p9x4 < 0 ? wrap(0 - static_cast<uint64_t>(p9x4)) : p9x4));
    CHECK(s->slot(9).i == wrap(p9 * 5));
    const int64_t* f = s->slot(10).vec<int64_t>();
    CHECK(f[0] == wrap(p9));      // node 0: one neighbor
    CHECK(f[1] == wrap(p9 * 2));  // node 1: two neighbors
  }
}
