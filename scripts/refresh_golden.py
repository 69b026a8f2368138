#!/usr/bin/env python3
"""Rewrite the golden files under tests/golden/ (tests/python/test_golden.py) from the code as it
is now, print which changed, and remove golden files no case renders any more.

    PYTHONPATH=build/<name>/site python3 scripts/refresh_golden.py           # rewrite; review with git diff
    PYTHONPATH=build/<name>/site python3 scripts/refresh_golden.py --check   # exit 1 if any differs, write nothing

Rebuild first (scripts/devbuild.sh <name>): the goldens come from the _core on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python"))


def _changed_lines(diff: str) -> int:
    """Lines removed or added in a unified diff (its two file headers not counted)."""
    return sum(1 for line in diff.splitlines()[2:] if line[:1] in "+-")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only report differences (exit 1 if any)")
    args = ap.parse_args()
    try:
        import golden_cases as G
    except ImportError as e:
        print(f"cannot import stepgraph ({e}); run with PYTHONPATH=build/<name>/site", file=sys.stderr)
        return 2
    missing = G.compiler_missing()
    if missing:  # O3 plans would say "interpreted" instead of the compiled row loop
        print(f"no C++ compiler, so the O3 goldens cannot be rendered: {missing}", file=sys.stderr)
        return 2
    G.GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    changed = 0
    with tempfile.TemporaryDirectory(prefix="sg-golden-cache-") as cache:
        os.environ["SG_CACHE_DIR"] = cache  # never the user's row-kernel cache
        for name, case in sorted(G.CASES.items()):
            text = case.render()
            old = case.path.read_text() if case.path.exists() else None
            if old == text:
                continue
            changed += 1
            what = "new" if old is None else f"changed ({_changed_lines(G.unified_diff(old, text, 'a', 'b'))} lines)"
            print(f"{what}: {case.path.relative_to(ROOT)}")
            if not args.check:
                case.path.write_text(text)
    for stale in G.stale_files():
        changed += 1
        print(f"stale: {stale.relative_to(ROOT)}" + ("" if args.check else " (removed)"))
        if not args.check:
            stale.unlink()
    print(
        f"{changed} of {len(G.CASES)} golden files {'differ' if args.check else 'rewritten'}"
        if changed
        else f"all {len(G.CASES)} golden files up to date"
    )
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
