// Prompt Ctrl-C in long native calls: a SIGINT flag checked by the parallel loops at block granularity.
//
// While an InterruptScope is active (the Python bindings open one around every long call made
// from the main thread, with the GIL released), SIGINT sets a process-wide flag; when the outermost
// scope ends it is raised again for the handler installed before (Python's), so it is never lost
// and Python code called from inside the call (a progress callback) is not cut short by it. The
// handler stays installed after the first scope and chains to Python's outside scopes. Parallel
// loops started on a watched thread (for_each_block, parallel_range) check the flag before every
// block: once it is set they skip their remaining blocks and throw Interrupted on the calling
// thread, after the loop has joined (never from inside a TBB task). Latency is one block (at most
// kBlockNodes nodes / kBlockEdges edges) plus the serial work between two loops.
//
// Whoever catches Interrupted discards the interrupted work. State never changes its carried
// values before an iteration has completed (end_iteration), so an interrupted apply_batch / run
// leaves it as after the last completed iteration, and an interrupted apply_step can be re-run.
// The exception: a kernel that stores a carry over itself (Kernel::in_place) cannot be undone,
// so its pass marks the blocks it finishes (for_each_block's `done`) and the State continues
// that iteration from where it stopped on the next apply (exec/program.cpp).
#pragma once
#include <pthread.h>

#include <atomic>
#include <exception>

namespace sg {

// The interrupted call's work was abandoned part-way; not an sg::Error (the bindings turn it
// into whatever Python's SIGINT handler raises: KeyboardInterrupt by default).
class Interrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "interrupted (SIGINT)"; }
};

namespace detail {
inline std::atomic<bool> g_interrupt_requested{false};  // set by the SIGINT handler
// The thread inside an InterruptScope, if any. Not a thread_local: the first touch of a
// dlopen'ed module's TLS on a TBB worker mallocs, and glibc aborts if that fails (low memory).
inline std::atomic<bool> g_watching{false};
inline std::atomic<pthread_t> g_watched_thread{};
}  // namespace detail

// Whether loops started on this thread should watch for SIGINT.
inline bool interrupt_watched() {
  return detail::g_watching.load(std::memory_order_acquire) &&
         pthread_equal(detail::g_watched_thread.load(std::memory_order_relaxed), pthread_self());
}
// Whether SIGINT arrived since the outermost active scope opened.
inline bool interrupt_requested() { return detail::g_interrupt_requested.load(std::memory_order_relaxed); }
// Throw Interrupted if this thread is watched and SIGINT arrived (for long serial loops).
inline void check_interrupt() {
  if (interrupt_watched() && interrupt_requested()) throw Interrupted();
}

// RAII: with enable = true, make SIGINT set the flag (the outermost scope's end raises it again
// for the previous handler, so it is never lost) and watch this thread until the scope ends.
// Ours is installed over the previous handler at the first scope and stays, chaining to it
// outside scopes (signal.getsignal is unchanged); a handler set later is chained to from the
// next scope. Nests. Does nothing when SIGINT is ignored or has its default action (nobody would
// catch it), or enable = false.
// Only one thread may enable scopes (the bindings use Python's main thread, as signal.signal does).
class InterruptScope {
 public:
  explicit InterruptScope(bool enable);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  bool active() const { return active_; }

 private:
  bool active_ = false;
};

// RAII: loops on this thread stop watching for SIGINT until the scope ends (for a pass that must
// not stop part-way). A SIGINT meanwhile stays requested, for the next check or the outermost
// scope's end.
class InterruptPause {
 public:
  InterruptPause() : paused_(interrupt_watched()) {
    if (paused_) detail::g_watching.store(false, std::memory_order_release);
  }
  ~InterruptPause() {
    if (paused_) detail::g_watching.store(true, std::memory_order_release);
  }
  InterruptPause(const InterruptPause&) = delete;
  InterruptPause& operator=(const InterruptPause&) = delete;

 private:
  bool paused_;
};

}  // namespace sg
