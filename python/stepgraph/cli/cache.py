"""``stepgraph cache info|list|prune|clear``: the compiled row-kernel cache (``stepgraph.row_kernels``).

Safe while other processes use the cache: each library is removed by one ``unlink`` (a process
that has loaded it keeps its mapping; one about to load it compiles it again: ``row_kernels.attach``),
and a ``.build-*`` directory (a compile in progress, renamed into place when done) is left alone
unless it is older than any compile can take, i.e. left behind by a killed process.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Tuple

from stepgraph import row_kernels
from stepgraph.cli._common import EXIT_OK, UsageError

log = logging.getLogger(__name__)

_DAY = 86400.0
_STALE_BUILD_S = 2 * 3600.0  # far beyond row_kernels' 300 s compile timeout


@dataclass(frozen=True)
class Entry:
    path: Path
    size: int
    mtime: float  # the last use of a library (row_kernels.build touches it on every hit)

    @property
    def kind(self) -> str:
        return "kernel" if self.path.suffix == ".so" else "failed source"


def scan(root: Path) -> Tuple[List[Entry], List[Path]]:
    """The cache's files (libraries, kept failed sources), oldest first, and its build directories."""
    entries: List[Entry] = []
    builds: List[Path] = []
    try:
        items = list(os.scandir(root))
    except FileNotFoundError:
        return entries, builds
    for item in items:
        try:
            if item.name.startswith(".build-") and item.is_dir(follow_symlinks=False):
                builds.append(Path(item.path))
            elif item.is_file(follow_symlinks=False) and item.name.endswith((".so", ".failed.cpp")):
                st = item.stat(follow_symlinks=False)
                entries.append(Entry(Path(item.path), st.st_size, st.st_mtime))
        except FileNotFoundError:  # removed by another process while we looked
            continue
    return sorted(entries, key=lambda e: e.mtime), builds


def remove(entries: List[Entry], builds: List[Path], older_than: Optional[float]) -> Tuple[int, int, int]:
    """Remove entries last used before ``older_than`` (a time; None: all) and stale build directories.
    Returns (files removed, bytes freed, builds in progress left alone)."""
    removed = freed = busy = 0
    for e in entries:
        if older_than is not None and e.mtime >= older_than:
            continue
        try:
            os.unlink(e.path)
        except FileNotFoundError:
            continue  # another prune got there first
        removed += 1
        freed += e.size
        log.debug("removed %s", e.path)
    now = time.time()
    for b in builds:
        try:
            fresh = now - b.stat().st_mtime < _STALE_BUILD_S
        except FileNotFoundError:
            continue
        if fresh:
            busy += 1
            continue
        shutil.rmtree(b, ignore_errors=True)
    return removed, freed, busy


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _age(t: float, now: float) -> str:
    s = max(0.0, now - t)
    if s < 3600:
        return f"{s / 60:.0f} min"
    if s < _DAY:
        return f"{s / 3600:.1f} h"
    return f"{s / _DAY:.1f} days"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "cache",
        help="the compiled row-kernel cache: info, list, prune, clear",
        description=f"The row kernels compiled at O3 are cached in {row_kernels.cache_dir()} "
        "($SG_CACHE_DIR, else $XDG_CACHE_HOME/stepgraph/row_kernels). Safe while other processes use it.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("info", help="where the cache is, how many kernels, their size and age")
    actions.add_parser("list", help="one line per cached file: size, last used, name")
    prune = actions.add_parser("prune", help="remove kernels not used for DAYS days")
    prune.add_argument("--older-than", type=float, required=True, metavar="DAYS", help="days since last use")
    actions.add_parser("clear", help="remove every cached kernel (they are compiled again when needed)")
    p.set_defaults(verb=main)


def main(args: argparse.Namespace) -> int:
    root = row_kernels.cache_dir()
    entries, builds = scan(root)
    now = time.time()
    if args.action == "info":
        kernels = [e for e in entries if e.kind == "kernel"]
        print(f"cache      {root}{'' if root.exists() else ' (not created yet)'}")
        print(f"kernels    {len(kernels)}, {_size(sum(e.size for e in kernels))}")
        if kernels:
            print(f"last used  newest {_age(kernels[-1].mtime, now)} ago, oldest {_age(kernels[0].mtime, now)} ago")
        failed = len(entries) - len(kernels)
        if failed:
            print(f"failed     {failed} source file(s) kept from failed compiles")
        if builds:
            print(f"building   {len(builds)} compile(s) in progress or left behind")
    elif args.action == "list":
        for e in entries:
            print(f"{_size(e.size):>10}  {_age(e.mtime, now):>10} ago  {e.kind:<13}  {e.path.name}")
    else:
        cutoff = None
        if args.action == "prune":
            if not (args.older_than >= 0):  # also refuses nan
                raise UsageError(f"--older-than takes a number of days >= 0, got {args.older_than}")
            cutoff = now - args.older_than * _DAY
        removed, freed, busy = remove(entries, builds, cutoff)
        left = f"; {busy} compile(s) in progress left alone" if busy else ""
        print(f"removed {removed} file(s), {_size(freed)} from {root}{left}")
    return EXIT_OK
