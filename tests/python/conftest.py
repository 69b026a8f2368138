"""Session-wide test setup."""

import signal

# A shell starts background jobs (`cmd &` without job control: CI scripts, nohup) with SIGINT
# ignored, and Python then keeps it ignored. The Ctrl-C tests send SIGINT and wait for
# KeyboardInterrupt, so they would run to max_iter (10^9 iterations: a hang). Give the suite
# Python's usual handler; the test of an ignored SIGINT sets its own.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
