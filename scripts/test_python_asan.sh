#!/usr/bin/env bash
# The Python test suite against an ASan + UBSan build of stepgraph._core (issue #6).
#
#   scripts/test_python_asan.sh [pytest args...]      e.g. tests/python/test_concurrency.py -x
#
# Builds build/asan (RelWithDebInfo, -DSG_SANITIZE=ON) through scripts/devbuild.sh: the build
# scripts/test.sh runs the Catch2 suite in, so there this step is an incremental no-op. Then runs
# pytest on the uninstrumented python with the sanitizer runtimes preloaded. If the run outgrows
# CI's budget, lower the hypothesis scale (SG_PROP_SCALE=0.5 halves the property tests' examples)
# rather than skip files.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
NAME=${SG_ASAN_BUILD:-asan}

echo "[asan-pytest] building build/$NAME (ASan + UBSan)"
BUILD_TYPE=RelWithDebInfo JOBS=${JOBS:-2} bash scripts/devbuild.sh "$NAME" -DSG_SANITIZE=ON -DSG_BUILD_BENCH=ON

# python itself is not instrumented, so the ASan runtime must be loaded before anything else
# (else: "ASan runtime does not come first in initial library list"), and UBSan's with it.
# libstdc++ needs no preload with GCC 12: C++ exceptions crossing the bindings (the bad-input
# catalogue throws hundreds) are caught normally with only these two preloaded.
asan=$(g++ -print-file-name=libasan.so)
ubsan=$(g++ -print-file-name=libubsan.so)
for lib in "$asan" "$ubsan"; do
  [ -e "$lib" ] || { echo "[asan-pytest] missing sanitizer runtime: $lib" >&2; exit 1; }
done

# detect_leaks=0: CPython does not free everything at exit (interned strings, static types,
# module state; pybind11 leaks its internals on purpose), so LeakSanitizer would report
# thousands of "leaks" that are not ours. Leaks in the C++ library are caught by the Catch2
# suite under ASan with detect_leaks=1 (scripts/test.sh).
# allocator_may_return_null=1: an impossible allocation throws std::bad_alloc (-> OutOfMemoryError)
# as in a normal build, instead of ASan aborting the process.
# PYTHONMALLOC=malloc: Python objects come from malloc too, so ASan also sees the bindings'
# accesses to Python-owned memory.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export PYTHONMALLOC=malloc
export SG_PROP_SCALE=${SG_PROP_SCALE:-1}

echo "[asan-pytest] pytest (SG_PROP_SCALE=$SG_PROP_SCALE)"
start=$(date +%s)
LD_PRELOAD="$asan $ubsan" PYTHONPATH="build/$NAME/site" \
  $PY -m pytest -q -p no:cacheprovider --durations=15 "${@:-tests/python}"
echo "[asan-pytest] ok in $(( $(date +%s) - start )) s"
