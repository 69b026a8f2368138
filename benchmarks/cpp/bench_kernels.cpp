// Kernel microbenchmarks (Catch2 v2 BENCHMARK): the fused PageRank kernel of an O3 program vs
// the native twin's loop, on the ladder's large graphs. A separate executable (stepgraph_bench,
// cmake -DSG_BUILD_BENCH=ON), so the test binary never runs benchmarks.
//
//   build/NAME/stepgraph_bench                       # every graph
//   build/NAME/stepgraph_bench "[uniform]"           # one graph (tags: [uniform] [rmat18] [small])
//   build/NAME/stepgraph_bench --benchmark-samples 30
//
// The program is built exactly as the Python builder's is, from its serialized IR text
// (sg::parse_ir + sg::compiler::compile + sg::State), so what is measured is the runtime
// alone: no Python, no pybind11, no boundary.
#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>

#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "exec/program.hpp"
#include "graph/generators.hpp"
#include "ir/ir.hpp"
#include "native/native.hpp"

namespace {

// sg.algorithms.pagerank_program(tol=0.0, max_iter=20).ir_text (source locations dropped):
// NetworkX-contract PageRank, weighted by out-weight when the graph has weights, uniform
// teleport; the invariants (1/outdeg, the sink mask, (1-alpha)/n) are recorded inside the
// loop, as the math reads, and hoisted by the optimizer from O2 on.
const char* const kPageRankIR = R"(sgir 1
loop 20
v P param f64 s 0 name=alpha number=0.85 to=f64
v P param f64 s 0 name=tol number=0.0 to=f64
v P num_nodes f64 s 0 to=f64
v P const f64 s 0 number=1.0 to=f64
v P div f64 s 2 3 2
v P broadcast f64 n 1 4
v B carry f64 n 0 name=rank
v B num_nodes f64 s 0 to=f64
v B out_degree f64 n 0 weighted=1 to=f64
v B const f64 s 0 number=0.0 to=f64
v B eq bool n 2 8 9
v B recip f64 n 1 8
v B const f64 s 0 number=0.0 to=f64
v B where f64 n 3 10 12 11
v B const f64 s 0 number=1.0 to=f64
v B div f64 s 2 14 7
v B const f64 s 0 number=1.0 to=f64
v B sub f64 s 2 16 0
v B mul f64 s 2 17 15
v B mul f64 n 2 6 13
v B neighbor_agg f64 n 1 19 combine=sum direction=in edge=mul_weight
v B const f64 s 0 number=0.0 to=f64
v B where f64 n 3 10 6 21
v B sum f64 s 1 22
v B mul f64 s 2 23 15
v B add f64 n 2 20 24
v B mul f64 n 2 0 25
v B add f64 n 2 26 18
v B sub f64 n 2 27 6
v B norm_l1 f64 s 1 28
v B num_nodes f64 s 0 to=f64
v B mul f64 s 2 30 1
v B lt bool s 2 29 31
carry rank 5 6 27
until 32
residual 29
output rank 6
end
)";

sg::ProgramPtr compile_pagerank(int opt_level) {
  sg::ProgramIR ir = sg::parse_ir(kPageRankIR);
  sg::compiler::Options opts;
  opts.opt_level = opt_level;
  sg::Plan plan = sg::compiler::compile(ir, opts);
  return std::make_shared<const sg::Program>(std::move(ir), std::move(plan));
}

sg::native::IterativeResult<double> native_pagerank(const sg::Graph& g, int64_t iters) {
  sg::native::PageRankOptions o;
  o.max_iter = iters;
  o.tol = 0.0;  // never stops early
  return sg::native::pagerank<double>(g, o);
}

// One graph: the O3 fused iteration (apply_batch: the fused pull kernel + a scalar step), the
// O2 unfused iteration for scale, and the native twin's loop. The native twin with max_iter=1
// includes its setup (1/outdeg, three n-vectors, first contributions); max_iter=10 amortizes
// it, so (native(10) - native(1)) / 9 is its bare iteration, to set against O3 apply_batch.
void bench_graph(const sg::GraphPtr& g) {
  const sg::ProgramPtr o3 = compile_pagerank(3), o2 = compile_pagerank(2);
  REQUIRE(o3->steps().size() >= 1);
  sg::State s3(o3, g, sg::Bindings{});
  sg::State s2(o2, g, sg::Bindings{});
  // Agreement first: the fused iteration computes what the native twin computes.
  for (int i = 0; i < 3; ++i) s3.apply_batch();
  const auto ref = native_pagerank(*g, 3);
  const double* rank = s3.slot(o3->find_output("rank")).vec<double>();
  double diff = 0;
  for (int64_t v = 0; v < g->num_nodes(); ++v) diff = std::max(diff, std::abs(rank[v] - ref.values[v]));
  CHECK(diff < 1e-12);

  BENCHMARK("O3 apply_batch (one fused iteration)") {
    s3.apply_batch();
    return s3.residual();
  };
  BENCHMARK("O2 apply_batch (unfused, hoisted)") {
    s2.apply_batch();
    return s2.residual();
  };
  BENCHMARK("native pagerank max_iter=1 (setup + 1 iteration)") { return native_pagerank(*g, 1).residuals.back(); };
  BENCHMARK("native pagerank max_iter=10 (setup + 10 iterations)") { return native_pagerank(*g, 10).residuals.back(); };
  BENCHMARK("O3 init + 10 x apply_batch (the same work as native max_iter=10)") {
    sg::State s(o3, g, sg::Bindings{});
    for (int i = 0; i < 10; ++i) s.apply_batch();
    return s.residual();
  };
}

}  // namespace

TEST_CASE("PageRank iteration, uniform(200k, 2M)", "[uniform]") {
  sg::UniformOptions u;
  u.num_nodes = 200'000;
  u.num_edges = 2'000'000;
  u.seed = 0;
  bench_graph(sg::uniform(u));
}

TEST_CASE("PageRank iteration, rmat(18)", "[rmat18]") {
  sg::RmatOptions r;
  r.scale = 18;
  r.seed = 0;
  bench_graph(sg::rmat(r));
}

TEST_CASE("PageRank iteration, uniform(10k, 100k) (cache-resident)", "[small]") {
  sg::UniformOptions u;
  u.num_nodes = 10'000;
  u.num_edges = 100'000;
  bench_graph(sg::uniform(u));
}

// Not a benchmark: a fixed amount of one kind of work, for profilers (hidden tag, run by name).
//   SG_PROFILE=o3|o2|native SG_PROFILE_ITERS=12 SG_PROFILE_GRAPH=uniform|rmat18 SG_PROFILE_THREADS=1
//     valgrind --tool=callgrind build/NAME/stepgraph_bench "[.profile]"
//   perf record -g build/NAME/stepgraph_bench "[.profile]"
// o3 / o2: init, then SG_PROFILE_ITERS x apply_batch; native: one call with max_iter=SG_PROFILE_ITERS.
TEST_CASE("profile driver", "[.profile]") {
  const char* what_env = std::getenv("SG_PROFILE");
  const char* iters_env = std::getenv("SG_PROFILE_ITERS");
  const char* graph_env = std::getenv("SG_PROFILE_GRAPH");
  const std::string what = what_env ? what_env : "o3";
  const int64_t iters = iters_env ? std::atoll(iters_env) : 12;
  if (const char* t = std::getenv("SG_PROFILE_THREADS")) sg::set_num_threads(std::atoi(t));
  sg::GraphPtr g;
  if (graph_env && std::string(graph_env) == "rmat18") {
    sg::RmatOptions r;
    r.scale = 18;
    g = sg::rmat(r);
  } else {
    sg::UniformOptions u;
    u.num_nodes = 200'000;
    u.num_edges = 2'000'000;
    g = sg::uniform(u);
  }
  if (what == "native") {
    CHECK(native_pagerank(*g, iters).iterations == iters);
  } else {
    const sg::ProgramPtr p = compile_pagerank(what == "o2" ? 2 : 3);
    sg::State s(p, g, sg::Bindings{});
    for (int64_t i = 0; i < iters; ++i) s.apply_batch();
    CHECK(s.iteration() == iters);
  }
}
