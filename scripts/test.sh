#!/usr/bin/env bash
# Every test: install what is missing, build, then Catch2 (ASan+UBSan build, through ctest), the
# wheel and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/python_env.sh  # PY: .venv's python (or the active venv / conda env's)
export PYTHON=$PY             # for the scripts below (devbuild.sh, test_python_asan.sh)

echo "[test] layer order of the source folders (scripts/check_layers.py)"
$PY scripts/check_layers.py
$PY scripts/check_file_sizes.py  # no library source file over 400 lines
echo "[test] style (.clang-format; ruff, configured in pyproject.toml)"
clang-format --dry-run -Werror $(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find core graph ir kernels compiler exec native python tests benchmarks fuzz -name '*.[ch]pp')
$PY -m ruff check -q python tests/python benchmarks scripts
$PY -m ruff format -q --check python tests/python benchmarks scripts

echo "[test] C++ tests (ASan + UBSan)"
# One ASan + UBSan build (build/asan) serves the Catch2 suite, the benchmarks' smoke run and the
# sanitized pytest below: the library compiles once (it is most of the build's time).
BUILD_TYPE=RelWithDebInfo JOBS=${JOBS:-2} bash scripts/devbuild.sh asan -DSG_SANITIZE=ON -DSG_BUILD_BENCH=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "${JOBS:-2}"
# The C++ benchmarks are built above so they cannot rot; the gather anatomy's smoke run checks
# its reordered gathers against the production one, under the sanitizers.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  build/asan/stepgraph_gather_anatomy --quick >/dev/null
bash scripts/fuzz.sh "${SG_FUZZ_SECONDS:-45}"  # libFuzzer targets in fuzz/, ~45 s each (clang build: a few minutes)
# pytest against the ASan+UBSan _core of build/asan; the property tests at half their example
# counts there (the uninstrumented pytest below runs them in full), to keep CI under an hour.
SG_PROP_SCALE=${SG_PROP_SCALE:-0.5} bash scripts/test_python_asan.sh

echo "[test] type check (mypy)"
(cd python && $PY -m mypy --ignore-missing-imports -p stepgraph)

# The benchmark must never rot: a smoke run at tiny sizes (seconds). Timings there are noise,
# so no verdict decides the exit code; a crash, or a mode disagreeing with the native twin, does.
echo "[test] benchmark smoke run (benchmarks/ladder.py --quick)"
mkdir -p build
$PY benchmarks/ladder.py --quick --out build/bench-quick --no-progress >build/bench-quick.log
$PY benchmarks/check_regression.py build/bench-quick/ladder.json build/bench-quick/ladder.json >/dev/null
$PY benchmarks/algorithms.py --quick --out build/bench-algorithms-quick >build/bench-algorithms-quick.log 2>&1  # builder vs twins: fails on a crash or a disagreement, never on timings
echo "[test] benchmark smoke run ok: build/bench-quick/ladder.md"

bash scripts/test_wheel.sh  # pip wheel ., installed into a fresh venv under /tmp, smoke-tested
PY=$PY bash scripts/test_nx_suite.sh  # NetworkX's own tests of the functions the stepgraph backend serves

echo "[test] Python tests"
$PY -m pytest -q tests/python "$@"
