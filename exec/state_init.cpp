// Initializing a State: binding a program to a graph and its params, then running its prologue.
#include <algorithm>
#include <cmath>
#include <cstring>

#include <tbb/task_arena.h>

#include "compiler/buffers.hpp"
#include "core/error.hpp"
#include "core/memory.hpp"
#include "exec/program.hpp"
#include "kernels/fused.hpp"

namespace sg {

namespace {

bool bindable(const Value& v) { return v.op == OpCode::Param || v.op == OpCode::Input; }

// Every bound name must be one the program takes (checked before anything is allocated).
void check_bound_names(const ProgramIR& ir, const Bindings& b, int64_t n) {
  for (const auto& [name, value] : b.params) {
    bool known = false;
    for (const Value& v : ir.values) known |= bindable(v) && v.name == name;
    if (!known) {
      std::string names;
      for (const Value& v : ir.values)
        if (bindable(v)) names += (names.empty() ? "" : ", ") + v.name;
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
}

// A param's bound value (else its default), as its dtype holds it.
void bind_param(const Value& v, const Bindings& b, Slot& s) {
  auto it = b.params.find(v.name);
  const double x = it == b.params.end() ? v.number : it->second;
  if (v.type.dtype == DType::I64) {
    if (!(std::isfinite(x) && x == std::trunc(x) && std::abs(x) < 9.2e18))
      fail(ErrorKind::Parameter, "parameter '{}' must be an integer, got {}", v.name, x);
    s.i = static_cast<int64_t>(x);
  } else {
    s.f = v.type.dtype == DType::F32 ? static_cast<double>(static_cast<float>(x)) : x;
  }
}

// An input vector converted from float64 into its slot's buffer.
void load_input(const Value& v, const Bindings& b, int64_t n, Slot& s) {
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

}  // namespace

State::State(ProgramPtr program, GraphPtr graph, const Bindings& b)
    : program_(std::move(program)), graph_(std::move(graph)) {
  check_bound_names(program_->ir(), b, graph_->num_nodes());
  const BufferAssignment plan = assign_buffers(program_->ir(), program_->plan(), graph_->num_nodes());
  allocate_buffers(plan);
  allocate_slots_and_partials();
  allocate_mask_summaries();
  allocate_thread_scratch();
  frame_ = Frame{&program_->ir(), graph_.get(), &slots_,          &partials_,
                 &partial_at_,    &threads_,    &mask_summaries_, &mask_summary_at_};
  bind_values(plan, b);
  run_prologue();
  stage_carry_to_carry_updates();
  start_carries_at_init();
  prepare_steps();
  choose_row_loops();
  prepare_frontier();
  prepare_unchanged_rows();
}

void State::allocate_buffers(const BufferAssignment& plan) {
  double bytes = 0;
  for (int64_t b : plan.buffer_bytes) bytes += static_cast<double>(b);
  ensure_memory(bytes, "allocating this program's state");
  for (int64_t b : plan.buffer_bytes) {
    buffers_.emplace_back(static_cast<size_t>(b));
    ++stats_.allocations;
  }
}

void State::allocate_slots_and_partials() {
  const ProgramIR& ir = program_->ir();
  slots_.resize(ir.values.size());
  partial_at_.assign(ir.values.size(), -1);
  const int64_t nb = graph_->partition().num_blocks();
  for (size_t id = 0; id < ir.values.size(); ++id) {
    // Ops that fold every element keep one partial per block: reductions, and normalize's sum.
    const Access a = op_info(ir.values[id].op).access;
    if (a == Access::Fold || a == Access::All) {
      partial_at_[id] = static_cast<int64_t>(partials_.size());
      partials_.resize(partials_.size() + static_cast<size_t>(nb));
    }
  }
}

// Hoisted bool vectors never change after init: fused kernels summarize each strip once.
void State::allocate_mask_summaries() {
  const ProgramIR& ir = program_->ir();
  const int64_t nb = graph_->partition().num_blocks();
  mask_summary_at_.assign(ir.values.size(), -1);
  for (size_t id = 0; id < ir.values.size(); ++id) {
    const Value& v = ir.values[id];
    if (v.region == Region::Prologue && v.type.shape == Shape::Node && v.type.dtype == DType::Bool) {
      mask_summary_at_[id] = static_cast<int64_t>(mask_summaries_.size());
      mask_summaries_.resize(mask_summaries_.size() + static_cast<size_t>(nb * kStripsPerBlock), int8_t{-1});
    }
  }
}

// Scratch for every thread that may run a kernel, so no iteration allocates.
void State::allocate_thread_scratch() {
  int64_t max_temps = 1;
  for (const std::vector<Kernel>* ks : {&program_->prologue(), &program_->steps(), &program_->plan().epilogue})
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
}

// Points each node value at its buffer and fills in params and input vectors.
void State::bind_values(const BufferAssignment& plan, const Bindings& b) {
  const ProgramIR& ir = program_->ir();
  const int64_t n = graph_->num_nodes();
  for (size_t id = 0; id < ir.values.size(); ++id) {
    const Value& v = ir.values[id];
    Slot& s = slots_[id];
    if (plan.buffer_of[id] >= 0) s.node = buffers_[plan.buffer_of[id]].data();
    if (v.op == OpCode::Param)
      bind_param(v, b, s);
    else if (v.op == OpCode::Input)
      load_input(v, b, n, s);
  }
}

void State::run_prologue() {
  for (const Kernel& k : program_->prologue()) run_kernel(frame_, k);
}

// A carry updated from a carried value needs that value as it was before this iteration's
// updates: it is staged in a buffer of its own.
void State::stage_carry_to_carry_updates() {
  const ProgramIR& ir = program_->ir();
  const int64_t n = graph_->num_nodes();
  staged_.resize(ir.carries.size());
  for (size_t k = 0; k < ir.carries.size(); ++k) {
    const CarryDecl& c = ir.carries[k];
    if (value(c.update).op == OpCode::Carry && value(c.value).type.shape == Shape::Node) {
      buffers_.emplace_back(static_cast<size_t>(n) * dtype_size(value(c.value).type.dtype));
      ++stats_.allocations;
      staged_[k].node = buffers_.back().data();
    }
  }
}

void State::start_carries_at_init() {
  const int64_t n = graph_->num_nodes();
  for (const CarryDecl& c : program_->ir().carries) {
    Slot &dst = slots_[c.value], &src = slots_[c.init];
    dst.f = src.f;
    dst.i = src.i;
    if (src.node && src.node != dst.node)  // the same buffer: the carry took over its init's (buffers.cpp)
      std::memcpy(dst.node, src.node, static_cast<size_t>(n) * dtype_size(value(c.value).type.dtype));
  }
}

// Per-step records: timings, the finished-block marks of in-place kernels, and whether each
// row kernel branches on its masks (decided once: the masks are hoisted).
void State::prepare_steps() {
  stats_.step_ns.assign(program_->steps().size(), 0);
  for (const Kernel& k : program_->steps())
    if (k.writes_in_place()) done_blocks_.assign(static_cast<size_t>(graph_->partition().num_blocks()), 0);
  frame_.done_blocks = done_blocks_.data();  // read only by kernels that store in place
  for (const Kernel& k : program_->steps()) row_branch_.push_back(masks_nearly_uniform(frame_, k.row));
}

void State::choose_row_loops() {
  row_loops_ = program_->row_loops_for(graph_);  // the measurements of earlier States on this graph
  row_loops_.resize(program_->steps().size());
  for (RowLoopChoice& c : row_loops_) c.start_state();
  if (program_->plan().row_loop >= 0)
    for (RowLoopChoice& c : row_loops_) c.chosen = program_->plan().row_loop;
}

}  // namespace sg
