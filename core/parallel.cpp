// Process-wide thread limit (tbb::global_control) and the uniform partition.
#include "core/parallel.hpp"

#include <exception>
#include <memory>
#include <mutex>

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_scheduler_observer.h>

#include "core/error.hpp"

namespace sg {

namespace {
std::mutex g_control_mutex;
std::unique_ptr<tbb::global_control> g_control;
}  // namespace

void set_num_threads(int n) {
  if (n < 0) fail(ErrorKind::Parameter, "num_threads must be >= 0 (0 = all hardware threads), got {}", n);
  std::lock_guard<std::mutex> lock(g_control_mutex);
  g_control.reset();
  if (n > 0) g_control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, n);
}

int get_num_threads() {
  return static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

Partition Partition::uniform(int64_t n) {
  Partition p;
  for (int64_t b = kBlockNodes; b < n; b += kBlockNodes) p.bounds.push_back(b);
  if (n > 0) p.bounds.push_back(n);
  return p;
}

}  // namespace sg

namespace sg {

namespace {

// Every thread that joins TBB's default arena touches, on arrival, the thread-local storage that
// a task may need later: glibc allocates a dlopen'ed library's TLS lazily, on first use, and aborts
// the process ("cannot allocate memory for thread-local data") if that malloc fails, e.g. when the
// first exception on a worker (a std::bad_alloc under ulimit -v) needs libstdc++'s exception globals.
// The kernels' own thread_locals (kernels/block_engine.hpp's strip pointer, scratch fallbacks) live
// in this library's TLS block, which glibc allocates whole on the first touch of any of them.
thread_local volatile char t_library_tls = 0;

void touch_thread_locals() {
  volatile int sink = std::uncaught_exceptions();  // libstdc++'s per-thread exception globals
  (void)sink;
  t_library_tls = 1;
}

class ThreadLocalWarmup : public tbb::task_scheduler_observer {
 public:
  ThreadLocalWarmup() { observe(true); }
  void on_scheduler_entry(bool) override { touch_thread_locals(); }
};

}  // namespace

void warm_thread_locals_on_tbb_threads() {
  static ThreadLocalWarmup observer;
  touch_thread_locals();  // the calling thread (Python's main thread at import) too
}

}  // namespace sg
