// gather / scatter: the printed form, kernel formation (each runs as a pass of its own, with the
// refused fusions' reasons), and a bad index as a typed error naming the op, position and line.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "compiler/row_codegen.hpp"
#include "core/error.hpp"
#include "exec/program.hpp"
#include "graph/graph.hpp"
#include "ir/ir.hpp"
#include "tests/cpp/test_util.hpp"

using namespace sg;

namespace {

// f <- min(gather(scatter(f, f, f + 1)[min], f), f): an elementwise producer, both index ops, a consumer.
const char* const kIndex =
    "sgir 1\n"
    "loop 2\n"
    "v P node_id i64 n 0 to=i64\n"             // %0
    "v P const i64 s 0 number=1 to=i64\n"      // %1
    "v B carry i64 n 0 name=f\n"               // %2
    "v B add i64 n 2 2 1\n"                    // %3
    "v B scatter i64 n 3 2 2 3 combine=min\n"  // %4
    "v B gather i64 n 2 4 2\n"                 // %5
    "v B minimum i64 n 2 5 2\n"                // %6
    "carry f 0 2 6\n"
    "output f 2\n"
    "end\n";

std::string formed(const ProgramIR& ir, std::vector<FusionDecision>& refused) {
  std::string s;
  for (const Kernel& k : compiler::form_kernels(ir, Region::Body, true, refused)) {
    s += k.kind == Kernel::Kind::Node ? "node:" : "scalar:";
    for (int32_t id : k.values) s += fmt::format(" %{}", id);
    s += "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("index ops: scatter prints its combine; both run as passes of their own", "[index]") {
  const ProgramIR ir = parse_ir(kIndex);
  const std::string printed = print_ir(ir);
  CHECK(printed.find("= scatter[min] %2 %2 %3") != std::string::npos);
  CHECK(printed.find("= gather %4 %2") != std::string::npos);
  std::vector<FusionDecision> refused;
  CHECK(formed(ir, refused) == "node: %3\nnode: %4\nnode: %5\nnode: %6\n");
  REQUIRE(refused.size() == 3);
  CHECK(refused[0].reason == "scatter writes at run-time indices (any node), so it runs as a pass of its own");
  CHECK(refused[1].reason == "gather reads x at run-time indices (any node), so it runs as a pass of its own");
  CHECK(refused[2].reason == "the producer (gather) runs as a step of its own");
  std::vector<FusionDecision> unused;
  std::vector<Kernel> kernels = compiler::form_kernels(ir, Region::Body, true, unused);
  compiler::generate_row_kernel(ir, kernels[2]);  // never attempted by compile(); refused if asked
  CHECK(kernels[2].row.refused == "gather reads or writes any node (a pass of its own): interpreted, not generated");
}

TEST_CASE("index ops: an index out of range is a Parameter error naming op, position, value, line", "[index]") {
  const std::string text =
      "sgir 1\n"
      "v P node_id i64 n 0 to=i64\n"
      "v P const i64 s 0 number=2 to=i64\n"
      "v P sub i64 n 2 0 1 label=back\n"  // idx[0] = -2
      "v P gather i64 n 2 0 2 loc=algo.py:12\n"
      "output g 3\n"
      "end\n";
  const int32_t src[] = {0}, dst[] = {1};
  const GraphPtr g = Graph::from_edges<int32_t>(src, dst, nullptr, 1, 4, BuildOptions{});
  for (int opt : {0, 3}) {
    auto program = test::compiled_program(text, opt);
    try {
      State s(program, g, Bindings{});
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Parameter);
      CHECK(std::string(e.what()) ==
            "gather: index 'back'[0] = -2 is out of range for a graph with 4 nodes (at algo.py:12)");
    }
  }
}

TEST_CASE("index ops: the validator refuses float indices, scalars and bad combines", "[index]") {
  const std::string head = "sgir 1\nv P node_id i64 n 0 to=i64\nv P fill f64 n 0 number=1 to=f64\n";
  auto refused = [&](const std::string& body) {
    try {
      parse_ir(head + body + "output o 2\nend\n");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("v P gather f64 n 2 1 1\n").find("gather: needs an int64 node vector of indices") == 0);
  CHECK(refused("v P scatter f64 n 3 1 0 1 combine=mean\n") == "scatter: combine must be sum, min or max, got mean");
  CHECK(refused("v P scatter i64 n 3 0 0 1\n").find("scatter: needs values of the target's dtype") == 0);
  CHECK(refused("v P scatter f64 n 3 1 0 1 combine=max\n") == "accepted");
}
