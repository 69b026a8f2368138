"""The builder-vs-native PageRank ladder (issue #5): modes, peers, metrics, reports.

Run it through ``benchmarks/ladder.py``; this package holds the pieces:

- ``graphs``  the ladder's graphs (uniform random, RMAT) by name
- ``modes``   stepgraph's execution modes (native twin, run, apply_batch, apply_step) and
              the interleaved trial loop they are timed in
- ``peers``   scipy, NetworkX, igraph (PRPACK), python-graphblas when installed
- ``metrics`` boundary cost, buffer allocations, peak RSS (subprocesses), bandwidth
- ``report``  JSON, markdown tables, plots, progress bar, verdicts
"""
