// The executor: binds a program to a graph, runs steps, iterations and whole loops.
#include "exec/program.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include <tbb/task_arena.h>

#include "kernels/fused.hpp"
#include "compiler/buffers.hpp"
#include "core/error.hpp"
#include "core/memory.hpp"

namespace sg {

namespace {
int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Program::Program(ProgramIR ir, Plan plan) : ir_(std::move(ir)), plan_(std::move(plan)) {
  const int32_t nv = static_cast<int32_t>(ir_.values.size());
  std::vector<int> update_uses(static_cast<size_t>(nv), 0);
  for (const CarryDecl& c : ir_.carries) ++update_uses[c.update];
  for (int32_t id = 0; id < nv; ++id) {
    const Value& v = ir_.values[id];
    if (v.region == Region::Epilogue) epilogue_.push_back(id);
  }
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

Array<unsigned char> State::release_buffer(int32_t id) {
  unsigned char* p = slots_[id].node;
  released_ = true;
  for (Array<unsigned char>& b : buffers_)
    if (p && b.data() == p) return std::move(b);
  return {};
}

State::State(ProgramPtr program, GraphPtr graph, const Bindings& b)
    : program_(std::move(program)), graph_(std::move(graph)) {
  const ProgramIR& ir = program_->ir();
  const int64_t n = graph_->num_nodes();
  for (const auto& [name, value] : b.params) {
    bool known = false;
    for (const Value& v : ir.values) known |= (v.op == OpCode::Param || v.op == OpCode::Input) && v.name == name;
    if (!known) {
      std::string names;
      for (const Value& v : ir.values)
        if (v.op == OpCode::Param || v.op == OpCode::Input) names += (names.empty() ? "" : ", ") + v.name;
      fail(ErrorKind::Parameter, "unknown parameter '{}'; this program takes: {}", name,
           names.empty() ? "nothing" : names);
    }
  }
  for (const auto& [name, data] : b.inputs) {
    bool known = false;
    for (const Value& v : ir.values) known |= v.op == OpCode::Input && v.name == name;
    if (!known) fail(ErrorKind::Parameter, "unknown input vector '{}'", name);
    if (data == nullptr && n > 0) fail(ErrorKind::Parameter, "input vector '{}' has no data", name);
  }
  const BufferAssignment plan = assign_buffers(ir, program_->plan(), n);
  double bytes = 0;
  for (int64_t b : plan.buffer_bytes) bytes += static_cast<double>(b);
  ensure_memory(bytes, "allocating this program's state");
  for (int64_t b : plan.buffer_bytes) {
    buffers_.emplace_back(static_cast<size_t>(b));
    ++stats_.allocations;
  }

  slots_.resize(ir.values.size());
  partial_at_.assign(ir.values.size(), -1);
  const int64_t nb = graph_->partition().num_blocks();
  for (size_t id = 0; id < ir.values.size(); ++id) {
    const Rule r = op_info(ir.values[id].op).rule;
    if (r == Rule::Reduce || r == Rule::ReduceMask || r == Rule::Normalize) {
      partial_at_[id] = static_cast<int64_t>(partials_.size());
      partials_.resize(partials_.size() + static_cast<size_t>(nb));
    }
  }
  // Hoisted bool vectors never change after init: fused kernels summarize each strip once.
  mask_summary_at_.assign(ir.values.size(), -1);
  for (size_t id = 0; id < ir.values.size(); ++id) {
    const Value& v = ir.values[id];
    if (v.region == Region::Prologue && v.type.shape == Shape::Node && v.type.dtype == DType::Bool) {
      mask_summary_at_[id] = static_cast<int64_t>(mask_summaries_.size());
      mask_summaries_.resize(mask_summaries_.size() + static_cast<size_t>(nb * kStripsPerBlock), int8_t{-1});
    }
  }
  // Scratch for every thread that may run a kernel, so no iteration allocates.
  int64_t max_temps = 1;
  for (const std::vector<Kernel>* ks : {&program_->prologue(), &program_->steps()})
    for (const Kernel& k : *ks) {
      int64_t t = 0;
      for (size_t i = 0; i < k.values.size(); ++i) t += k.strip_temp(i);
      max_temps = std::max(max_temps, t);
    }
  threads_.resize(static_cast<size_t>(std::max(1, tbb::this_task_arena::max_concurrency())));
  for (ThreadScratch& t : threads_) {
    t.temps = Array<unsigned char>(static_cast<size_t>(max_temps * kStripBytes));
    t.operands = Array<unsigned char>(static_cast<size_t>(3 * kBlockNodes * 8));
    t.block.temps.reserve(static_cast<size_t>(max_temps));
  }
  frame_ = Frame{&ir, graph_.get(), &slots_, &partials_, &partial_at_, &threads_, &mask_summaries_,
                 &mask_summary_at_};
  for (size_t id = 0; id < ir.values.size(); ++id) {
    const Value& v = ir.values[id];
    Slot& s = slots_[id];
    if (plan.buffer_of[id] >= 0) s.node = buffers_[plan.buffer_of[id]].data();
    if (v.op == OpCode::Param) {
      auto it = b.params.find(v.name);
      const double x = it == b.params.end() ? v.number : it->second;
      if (v.type.dtype == DType::I64) {
        if (!(std::isfinite(x) && x == std::trunc(x) && std::abs(x) < 9.2e18))
          fail(ErrorKind::Parameter, "parameter '{}' must be an integer, got {}", v.name, x);
        s.i = static_cast<int64_t>(x);
      } else {
        s.f = v.type.dtype == DType::F32 ? static_cast<double>(static_cast<float>(x)) : x;
      }
    } else if (v.op == OpCode::Input) {
      auto it = b.inputs.find(v.name);
      if (it == b.inputs.end()) fail(ErrorKind::Parameter, "input vector '{}' is required", v.name);
      const double* src = it->second;
      // Values cross the boundary as float64: an int64 or bool input must hold exact values
      // (a NaN or 1e30 cast to int64 is undefined behaviour; 2.0 is no bool).
      for (int64_t i = 0; i < n && v.type.dtype == DType::I64; ++i)
        if (!(std::isfinite(src[i]) && src[i] == std::trunc(src[i]) && std::abs(src[i]) < 9.2e18))
          fail(ErrorKind::Parameter, "input vector '{}'[{}] = {} is not an int64 value", v.name, i, src[i]);
      for (int64_t i = 0; i < n && v.type.dtype == DType::Bool; ++i)
        if (!(src[i] == 0.0 || src[i] == 1.0))
          fail(ErrorKind::Parameter, "input vector '{}'[{}] = {} is not a bool (0 or 1)", v.name, i, src[i]);
      with_dtype(v.type.dtype, [&](auto t) {
        using T = decltype(t);
        T* dst = s.vec<T>();
        for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(src[i]);
      });
    }
  }
  for (const Kernel& k : program_->prologue()) run_kernel(frame_, k);
  // A carry updated from a carried value needs that value as it was before this iteration's
  // updates: it is staged in a buffer of its own.
  staged_.resize(ir.carries.size());
  for (size_t k = 0; k < ir.carries.size(); ++k) {
    const CarryDecl& c = ir.carries[k];
    if (value(c.update).op == OpCode::Carry && value(c.value).type.shape == Shape::Node) {
      buffers_.emplace_back(static_cast<size_t>(n) * dtype_size(value(c.value).type.dtype));
      ++stats_.allocations;
      staged_[k].node = buffers_.back().data();
    }
  }
  for (const CarryDecl& c : ir.carries) {
    Slot &dst = slots_[c.value], &src = slots_[c.init];
    dst.f = src.f;
    dst.i = src.i;
    if (src.node && src.node != dst.node)  // the same buffer: the carry took over its init's (buffers.cpp)
      std::memcpy(dst.node, src.node, static_cast<size_t>(n) * dtype_size(value(c.value).type.dtype));
  }
  stats_.step_ns.assign(program_->steps().size(), 0);
  for (const Kernel& k : program_->steps())
    if (k.writes_in_place()) done_blocks_.assign(static_cast<size_t>(nb), 0);
  frame_.done_blocks = done_blocks_.data();  // read only by kernels that store in place
  for (const Kernel& k : program_->steps()) row_branch_.push_back(masks_nearly_uniform(frame_, k.row));
  row_loops_ = program_->row_loops_for(graph_);  // the measurements of earlier States on this graph
  row_loops_.resize(program_->steps().size());
  for (RowLoopChoice& c : row_loops_) c.start_state();
  if (program_->plan().row_loop >= 0)
    for (RowLoopChoice& c : row_loops_) c.chosen = program_->plan().row_loop;
}

void State::run_step(int32_t index) {
  const Kernel& k = program_->steps()[index];
  const int64_t t0 = now_ns();
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
  const size_t nc = ir.carries.size();
  for (size_t k = 0; k < nc; ++k)
    if (value(ir.carries[k].update).op == OpCode::Carry) copy(staged_[k], slots_[ir.carries[k].update], bytes(ir.carries[k]));
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
    if (value(ir.carries[k].update).op == OpCode::Carry) copy(slots_[ir.carries[k].value], staged_[k], bytes(ir.carries[k]));
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
  const int64_t steps = static_cast<int64_t>(program_->steps().size());
  if (!program_->ir().has_loop) fail(ErrorKind::State, "this program has no loop, so no steps");
  if (steps == 0)
    fail(ErrorKind::State, "the loop has no steps (the optimizer moved all its work out of it); use apply_batch or run");
  if (i < 0 || i >= steps) fail(ErrorKind::State, "step {} is out of range; the loop has {} steps", i, steps);
  if (i != next_step_) fail(ErrorKind::State, "step {} called out of order; step {} is next", i, next_step_);
  run_step(static_cast<int32_t>(i));
  ++next_step_;
  if (next_step_ == steps) end_iteration();
}

void State::apply_batch() {
  if (!program_->ir().has_loop) fail(ErrorKind::State, "this program has no loop to iterate");
  if (next_step_ != 0 && !batch_interrupted_)
    fail(ErrorKind::State, "an iteration is half done by apply_step (step {} is next)", next_step_);
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

void State::run(int64_t max_iter, const std::function<bool()>& between) {
  if (!program_->ir().has_loop) return finish();
  if (graph_->num_nodes() == 0) {  // nothing to iterate over: the loop is skipped, as the native twins do
    converged_ = true;
    return finish();
  }
  while (iteration_ < max_iter && !converged_) {
    apply_batch();
    if (between && !between()) return;
  }
  finish();
}

void State::finish() {
  for (const auto& [name, id] : program_->ir().outputs) check_whole(id);
  for (const CarryDecl& c : program_->ir().carries) check_whole(c.value);
  for (int32_t id : program_->epilogue()) eval_value(frame_, id);
}

}  // namespace sg
