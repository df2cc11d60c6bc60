#!/usr/bin/env bash
# Runs the error-decoding examples against a running gateway and fails when
# either one did not see the documented errors.
#
# Usage: client/examples/run.sh ADDR [SIM_ADMIN_URL]
#   ADDR           gateway address, e.g. 127.0.0.1:50051
#   SIM_ADMIN_URL  optional: the URL `eko-gateway --dev` prints as
#                  "eko-gateway simulator on URL" (lets the examples make sure
#                  their wrong OTP really is wrong; they cope without it).
#
# Network: only ADDR (and SIM_ADMIN_URL), plus the npm registry for `npm ci`
# when node/node_modules is missing. Python stubs are generated from the repo's
# proto/ by `buf generate` (scripts/gen-stubs.sh) into a temp dir that is
# removed on exit.
# Env (the Node example's protos): EKO_PROTO_DIR (default: the repo's proto/),
# EKO_GOOGLEAPIS_DIR (default: Debian's golang-github-gogo-googleapis-dev);
# PYTHON (default /usr/bin/python3).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || "$1" == -* ]]; then
  echo "usage: $0 ADDR [SIM_ADMIN_URL]" >&2
  exit 2
fi
addr=$1
admin_url=${2:-${EKO_SIM_ADMIN_URL:-}}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
proto_dir=${EKO_PROTO_DIR:-$(cd "$here/../../proto" && pwd)}
googleapis_dir=${EKO_GOOGLEAPIS_DIR:-/usr/share/gocode/src/github.com/gogo/googleapis}
python=${PYTHON:-/usr/bin/python3}
export EKO_PROTO_DIR=$proto_dir EKO_GOOGLEAPIS_DIR=$googleapis_dir

for need in protoc /usr/bin/grpc_python_plugin "$python" node npm; do
  if ! command -v "$need" >/dev/null; then
    echo "run.sh: $need not found; run $here/setup.sh" >&2
    exit 2
  fi
done
if [[ ! -f "$googleapis_dir/google/rpc/status.proto" ]]; then
  echo "run.sh: no google/rpc/status.proto under $googleapis_dir (apt-get install golang-github-gogo-googleapis-dev)" >&2
  exit 2
fi

gen=$(mktemp -d "${TMPDIR:-/tmp}/eko-examples-py.XXXXXX")
trap 'rm -rf "$gen"' EXIT

# Python stubs (messages, service stub, google.rpc + google.type): `buf generate`
# through scripts/gen-stubs.sh, the same generation as the packages.
bash "$here/../../scripts/gen-stubs.sh" --out "$gen" python >/dev/null

failed=0

echo "### python: $python python/decode_errors.py $addr"
if PYTHONPATH="$gen/python" PYTHONDONTWRITEBYTECODE=1 "$python" "$here/python/decode_errors.py" "$addr" ${admin_url:+"$admin_url"}; then
  :
else
  echo "### python example exited with status $?" >&2
  failed=1
fi
echo

if [[ ! -d "$here/node/node_modules" ]]; then
  echo "### npm ci (node/node_modules is missing)"
  (cd "$here/node" && npm ci --silent --no-audit --no-fund)
fi
echo "### node: node node/decode_errors.js $addr"
if node "$here/node/decode_errors.js" "$addr" ${admin_url:+"$admin_url"}; then
  :
else
  echo "### node example exited with status $?" >&2
  failed=1
fi

if [[ $failed -ne 0 ]]; then
  echo "### run.sh: FAILED" >&2
  exit 1
fi
echo
echo "### run.sh: both examples OK"
