#!/usr/bin/env bash
# Soak test: eko-gateway under steady load for DURATION seconds (default 600)
# while the simulator injects a rotating mix of faults (5xx, 429, resets,
# stalls, truncated and malformed bodies, unknown codes, delays). Prints, as
# Markdown, the gateway's RSS over time, calls by status code, and whether the
# gateway survived and drained cleanly on SIGTERM.
# Usage: scripts/soak.sh [DURATION_SECONDS] [RATE_PER_SECOND]
# The load is open loop (RATE calls started per second, default 500).
# Needs a build (EKO_BUILD_DIR, default build) with tests/bench built.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-600}
RATE=${2:-500}
BUILD_DIR=${EKO_BUILD_DIR:-build}
SIM=$BUILD_DIR/tests/eko-sim
GATEWAY=$BUILD_DIR/server/eko-gateway
BENCH=$BUILD_DIR/tests/bench/eko-bench
for b in "$SIM" "$GATEWAY" "$BENCH"; do
  [ -x "$b" ] || { echo "soak: $b missing; build first" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
WORK=$(mktemp -d)
cleanup() {
  kill "$INJECTOR" "$GW" "$SIMPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$SIM" --listen 127.0.0.1:0 >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIMPID=$!
for _ in $(seq 100); do grep -q listening "$WORK/sim.out" && break; sleep 0.1; done
SIM_URL=$(sed -n 's/^eko-sim listening on //p' "$WORK/sim.out")
ADMIN=${SIM_URL%/ekoapi/v3}/__sim
"$GATEWAY" --listen 127.0.0.1:0 --eko-base-url "$SIM_URL" --eko-developer-key sim-developer-key \
  --eko-access-key sim-access-key --eko-initiator-id 9962981729 --eko-user-code 20810200 \
  --breaker-open-ms 1000 --log-level warn >"$WORK/gw.out" 2>"$WORK/gw.err" &
GW=$!
for _ in $(seq 100); do grep -q "listening on port" "$WORK/gw.out" && break; sleep 0.1; done
PORT=$(sed -n 's/^eko-gateway listening on port //p' "$WORK/gw.out")

# Rotating faults for the bench's customer, each used a few times.
FAULTS=(
  '{"customer_id":"6111111111","times":5,"action":"respond","http_status":503,"body":"down"}'
  '{"customer_id":"6111111111","times":3,"action":"respond","http_status":429,"headers":{"Retry-After":"1"},"body":"slow down"}'
  '{"customer_id":"6111111111","times":3,"action":"reset"}'
  '{"customer_id":"6111111111","times":2,"action":"stall"}'
  '{"customer_id":"6111111111","times":3,"action":"truncate","body":"{\"status\":2129,\"response_type_id\":2129}"}'
  '{"customer_id":"6111111111","times":3,"action":"respond","body":"<html>oops</html>"}'
  '{"customer_id":"6111111111","times":3,"action":"respond","body":"{\"status\":9999,\"response_type_id\":9999}"}'
  '{"customer_id":"6111111111","times":5,"action":"pass","delay_ms":300}'
  '{"customer_id":"6111111111","times":3,"action":"respond","http_status":403,"body":"{}"}'
)
(
  i=0
  while true; do
    curl -s -o /dev/null -X POST -H 'content-type: application/json' \
      -d "${FAULTS[$((i % ${#FAULTS[@]}))]}" "$ADMIN/faults" || true
    i=$((i + 1))
    sleep 2
  done
) &
INJECTOR=$!

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$GW/status"; }
echo "| t (s) | gateway RSS (MiB) |" >"$WORK/rss.md"
echo "| --- | --- |" >>"$WORK/rss.md"
(
  t=0
  while [ "$t" -le "$DURATION" ]; do
    [ -r "/proc/$GW/status" ] || break
    printf '| %s | %.1f |\n' "$t" "$(echo "$(rss_kib) / 1024" | bc -l)" >>"$WORK/rss.md"
    sleep 60
    t=$((t + 60))
  done
) &
SAMPLER=$!

"$BENCH" --addr "127.0.0.1:$PORT" --rate "$RATE" --duration-s "$DURATION" \
  --warmup-s 5 --timeout-ms 2000 --pid "gateway=$GW" >"$WORK/bench.txt" 2>&1 || true
kill "$SAMPLER" 2>/dev/null || true
ALIVE=no
kill -0 "$GW" 2>/dev/null && ALIVE=yes
kill -TERM "$GW"
EXIT=timeout
for _ in $(seq 300); do
  if ! kill -0 "$GW" 2>/dev/null; then wait "$GW" && EXIT=0 || EXIT=$?; break; fi
  sleep 0.1
done
echo "## Soak: ${DURATION} s at ${RATE} calls/s, faults rotating every 2 s"
echo
echo "Command: \`scripts/soak.sh $DURATION $RATE\`; gateway alive at the end: $ALIVE;"
echo "exit status after SIGTERM: $EXIT; crash/sanitizer lines in its log: $(grep -ciE 'sanitizer|segfault|abort' "$WORK/gw.err" || true)."
echo
cat "$WORK/rss.md"
echo
echo '```'
cat "$WORK/bench.txt"
echo '```'
