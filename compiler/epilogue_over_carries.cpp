// Epilogue outputs stored over a dead carry's buffer: when a run hands its buffers to its result,
// nothing reads the carries after the epilogue, so an output of the same element size may take
// a carry's buffer instead of one of its own (BFS: level over distance; one node vector less).
#include "compiler/kernels.hpp"
#include "ir/op_table.hpp"

namespace sg::compiler {

namespace {

bool reads(const Value& v, int32_t id) {
  for (int32_t in : v.inputs)
    if (in == id) return true;
  return false;
}

// Whether kernel `k` may store its entry `at` over `carry`: every pass is elementwise and in
// value order (so a node's carry value is read before its output is written), and no entry after
// `at` reads the carry.
bool writable_over(const ProgramIR& ir, const Kernel& k, size_t at, int32_t carry) {
  if (k.kind != Kernel::Kind::Node || k.reads_neighbors || k.writes_in_place()) return false;
  for (size_t i = 0; i < k.values.size(); ++i) {
    const Value& v = ir.values[k.values[i]];
    if (reads_other_nodes(v.op)) return false;
    if (!k.folded.empty() && k.folded[i]) return false;  // evaluated at its reduction, not in order
    if (i > at && reads(v, carry)) return false;
  }
  return true;
}

}  // namespace

void place_epilogue_over_carries(const ProgramIR& ir, Plan& plan) {
  std::vector<char> taken(ir.values.size(), 0), is_output(ir.values.size(), 0);
  for (const auto& o : ir.outputs) is_output[o.second] = 1;
  for (size_t ki = 0; ki < plan.epilogue.size(); ++ki) {
    const Kernel& k = plan.epilogue[ki];
    for (size_t at = 0; at < k.values.size(); ++at) {
      const int32_t out = k.values[at];
      const Value& v = ir.values[out];
      if (!is_output[out] || k.temporary[at] || v.type.shape != Shape::Node) continue;
      for (const CarryDecl& c : ir.carries) {
        const Value& cv = ir.values[c.value];
        if (taken[c.value] || is_output[c.value] || is_output[c.update] || cv.type.shape != Shape::Node ||
            dtype_size(cv.type.dtype) != dtype_size(v.type.dtype) || !writable_over(ir, k, at, c.value))
          continue;
        bool read_later = false;  // by a later epilogue kernel
        for (size_t kj = ki + 1; kj < plan.epilogue.size() && !read_later; ++kj)
          for (int32_t id : plan.epilogue[kj].values) read_later = read_later || reads(ir.values[id], c.value);
        if (read_later) continue;
        taken[c.value] = 1;
        plan.epilogue_over.push_back({static_cast<int32_t>(ki), out, c.value});
        break;
      }
    }
  }
}

}  // namespace sg::compiler
