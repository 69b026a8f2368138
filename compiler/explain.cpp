// explain(): the plan as a person reads it; to_dot(): the same as a Graphviz graph.
#include "compiler/explain.hpp"

#include <algorithm>
#include <map>

#include "compiler/buffers.hpp"
#include "compiler/pass.hpp"
#include "compiler/row_codegen.hpp"
#include "core/error.hpp"

namespace sg::compiler {

namespace {

struct Names {
  std::map<int32_t, std::string> name;
  std::string operator()(int32_t id) const {
    auto it = name.find(id);
    return it == name.end() ? fmt::format("%{}", id) : it->second;
  }
};

// A constant as an operand: its value, typed by its spelling (1.0 float, 1 int, true bool).
std::string literal(const Value& v) {
  if (v.type.dtype == DType::Bool) return v.number != 0 ? "true" : "false";
  if (v.type.dtype == DType::I64) return fmt::format("{}", static_cast<int64_t>(v.number));
  std::string s = fmt::format("{}", v.number);
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";  // 1 -> 1.0; inf, nan, 1e+20 stay
  return v.type.dtype == DType::F32 ? s + "f" : s;
}

// What explain calls each value: carries, params and inputs by name, constants by value, the
// values the user named (Builder labels) by that name, the rest %id. A label two values share
// names the first; later ones get a suffix.
Names names_of(const ProgramIR& ir) {
  Names n;
  // Constants print as their value, so a name spelled like one is taken already.
  std::map<std::string, int> used = {{"inf", 1}, {"nan", 1}, {"true", 1}, {"false", 1}};
  auto take = [&](int32_t id, const std::string& want) {
    const int k = used[want]++;
    n.name[id] = k == 0 ? want : fmt::format("{}.{}", want, k + 1);
  };
  for (const CarryDecl& c : ir.carries) take(c.value, c.name);
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    const Value& v = ir.values[id];
    if (v.op == OpCode::Param || v.op == OpCode::Input) take(id, v.name);
  }
  for (int32_t id = 0; id < static_cast<int32_t>(ir.values.size()); ++id) {
    const Value& v = ir.values[id];
    if (v.op == OpCode::Const)
      n.name[id] = literal(v);
    else if (!v.label.empty() && !n.name.count(id))
      take(id, v.label);
  }
  return n;
}

// "file.py:12" of the user's source line (the directory left out), or "".
std::string source_line(const Value& v) {
  const size_t slash = v.loc.find_last_of('/');
  return slash == std::string::npos ? v.loc : v.loc.substr(slash + 1);
}

std::string line(const ProgramIR& ir, const Names& names, int32_t id, const std::string& note = "") {
  const Value& v = ir.values[id];
  std::string rhs = fmt::format("{}{}", op_name(v.op), op_attrs(v));
  for (int32_t i : v.inputs) rhs += " " + names(i);
  // A constant's own line keeps its id; its users show its value.
  std::string lhs = fmt::format("{}:{}", v.op == OpCode::Const ? fmt::format("%{}", id) : names(id), type_name(v.type));
  std::string s = fmt::format("{:<18} = {}", lhs, rhs);
  const std::string where = source_line(v);
  std::string comment = note;
  if (!where.empty()) comment = note.empty() ? where : fmt::format("{} ({})", note, where);
  if (!comment.empty()) s = fmt::format("{:<52} # {}", s, comment);
  return s + "\n";
}

// One kernel: a header ("step 1: ..." or "init: ..."), what it reads and writes, its
// compiled row loop if any, and its values with what the plan does with each.
std::string kernel_text(const ProgramIR& ir, const Plan& plan, const Names& names, const Kernel& k,
                        const std::string& label) {
  std::string out;
  std::map<int32_t, bool> mine;
  for (size_t i = 0; i < k.values.size(); ++i) mine[k.values[i]] = k.temporary[i];
  if (k.kind == Kernel::Kind::Scalar) {
    out += fmt::format("  {}: scalar\n", label);
  } else {
    std::string reads, writes;
    std::map<int32_t, bool> seen;
    for (int32_t id : k.values) {
      for (int32_t u : ir.values[id].inputs)
        if (ir.values[u].type.shape == Shape::Node && !mine.count(u) && !seen[u]) {
          seen[u] = true;
          reads += " " + names(u);
        }
      if (ir.values[id].type.shape == Shape::Node && !mine[id]) writes += " " + names(id);
    }
    const Value& first = ir.values[k.values[0]];
    const std::string what = k.reads_neighbors ? fmt::format("pull over {}-edges{}", direction_name(first.direction),
                                                             k.values.size() > 1 ? " + fused epilogue" : "")
                             : op_info(first.op).access == Access::All ? std::string(op_name(first.op))
                             : k.values.size() > 1                     ? "fused map"
                                                                       : "map";
    out += fmt::format("  {}: kernel, one pass over node data ({}, {} op{})\n", label, what, k.values.size(),
                       k.values.size() == 1 ? "" : "s");
    out +=
        fmt::format("      reads :{}\n      writes:{}\n", reads.empty() ? " -" : reads, writes.empty() ? " -" : writes);
    if (plan.compile_rows && k.reads_neighbors && k.values.size() > 1 &&
        ir.values[k.values[0]].region == Region::Body) {
      const RowKernel& r = k.row;
      out += !r.refused.empty() ? fmt::format("      row loop: interpreted per strip, not compiled: {}\n", r.refused)
             : r.attached()
                 ? fmt::format("      row loop: compiled ({}); {}\n", r.library,
                               plan.row_loop >= 0 ? fmt::format("runs {}", row_loop_name(RowLoop(plan.row_loop)))
                                                  : "each State times chunks and rows on its "
                                                    "first iterations and keeps the faster (stats['row_loops'])")
                 : fmt::format("      row loop: generated ({}), not compiled yet\n", r.symbol);
      if (r.refused.empty())
        out += r.sliced ? "      chunk gather: four rows side by side over the sliced CSR (graph/sliced_csr.hpp)\n"
                        : fmt::format("      chunk gather: row by row ({})\n", compiler::row_by_row_why(first));
      if (r.refused.empty())
        out += r.lanes_refused.empty()
                   ? "      chunk epilogue: four rows per vector op (kernels/lane_vectors.hpp)\n"
                   : fmt::format("      chunk epilogue: one row at a time, no 4-lane form: {}\n", r.lanes_refused);
      if (r.refused.empty() && !r.branch_masks.empty()) {
        std::string masks;
        for (int32_t m : r.branch_masks) masks += (masks.empty() ? "" : ", ") + names(m);
        out += fmt::format(
            "      row loop folds over {} with a branch when under 1/16 or over 15/16 of it is "
            "true (predicted), else a select (stats['row_loops'])\n",
            masks);
      }
    }
  }
  for (size_t i = 0; i < k.values.size(); ++i) {
    const int32_t id = k.values[i];
    const bool folded = !k.folded.empty() && k.folded[i];
    const bool in_place = !k.in_place.empty() && k.in_place[i];
    bool kept = false;
    for (const UnchangedRows& u : plan.unchanged_rows) kept = kept || u.aggregate == id;
    std::string note = folded           ? "computed inside the reduction's loop, never stored"
                       : in_place       ? "stored over its carry, in place, after each strip's reads"
                       : kept           ? "rows kept across iterations (unchanged rows, below)"
                       : k.temporary[i] ? "block temporary"
                       : (is_reduction(ir.values[id].op) && k.values.size() > 1) ? "reduction fused into the pass"
                                                                                 : "";
    if (ir.values[id].hoisted) note = note.empty() ? "hoisted out of the loop" : "hoisted out of the loop; " + note;
    out += "      " + line(ir, names, id, note);
  }
  return out;
}

}  // namespace

// Whether the loop runs over the nodes that changed, and if not, why (no silent fallbacks).
static std::string frontier_text(const ProgramIR& ir, const FrontierPlan& f, const Names& names) {
  if (!f.active()) return fmt::format("  frontier: none, the loop runs dense: {}\n", f.refused);
  const CarryDecl& c = ir.carries[static_cast<size_t>(f.carry)];
  return fmt::format(
      "  frontier: {} is a monotone {} fixed point over {}: each iteration visits only the nodes that changed "
      "{}\n",
      c.name, f.is_min ? "min" : "max", names(f.aggregate),
      f.ordered ? "(pushing from those in the lowest bucket of values; the others wait for theirs)"
                : "(pushing along their edges while they are few, pulling when many; state.stats shows which)");
}

std::string explain(const ProgramIR& ir, const Plan& plan, bool passes) {
  const Names names = names_of(ir);
  const int32_t nv = static_cast<int32_t>(ir.values.size());
  std::string out;
  out += fmt::format(
      "opt_level={}{}: {} pass{} over node data per iteration, {} step{} (native calls per "
      "iteration with apply_step)\n",
      plan.opt_level, plan.exact ? ", exact" : "", plan.passes_over_node_data(),
      plan.passes_over_node_data() == 1 ? "" : "es", plan.kernels.size(), plan.kernels.size() == 1 ? "" : "s");
  out += fmt::format("prologue (computed once per init, {} pass{} over node data):\n", plan.passes_at_init(),
                     plan.passes_at_init() == 1 ? "" : "es");
  for (int32_t id = 0; id < nv; ++id)
    if (ir.values[id].region == Region::Prologue &&
        (ir.values[id].op == OpCode::Param || ir.values[id].op == OpCode::Input))
      out += "    " + line(ir, names, id);
  // In execution order; a fused pass shows what it reads and writes, single values read as a list.
  const BufferAssignment buffers = assign_buffers(ir, plan, 1);
  auto note = [&](int32_t id) -> std::string {
    const Value& v = ir.values[id];
    if (v.hoisted) return "hoisted out of the loop";
    if (v.op != OpCode::Link && v.op != OpCode::Scatter) return "";
    const int32_t b = buffers.buffer_of[id];
    return b >= 0 && b == buffers.buffer_of[v.inputs[0]] ? fmt::format("written over {}", names(v.inputs[0])) : "";
  };
  for (const Kernel& k : plan.prologue) {
    if (k.kind == Kernel::Kind::Node && k.values.size() > 1) {
      out += kernel_text(ir, plan, names, k, "init");
      continue;
    }
    for (int32_t id : k.values) out += "    " + line(ir, names, id, note(id));
  }
  if (ir.has_loop) {
    std::string carries;
    for (const CarryDecl& c : ir.carries)
      carries += fmt::format("{}{} = {}", carries.empty() ? "" : ", ", c.name, names(c.init));
    const std::string limit =
        ir.max_iter >= kUntilConverged ? "until converged" : fmt::format("max_iter={}", ir.max_iter);
    const std::string order = !ir.ordered    ? ""
                              : ir.delta > 0 ? fmt::format(", in order of value (delta={})", ir.delta)
                                             : ", in order of value (delta chosen from the weights)";
    out += fmt::format("loop ({}{}; carry {}):\n", limit, order, carries);
    for (size_t s = 0; s < plan.kernels.size(); ++s)
      out += kernel_text(ir, plan, names, plan.kernels[s], fmt::format("step {}", s + 1));
    for (const CarryDecl& c : ir.carries) out += fmt::format("  {} <- {}\n", c.name, names(c.update));
    if (ir.until >= 0) out += fmt::format("  until {}\n", names(ir.until));
    if (ir.residual >= 0) out += fmt::format("  residual {}\n", names(ir.residual));
    out += frontier_text(ir, plan.frontier, names);
    for (const UnchangedRows& u : plan.unchanged_rows)
      out += fmt::format(
          "  unchanged rows: {} recomputes only the rows with a neighbor whose {} changed in the previous "
          "iteration (state.stats['unchanged_rows'] counts the others)\n",
          names(u.aggregate), ir.carries[static_cast<size_t>(u.carry)].name);
    for (const std::string& why : plan.unchanged_refused) out += fmt::format("  unchanged rows: {}\n", why);
  }
  if (!plan.epilogue.empty())
    out += fmt::format("epilogue (computed once after the loop, {} pass{} over node data):\n",
                       Plan::node_passes(plan.epilogue), Plan::node_passes(plan.epilogue) == 1 ? "" : "es");
  for (const Kernel& k : plan.epilogue) {
    if (k.kind == Kernel::Kind::Node && k.values.size() > 1) {
      out += kernel_text(ir, plan, names, k, "finish");
      continue;
    }
    for (int32_t id : k.values) out += "    " + line(ir, names, id);
  }
  for (const EpilogueOverCarry& e : plan.epilogue_over) {
    std::string output = names(e.output);
    for (const auto& [name, id] : ir.outputs)
      if (id == e.output)
        output = name == names(e.output) ? fmt::format("output '{}'", name)
                                         : fmt::format("output '{}' ({})", name, names(e.output));
    out += fmt::format(
        "  {} is stored over {}'s buffer when run() hands its buffers to the result (one node vector "
        "less)\n",
        output, names(e.carry));
  }
  std::string outs;
  for (const auto& [name, id] : ir.outputs) outs += fmt::format("{}{} = {}", outs.empty() ? "" : ", ", name, names(id));
  out += fmt::format("outputs: {}\n", outs);
  if (plan.opt_level < 3) out += "fusion: off below opt_level 3 (one kernel per step)\n";
  if (!plan.hints.empty()) {
    out += "hints:\n";
    for (const std::string& h : plan.hints) out += "  " + h + "\n";
  }
  if (!plan.refused.empty()) {
    out += "refused fusions:\n";
    for (const FusionDecision& d : plan.refused)
      out += fmt::format("  {} -> {}: {}\n", names(d.producer), names(d.consumer), d.reason);
  }
  if (passes) {
    for (const PassRecord& r : plan.log) {
      out += fmt::format("\n== after pass '{}' ({} change{}) ==\n", r.name, r.notes.size(),
                         r.notes.size() == 1 ? "" : "s");
      for (const std::string& n : r.notes) out += "  # " + n + "\n";
      out += r.ir_after;
    }
  }
  return out;
}

std::string to_dot(const ProgramIR& ir, const Plan& plan) {
  const Names names = names_of(ir);
  std::string out = "digraph program {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n";
  std::vector<int> kernel_of(ir.values.size(), -1);
  for (size_t s = 0; s < plan.kernels.size(); ++s) {
    const Kernel& k = plan.kernels[s];
    out += fmt::format("  subgraph cluster_{} {{\n    label=\"step {}{}\";\n    style=rounded;\n", s, s + 1,
                       k.kind == Kernel::Kind::Node ? " (pass over nodes)" : " (scalar)");
    for (int32_t id : k.values) {
      kernel_of[id] = static_cast<int>(s);
      out += fmt::format("    v{} [label=\"{}\\n{}\"];\n", id, names(id), op_name(ir.values[id].op));
    }
    out += "  }\n";
  }
  for (size_t id = 0; id < ir.values.size(); ++id) {
    if (kernel_of[id] >= 0) continue;
    const Value& v = ir.values[id];
    const char* style = v.region == Region::Prologue ? "dashed" : "solid";
    out += fmt::format("  v{} [label=\"{}\\n{}\", style={}];\n", id, names(static_cast<int32_t>(id)), op_name(v.op),
                       style);
  }
  for (size_t id = 0; id < ir.values.size(); ++id)
    for (int32_t u : ir.values[id].inputs) out += fmt::format("  v{} -> v{};\n", u, id);
  for (const CarryDecl& c : ir.carries)
    out += fmt::format("  v{} -> v{} [style=dotted, label=\"next {}\"];\n", c.update, c.value, c.name);
  return out + "}\n";
}

namespace {
// Every name disable takes, once each, in the order known_names lists them.
std::vector<std::string> disable_names() {
  std::vector<std::string> names;
  for (const PassInfo& p : ir_passes())
    if (std::find(names.begin(), names.end(), p.name) == names.end()) names.emplace_back(p.name);
  names.emplace_back(kFusion);
  for (const std::string& o : feature_names()) names.push_back(o);
  for (const std::string& r : rewrite_rule_names()) names.push_back(r);
  return names;
}
}  // namespace

bool is_known_name(const std::string& name) {
  const std::vector<std::string> names = disable_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string known_names() {
  std::string s;
  for (const std::string& n : disable_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace sg::compiler
