"""Progress bar, verdicts, markdown tables and plots of a ladder result (the JSON dict)."""

from __future__ import annotations

import logging
import math
import sys
from typing import Any, Dict, List, Optional

from .modes import MODES

log = logging.getLogger("ladder")

# -- targets (issue #5) ---------------------------------------------------------------------------
VERDICT_GRAPHS = ("uniform(200k)", "rmat(18)", "rmat(20)")
BATCH_TARGET = 1.10  # apply_batch O3 / native, per iteration
RUN_TARGET = 1.05  # run O3 / native
BOUNDARY_TARGET_US = 3.0
RSS_TARGET = 1.10  # builder peak RSS / native
SCIPY_TARGET = 2.5  # scipy / native per iteration
GRAPHBLAS_TARGET = 1.5  # graphblas / native per iteration


class Progress:
    """tqdm when installed, else a plain bar on stderr (a line per 10 % when stderr is not a tty)."""

    def __init__(self, total: float, enabled: bool = True) -> None:
        self.total, self.done, self.enabled = max(total, 1), 0.0, enabled
        self._bar: Any = None
        self._last_decile = -1
        if not enabled:
            return
        try:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total,
                file=sys.stderr,
                dynamic_ncols=True,
                leave=False,
                bar_format="{l_bar}{bar}| {elapsed}<{remaining}",
            )
        except ImportError:
            self._bar = None

    def update(self, n: float = 1, desc: str = "") -> None:
        self.done = min(self.done + n, self.total)
        if not self.enabled:
            return
        if self._bar is not None:
            if desc:
                self._bar.set_description_str(desc, refresh=False)
            self._bar.update(n)
            return
        frac = self.done / self.total
        if sys.stderr.isatty():
            width = 30
            fill = int(frac * width)
            sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {frac * 100:5.1f}% {desc[:60]:<60}")
            sys.stderr.flush()
        elif int(frac * 10) != self._last_decile:
            self._last_decile = int(frac * 10)
            log.info("progress %3.0f%% %s", frac * 100, desc)

    def set(self, desc: str) -> None:
        self.update(0, desc)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.enabled and sys.stderr.isatty():
            sys.stderr.write("\n")


# -- verdicts ---------------------------------------------------------------------------------------
def _v(name: str, ok: Optional[bool], line: str, **figures: Any) -> Dict[str, Any]:
    status = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
    return {"target": name, "status": status, "line": f"VERDICT {status} {name}: {line}", **figures}


def verdicts(res: Dict[str, Any]) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    graphs = res["graphs"]
    present = [g for g in VERDICT_GRAPHS if g in graphs]
    if not present:  # quick runs: judge the largest graph measured (informational there)
        present = [max(graphs, key=lambda g: graphs[g]["nodes"])] if graphs else []
    # Targets judge the defaults; the two-buffer modes are in the tables, for comparison.
    for key, target, what in (("batch_O3", BATCH_TARGET, "apply_batch O3"), ("run_O3", RUN_TARGET, "run O3")):
        for gname in present:
            m = graphs[gname]["modes"].get(key)
            if not m:
                continue
            loop = f", loop-only {m['loop_ratio_median']:.3f}x" if "loop_ratio_median" in m else ""
            aa = graphs[gname]["modes"].get("native_aa")
            if aa:  # the same measurement of the twin against itself: how far noise alone moves a ratio
                loop += (
                    f"; noise floor (twin vs itself) {aa['ratio_median']:.3f}x median/median, "
                    f"{aa['ratio_best']:.3f}x best/best"
                )
            out.append(
                _v(
                    f"{what} <= {target:.2f}x native per iteration on {gname}",
                    m["ratio_median"] <= target,
                    f"{m['ratio_median']:.3f}x median/median ({m['ms_median']:.3f} vs "
                    f"{graphs[gname]['modes']['native']['ms_median']:.3f} ms/it), {m['ratio_best']:.3f}x "
                    f"best/best{loop}",
                    graph=gname,
                    mode=key,
                    ratio_median=m["ratio_median"],
                    ratio_best=m["ratio_best"],
                )
            )
    b = res.get("boundary")
    if b:
        user = b["apply_batch"]["wall_minus_kernel_ns_median"] / 1e3
        native_side = b["boundary_ns_median"] / 1e3
        out.append(
            _v(
                f"boundary cost of one apply_batch call <= {BOUNDARY_TARGET_US:g} us",
                user <= BOUNDARY_TARGET_US,
                f"{user:.2f} us per call seen from Python (wall {b['apply_batch']['wall_ns_median'] / 1e3:.2f} us "
                f"- kernel {b['apply_batch']['kernel_ns_median'] / 1e3:.2f} us, 1-node graph); "
                f"{native_side:.2f} us of it inside the native call (stats boundary_ns median)",
                boundary_us=user,
                native_boundary_us=native_side,
            )
        )
    worst = None
    for gname, gr in graphs.items():
        for key, m in gr["modes"].items():
            a = m.get("allocations", {}).get("after_first")
            if a is not None and (worst is None or a > worst[0]):
                worst = (a, gname, key)
    if worst is not None:
        out.append(
            _v(
                "zero buffer allocations after iteration 1",
                worst[0] == 0,
                f"max {worst[0]} allocation(s) after iteration 1 over every mode and graph"
                + (f" ({worst[2]} on {worst[1]})" if worst[0] else ""),
                max_allocations=worst[0],
            )
        )
    for gname in present:
        rss = graphs[gname].get("rss")
        if not rss or "native" not in rss:
            continue
        nat = rss["native"]
        for key in ("batch_O3", "run_O3"):
            if key not in rss:
                continue
            r = rss[key]["peak_MB"] / nat["peak_MB"]
            out.append(
                _v(
                    f"builder ({key}) peak RSS <= {RSS_TARGET:.2f}x native on {gname} (whole process)",
                    r <= RSS_TARGET,
                    f"{r:.3f}x ({rss[key]['peak_MB']:.1f} vs {nat['peak_MB']:.1f} MB process "
                    "peak, graph build included)",
                    graph=gname,
                    mode=key,
                    ratio=r,
                )
            )
            # The algorithm's own memory: peak while running, above the RSS right after the
            # graph was built. Judged where it is big enough to measure (>= 16 MB for native).
            if nat["extra_MB"] >= 16:
                e = rss[key]["extra_MB"] / nat["extra_MB"]
                out.append(
                    _v(
                        f"builder ({key}) memory above the graph <= {RSS_TARGET:.2f}x native on {gname}",
                        e <= RSS_TARGET,
                        f"{e:.2f}x ({rss[key]['extra_MB']:.1f} vs {nat['extra_MB']:.1f} MB "
                        "peak RSS growth while running)",
                        graph=gname,
                        mode=key,
                        extra_ratio=e,
                    )
                )
    for peer, target in (("scipy", SCIPY_TARGET), ("graphblas", GRAPHBLAS_TARGET)):
        for gname in present:
            p = graphs[gname]["peers"].get(peer)
            if not p:
                if peer == "graphblas" and res["peers_available"].get("graphblas") is None:
                    out.append(_v(f"native >= {target}x faster than {peer}", None, "python-graphblas not installed"))
                    break
                continue
            out.append(
                _v(
                    f"native (float64) >= {target}x faster per iteration than {peer} on {gname}",
                    p["speedup_median"] >= target,
                    f"{p['speedup_median']:.2f}x median ({p['ms_median']:.3f} vs "
                    f"{p['native_ms_median']:.3f} ms/it, native timed in the peer round), "
                    f"{p['speedup_best']:.2f}x best",
                    graph=gname,
                    peer=peer,
                    speedup_median=p["speedup_median"],
                )
            )
    return out


# -- markdown ----------------------------------------------------------------------------------------
def _f(x: Any, fmt: str = ".3f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return format(x, fmt)


def markdown(res: Dict[str, Any]) -> str:
    meta, cfg = res["meta"], res["config"]
    L: List[str] = []
    L.append(f"# PageRank ladder: builder vs native ({'quick' if cfg['quick'] else 'full'} run)\n")
    L.append(
        f"{meta['date']} · git {meta['git']} · {meta['cpu']} · {cfg['threads']} threads · "
        f"load average {meta['load_start']} -> {meta['load_end']} · python {meta['python']} · numpy {meta['numpy']}\n"
    )
    L.append(f"native build: `{meta.get('core', '?')}` · OMP_WAIT_POLICY={meta.get('OMP_WAIT_POLICY')}\n")
    L.append(
        f"Fixed {cfg['iters']} iterations (tol=0; O0 modes {cfg['slow_iters']} on graphs >= "
        f"{cfg['slow_from']:,} nodes), {cfg['trials']} trials, modes interleaved trial by trial. "
        "`ms/it` = (setup + iterations) / iterations: the native twin's setup is inside its call, "
        "so the builder's `init` is counted too; `loop` = apply_batch / apply_step iterations alone. "
        "Ratios: mode / native, median/median and best/best.\n"
    )
    L.append("## The ladder\n")
    L.append(
        "| graph | mode | iters | ms/it median | ms/it best | loop ms/it | ratio med | ratio best | "
        "calls/it | passes/it | GB/s | allocs after it 1 | RSS extra MB |"
    )
    L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for gname, gr in res["graphs"].items():
        for mi in MODES:
            m = gr["modes"].get(mi.key)
            if not m:
                continue
            rss = gr.get("rss", {}).get(mi.key, {})
            calls = m.get("native_calls_per_iter")
            calls_s = "1/run" if mi.kind in ("native", "run") else _f(calls, "g")
            L.append(
                f"| {gname} | {m['label']} | {m['iters']} | {_f(m['ms_median'])} | {_f(m['ms_best'])} | "
                f"{_f(m.get('loop_ms_median'))} | {_f(m['ratio_median'], '.2f')} | {_f(m['ratio_best'], '.2f')} | "
                f"{calls_s} | {_f(m.get('passes_over_node_data'), 'g')} | {_f(m['GBps_median'], '.1f')} | "
                f"{_f(m.get('allocations', {}).get('after_first'), 'g')} | {_f(rss.get('extra_MB'), '.1f')} |"
            )
    L.append("\n## Where each layer's gain comes from (speedup of each rung over the previous, median)\n")
    rungs = [
        ("step_O0", "batch_O0", "batching (1 call/iteration)"),
        ("batch_O0", "batch_O1", "O1 fold+CSE+DCE"),
        ("batch_O1", "batch_O2", "O2 hoisting"),
        ("batch_O2", "batch_O3", "O3 rewrites+fusion"),
        ("batch_O3", "run_O3", "run (whole loop)"),
        ("step_O0", "batch_O3", "total O0 step -> O3 batch"),
    ]
    L.append("| graph | nodes | " + " | ".join(r[2] for r in rungs) + " | O3 batch vs native |")
    L.append("|---|--:|" + "--:|" * len(rungs) + "--:|")
    for gname, gr in res["graphs"].items():
        ms = gr["modes"]
        cells = []
        for a, b, _ in rungs:
            cells.append(f"{ms[a]['ms_median'] / ms[b]['ms_median']:.2f}x" if a in ms and b in ms else "-")
        o3 = f"{ms['batch_O3']['ratio_median']:.2f}x" if "batch_O3" in ms else "-"
        L.append(f"| {gname} | {gr['nodes']:,} | " + " | ".join(cells) + f" | {o3} |")
    L.append("\n## Peers\n")
    L.append(
        "| graph | peer | unit | ms median | ms best | native ms median | native speedup (median) | "
        "native speedup (best) | setup / conversion ms | max abs diff | note |"
    )
    L.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
    for gname, gr in res["graphs"].items():
        for key, p in gr["peers"].items():
            setup = p.get("convert_ms", p.get("setup_ms"))
            L.append(
                f"| {gname} | {p['label']} | {p['unit']} | {_f(p['ms_median'])} | {_f(p['ms_best'])} | "
                f"{_f(p.get('native_ms_median'))} | {_f(p.get('speedup_median'), '.2f')}x | "
                f"{_f(p.get('speedup_best'), '.2f')}x | {_f(setup, '.1f')} | {_f(p.get('max_abs_diff'), '.1e')} | "
                f"{p.get('note', '')} |"
            )
    for note in res.get("notes", []):
        L.append(f"- {note}")
    b = res.get("boundary")
    if b:
        L.append("\n## Boundary cost (apply_batch on a 1-node graph)\n")
        L.append("| what | median ns/call | best ns/call |")
        L.append("|---|--:|--:|")
        L.append(
            f"| inside the native call (stats boundary_ns; p10 {b['boundary_ns_p10']:.0f}, p90 "
            f"{b['boundary_ns_p90']:.0f}) | {b['boundary_ns_median']:.0f} | - |"
        )
        L.append(f"| kernels (stats kernel_ns) | {b['kernel_ns_median']:.0f} | - |")
        for key, what in (
            ("apply_batch", "Program.apply_batch wall, from Python"),
            ("apply_batch_pybind_direct", "state._core.apply_batch wall (no Python wrapper)"),
            ("null_pybind_call", "null pybind11 call (state._core.iteration)"),
        ):
            L.append(f"| {what} | {b[key]['wall_ns_median']:.0f} | {b[key]['wall_ns_best']:.0f} |")
        L.append(f"| Program.apply_batch wall - kernel | {b['apply_batch']['wall_minus_kernel_ns_median']:.0f} | - |")
        L.append(
            f"| Program.apply_step (O0, per step) wall | {b['apply_step_O0']['wall_ns_median']:.0f} | "
            f"{b['apply_step_O0']['wall_ns_best']:.0f} |"
        )
    bl = res.get("build")
    if bl:
        L.append("\n## Program build (O3 PageRank)\n")
        L.append(
            f"- first build on a machine (empty row-kernel cache; {bl['kernels_compiled']} kernel(s) compiled): "
            f"{bl['first_build_ms']:.0f} ms"
        )
        L.append(f"- later builds (kernel library from the cache): {bl['cached_build_ms_median']:.1f} ms")
        L.append(f"- with disable=('compiled',): {bl['interpreted_build_ms_median']:.1f} ms")
    bw = res.get("bandwidth")
    if bw:
        L.append("\n## Memory bandwidth\n")
        for t in bw["triad"]:
            L.append(
                f"- STREAM-like triad (numpy, {t['threads']} thread(s), {t['array_MB']:.0f} MB arrays): "
                f"{t['GBps_best']:.1f} GB/s best, {t['GBps_median']:.1f} GB/s median"
            )
        L.append(f"- effective GB/s in the ladder: {bw['formula']}")
    L.append("\n## Verdicts\n")
    for v in res.get("verdicts", []):
        L.append(f"- {v['line']}")
    return "\n".join(L) + "\n"


# -- plots --------------------------------------------------------------------------------------------
def plots(res: Dict[str, Any], out_dir: str) -> List[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib not installed: no plots")
        return []
    files = []
    graphs = res["graphs"]
    fig, ax = plt.subplots(figsize=(9, 6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    series = [(mi.key, mi.label) for mi in MODES] + [
        ("scipy", "scipy CSR"),
        ("graphblas", "python-graphblas"),
        ("networkx", "networkx"),
    ]
    for i, (key, label) in enumerate(series):
        c = "black" if key == "native" else colors[i % len(colors)]
        peer = key in ("scipy", "graphblas", "networkx")
        for kind, marker, ls in (("uniform", "o", "--" if peer else "-"), ("rmat", "s", "none")):
            pts = sorted(
                (gr["nodes"], (gr["peers"] if peer else gr["modes"])[key]["ms_median"])
                for gname, gr in graphs.items()
                if gname.startswith(kind) and key in (gr["peers"] if peer else gr["modes"])
            )
            if pts:
                ax.plot(
                    [p[0] for p in pts],
                    [p[1] for p in pts],
                    marker=marker,
                    linestyle=ls,
                    color=c,
                    mfc="none" if kind == "rmat" else c,
                    label=f"{label}" if kind == "uniform" else None,
                )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("nodes (uniform: lines, 10 edges/node; RMAT: hollow squares, 16 edges/node)")
    ax.set_ylabel("ms per iteration (median)")
    ax.set_title("PageRank: time per iteration by mode")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    f = f"{out_dir}/ladder_time.png"
    fig.tight_layout()
    fig.savefig(f, dpi=110)
    plt.close(fig)
    files.append(f)

    fig, ax = plt.subplots(figsize=(11, 5.5))
    names = list(graphs)
    keys = [mi.key for mi in MODES if mi.key != "native"]
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        vals = [graphs[g]["modes"].get(key, {}).get("ratio_median", float("nan")) for g in names]
        ax.bar(
            [j + (i - len(keys) / 2 + 0.5) * width for j in range(len(names))],
            vals,
            width,
            label=next(mi.label for mi in MODES if mi.key == key),
            color=colors[i % len(colors)],
        )
    ax.axhline(1.0, color="k", lw=0.8)
    ax.axhline(BATCH_TARGET, color="r", lw=0.8, ls="--", label=f"target {BATCH_TARGET}x")
    ax.set_yscale("log")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=20)
    ax.set_ylabel("ms/it ratio to native (median/median)")
    ax.set_title("PageRank: ratio to the native twin per graph")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    f = f"{out_dir}/ladder_ratio.png"
    fig.tight_layout()
    fig.savefig(f, dpi=110)
    plt.close(fig)
    files.append(f)
    return files
