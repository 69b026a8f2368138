#!/usr/bin/env python3
"""Compare a ladder result with a baseline: ratios to native per graph and mode.

    python3 benchmarks/check_regression.py RESULT.json BASELINE.json [--threshold 0.10] [--metric both]

Ratios to the native twin measured in the same run are compared, not milliseconds, so a
busier or slower machine does not read as a regression. A graph/mode is flagged when its
ratio is more than ``--threshold`` (default 10 %) worse than the baseline's:

- ``--metric median``: the median/median ratio;
- ``--metric best``: the best/best ratio;
- ``--metric both`` (default): flagged only when both are worse (a real regression moves
  both; noise from a neighbour's compile job usually moves one).

Peer speedups (peer / native) are printed for information, never flagged. Graphs or modes
missing on either side are listed and skipped. Exit code 1 when anything is flagged.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List


def load(path: str) -> Dict[str, Any]:
    with open(path) as f:
        data = json.load(f)
    if "graphs" not in data:
        raise SystemExit(f"{path}: not a ladder result (no 'graphs')")
    return data


def compare(result: Dict[str, Any], baseline: Dict[str, Any], threshold: float, metric: str) -> List[Dict[str, Any]]:
    rows = []
    for gname, gb in baseline["graphs"].items():
        gr = result["graphs"].get(gname)
        if gr is None:
            rows.append({"graph": gname, "mode": "*", "status": "missing in result"})
            continue
        for key, mb in gb["modes"].items():
            if key in ("native", "native_aa"):  # the reference, and its A/A noise floor
                continue
            mr = gr["modes"].get(key)
            if mr is None:
                rows.append({"graph": gname, "mode": key, "status": "missing in result"})
                continue
            if mr.get("iters") != mb.get("iters"):
                rows.append(
                    {
                        "graph": gname,
                        "mode": key,
                        "status": f"iters differ ({mr.get('iters')} vs {mb.get('iters')}): compared anyway",
                    }
                )
            med = mr["ratio_median"] / mb["ratio_median"] - 1
            best = mr["ratio_best"] / mb["ratio_best"] - 1
            worse = {"median": med > threshold, "best": best > threshold, "both": med > threshold and best > threshold}[
                metric
            ]
            rows.append(
                {
                    "graph": gname,
                    "mode": key,
                    "base_median": mb["ratio_median"],
                    "median": mr["ratio_median"],
                    "change_median": med,
                    "base_best": mb["ratio_best"],
                    "best": mr["ratio_best"],
                    "change_best": best,
                    "status": "REGRESSION" if worse else "ok",
                }
            )
        for key, pb in gb.get("peers", {}).items():
            pr = gr.get("peers", {}).get(key)
            if pr and "speedup_median" in pb and "speedup_median" in pr:
                rows.append(
                    {
                        "graph": gname,
                        "mode": f"peer:{key}",
                        "base_median": pb["speedup_median"],
                        "median": pr["speedup_median"],
                        "change_median": pr["speedup_median"] / pb["speedup_median"] - 1,
                        "status": "info (peer/native speedup)",
                    }
                )
    return rows


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result")
    ap.add_argument("baseline")
    ap.add_argument("--threshold", type=float, default=0.10, help="relative worsening that is flagged (0.10 = 10%%)")
    ap.add_argument("--metric", choices=("median", "best", "both"), default="both")
    args = ap.parse_args(argv)
    result, baseline = load(args.result), load(args.baseline)
    rows = compare(result, baseline, args.threshold, args.metric)
    print(
        f"result {args.result} ({result['meta'].get('date')}, git {result['meta'].get('git')}) vs baseline "
        f"{args.baseline} ({baseline['meta'].get('date')}, git {baseline['meta'].get('git')}); ratio to native, "
        f"flag > {args.threshold:.0%} worse ({args.metric})"
    )
    print(
        f"{'graph':<16}{'mode':<18}{'base med':>9}{'now med':>9}{'change':>9}{'base best':>10}{'now best':>9}"
        f"{'change':>9}  status"
    )
    flagged = 0
    for r in rows:
        if "median" not in r:
            print(f"{r['graph']:<16}{r['mode']:<18}{'':>9}{'':>9}{'':>9}{'':>10}{'':>9}{'':>9}  {r['status']}")
            continue
        best = (
            f"{r['base_best']:>10.3f}{r['best']:>9.3f}{r['change_best']:>+9.1%}"
            if "best" in r
            else f"{'':>10}{'':>9}{'':>9}"
        )
        print(
            f"{r['graph']:<16}{r['mode']:<18}{r['base_median']:>9.3f}{r['median']:>9.3f}{r['change_median']:>+9.1%}"
            f"{best}  {r['status']}"
        )
        flagged += r["status"] == "REGRESSION"
    print(f"{flagged} regression(s) flagged" if flagged else "no regression")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
