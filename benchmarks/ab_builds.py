"""Before / after: one algorithm on one graph of benchmarks/algorithms.py, with two builds of the
package side by side (their site directories), in interleaved child processes.

    python3 benchmarks/ab_builds.py SITE_A SITE_B 'grid(1000)-perm' bfs --rounds 4

Each round starts one child per build, in alternating order (A B, then B A, ...), and each child
times the builder and the twin in turn, --trials times. The twin is the same code in both builds
when only the builder changed, so its two medians show the round's noise; the builder/twin
ratio of each build is the figure to compare. Copy a build's site directory before rebuilding
it (the extension module is rebuilt in place).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from typing import Dict, List

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import algorithms as bench
graph, source = bench.build_graph(sys.argv[2])
builder, twin = bench.sides(sys.argv[3], graph, source)
builder(); twin()
times = {"builder": [], "twin": []}
for _ in range(int(sys.argv[4])):
    for side, run in (("builder", builder), ("twin", twin)):
        t0 = time.perf_counter(); run(); times[side].append(time.perf_counter() - t0)
print(json.dumps(times))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site_a", help="site directory of build A (holds the stepgraph package)")
    ap.add_argument("site_b", help="site directory of build B")
    ap.add_argument("graph", help="a graph name of benchmarks/algorithms.py, e.g. 'rmat(18)'")
    ap.add_argument("algorithm", choices=["bfs", "sssp", "cc", "lp"])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--trials", type=int, default=15, help="builder and twin runs per child")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    times: Dict[str, Dict[str, List[float]]] = {b: {"builder": [], "twin": []} for b in "AB"}
    for r in range(args.rounds):
        for build in ("A", "B") if r % 2 == 0 else ("B", "A"):
            env = dict(os.environ, PYTHONPATH=args.site_a if build == "A" else args.site_b)
            cmd = [sys.executable, "-c", CHILD, here, args.graph, args.algorithm, str(args.trials)]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if done.returncode:
                sys.stderr.write(done.stderr)
                return 1
            for side, ts in json.loads(done.stdout.strip().splitlines()[-1]).items():
                times[build][side] += ts
    for build in "AB":
        b = statistics.median(times[build]["builder"]) * 1e3
        t = statistics.median(times[build]["twin"]) * 1e3
        sys.stdout.write(
            f"{args.graph} {args.algorithm} {build}: builder {b:.2f} ms, twin {t:.2f} ms, ratio {b / t:.2f}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
