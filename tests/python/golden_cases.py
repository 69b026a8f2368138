"""Golden ("snapshot") cases: texts the optimizer shows, rendered so they are stable across machines.

Each :class:`Case` is one plain-text file under ``tests/golden/`` and a function that renders
its text now; ``tests/python/test_golden.py`` compares the two and
``scripts/refresh_golden.py`` rewrites the files. The cases:

* ``explain_<algorithm>_O0.txt`` / ``_O3.txt``: ``Program.explain()`` of every
  ``sg.algorithms.*_program()`` (default arguments) at opt levels 0 and 3.
* ``row_kernel_pagerank.txt``: the generated C++ row kernel of the builder PageRank at O3.
* ``rotate_<algorithm>.txt``: the IR before and after the rotate pass (compiler/rotate.cpp),
  from ``explain(passes=True)``, for the programs it changes; ``rotate_summary.txt`` says
  for every algorithm whether it changes it (a program it starts or stops rotating shows there).

Normalized, because it differs between machines or runs:

* explain's ``row loop: compiled (<path>)``: the path is the row-kernel cache directory
  (``$SG_CACHE_DIR``, ``~/.cache/...``) plus a digest of the compiler's version, its flags and
  this CPU. It becomes ``compiled (<cache>/<symbol>-<digest>.so)``; the symbol is kept, as it is
  a hash of the generated code alone.

Left out of the row-kernel source, to keep the golden about generated code: the headers
CMakeLists.txt embeds verbatim (``// ---- core/lanes.hpp`` ...). Each is cut to its marker
line when it equals the repo's file; one that differs (a stale build) stays in full.

Checked, not normalized: explain() is taken before and after running the program on a small
fixed graph, and must not change (a measured row-loop choice or a timing in explain would be
run-dependent). Nothing else in explain is machine-dependent today: no timings, thread counts,
addresses or paths besides the library's. O3 plans compile row kernels, so those cases need a
C++ compiler; without one they are skipped (explain would then say "interpreted ... not compiled").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

import stepgraph as sg
from stepgraph import _core, row_kernels
from stepgraph.errors import CompileError

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "tests" / "golden"
PREFIXES = ("explain_", "row_kernel_", "rotate_")  # files under GOLDEN_DIR that these cases own
REFRESH = "PYTHONPATH=build/<name>/site python3 scripts/refresh_golden.py"

# The algorithms in sg.algorithms, by their builder's name without "_program".
ALGORITHMS: Tuple[str, ...] = tuple(n[: -len("_program")] for n in sg.algorithms.__all__ if n.endswith("_program"))
# Where rotate changes the program (rotate_summary.txt checks this list stays right).
ROTATED: Tuple[str, ...] = ("pagerank", "personalized_pagerank")

_LIBRARY = re.compile(r"(row loop: compiled \()(?:[^)]*/)?(sg_rk\w+?)-[0-9a-f]+\.so\)")
_PASS_HEADER = re.compile(r"^== after pass '([^']+)' \((\d+) changes?\) ==$", re.M)


@dataclass(frozen=True)
class Case:
    name: str  # the file name under GOLDEN_DIR
    render: Callable[[], str]
    needs_compiler: bool = False

    @property
    def path(self) -> Path:
        return GOLDEN_DIR / self.name


def compiler_missing() -> Optional[str]:
    """Why row kernels cannot compile here, or None when they can."""
    try:
        row_kernels.compiler()
    except CompileError as e:
        return str(e)
    return None


@cache
def graph() -> sg.Graph:
    """32 nodes, 128 weighted edges; every algorithm runs on it (source 0 by default)."""
    return sg.generators.rmat(5, edge_factor=4, seed=7, weighted=True)


@cache
def loop_free_graph() -> sg.Graph:
    """graph() without its self-loops, for the algorithms that refuse them (core_number)."""
    off, idx, w = graph().csr("out")
    src = np.repeat(np.arange(graph().num_nodes), np.diff(off))
    keep = src != idx
    return sg.Graph.from_edges(src[keep], idx[keep], graph().num_nodes, None if w is None else w[keep])


def program(algorithm: str, opt_level: int, compiled: bool = True) -> sg.Program:
    """``compiled=False``: no row kernel is compiled (the IR, pass log and generated source stay the same)."""
    build: Callable[..., sg.Program] = getattr(sg.algorithms, f"{algorithm}_program")
    return build(opt_level=opt_level, disable=() if compiled else ("compiled",))


def normalize_explain(text: str) -> str:
    return _LIBRARY.sub(r"\1<cache>/\2-<digest>.so)", text)


def unified_diff(expected: str, actual: str, expected_name: str, actual_name: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True), expected_name, actual_name
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def explain_text(algorithm: str, opt_level: int) -> str:
    prog = program(algorithm, opt_level)
    before = prog.explain()
    prog.run(loop_free_graph() if algorithm == "core_number" else graph())
    after = prog.explain()
    if after != before:  # a run must not change the plan's text: it would make the golden run-dependent
        raise AssertionError(
            f"explain() of {algorithm} at O{opt_level} changed after a run:\n"
            + unified_diff(before, after, "before run", "after run")
        )
    return normalize_explain(before)


def _embedded(path: Path) -> List[str]:
    """A header as CMakeLists.txt embeds it and row_codegen.cpp inlines it (no pragma, no local includes)."""
    return [
        line
        for line in path.read_text().splitlines(keepends=True)
        if not line.startswith(("#pragma once", '#include "'))
    ]


def elide_embedded_headers(source: str) -> str:
    lines = source.splitlines(keepends=True)
    out: List[str] = []
    i = 0
    while i < len(lines):
        m = re.fullmatch(r"// ---- (\S+)\n", lines[i])
        header = ROOT / m.group(1) if m else None
        if m and header is not None and header.is_file():
            body = _embedded(header)
            if lines[i + 1 : i + 1 + len(body)] == body:
                out.append(f"// ---- {m.group(1)} (embedded verbatim from the repo file; elided in the golden)\n")
                i += 1 + len(body)
                continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def row_kernel_text(algorithm: str = "pagerank") -> str:
    # The core program alone generates the source; only attaching it needs a compiler.
    core = _core.Program(program(algorithm, 3, compiled=False).ir_text, 3, False, [], [])
    parts = []
    for step, symbol, source in core.row_kernels():
        parts.append(
            f"// golden: {algorithm}_program() at O3, row kernel {symbol} of loop step {step + 1}\n"
            + elide_embedded_headers(source)
        )
    if not parts:
        raise AssertionError(f"{algorithm}_program() at O3 generates no row kernel")
    return "\n".join(parts)


def pass_sections(algorithm: str) -> List[Tuple[str, int, str]]:
    """(pass name, changes, that pass's notes and IR) for each pass at O3, in order."""
    text = program(algorithm, 3, compiled=False).explain(passes=True)
    heads = list(_PASS_HEADER.finditer(text))
    return [
        (
            h.group(1),
            int(h.group(2)),
            text[h.end() : heads[k + 1].start() if k + 1 < len(heads) else len(text)].strip("\n") + "\n",
        )
        for k, h in enumerate(heads)
    ]


def _rotate(algorithm: str) -> Tuple[Optional[str], int, str, str]:
    """(the pass before rotate, rotate's changes, the IR before, rotate's notes and IR after)."""
    sections = pass_sections(algorithm)
    names = [s[0] for s in sections]
    if "rotate" not in names:
        raise AssertionError(f"no rotate pass in {algorithm}_program().explain(passes=True) at O3")
    k = names.index("rotate")
    before = sections[k - 1][2] if k else ""
    ir_before = before[before.index("{ program") :] if "{ program" in before else before  # drop that pass's notes
    return (sections[k - 1][0] if k else None), sections[k][1], ir_before, sections[k][2]


def rotate_text(algorithm: str) -> str:
    prev, changes, ir_before, after = _rotate(algorithm)
    return (
        f"rotate (compiler/rotate.cpp) on {algorithm}_program() at O3: {changes} change(s)\n\n"
        f"== before rotate (the IR after pass '{prev}') ==\n{ir_before}\n"
        f"== after pass 'rotate' (its notes name values of the IR before) ==\n{after}"
    )


def rotate_summary() -> str:
    lines = [
        "rotate (compiler/rotate.cpp) at O3 per algorithm; a change here means ROTATED in",
        "tests/python/golden_cases.py needs updating (rotate_<algorithm>.txt per program it changes)",
        "",
    ]
    for algorithm in ALGORITHMS:
        changes = _rotate(algorithm)[1]
        lines.append(f"{algorithm}: " + (f"{changes} change(s), rotate_{algorithm}.txt" if changes else "no change"))
    return "\n".join(lines) + "\n"


def _cases() -> Dict[str, Case]:
    cases: List[Case] = []
    for algorithm in ALGORITHMS:
        for level in (0, 3):
            cases.append(
                Case(
                    f"explain_{algorithm}_O{level}.txt",
                    partial(explain_text, algorithm, level),
                    needs_compiler=level == 3,
                )
            )
    cases.append(Case("row_kernel_pagerank.txt", row_kernel_text))
    for algorithm in ROTATED:
        cases.append(Case(f"rotate_{algorithm}.txt", partial(rotate_text, algorithm)))
    cases.append(Case("rotate_summary.txt", rotate_summary))
    return {c.name: c for c in cases}


CASES: Dict[str, Case] = _cases()


def stale_files() -> List[Path]:
    """Golden files of these kinds that no case renders any more."""
    return sorted(p for p in GOLDEN_DIR.glob("*.txt") if p.name.startswith(PREFIXES) and p.name not in CASES)


def mismatch(path: Path, actual: str) -> Optional[str]:
    """None when the golden file holds ``actual``; else why not, with a unified diff and how to refresh."""
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    if not path.exists():
        return f"{rel} is missing; create it with: {REFRESH}"
    expected = path.read_text()
    if expected == actual:
        return None
    return (
        f"{rel} differs from what the code renders now (- golden, + now).\n"
        f"If the change is intended, refresh and review the diff: {REFRESH}\n\n"
        + unified_diff(expected, actual, f"{rel} (golden)", f"{rel} (now)")
    )
