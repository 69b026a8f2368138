// The prologue as kernels: fused passes at init, strip temporaries without buffers, buffer reuse
// between (never within) prologue passes, and the same values at every opt level.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "compiler/buffers.hpp"
#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "core/error.hpp"
#include "exec/program.hpp"
#include "graph/graph.hpp"
#include "ir/ir.hpp"

using namespace sg;

namespace {

// PageRank's invariants, then two pull passes over prologue values; a loop reading them.
const char* const kPrologue =
    "sgir 1\n"
    "loop 3\n"
    "v P num_nodes f64 s 0\n"                                 // %0
    "v P out_degree f64 n 0 weighted=1\n"                     // %1  only this pass reads it
    "v P const f64 s 0 number=0\n"                            // %2
    "v P eq bool n 2 1 2\n"                                   // %3  mask, the loop reads it
    "v P recip f64 n 1 1\n"                                   // %4  only this pass reads it
    "v P where f64 n 3 3 2 4\n"                               // %5  1 / out-degree, the loop reads it
    "v P node_id f64 n 0\n"                                   // %6  the next pass gathers it
    "v P where f64 n 3 3 6 2\n"                               // %7  folded into %8
    "v P sum f64 s 1 7\n"                                     // %8
    "v P div f64 s 2 8 0\n"                                   // %9  ready after the first pass
    "v P neighbor_agg f64 n 1 6 combine=sum direction=in\n"   // %10 opens a pass
    "v P mul f64 n 2 10 9\n"                                  // %11 gathered by the third pass
    "v P neighbor_agg f64 n 1 11 combine=sum direction=in\n"  // %12 opens a pass
    "v P add f64 n 2 12 5\n"                                  // %13 the loop reads it
    "v P fill f64 n 0 number=1\n"                             // %14 the carry's start
    "v B carry f64 n 0 name=x\n"                              // %15
    "v B mul f64 n 2 15 5\n"                                  // %16
    "v B add f64 n 2 16 11\n"                                 // %17
    "v B add f64 n 2 17 13\n"                                 // %18
    "v B where f64 n 3 3 18 15\n"                             // %19
    "carry x 14 15 19\n"
    "output x 15\n"
    "end\n";

std::string kernels_text(const std::vector<Kernel>& kernels) {
  std::string s;
  for (const Kernel& k : kernels) {
    s += k.kind == Kernel::Kind::Node ? (k.reads_neighbors ? "pull:" : "node:") : "scalar:";
    for (size_t i = 0; i < k.values.size(); ++i) s += fmt::format(" %{}{}", k.values[i], k.temporary[i] ? "*" : "");
    s += "\n";
  }
  return s;
}

// 0 -> 1 -> 2 -> 3, 0 -> 2, 4 isolated, 5 -> 5: sinks, a self-loop, a node without edges.
GraphPtr small_graph() {
  const int32_t src[] = {0, 1, 2, 0, 5}, dst[] = {1, 2, 3, 2, 5};
  return Graph::from_edges<int32_t>(src, dst, nullptr, 5, 6, BuildOptions{});
}

// Many blocks and strips: `n` nodes, 4n random edges (multi-edges, self-loops, sinks).
GraphPtr random_graph(int32_t n) {
  std::vector<int32_t> src, dst;
  uint64_t r = 12345;
  auto next = [&r, n] {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int32_t>((r >> 33) % static_cast<uint64_t>(n));
  };
  for (int32_t e = 0; e < 4 * n; ++e) {
    const int32_t u = next();
    if (u % 5 == 0) continue;  // every fifth node (about) is a sink
    src.push_back(u);
    dst.push_back(next());
  }
  return Graph::from_edges<int32_t>(src.data(), dst.data(), nullptr, static_cast<int64_t>(src.size()), n,
                                    BuildOptions{});
}

std::shared_ptr<State> init(const std::string& text, int opt_level, const GraphPtr& g) {
  ProgramIR ir = parse_ir(text);
  compiler::Options opts;
  opts.opt_level = opt_level;
  Plan plan = compiler::compile(ir, opts);
  auto program = std::make_shared<Program>(std::move(ir), std::move(plan));
  return std::make_shared<State>(program, g, Bindings{});
}

}  // namespace

TEST_CASE("prologue: invariants fuse into one pass; gathers over prologue values open passes", "[fusion]") {
  std::vector<FusionDecision> refused;
  const std::vector<Kernel> kernels = compiler::form_kernels(parse_ir(kPrologue), Region::Prologue, true, refused);
  CHECK(kernels_text(kernels) ==
        "scalar: %0 %2\n"
        "node: %1* %3 %4* %5 %6 %7* %8 %14\n"
        "scalar: %9\n"
        "pull: %10* %11\n"
        "pull: %12* %13\n");
  REQUIRE(refused.size() == 2);
  CHECK(refused[0].producer == 6);
  CHECK(refused[0].consumer == 10);
  CHECK(refused[1].producer == 11);
  CHECK(refused[1].consumer == 12);
  CHECK(kernels[1].folded[5] == 1);  // %7 is computed inside %8's loop

  std::vector<FusionDecision> none;
  CHECK(kernels_text(compiler::form_kernels(parse_ir(kPrologue), Region::Prologue, false, none)) ==
        "scalar: %0\nnode: %1\nscalar: %2\nnode: %3\nnode: %4\nnode: %5\nnode: %6\nnode: %7\nnode: %8\n"
        "scalar: %9\npull: %10\nnode: %11\npull: %12\nnode: %13\nnode: %14\n");
}

TEST_CASE("prologue: temporaries get no buffer; a buffer is reused only by a later pass", "[fusion]") {
  const ProgramIR ir = parse_ir(kPrologue);
  Plan plan;
  compiler::form_kernels(ir, true, plan);
  const BufferAssignment a = assign_buffers(ir, plan, 100);
  for (int32_t temp : {1, 4, 7, 10, 12}) CHECK(a.buffer_of[temp] < 0);
  for (int32_t stored : {3, 5, 6, 11, 13, 14}) CHECK(a.buffer_of[stored] >= 0);
  // %6 is last read by the pass computing %11: %11 cannot have its buffer, the next pass can.
  CHECK(a.buffer_of[11] != a.buffer_of[6]);
  CHECK(a.buffer_of[13] == a.buffer_of[6]);
  CHECK(a.buffer_of[15] == a.buffer_of[14]);  // the carry takes over its start's buffer
}

TEST_CASE("prologue: fused at O3, value by value below, the same bits", "[fusion]") {
  const GraphPtr g = small_graph();
  auto reference = init(kPrologue, 0, g);
  auto fused = init(kPrologue, 3, g);
  CHECK(fused->program().plan().passes_at_init() == 3);
  CHECK(reference->program().plan().passes_at_init() == 12);
  const int64_t n = g->num_nodes();
  // Prologue values the loop reads (ids are those of the text at every level: no pass renumbers
  // a program whose body has nothing to hoist, fold or rewrite into the prologue).
  for (int32_t id : {5, 11, 13}) {
    const double* want = reference->slot(id).vec<double>();
    const double* got = fused->slot(id).vec<double>();
    for (int64_t v = 0; v < n; ++v) CHECK(std::memcmp(&want[v], &got[v], sizeof(double)) == 0);
  }
  CHECK(reference->slot(9).f == fused->slot(9).f);
  // By hand: sinks are 3 and 4 (5 has its self-loop); %8 = 3 + 4, %9 = 7 / 6.
  CHECK(fused->slot(9).f == 7.0 / 6.0);
  const double* inv = fused->slot(5).vec<double>();
  CHECK(inv[0] == 0.5);
  CHECK(inv[3] == 0.0);
  // %13 = (sum over in-neighbors u of %11[u]) + %5, %11[u] = (sum of u's in-neighbors' ids) * 7/6.
  const double* t = fused->slot(13).vec<double>();
  CHECK(t[3] == (1.0 + 0.0) * (7.0 / 6.0) + 0.0);  // 2 -> 3; 2's in-neighbors are 1 and 0
  CHECK(t[5] == 5.0 * (7.0 / 6.0) + 1.0);          // the self-loop, out-degree 1
}

TEST_CASE("prologue: fused or not, the same bits over many blocks and strips", "[fusion]") {
  const GraphPtr g = random_graph(40000);
  auto reference = init(kPrologue, 0, g);
  auto fused = init(kPrologue, 3, g);
  const int64_t n = g->num_nodes();
  auto same = [n](const double* a, const double* b) {
    int64_t differ = 0;
    for (int64_t v = 0; v < n; ++v) differ += std::memcmp(&a[v], &b[v], sizeof(double)) != 0;
    return differ;
  };
  for (int32_t id : {5, 11, 13}) CHECK(same(reference->slot(id).vec<double>(), fused->slot(id).vec<double>()) == 0);
  CHECK(reference->slot(9).f == fused->slot(9).f);
  reference->run(3, {});
  fused->run(3, {});
  const int32_t x0 = reference->program().find_output("x"), x3 = fused->program().find_output("x");
  CHECK(same(reference->slot(x0).vec<double>(), fused->slot(x3).vec<double>()) == 0);
}
