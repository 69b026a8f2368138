"""What the verbs share: one-line usage errors, the exit codes, the optional progress bar."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any, Callable, NoReturn, Optional

log = logging.getLogger("stepgraph.cli")

EXIT_OK = 0
EXIT_ERROR = 1  # the command could not do its job: a bad file, a library error, no convergence
EXIT_USAGE = 2  # the command line itself is wrong (argparse's own convention)
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command line that parses but makes no sense (an option the algorithm does not take)."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (not the usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def one_line(exc: BaseException) -> str:
    """The exception's message on one line: the first line, and how many more there were."""
    lines = [line for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    more = f" [{len(lines) - 1} more line(s): run with --verbose]" if len(lines) > 1 else ""
    return lines[0] + more


ProgressFn = Callable[[int, float], None]


class Progress:
    """A tqdm bar fed by ``Program.run``'s ``progress(iteration, residual)`` callback.

    Shown only after a second (tqdm's ``delay``), so quick runs print nothing; ``None`` from
    :func:`progress_bar` when off or when tqdm is not installed (it is an optional dependency)."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def __call__(self, iteration: int, residual: float) -> None:
        self._bar.update(iteration - self._bar.n)
        self._bar.set_postfix(residual=f"{residual:.3g}", refresh=False)

    def close(self) -> None:
        self._bar.close()


def progress_bar(mode: Optional[bool], total: Optional[int], desc: str) -> Optional[Progress]:
    """``mode``: True (--progress), False (--no-progress), None (auto: only when stdout is a terminal)."""
    if mode is False or (mode is None and not (sys.stdout.isatty() and sys.stderr.isatty())):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        if mode:
            log.warning("no progress bar: tqdm is not installed (pip install tqdm)")
        return None
    return Progress(tqdm(total=total, desc=desc, unit="it", delay=1.0, file=sys.stderr, leave=False))
