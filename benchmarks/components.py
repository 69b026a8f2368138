"""Builder connected components, both methods (Afforest: link / sample_mode; FastSV: gather /
scatter pointer jumping) vs the native twin (Afforest): interleaved trials, median ms, ratios.

    PYTHONPATH=build/NAME/site python3 benchmarks/components.py [--trials 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import stepgraph as sg


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=7)
    args = ap.parse_args()
    sides = {method: sg.algorithms.connected_components_program(method) for method in sg.algorithms.components.METHODS}
    graphs = {
        "grid(1000, 1000)": sg.generators.grid(1000, 1000),
        "rmat(18) undirected": sg.generators.rmat(18, directed=False),
        "uniform(200k, 2M)": sg.generators.uniform(200_000, 2_000_000),
    }
    print(f"threads: {sg.threads.get_num_threads()}")
    for name, g in graphs.items():
        twin = sg.native.connected_components(g)
        runs = {method: prog.run(g) for method, prog in sides.items()}
        for method, res in runs.items():
            assert np.array_equal(res.values, twin.values), (name, method)
        times = {key: [] for key in (*sides, "twin")}
        for _ in range(args.trials):  # interleaved: drift hits all alike
            for method, prog in sides.items():
                t = time.perf_counter()
                prog.run(g)
                times[method].append(time.perf_counter() - t)
            t = time.perf_counter()
            sg.native.connected_components(g)
            times["twin"].append(time.perf_counter() - t)
        ms = {key: 1e3 * statistics.median(ts) for key, ts in times.items()}
        cells = "  ".join(f"{m} {ms[m]:7.1f} ms ({ms[m] / ms['twin']:4.2f}x, {runs[m].iterations} it)" for m in sides)
        print(f"{name:22s} twin {ms['twin']:7.1f} ms  {cells}")


if __name__ == "__main__":
    main()
