"""The ``stepgraph`` command line: ``stepgraph {demo,run,explain,bench,cache} ...``.

Exit codes: 0 done, 1 an error (a missing or malformed file, a library error, no convergence),
2 a usage error, 130 interrupted. Every error is one line on stderr, named after the library's
exception type (``--verbose`` adds the traceback and the library's log).
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import List, Optional

import stepgraph as sg
from stepgraph.cli import bench, cache, demo, explain, run
from stepgraph.cli._common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, Parser, UsageError, one_line

__all__ = ["main", "parser"]


def parser() -> Parser:
    p = Parser(prog="stepgraph", description="Graph algorithms as step programs: run, explain, benchmark.")
    p.add_argument("--version", action="version", version=f"stepgraph {sg.__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log what the library does; tracebacks on errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for verb in (run, explain, bench, cache, demo):
        verb.add_parser(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as e:  # --help, --version (0) or a usage error (2, already printed)
        return int(e.code or 0) if not isinstance(e.code, str) else EXIT_USAGE
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="stepgraph: %(message)s")
    where = f"stepgraph {args.command}"
    try:
        return int(args.verb(args))
    except UsageError as e:
        print(f"{where}: error: {e} (see {where} --help)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{where}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `stepgraph cache list | head`
        sys.stderr.close()  # nothing more can be said; keep Python from complaining at exit
        return EXIT_ERROR
    except (sg.StepgraphError, OSError) as e:
        if args.verbose:
            traceback.print_exc()
        text = f"{e.strerror}: {e.filename}" if isinstance(e, OSError) and e.filename and e.strerror else one_line(e)
        print(f"{where}: {type(e).__name__}: {text}", file=sys.stderr)
        return EXIT_ERROR
