"""The `stepgraph` command line: every verb's output, exit codes and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest

import stepgraph as sg
from stepgraph.cli import main
from stepgraph.cli._common import progress_bar
from stepgraph.cli.run import discover

ALGORITHMS = sorted(discover())
NEEDS_SOURCE = {name for name, a in discover().items() if {"source", "sources"} & set(a.params)}

EDGES = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 2), (5, 6), (6, 6), (1, 3)]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def el_file(tmp_path: Path) -> Path:
    path = tmp_path / "g.el"
    path.write_text("# a small graph\n" + "".join(f"{u} {v}\n" for u, v in EDGES))
    return path


@pytest.fixture
def mtx_file(tmp_path: Path) -> Path:
    path = tmp_path / "g.mtx"
    lines = ["%%MatrixMarket matrix coordinate real general", "7 7 9"]
    lines += [f"{u + 1} {v + 1} {1.0 + 0.25 * i}" for i, (u, v) in enumerate(EDGES)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_every_algorithm_is_discovered() -> None:
    exported = {n for n in sg.algorithms.__all__ if not n.endswith("_program")}
    assert set(ALGORITHMS) == {n for n in exported if hasattr(sg.algorithms, n + "_program")}
    assert {"pagerank", "bfs", "sssp", "connected_components"} <= set(ALGORITHMS)


@pytest.mark.parametrize("argv", [[], ["run"], ["explain"], ["bench"], ["cache"], ["cache", "prune"], ["demo"]])
def test_help(capsys: pytest.CaptureFixture[str], argv: List[str]) -> None:
    code, out, err = cli(capsys, *argv, "--help")
    assert code == 0 and out.startswith("usage: stepgraph") and err == ""


@pytest.mark.parametrize(
    "argv, fragment",
    [
        ([], "required"),
        (["frobnicate"], "invalid choice"),
        (["run", "pagerank"], "required"),
        (["run", "no_such_algorithm", "g.el"], "invalid choice"),
        (["run", "pagerank", "g.el", "--alpha", "high"], "invalid float"),
        (["explain", "pagerank", "--opt-level", "7"], "invalid choice"),
        (["cache"], "required"),
        (["cache", "prune"], "--older-than"),
        (["bench", "--iters", "x"], "invalid int"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], argv: List[str], fragment: str) -> None:
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, "error:", fragment)


# What the graphs above do not allow: core_number refuses the self-loop (6, 6), as NetworkX does;
# with the mtx file's weights HITS and eigenvector centrality do not converge in 100 iterations
# (NetworkX's power iterations do not either).
REFUSED = {
    ("core_number", "el"): (sg.GraphError, "self-loops"),
    ("core_number", "mtx"): (sg.GraphError, "self-loops"),
    ("hits", "mtx"): (sg.ConvergenceError, "did not converge"),
    ("eigenvector_centrality", "mtx"): (sg.ConvergenceError, "did not converge"),
}


@pytest.mark.parametrize("name", ALGORITHMS)
@pytest.mark.parametrize("fmt", ["el", "mtx"])
def test_run_equals_the_python_api(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, el_file: Path, mtx_file: Path, name: str, fmt: str
) -> None:
    graph = el_file if fmt == "el" else mtx_file
    extra = ["--source", "2"] if name in NEEDS_SOURCE else []
    kwargs = {"sources" if "sources" in discover()[name].params else "source": [2]} if extra else {}
    if kwargs.get("source"):
        kwargs["source"] = 2
    refused = REFUSED.get((name, fmt))
    if refused:  # the library's error, and the command's one line naming it
        with pytest.raises(refused[0], match=refused[1]):
            getattr(sg.algorithms, name)(sg.read_graph(graph))
        code, _, err = cli(capsys, "run", name, str(graph))
        assert code == 1
        assert_one_line_error(err, refused[0].__name__, refused[1])
        return
    want = getattr(sg.algorithms, name)(sg.read_graph(graph), **kwargs).values
    for out_name in ("r.npy", "r.csv"):
        out = tmp_path / out_name
        code, stdout, err = cli(capsys, "run", name, str(graph), *extra, "--out", str(out))
        assert code == 0, err
        assert f"{name} on {graph}" in stdout and "7 nodes" in stdout
        if out_name.endswith(".npy"):
            got = np.load(out)
        else:
            table = np.loadtxt(out, delimiter=",", skiprows=1, ndmin=2)
            assert np.array_equal(table[:, 0], np.arange(7))
            got = table[:, 1:].T if want.ndim == 2 else table[:, 1]
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)  # bit for bit: CSV floats are written with 17 digits


def test_run_summary_threads_and_native(capsys: pytest.CaptureFixture[str], el_file: Path) -> None:
    code, out, err = cli(capsys, "run", "pagerank", str(el_file), "--threads", "1", "--alpha", "0.9", "--top", "3")
    assert code == 0, err
    assert "1 thread(s)" in out and "top 3 nodes by rank:" in out and "builder program" in out
    code, out, _ = cli(capsys, "run", "connected_components", str(el_file))
    assert code == 0 and "2 distinct component values" in out
    code, out, _ = cli(capsys, "run", "bfs", str(el_file), "--native", "--source", "0", "--out", str(el_file) + ".npy")
    assert code == 0 and "native twin" in out
    np.testing.assert_array_equal(np.load(str(el_file) + ".npy"), sg.native.bfs(sg.read_graph(el_file), 0).values)


def test_run_with_progress_bar_gives_the_same_values(
    capsys: pytest.CaptureFixture[str], el_file: Path, tmp_path: Path
) -> None:
    pytest.importorskip("tqdm")
    for name, extra in (("pagerank", []), ("sssp", ["--source", "1"])):
        out = tmp_path / f"{name}.npy"
        code, _, err = cli(capsys, "run", name, str(el_file), "--progress", "--out", str(out), *extra)
        assert code == 0, err
        kw = {"source": 1} if extra else {}
        np.testing.assert_array_equal(np.load(out), getattr(sg.algorithms, name)(sg.read_graph(el_file), **kw).values)


def test_progress_bar_is_off_without_a_terminal() -> None:
    assert progress_bar(None, 10, "x") is None  # pytest captures stdout: not a terminal
    assert progress_bar(False, 10, "x") is None
    tqdm = pytest.importorskip("tqdm")
    bar = progress_bar(True, 10, "x")
    assert bar is not None
    bar(3, 0.5)
    assert isinstance(bar._bar, tqdm.tqdm) and bar._bar.n == 3
    bar.close()


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["pagerank", "G", "--source", "1"], "pagerank takes no --source"),
        (["bfs", "G"], "bfs needs --source"),
        (["bfs", "G", "--source", "one"], "--source takes node ids"),
        (["bfs", "G", "--source", "1,2"], "one node id"),
        (["connected_components", "G", "--alpha", "0.5"], "takes no --alpha"),
        (["pagerank", "G", "--out", "ranks.txt"], "--out must end in .npy or .csv"),
        (["pagerank", "G", "--threads", "0"], "--threads must be >= 1"),
    ],
)
def test_run_usage_errors(capsys: pytest.CaptureFixture[str], el_file: Path, argv: List[str], fragment: str) -> None:
    code, out, err = cli(capsys, "run", *[str(el_file) if a == "G" else a for a in argv])
    assert code == 2 and out == ""
    assert_one_line_error(err, "stepgraph run: error:", fragment)


def test_run_errors_exit_1_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path, el_file: Path) -> None:
    code, _, err = cli(capsys, "run", "pagerank", str(tmp_path / "missing.el"))
    assert code == 1
    assert_one_line_error(err, "stepgraph run: FileNotFoundError: No such file or directory", "missing.el")
    bad = tmp_path / "bad.mtx"
    bad.write_text("%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 0.5\n1 x\n")
    code, _, err = cli(capsys, "run", "pagerank", str(bad))
    assert code == 1
    assert_one_line_error(err, "FormatError", "bad.mtx:4:")
    bad_el = tmp_path / "bad.el"
    bad_el.write_text("0 1\n1 two\n")
    code, _, err = cli(capsys, "run", "bfs", str(bad_el), "--source", "0")
    assert code == 1
    assert_one_line_error(err, "FormatError")
    code, _, err = cli(capsys, "run", "pagerank", str(el_file), "--alpha", "1.5")
    assert code == 1
    assert_one_line_error(err, "ParameterError", "alpha")
    code, _, err = cli(capsys, "run", "bfs", str(el_file), "--source", "99")
    assert code == 1
    assert_one_line_error(err, "ParameterError", "99")
    code, _, err = cli(capsys, "run", "pagerank", str(el_file), "--max-iter", "1", "--tol", "1e-15")
    assert code == 1
    assert_one_line_error(err, "ConvergenceError", "max_iter = 1")
    code, _, err = cli(capsys, "run", "pagerank", str(el_file), "--format", "mtx")
    assert code == 1
    assert_one_line_error(err, "FormatError")


@pytest.mark.parametrize("name", ALGORITHMS)
def test_explain(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = cli(capsys, "explain", name, "--opt-level", "0")
    assert code == 0 and err == ""
    assert out.startswith(f"program {name}")
    assert out == getattr(sg.algorithms, name + "_program")(opt_level=0).explain()
    assert "4611686018427387904" not in out


def test_explain_fixed_point_and_dot(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "explain", "bfs", "--passes")
    assert code == 0 and "until converged" in out and "4611686018427387904" not in out
    code, out, _ = cli(capsys, "explain", "pagerank", "--dot")
    assert code == 0 and out.startswith("digraph")


def test_bench(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "bench", "--graphs", "uniform(300),rmat(6)", "--iters", "2", "--trials", "1")
    assert code == 0, err
    for fragment in ("uniform(300): 300 nodes", "rmat(6)", "native twin", "run O3", "apply_batch O0", "apply_step O0"):
        assert fragment in out
    assert "every mode agrees with the native twin" in out


@pytest.mark.parametrize(
    "argv, fragment",
    [(["--graphs", "grid(3)"], "unknown graph"), (["--iters", "0"], ">= 1"), (["--threads", "0"], ">= 1")],
)
def test_bench_usage_errors(capsys: pytest.CaptureFixture[str], argv: List[str], fragment: str) -> None:
    code, _, err = cli(capsys, "bench", *argv)
    assert code == 2
    assert_one_line_error(err, "stepgraph bench: error:", fragment)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kernels"
    monkeypatch.setenv("SG_CACHE_DIR", str(root))
    return root


def _fake(root: Path, name: str, age_days: float, size: int = 100) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(b"x" * size)
    t = time.time() - age_days * 86400
    os.utime(path, (t, t))
    return path


def test_cache_info_list_prune_clear(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    code, out, _ = cli(capsys, "cache", "info")
    assert code == 0 and str(cache) in out and "not created yet" in out and "kernels    0" in out
    old = _fake(cache, "k_old-0123.so", 40, 2048)
    new = _fake(cache, "k_new-4567.so", 0.01, 1024)
    failed = _fake(cache, "k_bad-89ab.failed.cpp", 50)
    building = cache / ".build-abc"
    building.mkdir()
    (building / "k.cpp").write_text("// being compiled")
    stale = cache / ".build-old"
    stale.mkdir()
    t = time.time() - 86400
    os.utime(stale, (t, t))
    code, out, _ = cli(capsys, "cache", "info")
    assert code == 0 and "kernels    2, 3.0 KB" in out and "failed     1" in out and "building   2" in out
    code, out, _ = cli(capsys, "cache", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].endswith(failed.name) and lines[-1].endswith(new.name)  # oldest first
    code, out, _ = cli(capsys, "cache", "prune", "--older-than", "30")
    assert code == 0 and "removed 2 file(s)" in out and "1 compile(s) in progress left alone" in out
    assert not old.exists() and not failed.exists() and new.exists() and building.exists() and not stale.exists()
    code, out, _ = cli(capsys, "cache", "clear")
    assert code == 0 and "removed 1 file(s), 1.0 KB" in out
    assert not new.exists() and building.exists()  # a compile in progress is never touched


def test_cache_prune_bad_days(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    for days in ("-1", "nan"):
        code, _, err = cli(capsys, "cache", "prune", "--older-than", days)
        assert code == 2
        assert_one_line_error(err, "--older-than")


def test_cleared_cache_is_rebuilt_and_used_kernels_stay_fresh(
    capsys: pytest.CaptureFixture[str], cache: Path, el_file: Path
) -> None:
    prog = sg.algorithms.pagerank_program()
    libs = sorted(cache.glob("*.so"))
    if not libs:
        pytest.skip("no C++ compiler: row kernels run interpreted")
    t = time.time() - 10 * 86400
    for lib in libs:
        os.utime(lib, (t, t))
    sg.algorithms.pagerank_program()  # a cache hit marks the library used now
    assert all(lib.stat().st_mtime > time.time() - 3600 for lib in libs)
    assert cli(capsys, "cache", "clear")[0] == 0 and not list(cache.glob("*.so"))
    g = sg.read_graph(el_file)
    np.testing.assert_array_equal(prog.run(g)["rank"], sg.algorithms.pagerank_program().run(g)["rank"])
    assert sorted(cache.glob("*.so")) == libs  # compiled again, same names


def test_cache_removed_between_lookup_and_load_is_recompiled(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stepgraph import row_kernels

    sg.algorithms.pagerank_program()
    if not list(cache.glob("*.so")):
        pytest.skip("no C++ compiler: row kernels run interpreted")
    real_build = row_kernels.build

    def build_then_prune(symbol: str, source: str) -> Path:
        lib = real_build(symbol, source)
        if lib.exists() and build_then_prune.first:  # type: ignore[attr-defined]
            build_then_prune.first = False  # type: ignore[attr-defined]
            lib.unlink()  # `stepgraph cache clear` in another process, right now
        return lib

    build_then_prune.first = True  # type: ignore[attr-defined]
    monkeypatch.setattr(row_kernels, "build", build_then_prune)
    prog = sg.algorithms.pagerank_program()
    assert "row loop: compiled" in prog.explain()


def test_module_and_script_entry_points(tmp_path: Path, el_file: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    res = subprocess.run([sys.executable, "-m", "stepgraph", "--help"], capture_output=True, text=True, env=env)
    assert res.returncode == 0 and "run" in res.stdout and "cache" in res.stdout
    res = subprocess.run(
        [sys.executable, "-m", "stepgraph", "run", "pagerank", str(tmp_path / "nope.mtx")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert res.returncode == 1 and res.stdout == ""
    assert_one_line_error(res.stderr, "nope.mtx")
    script = Path(sys.executable).parent / "stepgraph"
    if script.exists():  # installed (setup.sh, the wheel): the console script of pyproject.toml
        res = subprocess.run([str(script), "run", "connected_components", str(el_file)], capture_output=True, text=True)
        assert res.returncode == 0 and "connected_components" in res.stdout
