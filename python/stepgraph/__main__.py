"""``python -m stepgraph``: the command line (stepgraph.cli), as the ``stepgraph`` script."""

from __future__ import annotations

import sys

from stepgraph.cli import main

if __name__ == "__main__":
    sys.exit(main())
