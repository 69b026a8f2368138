// libFuzzer target: IR text (or bytes -> a generated program) -> parse_ir + validate -> compiler::compile -> State on a
// tiny graph -> a few steps.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <tbb/global_control.h>

#include "compiler/explain.hpp"
#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "core/error.hpp"
#include "exec/program.hpp"
#include "graph/graph.hpp"
#include "ir/ir.hpp"

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

// Bytes -> a well-typed program's text, so that most inputs reach the optimizer and the interpreter
// (raw text mutations mostly stop in the validator). Used for inputs not starting with "sgir".
class Generator {
 public:
  Generator(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  std::string text() {
    has_loop_ = byte() & 1;
    const int64_t max_iter = byte() % 5;
    const int nvalues = 2 + byte() % 40;
    int phase = 0;  // 0 prologue, 1 body, 2 epilogue
    for (int k = 0; k < nvalues && !done(); ++k) {
      if (has_loop_ && phase < 2 && byte() % 6 == 0)
        ++phase;
      else if (!has_loop_ && phase == 0 && byte() % 6 == 0)
        phase = 2;
      add_value(phase == 0 ? sg::Region::Prologue : phase == 1 ? sg::Region::Body : sg::Region::Epilogue);
    }
    std::string out = "sgir 1\n";
    if (has_loop_) out += fmt::format("loop {}\n", max_iter);
    for (const sg::Value& v : ir_.values) {
      out += fmt::format("v {} {} {} {} {}", "PBE"[static_cast<int>(v.region)], sg::op_name(v.op),
                         sg::dtype_name(v.type.dtype), v.type.shape == sg::Shape::Node ? "n" : "s", v.inputs.size());
      for (int32_t i : v.inputs) out += fmt::format(" {}", i);
      out += fmt::format(" number={} to={} combine={} direction={} edge={} weighted={} by={}", v.number,
                         sg::dtype_name(v.to), sg::combine_name(v.combine), sg::direction_name(v.direction),
                         sg::edge_name(v.edge), v.weighted ? 1 : 0, v.by_max ? "max" : "sum");
      if (v.op == sg::OpCode::Link)
        out += v.edges_to < 0 ? fmt::format(" edges={}:", v.edges_from)
                              : fmt::format(" edges={}:{}", v.edges_from, v.edges_to);
      if (!v.name.empty()) out += " name=" + v.name;
      out += "\n";
    }
    // Each carry is updated from a body or prologue value of its type (or keeps its value).
    for (const auto& [id, init] : carries_) {
      std::vector<int32_t> same;
      for (int32_t u = 0; u < static_cast<int32_t>(ir_.values.size()); ++u)
        if (ir_.values[u].type == ir_.values[id].type && ir_.values[u].region != sg::Region::Epilogue)
          same.push_back(u);
      out += fmt::format("carry {} {} {} {}\n", ir_.values[id].name, init, id, same[byte() % same.size()]);
    }
    auto pick = [&](auto ok) {
      std::vector<int32_t> c;
      for (int32_t u = 0; u < static_cast<int32_t>(ir_.values.size()); ++u)
        if (ok(ir_.values[u])) c.push_back(u);
      return c.empty() ? -1 : c[byte() % c.size()];
    };
    auto in_loop = [](const sg::Value& v) { return v.region != sg::Region::Epilogue; };
    if (has_loop_ && (byte() & 1)) {
      const int32_t u = pick([&](const sg::Value& v) {
        return in_loop(v) && v.type == sg::Type{sg::DType::Bool, sg::Shape::Scalar};
      });
      if (u >= 0) out += fmt::format("until {}\n", u);
    }
    if (has_loop_ && (byte() & 1)) {
      const int32_t u = pick([&](const sg::Value& v) {
        return in_loop(v) && v.type.shape == sg::Shape::Scalar && sg::is_numeric(v.type.dtype);
      });
      if (u >= 0) out += fmt::format("residual {}\n", u);
    }
    for (int k = 0, nout = 1 + byte() % 3; k < nout; ++k) {
      const int32_t u =
          pick([](const sg::Value& v) { return v.region != sg::Region::Body || v.op == sg::OpCode::Carry; });
      if (u >= 0) out += fmt::format("output o{} {}\n", k, u);
    }
    return out + "end\n";
  }

 private:
  uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  bool done() const { return p_ >= end_; }

  void add_value(sg::Region region) {
    static constexpr double kNumbers[] = {0,      1,      -1,     0.5,     2,        3,         -0.0, 1e300,
                                          -1e300, 1e-310, 9.2e18, -9.3e18, INFINITY, -INFINITY, NAN,  0.85};
    sg::Value v;
    v.region = region;
    v.op = static_cast<sg::OpCode>(byte() % sg::kNumOps);
    if (v.op == sg::OpCode::Carry) {
      if (region != sg::Region::Body) return;
      std::vector<int32_t> inits;
      for (int32_t u = 0; u < static_cast<int32_t>(ir_.values.size()); ++u)
        if (ir_.values[u].region == sg::Region::Prologue) inits.push_back(u);
      if (inits.empty()) return;
      const int32_t init = inits[byte() % inits.size()];
      v.type = ir_.values[init].type;
      v.name = fmt::format("c{}", ir_.values.size());
      carries_.emplace_back(static_cast<int32_t>(ir_.values.size()), init);
      ir_.values.push_back(std::move(v));
      return;
    }
    // Inputs: earlier values this region may use (prologue, own region, carries from the epilogue).
    std::vector<int32_t> usable;
    for (int32_t u = 0; u < static_cast<int32_t>(ir_.values.size()); ++u) {
      const sg::Value& w = ir_.values[u];
      if (w.region == sg::Region::Prologue || w.region == region ||
          (region == sg::Region::Epilogue && w.op == sg::OpCode::Carry))
        usable.push_back(u);
    }
    const int arity = sg::op_info(v.op).arity;
    if (arity > 0 && usable.empty()) return;
    for (int i = 0; i < arity; ++i) v.inputs.push_back(usable[byte() % usable.size()]);
    v.number = kNumbers[byte() % 16];
    v.to = static_cast<sg::DType>(byte() % 4);
    const uint8_t a = byte();
    v.combine = static_cast<sg::Combine>(a % 5);
    v.direction = static_cast<sg::Direction>((a / 5) % 3);
    v.edge = static_cast<sg::EdgeOp>((a / 15) % 3);
    v.weighted = (a / 45) & 1;
    v.by_max = (a / 90) & 1;
    const uint8_t e = byte();  // link's slice: from 0..3, to 0..3 past it or the row's end
    v.edges_from = e % 4;
    v.edges_to = (e / 4) % 5 == 4 ? -1 : v.edges_from + (e / 4) % 5;
    if (v.op == sg::OpCode::Param || v.op == sg::OpCode::Input) v.name = fmt::format("p{}", ir_.values.size());
    ir_.values.push_back(v);
    try {
      ir_.values.back().type = sg::infer_type(ir_, static_cast<int32_t>(ir_.values.size()) - 1);
    } catch (const sg::Error&) {
      ir_.values.pop_back();  // ill-typed: dropped (the validator is fuzzed by the text inputs)
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
  bool has_loop_ = false;
  sg::ProgramIR ir_;
  std::vector<std::pair<int32_t, int32_t>> carries_;  // carry value id, init id
};

void run(std::string_view text, uint64_t h, const std::vector<sg::GraphPtr>& graphs) {
  sg::ProgramIR ir = sg::parse_ir(text);
  (void)sg::print_ir(ir);

  // The optimizer level, exactness and one disabled pass or rule follow from the input's hash.
  sg::compiler::Options opts;
  opts.opt_level = static_cast<int>(h & 3);
  opts.exact = (h >> 2) & 1;
  if (((h >> 3) & 3) == 0) {
    std::vector<std::string> names;
    for (const auto& p : sg::compiler::ir_passes()) names.push_back(p.name);
    for (const auto& r : sg::compiler::rewrite_rule_names()) names.push_back(r);
    opts.disabled.push_back(names[(h >> 5) % names.size()]);
  }
  sg::Plan plan = sg::compiler::compile(ir, opts);
  (void)sg::compiler::explain(ir, plan, true);
  (void)sg::compiler::to_dot(ir, plan);
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
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string generated;
  if (text.substr(0, 4) != "sgir") {
    generated = Generator(data, size).text();
    text = generated;
    static const bool print = std::getenv("SG_FUZZ_PRINT") != nullptr;  // show the program of a crash input
    if (print) std::fprintf(stderr, "%s", generated.c_str());
  }
  try {
    run(text, fnv1a(data, size), graphs);
  } catch (const sg::Error&) {
    // The library's typed errors are the expected outcome of a bad program; anything else is a bug.
  }
  return 0;
}
