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
GATEWAY="$BUILD_DIR/server/eko-gateway"
CLI="$BUILD_DIR/client/eko-cli"
PORT="${EKO_DEMO_PORT:-50051}"
SIM_PORT="${EKO_DEMO_SIM_PORT:-8090}"
ADDR="127.0.0.1:$PORT"
SIM_ADMIN="http://127.0.0.1:$SIM_PORT/__sim"
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
# The simulator's admin endpoint shows the OTP it "sent" (real OTPs go by SMS).
sim_field() {  # sim_field CUSTOMER_ID FIELD
  curl -fsS "$SIM_ADMIN/otp?customer_id=$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"
}

CUSTOMER="9$(printf '%09d' $(( ($(date +%s) * 7919 + RANDOM) % 1000000000 )))"
echo "eko-gateway (--dev) is serving on $ADDR; simulator admin at $SIM_ADMIN; log: $LOG"

step "Health" health
cli health

step "Look the customer up (not enrolled yet)" get-customer --customer-id "$CUSTOMER"
cli get-customer --customer-id "$CUSTOMER"

step "Onboard the customer (Eko sends an OTP)" onboard-customer --customer-id "$CUSTOMER" \
  --name "Asha Rao" --dob 1990-05-15 --address "12 MG Road" --address "Bengaluru"
cli --json onboard-customer --customer-id "$CUSTOMER" --name "Asha Rao" --dob 1990-05-15 \
  --address "12 MG Road" --address "Bengaluru" | tee "$LOG.onboard"
OTP_REF="$(sed -n 's/.*"otp_ref_id":"\([^"]*\)".*/\1/p' "$LOG.onboard")"
OTP="$(sim_field "$CUSTOMER" otp)"

step "A wrong OTP is a typed error with decoded details" verify-customer-otp \
  --customer-id "$CUSTOMER" --otp 000000 --otp-ref-id "$OTP_REF"
cli verify-customer-otp --customer-id "$CUSTOMER" --otp 000000 --otp-ref-id "$OTP_REF" || true

step "Verify the OTP (from the simulator's admin endpoint)" verify-customer-otp \
  --customer-id "$CUSTOMER" --otp "$OTP" --otp-ref-id "$OTP_REF"
cli verify-customer-otp --customer-id "$CUSTOMER" --otp "$OTP" --otp-ref-id "$OTP_REF"

step "Bad input is rejected before any call to Eko" onboard-customer --customer-id 12345 \
  --name "" --dob 2999-01-01 --address x
cli onboard-customer --customer-id 12345 --name "" --dob 2999-01-01 --address x || true

SENDER="8$(printf '%09d' $(( ($(date +%s) * 104729 + RANDOM) % 1000000000 )))"
step "DMT-Fino sender: onboard" onboard-sender --customer-id "$SENDER" --name "Ravi Kumar" \
  --dob 1985-01-02 --address Pune
cli onboard-sender --customer-id "$SENDER" --name "Ravi Kumar" --dob 1985-01-02 --address Pune

step "DMT-Fino sender: biometric eKYC" start-sender-ekyc --customer-id "$SENDER" \
  --aadhaar 234567890123 --pid-data "<PidData>...</PidData>"
cli --json start-sender-ekyc --customer-id "$SENDER" --aadhaar 234567890123 \
  --pid-data '<PidData><Resp errCode="0"/></PidData>' | tee "$LOG.ekyc"
EKYC_REF="$(sed -n 's/.*"otp_ref_id":"\([^"]*\)".*/\1/p' "$LOG.ekyc")"
KYC_ID="$(sed -n 's/.*"kyc_request_id":"\([^"]*\)".*/\1/p' "$LOG.ekyc")"
EKYC_OTP="$(sim_field "$SENDER" otp)"

step "DMT-Fino sender: validate the eKYC OTP" validate-ekyc-otp --customer-id "$SENDER" \
  --otp "$EKYC_OTP" --otp-ref-id "$EKYC_REF" --kyc-request-id "$KYC_ID"
cli validate-ekyc-otp --customer-id "$SENDER" --otp "$EKYC_OTP" --otp-ref-id "$EKYC_REF" \
  --kyc-request-id "$KYC_ID"

rm -f "$LOG.onboard" "$LOG.ekyc"
printf '\nJourneys complete. One JSON log line per RPC is in %s\n' "$LOG"
if [ "$EXIT_AFTER" = 1 ]; then exit 0; fi
echo "eko-gateway keeps serving on $ADDR (try: $CLI --addr $ADDR get-customer --customer-id 6111111111). Ctrl-C stops it."
wait "$GATEWAY_PID"
