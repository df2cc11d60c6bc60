#!/usr/bin/env bash
# Quick-start command 1: installs what is needed, builds, starts eko-gateway on
# its embedded Eko simulator (--dev) and walks real onboarding journeys through
# it with eko-cli. The gateway keeps running afterwards until Ctrl-C, unless
# --exit is given.
#
# Environment: EKO_DEMO_PORT (gRPC port, default 50051), EKO_DEMO_SIM_PORT
# (simulator port, default 8090).
set -euo pipefail
cd "$(dirname "$0")/.."
EXIT_AFTER=0
[ "${1:-}" = "--exit" ] && EXIT_AFTER=1

bash scripts/setup.sh
bash scripts/build.sh

BUILD_DIR="${EKO_BUILD_DIR:-build}"
GATEWAY="$BUILD_DIR/server/eko-gateway-dev"
CLI="$BUILD_DIR/client/eko-cli"
PORT="${EKO_DEMO_PORT:-50051}"
SIM_PORT="${EKO_DEMO_SIM_PORT:-8090}"
ADDR="127.0.0.1:$PORT"
LOG="$(mktemp -t eko-gateway-demo.XXXXXX.log)"

"$GATEWAY" --dev --listen "$ADDR" --dev-simulator-listen "127.0.0.1:$SIM_PORT" \
  >"$LOG.out" 2>"$LOG" &
GATEWAY_PID=$!
cleanup() { kill "$GATEWAY_PID" 2>/dev/null || true; wait "$GATEWAY_PID" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  grep -q "listening on port" "$LOG.out" 2>/dev/null && break
  if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
    echo "eko-gateway failed to start:"; cat "$LOG"; exit 1
  fi
  sleep 0.1
done
grep -q "listening on port" "$LOG.out" || { echo "eko-gateway did not start"; cat "$LOG"; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n$ eko-cli %s\n' "$1" "${*:2}"; }
cli() { "$CLI" --addr "$ADDR" "$@"; }
SIM_ADMIN="$(sed -n 's/^eko-gateway simulator on //p' "$LOG.out")"

CUSTOMER="9$(printf '%09d' $(( ($(date +%s) * 7919 + RANDOM) % 1000000000 )))"
SENDER="8$(printf '%09d' $(( ($(date +%s) * 104729 + RANDOM) % 1000000000 )))"
echo "eko-gateway-dev (--dev) is serving on $ADDR; simulator admin at $SIM_ADMIN; log: $LOG"

step "Health" health
cli health

# The simulator's admin endpoint hands out the OTP it "sent" (real OTPs go by
# SMS); --otp-from-sim reads it from there. Without it the journey prompts.
step "Generic customer journey: lookup -> onboard -> verify OTP -> complete" \
  journey customer --customer-id "$CUSTOMER" --name "Asha Rao" --dob 1990-05-15 \
  --address "12 MG Road" --address Bengaluru --otp-from-sim "$SIM_ADMIN"
cli journey customer --customer-id "$CUSTOMER" --name "Asha Rao" --dob 1990-05-15 \
  --address "12 MG Road" --address Bengaluru --otp-from-sim "$SIM_ADMIN"

step "A customer whose Aadhaar validation is pending (simulator test number ...2136)" \
  journey customer --customer-id 9000002136 --name "Meera Iyer" --dob 1988-08-08 \
  --address Chennai --otp-from-sim "$SIM_ADMIN"
cli journey customer --customer-id 9000002136 --name "Meera Iyer" --dob 1988-08-08 \
  --address Chennai --otp-from-sim "$SIM_ADMIN"

step "A wrong OTP is a typed error with decoded details" verify-customer-otp \
  --customer-id 6111111111 --otp 000000 --otp-ref-id stale-ref
cli verify-customer-otp --customer-id 6111111111 --otp 000000 --otp-ref-id stale-ref || true

step "Bad input is rejected before any call to Eko" onboard-customer --customer-id 12345 \
  --name "" --dob 2999-01-01 --address x
cli onboard-customer --customer-id 12345 --name "" --dob 2999-01-01 --address x || true

step "DMT-Fino sender journey: lookup -> onboard -> biometric eKYC -> validate eKYC OTP" \
  journey sender --customer-id "$SENDER" --name "Ravi Kumar" --dob 1985-01-02 \
  --address-line "12 MG Road" --city Indore --state "Madhya Pradesh" --pincode 452001 \
  --aadhaar 234567890123 --pid-data "'<PidData>...</PidData>'" --otp-from-sim "$SIM_ADMIN"
cli journey sender --customer-id "$SENDER" --name "Ravi Kumar" --dob 1985-01-02 \
  --address-line "12 MG Road" --city Indore --state "Madhya Pradesh" --pincode 452001 \
  --aadhaar 234567890123 --pid-data '<PidData><Resp errCode="0"/></PidData>' \
  --otp-from-sim "$SIM_ADMIN"

printf '\nJourneys complete. One JSON log line per RPC is in %s\n' "$LOG"
if [ "$EXIT_AFTER" = 1 ]; then exit 0; fi
echo "eko-gateway keeps serving on $ADDR (try: $CLI --addr $ADDR get-customer --customer-id 6111111111). Ctrl-C stops it."
wait "$GATEWAY_PID"
