#!/usr/bin/env python3
"""Fail when a library source file grows past the project's limit (400 lines): a file that long
has started doing two jobs and should be split where they part.

    python3 scripts/check_file_sizes.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400
LIBRARY = ("core", "graph", "ir", "kernels", "compiler", "exec", "native", "python/bindings", "python/stepgraph")
SUFFIXES = (".hpp", ".cpp", ".h", ".py", ".pyi")


def main() -> int:
    too_long = []
    for folder in LIBRARY:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                n = len(path.read_text(encoding="utf-8").splitlines())
                if n > LIMIT:
                    too_long.append((path.relative_to(ROOT).as_posix(), n))
    for name, n in too_long:
        print(f"{name}: {n} lines (limit {LIMIT})", file=sys.stderr)
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
