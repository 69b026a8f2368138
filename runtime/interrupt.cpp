// The SIGINT handler of InterruptScope (see interrupt.hpp).
#include "runtime/interrupt.hpp"

#include <csignal>

#include <signal.h>

namespace sg {

namespace {

struct sigaction g_previous;  // what SIGINT did before the outermost scope; the handler chains to it
int g_depth = 0;              // nesting of active scopes (one thread only)

// Only the flag: the signal reaches the previous handler (Python's) when the outermost scope
// ends, so Python code run from inside the call (a progress callback) is not cut short by it,
// and the iteration it reports is the last one the State completed.
void on_sigint(int, siginfo_t*, void*) { detail::g_interrupt_requested.store(true, std::memory_order_relaxed); }

bool is_ours(const struct sigaction& a) { return (a.sa_flags & SA_SIGINFO) && a.sa_sigaction == on_sigint; }

}  // namespace

InterruptScope::InterruptScope(bool enable) {
  if (!enable) return;
  if (g_depth == 0) {
    struct sigaction current {};
    if (sigaction(SIGINT, nullptr, &current) != 0) return;
    if (!is_ours(current)) {
      const bool caught = (current.sa_flags & SA_SIGINFO) ? current.sa_sigaction != nullptr
                                                          : current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
      if (!caught) return;  // ignored, or the default action: leave SIGINT alone
      g_previous = current;  // written before ours is installed, so the handler never sees it change
      struct sigaction ours {};
      ours.sa_sigaction = on_sigint;
      ours.sa_mask = current.sa_mask;
      ours.sa_flags = SA_SIGINFO | (current.sa_flags & (SA_ONSTACK | SA_RESTART));
      detail::g_interrupt_requested.store(false, std::memory_order_relaxed);
      if (sigaction(SIGINT, &ours, nullptr) != 0) return;
    } else {
      detail::g_interrupt_requested.store(false, std::memory_order_relaxed);
    }
  }
  if (g_depth++ == 0) {
    detail::g_watched_thread.store(pthread_self(), std::memory_order_relaxed);
    detail::g_watching.store(true, std::memory_order_release);
  }
  active_ = true;
}

InterruptScope::~InterruptScope() {
  if (!active_) return;
  if (--g_depth > 0) return;
  detail::g_watching.store(false, std::memory_order_release);
  // Restore the previous handler unless somebody (signal.signal in a callback) replaced ours meanwhile.
  struct sigaction current {};
  if (sigaction(SIGINT, nullptr, &current) == 0 && is_ours(current)) sigaction(SIGINT, &g_previous, nullptr);
  if (interrupt_requested()) raise(SIGINT);  // hand the deferred Ctrl-C to the handler now in place
}

}  // namespace sg
