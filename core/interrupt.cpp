// The SIGINT handler of InterruptScope (see interrupt.hpp).
#include "core/interrupt.hpp"

#include <csignal>

#include <signal.h>

namespace sg {

namespace {

struct sigaction g_previous;  // the handler ours replaced (Python's); ours chains to it
int g_depth = 0;              // nesting of active scopes (one thread only)

void chain(int sig, siginfo_t* info, void* ctx) {
  if (g_previous.sa_flags & SA_SIGINFO)
    g_previous.sa_sigaction(sig, info, ctx);
  else
    g_previous.sa_handler(sig);  // never SIG_DFL / SIG_IGN: ours is only installed over a handler
}

// Inside a scope, only the flag: the signal reaches the previous handler (Python's) when the
// outermost scope ends, so Python code run from inside the call (a progress callback) is not cut
// short by it, and the iteration it reports is the last one the State completed. Outside, the
// previous handler at once. The flag is re-checked after the store: if the scope ended meanwhile
// (its end may have missed the flag), whoever takes the flag first hands it on, exactly once.
void on_sigint(int sig, siginfo_t* info, void* ctx) {
  if (detail::g_watching.load()) {
    detail::g_interrupt_requested.store(true);
    if (detail::g_watching.load() || !detail::g_interrupt_requested.exchange(false)) return;
  }
  chain(sig, info, ctx);
}

bool is_ours(const struct sigaction& a) { return (a.sa_flags & SA_SIGINFO) && a.sa_sigaction == on_sigint; }

}  // namespace

// Ours stays installed between scopes (it chains to the previous handler there): installing and
// restoring it around every call was four system calls, a quarter of a small apply_batch. One
// query remains, so a handler set since (signal.signal in Python) is found and chained to.
InterruptScope::InterruptScope(bool enable) {
  if (!enable) return;
  if (g_depth == 0) {
    struct sigaction current {};
    if (sigaction(SIGINT, nullptr, &current) != 0) return;
    if (!is_ours(current)) {
      const bool caught = (current.sa_flags & SA_SIGINFO)
                              ? current.sa_sigaction != nullptr
                              : current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
      if (!caught) return;   // ignored, or the default action: leave SIGINT alone
      g_previous = current;  // written before ours is installed, so the handler never sees it change
      struct sigaction ours {};
      ours.sa_sigaction = on_sigint;
      ours.sa_mask = current.sa_mask;
      ours.sa_flags = SA_SIGINFO | (current.sa_flags & (SA_ONSTACK | SA_RESTART));
      if (sigaction(SIGINT, &ours, nullptr) != 0) return;
    }
  }
  if (g_depth++ == 0) {
    detail::g_watched_thread.store(pthread_self(), std::memory_order_relaxed);
    detail::g_watching.store(true);
  }
  active_ = true;
}

InterruptScope::~InterruptScope() {
  if (!active_) return;
  if (--g_depth > 0) return;
  detail::g_watching.store(false);
  // Hand a Ctrl-C that came during the scope to the previous handler now (through ours).
  if (detail::g_interrupt_requested.exchange(false)) raise(SIGINT);
}

}  // namespace sg
