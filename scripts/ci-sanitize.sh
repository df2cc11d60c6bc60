#!/usr/bin/env bash
# CI check: builds everything with AddressSanitizer + UndefinedBehaviorSanitizer
# (clang 14, Debug, -DEKO_SANITIZE=ON) into ${EKO_ASAN_BUILD_DIR:-build-asan}
# and runs every ctest test (unit and integration) under them. Fails on a
# failing test or on any sanitizer report, including reports from child
# processes (eko-gateway, eko-sim) that a test might not notice.
# Extra arguments are passed to ctest (e.g. -L unit, -R Journey).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${EKO_ASAN_BUILD_DIR:-build-asan}"
JOBS="$(nproc)"

# Debian 12 packages: the project's (setup.sh) plus clang 14 with its
# sanitizer runtimes and llvm-symbolizer for readable stacks.
bash scripts/setup-clang.sh

# clang rather than g++: with the sanitizers it compiles this project's
# heaviest files 1.4-2x faster. Debug (-O0) keeps the build short; the tests
# are I/O bound. The ignorelist silences one UBSan report inside Debian's
# RapidJSON 1.1.0 headers (see the file).
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=Debug -DEKO_SANITIZE=ON -DEKO_BUILD_TESTS=ON \
    -DCMAKE_CXX_FLAGS="-fsanitize-ignorelist=$(pwd)/tests/fuzz/sanitizer_ignorelist.txt"
fi
cmake --build "$BUILD_DIR" --parallel "$JOBS"

# Every sanitizer report goes to a file under $REPORTS (one per process), so
# that reports from processes whose exit status nobody checks are seen too.
REPORTS="$(pwd)/$BUILD_DIR/sanitizer-reports"
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$REPORTS/ubsan"
# print_suppressions=0: a run whose only leaks are suppressed writes no
# "Suppressions used" summary, so every file left under $REPORTS is a finding.
export LSAN_OPTIONS="log_path=$REPORTS/lsan:suppressions=$PWD/tests/fuzz/lsan_suppressions.txt:print_suppressions=0"

status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$JOBS" "$@" || status=$?

if compgen -G "$REPORTS/*" >/dev/null; then
  echo "ci-sanitize: sanitizer reports:" >&2
  for f in "$REPORTS"/*; do
    echo "===== $f" >&2
    cat "$f" >&2
  done
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "ci-sanitize: FAILED" >&2
  exit "$status"
fi
echo "ci-sanitize: all tests passed under ASan+UBSan, no sanitizer reports"
