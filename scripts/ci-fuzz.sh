#!/usr/bin/env bash
# CI check: builds the libFuzzer targets of tests/fuzz (clang 14, ASan+UBSan,
# -DEKO_FUZZ=ON) into ${EKO_FUZZ_BUILD_DIR:-build-fuzz} and runs each one for
# SECONDS (default 60) from its seed corpus. Fails on any crash, sanitizer
# report or violated invariant; the input that caused it is saved under
# $BUILD_DIR/artifacts/<target>/ (see tests/fuzz/README.md to reproduce).
# Usage: scripts/ci-fuzz.sh [SECONDS]
# EKO_FUZZ_ASCII_BODIES=1 is passed on to fuzz_envelope (tests/fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${1:-60}"
if ! [[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS]  (seconds per target, default 60)" >&2
  exit 2
fi
BUILD_DIR="${EKO_FUZZ_BUILD_DIR:-build-fuzz}"
TARGETS=(fuzz_envelope fuzz_validation)

# Debian 12 packages: the project's (setup.sh) plus clang 14 with libFuzzer
# and the sanitizer runtimes, and llvm-symbolizer for readable stacks.
bash scripts/setup-clang.sh

# -O1 -g without NDEBUG: fast enough, with RapidJSON's and abseil's
# assertions on. Only the fuzz targets and what they link are built.
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DEKO_FUZZ=ON -DEKO_SANITIZE=ON -DEKO_BUILD_TESTS=OFF
fi
cmake --build "$BUILD_DIR" --parallel "$(nproc)" --target "${TARGETS[@]}"

export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

# The targets run side by side (one per core); each grows its own corpus in
# the build dir and reads the checked-in seeds, which it never modifies.
declare -A pids rcs
for t in "${TARGETS[@]}"; do
  rm -rf "$BUILD_DIR/artifacts/$t"
  mkdir -p "$BUILD_DIR/corpus/$t" "$BUILD_DIR/artifacts/$t"
  "$BUILD_DIR/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 \
    -max_len=8192 -print_final_stats=1 -artifact_prefix="$BUILD_DIR/artifacts/$t/" \
    "$BUILD_DIR/corpus/$t" "tests/fuzz/corpus/$t" >"$BUILD_DIR/$t.log" 2>&1 &
  pids[$t]=$!
  if [ "$(nproc)" -lt 2 ]; then
    rcs[$t]=0
    wait "${pids[$t]}" || rcs[$t]=$?
  fi
done

failed=0
for t in "${TARGETS[@]}"; do
  rc="${rcs[$t]:-}"
  if [ -z "$rc" ]; then
    rc=0
    wait "${pids[$t]}" || rc=$?
  fi
  log="$BUILD_DIR/$t.log"
  final="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  execs="$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log" | tail -1)"
  runs="$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$final")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$final")"
  corp="$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$final")"
  if [ "$rc" -eq 0 ] && [ -n "$final" ]; then
    echo "ci-fuzz: $t OK: ${SECONDS_EACH}s, ${runs:-?} runs, ${execs:-?} exec/s, cov: ${cov:-?} ft: ${ft:-?} corp: ${corp:-?}"
    echo "ci-fuzz: $t final line: $final"
  else
    failed=1
    echo "ci-fuzz: $t FAILED (exit $rc); end of $log (without progress lines):" >&2
    grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)|NEW_FUNC|# Uses:' "$log" | tail -n 60 >&2
    for a in "$BUILD_DIR/artifacts/$t"/*; do
      [ -e "$a" ] || continue
      echo "ci-fuzz: reproduce with: $BUILD_DIR/tests/fuzz/$t $a" >&2
      echo "ci-fuzz: input (hex): $(od -An -tx1 -v "$a" | tr -d ' \n' | head -c 2000)" >&2
    done
  fi
done
exit "$failed"
