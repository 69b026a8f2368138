// link / sample_mode: the IR text and printed form, the in-place buffer, labels equal to
// the twin's on an rmat graph at 1 and 2 threads, and a forest that does not point down.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "compiler/buffers.hpp"
#include "compiler/lower.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "exec/program.hpp"
#include "graph/generators.hpp"
#include "ir/ir.hpp"
#include "native/native.hpp"
#include "tests/cpp/test_util.hpp"

using namespace sg;
using sg::test::compiled_program;
using sg::test::ThreadLimit;

namespace {

// Afforest: two sampled rounds, the giant guessed, the other edges (both ways) of the nodes outside it.
const char* const kAfforest =
    "sgir 1\n"
    "v P node_id i64 n 0 to=i64\n"                    // %0
    "v P const bool s 0 number=1 to=bool\n"           // %1
    "v P link i64 n 2 0 1 direction=out edges=0:1\n"  // %2
    "v P link i64 n 2 2 1 direction=out edges=1:2\n"  // %3
    "v P sample_mode i64 s 1 3\n"                     // %4
    "v P ne bool n 2 3 4\n"                           // %5
    "v P link i64 n 2 3 5 direction=both edges=2:\n"  // %6
    "output component 6\n"
    "end\n";

}  // namespace

TEST_CASE("link: the IR text gives its direction and slice, and the printer shows them", "[link]") {
  const ProgramIR ir = parse_ir(kAfforest);
  const std::string printed = print_ir(ir);
  CHECK(printed.find("= link[out, edges 0:1] %0 %1") != std::string::npos);
  CHECK(printed.find("= link[both, edges 2:] %3 %5") != std::string::npos);
  CHECK(printed.find("= sample_mode %3") != std::string::npos);
  CHECK(ir.values[6].edges_from == 2);
  CHECK(ir.values[6].edges_to == -1);
  CHECK(ir.values[3].edges_to == 2);
}

TEST_CASE("link: each link writes over the forest it reads; the mask has its own buffer", "[link]") {
  const std::shared_ptr<Program> p = compiled_program(kAfforest, 3);
  const BufferAssignment a = assign_buffers(p->ir(), p->plan(), 100);
  CHECK(a.buffer_of[2] == a.buffer_of[0]);
  CHECK(a.buffer_of[3] == a.buffer_of[0]);
  CHECK(a.buffer_of[6] == a.buffer_of[0]);
  CHECK(a.buffer_of[5] != a.buffer_of[0]);
  CHECK(a.buffer_bytes.size() == 2);
}

TEST_CASE("link: Afforest from steps gives the twin's labels at 1 and 2 threads", "[link]") {
  RmatOptions opts;
  opts.scale = 12;
  opts.edge_factor = 8;
  opts.seed = 7;
  opts.directed = false;
  const GraphPtr g = rmat(opts);
  const Array<int64_t> twin = native::connected_components(*g);
  for (int opt : {0, 3})
    for (int threads : {1, 2}) {
      ThreadLimit limit(threads);
      State s(compiled_program(kAfforest, opt), g, Bindings{});
      const int64_t* got = s.slot(6).vec<int64_t>();
      for (int64_t u = 0; u < g->num_nodes(); ++u) REQUIRE(got[u] == twin[u]);
    }
}

TEST_CASE("link: a parent that does not point down is a Parameter error naming it", "[link]") {
  const std::string text =
      "sgir 1\n"
      "v P node_id i64 n 0 to=i64\n"
      "v P const i64 s 0 number=1 to=i64\n"
      "v P add i64 n 2 0 1 label=up\n"  // up[u] = u + 1 points up
      "v P const bool s 0 number=1 to=bool\n"
      "v P link i64 n 2 2 3 loc=cc.py:3\n"
      "output o 4\n"
      "end\n";
  const int32_t src[] = {0}, dst[] = {1};
  const GraphPtr g = Graph::from_edges<int32_t>(src, dst, nullptr, 1, 3, BuildOptions{});
  try {
    State s(compiled_program(text, 3), g, Bindings{});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Parameter);
    CHECK(std::string(e.what()) ==
          "link: parent 'up'[0] = 1 is not in [0, 0]: a parent forest points each node at itself or a smaller node "
          "(at cc.py:3)");
  }
}
