// Native core numbers (Batagelj-Zaversnik) on hand-checked graphs, against the h-index iteration
// run through the IR (neighbor_agg combine=h_index) at O0 and O3, and the power-iteration twins'
// parameter checks; 1 vs 2 threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "compiler/lower.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "exec/program.hpp"
#include "graph/graph.hpp"
#include "ir/ir.hpp"
#include "native/native.hpp"

using namespace sg;

namespace {

GraphPtr make(const std::vector<int64_t>& src, const std::vector<int64_t>& dst, int64_t n, bool directed) {
  BuildOptions opts;
  opts.directed = directed;
  return Graph::from_edges(src.data(), dst.data(), nullptr, static_cast<int64_t>(src.size()), n, opts);
}

// Random edges without self-loops (parallel edges kept): several blocks of nodes.
GraphPtr random_graph(int64_t n, int64_t m, bool directed, uint64_t seed) {
  std::vector<int64_t> src, dst;
  uint64_t r = seed;
  auto next = [&] {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int64_t>((r >> 33) % static_cast<uint64_t>(n));
  };
  while (static_cast<int64_t>(src.size()) < m) {
    const int64_t u = next(), v = next();
    if (u == v) continue;
    src.push_back(u);
    dst.push_back(v);
  }
  return make(src, dst, n, directed);
}

// The builder's core_number_program (python/stepgraph/algorithms/cores.py) as IR text.
const char* kCoreProgram = R"(sgir 1
loop 4611686018427387904
v P out_degree i64 n 0 weighted=0 to=i64
v P directed bool s 0
v P in_degree i64 n 0 weighted=0 to=i64
v P add i64 n 2 2 0
v P where i64 n 3 1 3 0
v B carry i64 n 0 name=core
v B neighbor_agg i64 n 1 5 combine=h_index direction=both edge=none
v B ne bool n 2 6 5
v B count i64 s 1 7
v B const i64 s 0 number=0.0 to=i64
v B eq bool s 2 8 9
carry core 4 5 6
until 10
residual 8
output core 5
end
)";

std::vector<int64_t> h_index_iteration(const GraphPtr& g, int opt_level) {
  ProgramIR ir = parse_ir(kCoreProgram);
  compiler::Options opts;
  opts.opt_level = opt_level;
  Plan plan = compiler::compile(ir, opts);
  auto program = std::make_shared<Program>(std::move(ir), std::move(plan));
  State s(program, g, Bindings{});
  s.run(10 * g->num_nodes() + 1000, [] { return true; });
  s.finish();
  REQUIRE(s.converged());
  const int64_t* core = s.slot(s.readable_output("core")).vec<int64_t>();
  return std::vector<int64_t>(core, core + g->num_nodes());
}

std::vector<int64_t> vec(const Array<int64_t>& a) { return std::vector<int64_t>(a.begin(), a.end()); }

}  // namespace

TEST_CASE("core_number: hand-checked graphs", "[native][core]") {
  // A triangle 0-1-2 with a pendant 3, a path 4-5, and 6 isolated.
  auto g = make({0, 1, 2, 2, 4}, {1, 2, 0, 3, 5}, 7, false);
  CHECK(vec(native::core_number(*g)) == std::vector<int64_t>{2, 2, 2, 1, 1, 1, 0});
  // NetworkX's docstring example (directed: degree = in + out, a reciprocal pair counts twice).
  auto d = make({0, 1, 1, 1, 2, 3}, {1, 0, 2, 3, 3, 2}, 4, true);
  CHECK(vec(native::core_number(*d)) == std::vector<int64_t>{2, 2, 2, 2});
  // K4 with a doubled edge: parallel edges count once per edge.
  auto k4 = make({0, 0, 0, 1, 1, 2, 0}, {1, 2, 3, 2, 3, 3, 1}, 4, false);
  CHECK(vec(native::core_number(*k4)) == std::vector<int64_t>{3, 3, 3, 3});
  CHECK(native::core_number(*make({}, {}, 0, false)).empty());
}

TEST_CASE("core_number: self-loops are refused with a graph error", "[native][core]") {
  auto g = make({0, 1}, {1, 1}, 2, false);
  try {
    native::core_number(*g);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Graph);
    CHECK(std::string(e.what()).find("self-loops") != std::string::npos);
  }
}

TEST_CASE("core_number: the twin equals the h-index iteration of the IR, any thread count", "[native][core]") {
  for (bool directed : {true, false}) {
    // Directed: the program's degree is in + out; undirected graphs take the where's else branch.
    auto g = random_graph(9000, 40000, directed, directed ? 7 : 11);
    const std::vector<int64_t> twin = vec(native::core_number(*g));
    for (int opt : {0, 3}) CHECK(h_index_iteration(g, opt) == twin);
    set_num_threads(1);
    CHECK(vec(native::core_number(*g)) == twin);
    CHECK(h_index_iteration(g, 3) == twin);
    set_num_threads(0);
  }
}

TEST_CASE("power iterations: parameters are checked", "[native][centrality]") {
  auto g = make({0, 1}, {1, 2}, 3, true);
  native::PowerOptions bad;
  bad.max_iter = -1;
  CHECK_THROWS_AS(native::eigenvector_centrality(*g, bad), Error);
  CHECK_THROWS_AS(native::hits(*g, bad, true), Error);
  native::KatzOptions katz;
  katz.alpha = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(native::katz_centrality(*g, katz), Error);
  const double zeros[3] = {0, 0, 0};
  native::PowerOptions start;
  start.nstart = zeros;
  CHECK_THROWS_AS(native::eigenvector_centrality(*g, start), Error);
  CHECK_THROWS_AS(native::eigenvector_centrality(*make({}, {}, 0, true), native::PowerOptions{}), Error);
}

TEST_CASE("eigenvector and katz twins on a directed 3-cycle with a chord", "[native][centrality]") {
  // 0 -> 1 -> 2 -> 0, 0 -> 2: hand-iterated values are compared to rounding.
  auto g = make({0, 1, 2, 0}, {1, 2, 0, 2}, 3, true);
  native::KatzOptions k;
  k.alpha = 0.1;
  k.power.max_iter = 1000;
  k.power.tol = 1e-15;
  auto r = native::katz_centrality(*g, k);
  REQUIRE(r.converged);
  // The fixed point of x = a A^T x + 1: x0 = 1 + a x2, x1 = 1 + a x0, x2 = 1 + a (x0 + x1).
  const double a = 0.1;
  const double s0 = (1 + a + a * a) / (1 - a * a * (1 + a));
  const double s1 = 1 + a * s0, s2 = 1 + a * (s0 + s1);
  const double norm = std::sqrt(s0 * s0 + s1 * s1 + s2 * s2);
  CHECK(std::abs(r.values[0] - s0 / norm) < 1e-14);
  CHECK(std::abs(r.values[1] - s1 / norm) < 1e-14);
  CHECK(std::abs(r.values[2] - s2 / norm) < 1e-14);
  // Eigenvector centrality of (A^T + I): the same graph's Perron vector, checked by its residual.
  native::PowerOptions e;
  e.max_iter = 10000;
  e.tol = 1e-15;
  auto ev = native::eigenvector_centrality(*g, e);
  REQUIRE(ev.converged);
  const double* x = ev.values.data();
  const double y[3] = {x[0] + x[2], x[1] + x[0], x[2] + x[0] + x[1]};
  const double lambda = std::sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
  for (int v = 0; v < 3; ++v) CHECK(std::abs(y[v] / lambda - x[v]) < 1e-12);
}
