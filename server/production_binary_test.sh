#!/usr/bin/env bash
# ctest: the production eko-gateway contains no simulator (no eko::sim symbol,
# no tests/ source) and refuses --dev with a message naming eko-gateway-dev;
# eko-gateway-dev starts in --dev mode.
# Usage: production_binary_test.sh EKO_GATEWAY EKO_GATEWAY_DEV
set -euo pipefail
gateway=$1
dev=$2

sim_symbols=$(nm -C "$gateway" | grep -c 'eko::sim::' || true)
if [[ "$sim_symbols" != 0 ]]; then
  echo "FAIL: $gateway holds $sim_symbols eko::sim symbols" >&2
  exit 1
fi
dev_symbols=$(nm -C "$dev" | grep -c 'eko::sim::' || true)
if [[ "$dev_symbols" == 0 ]]; then
  echo "FAIL: $dev holds no simulator (the check above would prove nothing)" >&2
  exit 1
fi

set +e
message=$("$gateway" --dev --listen 127.0.0.1:0 2>&1 >/dev/null)
code=$?
set -e
if [[ $code != 1 || "$message" != *"run eko-gateway-dev"* ]]; then
  echo "FAIL: eko-gateway --dev exited $code with: $message" >&2
  exit 1
fi

out=$(mktemp)
"$dev" --dev --listen 127.0.0.1:0 >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q "^eko-gateway listening on port " "$out" && break
  sleep 0.1
done
grep -q "^eko-gateway simulator on http://" "$out" || { echo "FAIL: eko-gateway-dev --dev did not start" >&2; cat "$out" >&2; exit 1; }
echo "OK: eko-gateway has no simulator ($gateway); eko-gateway-dev serves --dev"
