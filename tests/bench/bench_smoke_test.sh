#!/usr/bin/env bash
# bench_smoke: runs `scripts/bench --quick` on an existing build and checks that
# every tool ran (exit 0) and printed its table. No timing assertions.
# Usage: bench_smoke_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SOURCE_DIR="$1"
BUILD_DIR="$2"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

if ! "$SOURCE_DIR/scripts/bench" --quick --no-build --build-dir "$BUILD_DIR" >"$OUT" 2>&1; then
  cat "$OUT"
  echo "bench_smoke: scripts/bench --quick failed"
  exit 1
fi

failed=0
expect() {
  if ! grep -qF -- "$1" "$OUT"; then
    echo "bench_smoke: missing from the output: $1"
    failed=1
  fi
}
# Each tool's table.
expect "eko-bench  target=gateway  mode=closed"
expect "eko-bench  target=echo  mode=closed"
expect "bench-curl-floor  target=upstream  mode=closed"
expect "requests/s"
expect "p99.9 us"
expect "cpu us/call"
expect "ctx sw/call"
expect "threads max"
expect "VmHWM MiB"
# The script's summary.
expect "### Targets"
expect "### A: one call in flight"
expect "### B: 16 calls in flight"
expect "### C: simulator answers after 200 ms"
if [ "$failed" -ne 0 ]; then
  cat "$OUT"
  exit 1
fi
echo "bench_smoke: scripts/bench --quick ran every scenario and printed every table"
