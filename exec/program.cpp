// The executor: a compiled program, and a State running its steps, iterations and whole loops
// (a State's initialization is in exec/state_init.cpp).
#include "exec/program.hpp"

#include <optional>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

#include "compiler/kernels.hpp"
#include "compiler/lower.hpp"
#include "core/error.hpp"
#include "exec/frontier_loop.hpp"
#include "kernels/fused.hpp"

namespace sg {

std::shared_ptr<Program> compile_program(const std::string& ir_text, const compiler::Options& opts) {
  opts.check_opt_level();
  ProgramIR ir = parse_ir(ir_text);
  opts.check_names();
  Plan plan = compiler::compile(ir, opts);
  return std::make_shared<Program>(std::move(ir), std::move(plan));
}

Program::Program(ProgramIR ir, Plan plan) : ir_(std::move(ir)), plan_(std::move(plan)) {
  const int32_t nv = static_cast<int32_t>(ir_.values.size());
  std::vector<int> update_uses(static_cast<size_t>(nv), 0);
  for (const CarryDecl& c : ir_.carries) ++update_uses[c.update];
  for (const CarryDecl& c : ir_.carries) {
    const Value& u = ir_.values[c.update];
    carry_swaps_.push_back(u.region == Region::Body && u.op != OpCode::Carry && update_uses[c.update] == 1);
  }
}

int32_t Program::find_output(const std::string& name) const {
  for (const auto& [n, id] : ir_.outputs)
    if (n == name) return id;
  for (const CarryDecl& c : ir_.carries)
    if (c.name == name) return c.value;
  return -1;
}

State::Use::Use(State& s) : s_(s) {
  if (s_.released_) fail(ErrorKind::State, "this State handed its buffers to a run's result; init a new one");
  bool expected = false;
  if (!s_.busy_.compare_exchange_strong(expected, true)) {
    if (s_.owner_.load() == std::this_thread::get_id())
      fail(ErrorKind::State, "this State is running (a call from run's progress callback cannot apply it again)");
    fail(ErrorKind::State, "this State is in use by another thread; give each thread its own State");
  }
  s_.owner_.store(std::this_thread::get_id());
}
State::Use::~Use() {
  s_.owner_.store(std::thread::id());
  s_.busy_.store(false);
}

void State::check_readable() const {
  if (released_) fail(ErrorKind::State, "this State handed its buffers to a run's result; init a new one");
  if (busy_.load() && owner_.load() != std::this_thread::get_id())
    fail(ErrorKind::State, "this State is being run by another thread; read it after that call returns");
}

void State::check_whole(int32_t id) const {
  if (!stored_in_place_ || !slots_[id].node) return;
  for (const Kernel& k : program_->steps())
    for (size_t i = 0; i < k.values.size(); ++i)
      if (k.writes_in_place() && k.in_place[i] && slots_[k.values[i]].node == slots_[id].node)
        fail(ErrorKind::State,
             "'{}' is half updated: iteration {} stores it in place and {} (apply_step {} is next); finish "
             "that iteration (apply_batch, run, or apply_step) before reading it",
             value(id).name.empty() ? fmt::format("%{}", id) : value(id).name, iteration_ + 1,
             batch_interrupted_ ? "was interrupted" : "stopped between steps", next_step_);
}

int32_t State::readable_output(const std::string& name) const {
  check_readable();
  const int32_t id = program_->find_output(name);
  if (id < 0) fail(ErrorKind::Parameter, "no output or carried value named '{}'", name);
  if (std::find(overwritten_.begin(), overwritten_.end(), id) != overwritten_.end())
    fail(ErrorKind::State, "'{}' was overwritten by the outputs at the end of run(); init a new State to read it",
         name);
  check_whole(id);
  return id;
}

std::vector<char> State::outputs_to_hand_over() const {
  const auto& outs = program_->ir().outputs;
  for (const auto& [name, id] : outs) check_whole(id);
  std::set<const unsigned char*> taken;
  std::vector<char> moves;
  for (const auto& [name, id] : outs) {
    const unsigned char* p = slots_[id].node;
    moves.push_back(value(id).type.shape != Shape::Scalar && p && taken.insert(p).second);
  }
  return moves;
}

Array<unsigned char> State::release_buffer(int32_t id) {
  unsigned char* p = slots_[id].node;
  released_ = true;
  for (Array<unsigned char>& b : buffers_)
    if (p && b.data() == p) return std::move(b);
  return {};
}

std::vector<RowLoopSummary> State::row_loop_summaries() const {
  std::vector<RowLoopSummary> out;
  const auto& steps = program_->steps();
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].row.attached()) continue;
    const RowLoopChoice& c = row_loops_[i];
    RowLoopSummary r{i, c.chosen >= 0 ? row_loop_name(RowLoop(c.chosen)) : nullptr, {}, c.pairs, {}, nullptr};
    for (int l = 0; l < kRowLoops; ++l)
      if (c.best_ns[l] != std::numeric_limits<int64_t>::max())  // not tried
        r.best_ns.emplace_back(row_loop_name(RowLoop(l)), c.best_ns[l]);
    if (c.pairs > 0) r.rows_vs_chunks = std::exp(c.median_log_ratio());
    if (!steps[i].row.branch_masks.empty()) r.masks = row_branch(i) ? "branch" : "select";
    out.push_back(std::move(r));
  }
  return out;
}

void State::run_step(int32_t index) {
  const Kernel& k = program_->steps()[index];
  const int64_t t0 = now_ns();
  if (index == 0) kept_rows_.store(0, std::memory_order_relaxed);
  // A kernel storing over a carry cannot be abandoned half-way (the old values are gone): its
  // blocks are marked as they finish, and an interrupted pass is resumed where it stopped.
  const bool in_place = k.writes_in_place();
  const bool resumed = in_place && std::find(done_blocks_.begin(), done_blocks_.end(), 1) != done_blocks_.end();
  stored_in_place_ = stored_in_place_ || in_place;
  RowLoopChoice* choice = k.row.attached() ? &row_loops_[static_cast<size_t>(index)] : nullptr;
  const RowLoop loop = choice ? choice->next() : RowLoop::Interpreted;
  run_kernel(frame_, k, loop, row_branch_[static_cast<size_t>(index)]);
  if (in_place) std::fill(done_blocks_.begin(), done_blocks_.end(), uint8_t{0});
  const int64_t dt = now_ns() - t0;
  if (choice && choice->chosen < 0 && !resumed) {  // a resumed pass's time is not a whole pass's
    const int pairs = choice->pairs;
    choice->record(loop, dt);
    if (choice->pairs != pairs) program_->remember_row_loops(graph_, row_loops_);  // a pair done (or the choice)
  }
  stats_.step_ns[index] += dt;
  stats_.kernel_ns += dt;
  for (size_t i = 0; i < k.values.size(); ++i)
    stats_.reuses += value(k.values[i]).type.shape == Shape::Node && !k.temporary[i];
}

void State::end_iteration() {
  // All carries update at once: carry-to-carry updates are staged before anything changes.
  const ProgramIR& ir = program_->ir();
  auto bytes = [&](const CarryDecl& c) {
    return static_cast<size_t>(graph_->num_nodes()) * dtype_size(value(c.value).type.dtype);
  };
  auto copy = [&](Slot& dst, const Slot& src, size_t size) {
    dst.f = src.f;
    dst.i = src.i;
    if (dst.node && src.node && size) std::memcpy(dst.node, src.node, size);
  };
  if (!changes_.empty()) track_changes();
  const size_t nc = ir.carries.size();
  for (size_t k = 0; k < nc; ++k)
    if (value(ir.carries[k].update).op == OpCode::Carry)
      copy(staged_[k], slots_[ir.carries[k].update], bytes(ir.carries[k]));
  for (size_t k = 0; k < nc; ++k) {
    const CarryDecl& c = ir.carries[k];
    if (value(c.update).op == OpCode::Carry) continue;
    Slot &dst = slots_[c.value], &src = slots_[c.update];
    if (program_->carry_swaps()[k] && dst.node) {
      dst.f = src.f;
      dst.i = src.i;
      std::swap(dst.node, src.node);  // double buffering, no copy
    } else {
      copy(dst, src, bytes(c));
    }
  }
  for (size_t k = 0; k < nc; ++k)
    if (value(ir.carries[k].update).op == OpCode::Carry)
      copy(slots_[ir.carries[k].value], staged_[k], bytes(ir.carries[k]));
  if (frontier_) restart_frontier(*frontier_);  // the dense pass does not say which nodes changed
  count_iteration();
}

void State::count_iteration() {
  const ProgramIR& ir = program_->ir();
  ++iteration_;
  ++stats_.iterations;
  next_step_ = 0;
  stored_in_place_ = batch_interrupted_ = false;
  if (ir.until >= 0) converged_ = slots_[ir.until].i != 0;
  if (ir.residual >= 0) {
    const Slot& r = slots_[ir.residual];
    residual_ = is_float(value(ir.residual).type.dtype) ? r.f : static_cast<double>(r.i);
    residuals_.push_back(residual_);
  }
}

void State::apply_step(int64_t i) {
  check_not_overwritten();
  const int64_t steps = static_cast<int64_t>(program_->steps().size());
  if (!program_->ir().has_loop) fail(ErrorKind::State, "this program has no loop, so no steps");
  if (steps == 0)
    fail(ErrorKind::State,
         "the loop has no steps (the optimizer moved all its work out of it); use apply_batch or run");
  if (i < 0 || i >= steps) fail(ErrorKind::State, "step {} is out of range; the loop has {} steps", i, steps);
  if (i != next_step_) fail(ErrorKind::State, "step {} called out of order; step {} is next", i, next_step_);
  run_step(static_cast<int32_t>(i));
  ++next_step_;
  if (next_step_ == steps) end_iteration();
}

void State::apply_batch() {
  check_not_overwritten();
  if (!program_->ir().has_loop) fail(ErrorKind::State, "this program has no loop to iterate");
  if (next_step_ != 0 && !batch_interrupted_)
    fail(ErrorKind::State, "an iteration is half done by apply_step (step {} is next)", next_step_);
  if (frontier_) return frontier_iteration();
  const int32_t steps = static_cast<int32_t>(program_->steps().size());
  // Interrupted before anything was stored in place, the iteration is discarded (next_step_
  // stays 0); after, it is continued from the interrupted step by the next apply_batch.
  for (int32_t i = static_cast<int32_t>(next_step_); i < steps; ++i) {
    try {
      run_step(i);
    } catch (const Interrupted&) {
      if (stored_in_place_) {
        next_step_ = i;
        batch_interrupted_ = true;
      }
      throw;
    }
  }
  end_iteration();
}

void State::run(int64_t max_iter, const std::function<bool()>& between, bool final) {
  check_not_overwritten();
  if (!program_->ir().has_loop) return finish(final);
  if (graph_->num_nodes() == 0) {  // nothing to iterate over: the loop is skipped, as the native twins do
    converged_ = true;
    return finish(final);
  }
  while (iteration_ < max_iter && !converged_) {
    apply_batch();
    if (between && !between()) return;
  }
  finish(final);
}

void State::check_not_overwritten() const {
  if (!overwritten_.empty())
    fail(ErrorKind::State,
         "this State stored its outputs over its carries at the end of run() (its buffers go to the result); init a "
         "new one");
}

// Whether `e` may store its output over its carry's buffer in this State: no other output, and
// nothing the epilogue reads after that output, shares the buffer (an update stored in place does).
bool State::can_store_over(const EpilogueOverCarry& e) const {
  const unsigned char* p = slots_[e.carry].node;
  if (!p) return false;
  for (const auto& [name, id] : program_->ir().outputs)
    if (id != e.output && slots_[id].node == p) return false;
  const auto& epilogue = program_->plan().epilogue;
  bool after = false;
  for (size_t k = static_cast<size_t>(e.kernel); k < epilogue.size(); ++k)
    for (int32_t id : epilogue[k].values) {
      if (after)
        for (int32_t in : value(id).inputs)
          if (in != e.carry && slots_[in].node == p) return false;
      after = after || id == e.output;
    }
  return true;
}

void State::finish(bool final) {
  check_not_overwritten();
  for (const auto& [name, id] : program_->ir().outputs) check_whole(id);
  for (const CarryDecl& c : program_->ir().carries) check_whole(c.value);
  const Plan& plan = program_->plan();
  std::vector<const EpilogueOverCarry*> over;
  if (final)
    for (const EpilogueOverCarry& e : plan.epilogue_over)
      if (can_store_over(e)) over.push_back(&e);
  std::optional<InterruptPause> pause;  // the outputs' one pass is not cut short: the carries go with it
  if (!over.empty()) {
    check_interrupt();  // a Ctrl-C that came before it leaves the State as it is
    pause.emplace();
    for (const EpilogueOverCarry* e : over) overwritten_.push_back(e->carry);
  }
  for (size_t k = 0; k < plan.epilogue.size(); ++k) {
    for (const EpilogueOverCarry* e : over)
      if (static_cast<size_t>(e->kernel) == k) slots_[e->output].node = slots_[e->carry].node;
    run_kernel(frame_, plan.epilogue[k]);
  }
}

}  // namespace sg
