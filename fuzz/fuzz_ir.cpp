// libFuzzer target: IR text -> parse_ir + validate -> fusion::compile -> State on a tiny graph -> a few steps.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tbb/global_control.h>

#include "fusion/explain.hpp"
#include "fusion/kernels.hpp"
#include "runtime/error.hpp"
#include "runtime/graph.hpp"
#include "runtime/ir.hpp"
#include "runtime/program.hpp"

namespace {

// Tiny graphs with the awkward cases: self-loops, parallel edges, dangling and isolated nodes,
// undirected storage, negative weights, a single node, no nodes at all.
std::vector<sg::GraphPtr> make_graphs() {
  std::vector<sg::GraphPtr> g;
  const int32_t s1[] = {0, 0, 1, 2, 2, 3, 3}, d1[] = {1, 1, 2, 0, 2, 4, 0};
  const double w1[] = {0.5, 2.0, 1.0, 3.0, 1.0, 0.25, 4.0};
  sg::BuildOptions directed;
  g.push_back(sg::Graph::from_edges<int32_t>(s1, d1, w1, 7, 6, directed));
  sg::BuildOptions undirected;
  undirected.directed = false;
  g.push_back(sg::Graph::from_edges<int32_t>(s1, d1, nullptr, 7, 5, undirected));
  const double w2[] = {-1.0, 2.0, -0.5, 0.0, 1.0, 1.0, -3.0};
  sg::BuildOptions negative;
  negative.allow_negative_weights = true;
  negative.wide_offsets = true;
  g.push_back(sg::Graph::from_edges<int32_t>(s1, d1, w2, 7, 5, negative));
  g.push_back(sg::Graph::from_edges<int32_t>(nullptr, nullptr, nullptr, 0, 1, directed));
  g.push_back(sg::Graph::from_edges<int32_t>(nullptr, nullptr, nullptr, 0, 0, directed));
  return g;
}

uint64_t fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

void run(std::string_view text, uint64_t h, const std::vector<sg::GraphPtr>& graphs) {
  sg::ProgramIR ir = sg::parse_ir(text);
  (void)sg::print_ir(ir);

  // The optimizer level, exactness and one disabled pass or rule follow from the input's hash.
  sg::fusion::Options opts;
  opts.opt_level = static_cast<int>(h & 3);
  opts.exact = (h >> 2) & 1;
  if (((h >> 3) & 3) == 0) {
    std::vector<std::string> names;
    for (const auto& p : sg::fusion::ir_passes()) names.push_back(p.name);
    for (const auto& r : sg::fusion::rewrite_rule_names()) names.push_back(r);
    opts.disabled.push_back(names[(h >> 5) % names.size()]);
  }
  sg::Plan plan = sg::fusion::compile(ir, opts);
  (void)sg::fusion::explain(ir, plan, true);
  (void)sg::fusion::to_dot(ir, plan);
  auto program = std::make_shared<sg::Program>(std::move(ir), std::move(plan));

  const sg::GraphPtr& graph = graphs[(h >> 12) % graphs.size()];
  std::vector<double> input(static_cast<size_t>(graph->num_nodes()));
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<double>(i % 3) - 0.5 * static_cast<double>(i);
  sg::Bindings b;
  for (const sg::Value& v : program->ir().values)
    if (v.op == sg::OpCode::Input) b.inputs[v.name] = input.data();
  sg::State state(program, graph, b);

  // A bounded run: a few single steps (part of an iteration), then whole iterations.
  const int64_t steps = static_cast<int64_t>(program->steps().size());
  if (program->ir().has_loop && steps > 0 && ((h >> 16) & 1)) {
    for (int64_t i = 0; i < steps && i < 2; ++i) state.apply_step(i);
    for (int64_t i = state.next_step(); i > 0 && i < steps; ++i) state.apply_step(i);
  }
  const int64_t max_iter = std::min<int64_t>(program->ir().max_iter, 3);
  state.run(max_iter, {});
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // One worker thread: deterministic, and the two cores stay shared fairly.
  static tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<sg::GraphPtr> graphs = make_graphs();
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size), fnv1a(data, size), graphs);
  } catch (const sg::Error&) {
    // The library's typed errors are the expected outcome of a bad program; anything else is a bug.
  }
  return 0;
}
