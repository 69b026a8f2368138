#!/usr/bin/env bash
# Fuzz every libFuzzer target in fuzz/ for a bounded time: scripts/fuzz.sh [seconds per target, default 60]
# Builds build/fuzz with clang (ASan + UBSan + libFuzzer), fuzzes a scratch copy of each committed
# seed corpus (fuzz/corpus/<target>, never grown here), prints one summary line per target, and
# exits non-zero on any crash, leak, sanitizer report or hang; the input is kept in build/fuzz/artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD=build/fuzz

bash scripts/apt_install.sh fuzz clang libclang-rt-14-dev libeigen3-dev libtbb-dev libfmt-dev

echo "[fuzz] building $BUILD (clang, libFuzzer + ASan + UBSan)"
# -O1 -g without NDEBUG: asserts stay on, and stacks stay readable.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DSG_BUILD_FUZZ=ON -DSG_BUILD_PYTHON=OFF -DSG_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j "${JOBS:-2}"

mkdir -p "$BUILD/artifacts" "$BUILD/logs"
failed=0
for src in fuzz/fuzz_*.cpp; do
  target=$(basename "$src" .cpp)
  work="$BUILD/corpus/$target"
  rm -rf "$work"
  mkdir -p "$work"
  cp fuzz/corpus/"$target"/* "$work"/
  dict=()
  [ -f "fuzz/$target.dict" ] && dict=(-dict="fuzz/$target.dict")
  log="$BUILD/logs/$target.log"
  rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$target-" "${dict[@]}" "$work" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=1
    failed=1
  fi
  echo "[fuzz] $target: ${execs:-?} execs in $SECONDS_PER_TARGET s, $crashes crashes"
  if [ "$rc" -ne 0 ]; then
    grep -E "ERROR|SUMMARY|runtime error|Test unit written|deadly signal|timeout" "$log" | head -20 || true
    echo "[fuzz] $target failed (exit $rc): full log $log, inputs in $BUILD/artifacts/"
  fi
done
exit "$failed"
