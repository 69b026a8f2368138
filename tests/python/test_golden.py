"""Golden files: explain() of every sg.algorithms program at O0 and O3, the builder PageRank's
generated row kernel, and the IR around the rotate pass, against tests/golden/.

What is rendered and normalized, and why: tests/python/golden_cases.py. After an intended change:
    PYTHONPATH=build/<name>/site python3 scripts/refresh_golden.py
"""

from __future__ import annotations

from pathlib import Path

import pytest

import golden_cases as G


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's row-kernel cache (test_row_kernels shares it), never the user's.
    monkeypatch.setenv("SG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "row_kernel_cache"))


@pytest.mark.parametrize("name", sorted(G.CASES))
def test_matches_golden_file(name: str) -> None:
    case = G.CASES[name]
    if case.needs_compiler:
        why = G.compiler_missing()
        if why:
            pytest.skip(f"O3 plans compile row kernels: {why}")
    why = G.mismatch(case.path, case.render())
    if why:
        pytest.fail(why, pytrace=False)


def test_no_stale_golden_files() -> None:
    stale = [p.name for p in G.stale_files()]
    assert not stale, f"golden files no case renders (refresh removes them: {G.REFRESH}): {stale}"


def test_a_changed_line_fails_with_a_diff_and_the_refresh_command(tmp_path: Path) -> None:
    text = G.CASES["explain_pagerank_O0.txt"].render()
    good = next(line for line in text.splitlines() if "= recip " in line)
    bad = good.replace("= recip ", "= recip %9 ")
    golden = tmp_path / "explain_pagerank_O0.txt"
    golden.write_text(text.replace(good, bad))
    why = G.mismatch(golden, text)
    assert why is not None
    assert f"-{bad}\n+{good}\n" in why
    assert "scripts/refresh_golden.py" in why
    golden.write_text(text)
    assert G.mismatch(golden, text) is None
    assert "is missing" in (G.mismatch(tmp_path / "absent.txt", text) or "")


def test_library_paths_are_normalized_and_the_symbol_kept() -> None:
    line = "  row loop: compiled (/home/u/.cache/stepgraph/row_kernels/sg_rk6_1c000c0ebeef895b-f9073c868.so); runs rows"
    assert G.normalize_explain(line) == "  row loop: compiled (<cache>/sg_rk6_1c000c0ebeef895b-<digest>.so); runs rows"
