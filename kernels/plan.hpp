// Plan: how a program's loop body runs: kernels (one pass over node data each) and scalar steps.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/row_kernel_abi.hpp"
#include "kernels/row_loop.hpp"

namespace sg {

// A node kernel's row loop as generated C++ (compiler/row_codegen.cpp, enable=("compiled",)):
// its gather and whole epilogue in one loop, in two layouts (kernels/row_loop.hpp).
struct RowKernel {
  std::string refused;                // why this kernel has no compiled form ("" if it has one)
  std::string source, symbol;         // the C++ source and its entry points' common prefix
  std::vector<int32_t> nodes;         // operands, in RowArgs order: node buffers
  std::vector<int32_t> scalars;       //   scalars
  std::vector<int32_t> reductions;    //   reductions (four lanes each)
  std::vector<int32_t> branch_masks;  // hoisted masks the branch variants test (row_variant)
  std::string lanes_refused;          // why the chunk epilogue runs one row at a time ("": four per op)
  bool sliced = false;                // the chunks layout gathers over the sliced CSR (RowArgs::sliced)
  RowKernelFn fn[kRowVariants] = {};  // null until a library is attached
  std::string library;                // where it was loaded from
  bool attached() const { return fn[0] != nullptr; }
};

struct Kernel {
  enum class Kind : uint8_t { Scalar, Node };
  Kind kind = Kind::Node;
  std::vector<int32_t> values;    // in execution order; a neighbor_agg or normalize only comes first
  std::vector<char> temporary;    // per entry of `values`: lives only in a block temporary
  std::vector<char> folded;       // per entry (or empty): never stored, computed inside the loop
                                  // of its only user, a reduction (can_fold_into_reduction)
  std::vector<char> folds_input;  // per entry (or empty): a reduction computing its folded input
  std::vector<char> in_place;     // per entry (or empty): a carry's update, computed in a strip
                                  // temporary and stored over the carry itself at the strip's end
  bool reads_neighbors = false;   // starts with a neighbor_agg (the rest is its epilogue)
  RowKernel row;                  // its compiled row loop, when opted in
  bool writes_in_place() const {
    for (char c : in_place)
      if (c) return true;
    return false;
  }
  // Whether entry i lives in a strip temporary while the kernel runs.
  bool strip_temp(size_t i) const { return temporary[i] || (!in_place.empty() && in_place[i]); }
};

// A fusion the optimizer refused, and why (shown by explain: no silent fallbacks).
struct FusionDecision {
  int32_t producer = -1;
  int32_t consumer = -1;
  std::string reason;
};

// A loop that runs over the nodes that changed (compiler/frontier.cpp, exec/frontier_loop.cpp):
// its one carry x is updated as x <- minimum(x, G(neighbor_agg(x, min, dir, edge))) (or the max
// form), G a chain of additions of loop-invariant scalars. Then a node can change only where an
// aggregated neighbor changed in the previous iteration, so each iteration visits those.
struct FrontierPlan {
  std::string refused;     // why the loop runs dense ("" when it runs with a frontier)
  int32_t carry = -1;      // index into ProgramIR::carries
  int32_t aggregate = -1;  // the neighbor_agg value
  bool is_min = true;      // minimum / min (else maximum / max)
  bool ordered = false;    // loop.in_order(): buckets of `delta` of the value (0: chosen at init)
  double delta = 0;
  std::vector<int32_t> shifts;        // G: add / sub values, in order, each with one scalar operand
  int32_t changes = -1;               // count or any of (update != x), or -1
  std::vector<int32_t> invariants;    // body scalars not reading `changes` (evaluated first), in order
  std::vector<int32_t> from_changes;  // body scalars reading `changes` (evaluated last), in order
  bool active() const { return refused.empty() && carry >= 0; }
};

// An aggregation of a carry that keeps its rows across iterations (compiler/unchanged_rows.cpp):
// a row none of whose aggregated neighbors changed in the previous iteration holds the same
// value as before, so each iteration recomputes only the rows with a changed neighbor.
struct UnchangedRows {
  int32_t aggregate = -1;  // the neighbor_agg value, in a buffer of its own kept across iterations
  int32_t carry = -1;      // index into ProgramIR::carries: the carry it aggregates
  int32_t updates = -1;    // the carry it is the update of (-1: none): its last rows are that carry's value
};

// An epilogue output stored over a carry's buffer when the run hands its buffers to its result
// (compiler/epilogue_over_carries.cpp): the carry is dead by then, and of the same element size.
struct EpilogueOverCarry {
  int32_t kernel = -1;  // index into Plan::epilogue
  int32_t output = -1;  // the value stored
  int32_t carry = -1;   // the carried value whose buffer it takes
};

struct PassRecord {
  std::string name;
  std::vector<std::string> notes;
  std::string ir_after;
};

struct Plan {
  std::vector<Kernel> prologue;  // init: the prologue's values in kernels, run once in order
  std::vector<Kernel> kernels;   // the loop body, in order: one apply_step each
  std::vector<Kernel> epilogue;  // after the loop: the epilogue's values in kernels, run once
  std::vector<FusionDecision> refused;
  std::vector<PassRecord> log;                   // what each pass did
  std::vector<std::string> hints;                // options that would change this plan (explain prints them)
  FrontierPlan frontier;                         // whether (and how) the loop runs over changed nodes only
  std::vector<EpilogueOverCarry> epilogue_over;  // outputs a final finish stores over carries
  std::vector<UnchangedRows> unchanged_rows;     // aggregations recomputing changed rows only
  std::vector<std::string> unchanged_refused;    // the loop's other aggregations, and why (explain)
  int opt_level = 0;
  bool exact = false;
  bool compile_rows = false;  // enable=("compiled",): pull kernels carry generated row loops
  int8_t row_loop = -1;       // a RowLoop every State uses for compiled steps; -1: each measures
  int passes_over_node_data() const { return node_passes(kernels); }
  int passes_at_init() const { return node_passes(prologue); }
  static int node_passes(const std::vector<Kernel>& ks) {
    int p = 0;
    for (const Kernel& k : ks) p += k.kind == Kernel::Kind::Node;
    return p;
  }
};

}  // namespace sg
