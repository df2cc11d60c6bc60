#!/usr/bin/env bash
# ctest: starts eko-gateway-dev --dev on a free port and runs the Python and Node
# error-decoding examples (client/examples/run.sh) against it.
# Usage: client_examples_test.sh GATEWAY_BINARY REPO_DIR
set -euo pipefail
gateway=$1
repo=$2
if [ ! -d "$repo/client/examples/node/node_modules" ]; then
  echo "client examples are not set up: run scripts/setup.sh" >&2
  exit 1
fi
out=$(mktemp)
"$gateway" --dev --listen 127.0.0.1:0 >"$out" 2>"$out.err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out" "$out.err"' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on port" "$out" && break
  sleep 0.1
done
port=$(sed -n 's/^eko-gateway listening on port //p' "$out")
admin=$(sed -n 's/^eko-gateway simulator on //p' "$out")
[ -n "$port" ] || { echo "gateway did not start"; cat "$out.err"; exit 1; }
"$repo/client/examples/run.sh" "127.0.0.1:$port" "$admin"
