"""Builder connected components (FastSV: gather / scatter pointer jumping) vs its native twin
(Afforest): interleaved trials, median ms, ratio and the builder's iteration count.

    PYTHONPATH=build/NAME/site python3 benchmarks/cc_fastsv.py [--trials 7]
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
    prog = sg.algorithms.connected_components_program()
    graphs = {
        "grid(1000, 1000)": sg.generators.grid(1000, 1000),
        "rmat(18) undirected": sg.generators.rmat(18, directed=False),
    }
    print(f"threads: {sg.threads.get_num_threads()}")
    for name, g in graphs.items():
        res, twin = prog.run(g), sg.native.connected_components(g)
        assert np.array_equal(res.values, twin.values), name
        times = {"builder": [], "twin": []}
        for _ in range(args.trials):  # interleaved: drift hits both alike
            t = time.perf_counter()
            prog.run(g)
            times["builder"].append(time.perf_counter() - t)
            t = time.perf_counter()
            sg.native.connected_components(g)
            times["twin"].append(time.perf_counter() - t)
        b, w = (1e3 * statistics.median(times[k]) for k in ("builder", "twin"))
        print(f"{name:22s} builder {b:8.1f} ms  twin {w:7.1f} ms  ratio {b / w:5.2f}x  iterations {res.iterations}")


if __name__ == "__main__":
    main()
