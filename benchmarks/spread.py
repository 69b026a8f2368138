#!/usr/bin/env python3
"""Spread of several ladder runs: per graph and mode, the ratio to native in each run, the
median across runs and the min-max range; the verdict figures likewise; and which run is
the most typical (closest to the across-run medians: the one to keep as a baseline).

    python3 benchmarks/spread.py build/bench-runs/run*/ladder.json
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from typing import Any, Dict, List


def main(paths: List[str]) -> int:
    if len(paths) < 2:
        print(__doc__)
        return 2
    runs: List[Dict[str, Any]] = []
    for p in paths:
        with open(p) as f:
            runs.append(json.load(f))
    print("runs:")
    for p, r in zip(paths, runs):
        print(
            f"  {p}: {r['meta']['date']} git {r['meta']['git']} load {r['meta']['load_start']} -> "
            f"{r['meta']['load_end']}"
        )
    graphs = [g for g in runs[0]["graphs"] if all(g in r["graphs"] for r in runs)]
    distance = [0.0] * len(runs)
    print("\nratio to native, median/median per run | across runs: median [min, max]")
    for g in graphs:
        for key in runs[0]["graphs"][g]["modes"]:
            if key == "native" or not all(key in r["graphs"][g]["modes"] for r in runs):
                continue
            vals = [r["graphs"][g]["modes"][key]["ratio_median"] for r in runs]
            best = [r["graphs"][g]["modes"][key]["ratio_best"] for r in runs]
            med = statistics.median(vals)
            for i, v in enumerate(vals):
                distance[i] += abs(math.log(v / med))
            print(
                f"  {g:<14}{key:<10}"
                + " ".join(f"{v:6.3f}" for v in vals)
                + f" | {med:6.3f} [{min(vals):.3f}, {max(vals):.3f}]   best/best: median {statistics.median(best):.3f} "
                f"[{min(best):.3f}, {max(best):.3f}]"
            )
        for key in runs[0]["graphs"][g].get("peers", {}):
            vals = [r["graphs"][g]["peers"].get(key, {}).get("speedup_median") for r in runs]
            if None in vals:
                continue
            print(
                f"  {g:<14}{'peer:' + key:<16}"
                + " ".join(f"{v:6.2f}" for v in vals)
                + f" | {statistics.median(vals):6.2f} [{min(vals):.2f}, {max(vals):.2f}]  (peer ms / native ms)"
            )
    b = [r["boundary"]["apply_batch"]["wall_minus_kernel_ns_median"] for r in runs if "boundary" in r]
    if b:
        print("\nboundary (wall - kernel) ns/call: " + " ".join(f"{x:.0f}" for x in b))
    tri = [max(t["GBps_best"] for t in r["bandwidth"]["triad"]) for r in runs]
    print("triad best GB/s: " + " ".join(f"{x:.1f}" for x in tri))
    print("\nverdicts (PASS count per target across runs):")
    targets: Dict[str, List[str]] = {}
    for r in runs:
        for v in r.get("verdicts", []):
            targets.setdefault(v["target"], []).append(v["status"])
    for t, st in targets.items():
        print(f"  {st.count('PASS')}/{len(st)} PASS  {t}")
    typical = min(range(len(runs)), key=lambda i: distance[i])
    print(f"\nmost typical run (closest to the medians): {paths[typical]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
