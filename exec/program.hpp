// Program (a validated IR and its step list) and State (one run's buffers over one graph).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "compiler/pass.hpp"
#include "graph/graph.hpp"
#include "ir/ir.hpp"
#include "kernels/frame.hpp"
#include "kernels/plan.hpp"

namespace sg {

struct BufferAssignment;  // compiler/buffers.hpp

// Steady-clock time, for step and native-call timings.
inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Stats {
  int64_t native_calls = 0;
  int64_t boundary_ns = 0;  // time inside native calls not spent in kernels
  int64_t kernel_ns = 0;
  std::vector<int64_t> step_ns;  // per kernel (step) of the loop body
  int64_t allocations = 0;       // node buffers allocated (all at init)
  int64_t reuses = 0;            // node buffer writes into an existing buffer
  int64_t iterations = 0;
  // Frontier loops (exec/frontier_loop.cpp): per iteration, the frontier's size as it began and
  // whether it pulled (else pushed); and why this State runs dense if its plan has a frontier.
  std::vector<int64_t> frontier_sizes;
  std::vector<uint8_t> frontier_pulls;
  bool frontier = false;
  std::string frontier_note;
  // Aggregations keeping their unchanged rows (exec/unchanged_rows.cpp): per dense iteration,
  // the rows they left as they were (summed over such aggregations).
  std::vector<int64_t> unchanged_rows;
};

struct FrontierRun;  // exec/frontier_loop.hpp

class Program {
 public:
  Program(ProgramIR ir, Plan plan);
  const ProgramIR& ir() const { return ir_; }
  const Plan& plan() const { return plan_; }
  // The loop body's kernels, in order: one apply_step each.
  const std::vector<Kernel>& steps() const { return plan_.kernels; }
  // The prologue's kernels, run once per init.
  const std::vector<Kernel>& prologue() const { return plan_.prologue; }
  // carry index -> whether its update buffer can be swapped in (else copied).
  const std::vector<char>& carry_swaps() const { return carry_swaps_; }
  int32_t find_output(const std::string& name) const;
  // Load step `step`'s compiled row kernel from `path` (exec/row_library.cpp). Only while
  // no State runs this program: the Python Program attaches its kernels as it is built.
  void attach_row_kernel(size_t step, const std::string& path);
  // How compiled steps run in States made from now on: "measure" (each State times the three
  // loops on its first iterations and keeps the fastest), "interpreted", "chunks" or "rows".
  void set_row_loop(const std::string& name);
  // The generated row kernels no library was attached for run interpreted; explain says `why`.
  void leave_rows_interpreted(const std::string& why);
  // Row-loop choices a State measured on graph g (empty if none yet), and remembering them:
  // a later State on the same graph starts from them instead of measuring again.
  std::vector<RowLoopChoice> row_loops_for(const GraphPtr& g) const;
  void remember_row_loops(const GraphPtr& g, const std::vector<RowLoopChoice>& choices) const;

 private:
  ProgramIR ir_;
  Plan plan_;
  struct RowLoopMemo {
    std::mutex mutex;  // States of one Program may run on several threads
    std::vector<std::pair<std::weak_ptr<const Graph>, std::vector<RowLoopChoice>>> by_graph;
  };
  std::shared_ptr<RowLoopMemo> row_memo_ = std::make_shared<RowLoopMemo>();
  std::vector<char> carry_swaps_;
};
using ProgramPtr = std::shared_ptr<const Program>;

// Parse IR text, check the options and compile: the Python Program's constructor. Mutable: its
// row kernels are attached afterwards.
std::shared_ptr<Program> compile_program(const std::string& ir_text, const compiler::Options& opts);

// The C++ compiler flags a row kernel's library is built with (exec/row_library.cpp).
std::vector<std::string> row_kernel_flags();

// How one loop step's compiled row kernel runs, as a State's stats report it.
struct RowLoopSummary {
  size_t step;
  const char* chosen;                                    // row_loop_name, nullptr while still measuring
  std::vector<std::pair<const char*, int64_t>> best_ns;  // the best time of each loop tried
  int pairs;                                             // chunks-rows pairs timed
  std::optional<double> rows_vs_chunks;                  // their median t_rows / t_chunks, once any
  const char* masks;  // "branch" or "select" if it folds a reduction over a hoisted mask, else nullptr
};

// Values bound at init: scalar params by name, node-vector inputs by name (length n, float64).
struct Bindings {
  std::map<std::string, double> params;
  std::map<std::string, const double*> inputs;
};

class State {
 public:
  State(ProgramPtr program, GraphPtr graph, const Bindings& bindings);

  const Program& program() const { return *program_; }
  const ProgramPtr& program_ptr() const { return program_; }
  const GraphPtr& graph() const { return graph_; }
  int64_t iteration() const { return iteration_; }
  bool converged() const { return converged_; }
  double residual() const { return residual_; }
  int64_t next_step() const { return next_step_; }
  // An iteration is partly done: stopped between apply_step calls, or interrupted after it
  // began storing a carry in place (the next apply continues it).
  bool half_done() const { return next_step_ != 0 || stored_in_place_; }
  const std::vector<double>& residuals() const { return residuals_; }
  Stats& stats() { return stats_; }
  // Per loop step: how its compiled row kernel runs (measured on the first iterations).
  const std::vector<RowLoopChoice>& row_loops() const { return row_loops_; }
  // Per loop step: whether its compiled row kernel branches on its hoisted masks (row_variant).
  bool row_branch(size_t step) const { return step < row_branch_.size() && row_branch_[step]; }
  // The steps with an attached row kernel, in order.
  std::vector<RowLoopSummary> row_loop_summaries() const;

  void apply_step(int64_t i);  // one body step; the last one also finishes the iteration
  void apply_batch();          // one whole iteration
  // Iterate until converged or max_iter; `between` runs after each iteration and may stop it.
  // `final`: the run hands its buffers to its result next (finish(true)).
  void run(int64_t max_iter, const std::function<bool()>& between, bool final = false);
  // Evaluate the epilogue. `final`: nothing reads the carries afterwards, so outputs may be stored
  // over them (Plan::epilogue_over); the State then only hands over its outputs.
  void finish(bool final = false);
  // Moves out the buffer that holds node value `id` (empty if it has none of its own). The
  // State is then spent: every later use raises StateError. run(graph) hands its outputs to
  // its Result this way instead of copying them (its State is private).
  Array<unsigned char> release_buffer(int32_t id);
  // The id of output or carried value `name`, for reading it now: check_readable, check_whole,
  // and ParameterError if there is no such value.
  int32_t readable_output(const std::string& name) const;
  // Per output (ir().outputs order), after check_whole of each: whether its buffer can be handed
  // over by release_buffer. Not for scalars, outputs without a buffer, or one an earlier output
  // already took; those are copied.
  std::vector<char> outputs_to_hand_over() const;

  Slot& slot(int32_t id) { return slots_[id]; }
  const Value& value(int32_t id) const { return program_->ir().values[id]; }

  // Guards against concurrent use of one State (raises StateError instead of corrupting it).
  class Use {
   public:
    explicit Use(State& s);
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    State& s_;
  };
  // Counts one native call in stats(): its boundary time is the call's wall time minus what its
  // kernels took. The bindings time each apply with one.
  class CallTimer {
   public:
    explicit CallTimer(State& s) : s_(s), t0_(now_ns()), k0_(s.stats().kernel_ns) {}
    ~CallTimer() {
      Stats& st = s_.stats();
      ++st.native_calls;
      st.boundary_ns += (now_ns() - t0_) - (st.kernel_ns - k0_);
    }
    CallTimer(const CallTimer&) = delete;
    CallTimer& operator=(const CallTimer&) = delete;

   private:
    State& s_;
    int64_t t0_, k0_;
  };
  // Every read of the State from outside (outputs, iteration, residuals, stats) calls this first:
  // StateError while another thread is inside a Use of it. The thread inside may read (run's
  // progress callback runs between iterations, when nothing is being written).
  void check_readable() const;
  // StateError if value `id` is a carry stored over itself (in place) by an iteration that is
  // half done (interrupted, or stopped between apply_step calls): it holds old and new values.
  void check_whole(int32_t id) const;

 private:
  // Initialization, in order (exec/state_init.cpp).
  void allocate_buffers(const BufferAssignment& plan);
  void allocate_slots_and_partials();
  void allocate_mask_summaries();
  void allocate_thread_scratch();
  void bind_values(const BufferAssignment& plan, const Bindings& b);
  void run_prologue();
  void stage_carry_to_carry_updates();
  void start_carries_at_init();
  void prepare_steps();
  void choose_row_loops();
  void prepare_frontier();
  void prepare_unchanged_rows();  // exec/unchanged_rows.cpp

  void run_step(int32_t id);
  void end_iteration();  // a dense iteration: moves the carries, then count_iteration
  void count_iteration();
  void frontier_iteration();  // exec/frontier_loop.cpp
  // Before the carries move: which nodes of each tracked carry changed, and so which rows the
  // aggregations keeping their unchanged rows recompute next (exec/unchanged_rows.cpp).
  void track_changes();

  ProgramPtr program_;
  GraphPtr graph_;
  std::vector<Slot> slots_;
  std::vector<Array<unsigned char>> buffers_;  // physical node buffers (see compiler/buffers.hpp)
  std::vector<Partial> partials_;              // per-block partials of every reduction
  std::vector<Slot> staged_;                   // per carry updated from another carried value
  std::vector<ThreadScratch> threads_;         // per TBB thread slot
  std::vector<int64_t> partial_at_;
  std::vector<int8_t> mask_summaries_;  // strip summaries of hoisted masks (frame.hpp)
  std::vector<int64_t> mask_summary_at_;
  Frame frame_;
  int64_t iteration_ = 0, next_step_ = 0;
  bool converged_ = false;
  double residual_ = 0;
  std::vector<double> residuals_;
  Stats stats_;
  std::vector<RowLoopChoice> row_loops_;
  std::vector<char> row_branch_;  // per step: masks_nearly_uniform, decided at init (masks are hoisted)
  // Resuming an iteration interrupted after it began storing a carry in place (its old values
  // are gone, so it cannot be discarded): the interrupted pass's finished blocks, whether this
  // iteration has stored in place, and whether apply_batch may continue it from next_step_.
  std::vector<uint8_t> done_blocks_;
  bool stored_in_place_ = false;
  bool batch_interrupted_ = false;
  bool released_ = false;             // release_buffer was called: the State is spent
  std::vector<int32_t> overwritten_;  // carries whose buffers a final finish gave to outputs
  void check_not_overwritten() const;
  bool can_store_over(const EpilogueOverCarry& e) const;
  std::shared_ptr<FrontierRun> frontier_;  // set when the loop runs over changed nodes
  // Per Plan::unchanged_rows entry: its carry's nodes that changed in the last iteration, and
  // the rows to recompute when few changed (pushed from those nodes); per value, the filters
  // the aggregation kernels read (Frame::row_filters); the rows kept in this iteration.
  struct ChangeTrack {
    Array<uint64_t> changed, rows;
  };
  std::vector<ChangeTrack> changes_;
  std::vector<RowFilter> row_filters_;
  std::atomic<int64_t> kept_rows_{0};
  std::atomic<bool> busy_{false};
  std::atomic<std::thread::id> owner_{};  // the thread inside a Use (while busy_)
};

}  // namespace sg
