"""Session-wide test setup, and the fixtures the NetworkX backend's tests share."""

import signal
from typing import Any, Iterator, List

import pytest

# A shell starts background jobs (`cmd &` without job control: CI scripts, nohup) with SIGINT
# ignored, and Python then keeps it ignored. The Ctrl-C tests send SIGINT and wait for
# KeyboardInterrupt, so they would run to max_iter (10^9 iterations: a hang). Give the suite
# Python's usual handler; the test of an ignored SIGINT sets its own.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def no_cache_warning() -> Iterator[None]:
    """NetworkX warns on every use of a cached conversion; the backend's tests never mutate a
    graph. Not autouse: the modules that want it name it in ``pytestmark``."""
    import networkx as nx

    nx.config.warnings_to_ignore.add("cache")
    yield
    nx.config.warnings_to_ignore.discard("cache")


@pytest.fixture
def program_runs(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Names of the step programs run (each Program.run call)."""
    from stepgraph.program import Program

    runs: List[str] = []
    original = Program.run

    def counted(self: Program, *args: Any, **kwargs: Any) -> Any:
        runs.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Program, "run", counted)
    return runs
