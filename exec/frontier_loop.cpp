// Frontier iterations of a State (compiler/frontier.cpp decides which loops; kernels/frontier.cpp
// has the push and pull steps): the same carry values, change counts and scalars as the dense
// pass, computed from the nodes that changed.
#include "exec/frontier_loop.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "exec/program.hpp"
#include "kernels/fused.hpp"

namespace sg {

namespace {

// Why an ordered loop runs unordered on this graph ("" if it need not): a candidate below its
// source's value (a negative weight or shift) would be settled in the bucket being settled, and
// a negative cycle would then keep that bucket from ever settling. Unordered iterations are
// bounded, and the loop's guard stops them.
std::string order_refusal(const kernels::FrontierKernel& k, const Graph& g) {
  const std::string tail = ", and a negative cycle would keep a bucket from ever settling: the frontier runs unordered";
  if (k.edge == EdgeOp::AddWeight && g.weighted() && g.has_negative_weights())
    return "loop.in_order() is ignored: the graph has negative edge weights" + tail;
  for (const kernels::Shift& s : k.shifts)
    if (s.sub ? s.s > 0 : s.s < 0)
      return fmt::format("loop.in_order() is ignored: the update {} {}", s.sub ? "subtracts" : "adds", s.s) + tail;
  return "";
}

// One unordered iteration from r's current frontier into the other; true if it pulled.
bool step(FrontierRun& r, int64_t n) {
  const kernels::FrontierKernel& k = r.kernel;
  kernels::Frontier& cur = r.fronts[r.current];
  kernels::Frontier& next = r.fronts[1 - r.current];
  if (cur.size == 0) {
    kernels::clear_frontier(next);
    next.size = next.scout = 0;
    next.listed = true;
    return false;
  }
  if (!r.rule.pulling && !cur.listed) kernels::list_frontier(k, cur);  // the rule weighs its edges
  if (r.rule.choose_pull(cur.size, cur.scout, r.push_edges, n)) {
    kernels::frontier_pull(k, cur, next);
    return true;
  }
  if (!cur.listed) kernels::list_frontier(k, cur, false);  // the rule has chosen: a bound serves the push
  kernels::clear_frontier(next);
  kernels::frontier_push(k, cur, next);
  return false;
}

}  // namespace

void State::prepare_frontier() {
  const FrontierPlan& fp = program_->plan().frontier;
  const ProgramIR& ir = program_->ir();
  if (!fp.active()) {
    stats_.frontier_note = fp.refused;
    return;
  }
  const int64_t n = graph_->num_nodes();
  const CarryDecl& c = ir.carries[static_cast<size_t>(fp.carry)];
  const Value& agg = value(fp.aggregate);
  auto run = std::make_shared<FrontierRun>();
  kernels::FrontierKernel& k = run->kernel;
  k.g = graph_.get();
  k.dir = agg.direction;
  k.edge = agg.edge;
  k.is_min = fp.is_min;
  k.dtype = value(c.value).type.dtype;
  // Loop-invariant body scalars: computed once here; their slots keep them for every iteration.
  for (int32_t id : fp.invariants) eval_value(frame_, id);
  int32_t chain = fp.aggregate;
  for (int32_t id : fp.shifts) {
    const Value& v = value(id);
    const bool scalar_first = v.inputs[1] == chain;
    const int32_t s = scalar_first ? v.inputs[0] : v.inputs[1];
    const Slot& slot = slots_[s];
    const double x = is_float(value(s).type.dtype) ? slot.f : static_cast<double>(slot.i);
    if (!std::isfinite(x)) {
      stats_.frontier_note = fmt::format("the update adds {} (not finite), and inf - inf has no order", x);
      return;
    }
    k.shifts.push_back(kernels::Shift{v.op == OpCode::Sub, scalar_first, x});
    chain = id;
  }
  const std::string unordered = fp.ordered ? order_refusal(k, *graph_) : "";
  const bool ordered = fp.ordered && unordered.empty();
  if (!unordered.empty()) stats_.frontier_note = unordered;
  if (k.edge == EdgeOp::AddWeight && graph_->weighted() && !ordered)  // the pull's bound; ordered loops push
    k.weight_bound = kernels::extreme_weight(*graph_, k.is_min);
  if (ordered) k.delta = fp.delta > 0 ? fp.delta : kernels::default_delta(*graph_);
  const bool both = k.dir == Direction::Both;
  run->push_edges = (both || k.dir == Direction::In ? graph_->out().nnz : 0) +
                    ((both && graph_->directed()) || k.dir == Direction::Out ? graph_->in().nnz : 0);
  if (!ordered) {  // Beamer's rule, for pushes that need not count their scout
    k.max_push_degree = kernels::max_push_degree(k);
    k.pull_threshold = kernels::DirectionRule::threshold(run->push_edges);
  }
  if (ordered) {  // a start bitmap and the pending one: the bins hold the lists
    run->fronts[0].allocate(n, false);
    run->ordered.allocate(n);
    stats_.allocations += 2;
  } else {
    run->fronts[0].allocate(n);
    run->fronts[1].allocate(n);
    run->snap = Array<unsigned char>(static_cast<size_t>(n) * dtype_size(k.dtype));
    run->reached.bits = Array<kernels::Word>(static_cast<size_t>((n + 63) / 64));
    stats_.allocations += 4;
  }
  // The starting frontier, in the same pass over the start values as the check that rules the
  // frontier out: a -0.0 equals +0.0 yet is not the same bits, so which zero a node kept would
  // depend on the visiting order.
  k.x = slots_[c.value].node;
  const int64_t negative_zero = kernels::start_frontier(k, run->fronts[0], run->nans);
  if (negative_zero < n) {
    stats_.frontier_note =
        fmt::format("'{}' starts with -0.0 at node {}, and which zero a node keeps would depend on the order", c.name,
                    negative_zero);
    return;
  }
  if (ordered) kernels::start_ordered(k, run->fronts[0], run->ordered);
  run->fresh = false;
  stats_.frontier = true;
  frontier_ = std::move(run);
}

void State::frontier_iteration() {
  check_interrupt();  // before anything changes: the iteration is not begun
  const int64_t t0 = now_ns();
  const FrontierPlan& fp = program_->plan().frontier;
  FrontierRun& r = *frontier_;
  kernels::FrontierKernel& k = r.kernel;
  k.x = slots_[program_->ir().carries[static_cast<size_t>(fp.carry)].value].node;  // a dense pass may swap it
  k.snap = r.snap.data();
  k.reached = k.delta > 0 ? nullptr : &r.reached;
  if (r.fresh) {  // after a dense pass (prepare_frontier starts the first)
    kernels::start_frontier(k, r.fronts[r.current], r.nans);
    if (k.delta > 0) kernels::start_ordered(k, r.fronts[r.current], r.ordered);
    r.fresh = false;
  }
  int64_t pending = 0;  // the nodes that changed and have not pushed yet
  if (k.delta > 0) {
    stats_.frontier_sizes.push_back(kernels::settle_bucket(k, r.ordered));
    stats_.frontier_pulls.push_back(false);
    pending = r.ordered.count;
  } else {
    kernels::Frontier& cur = r.fronts[r.current];
    stats_.frontier_sizes.push_back(cur.size);
    stats_.frontier_pulls.push_back(step(r, graph_->num_nodes()));
    r.current = 1 - r.current;
    pending = r.fronts[r.current].size;
  }
  if (fp.changes >= 0) {
    const int64_t changed = pending + r.nans;
    slots_[fp.changes].i = value(fp.changes).op == OpCode::Any ? changed > 0 : changed;
  }
  for (int32_t id : fp.from_changes) eval_value(frame_, id);
  const int64_t dt = now_ns() - t0;
  stats_.kernel_ns += dt;
  count_iteration();
}

}  // namespace sg
