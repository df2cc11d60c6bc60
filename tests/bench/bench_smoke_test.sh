#!/usr/bin/env bash
# bench_smoke: runs `scripts/bench --quick` on an existing build and checks that
# every tool ran (exit 0) and printed its table, over each transport (plain HTTP, HTTPS,
# HTTP/2). No timing assertions.
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
# The script's summary: the targets, then each transport's tables.
expect "### Targets"
expect "#### A: one call in flight, simulator answers at once (plain HTTP)"
expect "#### B: 16 calls in flight, simulator answers at once (plain HTTP)"
expect "#### C: simulator answers after 200 ms, closed loop (plain HTTP)"
expect "#### A: one call in flight, simulator answers at once (HTTPS)"
expect "#### C: simulator answers after 200 ms, closed loop (HTTPS)"
expect "#### A: one call in flight, simulator answers at once (HTTP/2)"
expect "#### C: simulator answers after 200 ms, closed loop (HTTP/2)"
# The floors used the transport: TLS, and HTTP/2 responses through nghttpx.
expect "url=https://127.0.0.1:"
if ! grep -Eq '^  http2_responses=[1-9]' "$OUT"; then
  echo "bench_smoke: the HTTP/2 floor got no response over HTTP/2"
  failed=1
fi
# The gateway used HTTP/2 through nghttpx and TLS towards eko-sim.
if ! grep -Eq 'Gateway connections in C_100: [1-9][0-9]* open at the window.s end; [0-9]+ opened in the window \([1-9][0-9]* since start: [1-9][0-9]* HTTP/2' "$OUT"; then
  echo "bench_smoke: the HTTP/2 gateway opened no HTTP/2 connection"
  failed=1
fi
if ! grep -Eq '^Gateway connections in C_100: [1-9][0-9]* open at the window.s end; [0-9]+ opened in the window \([1-9][0-9]* since start: 0 HTTP/2, [1-9]' "$OUT"; then
  echo "bench_smoke: the HTTPS gateway opened no HTTP/1.1 connection over TLS"
  failed=1
fi
if [ "$failed" -ne 0 ]; then
  cat "$OUT"
  exit 1
fi
echo "bench_smoke: scripts/bench --quick ran every scenario and printed every table"
