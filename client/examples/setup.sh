#!/usr/bin/env bash
# Installs what the error-decoding examples need on a fresh Debian 12 machine.
# Idempotent: installs only what is missing, then `npm ci` in node/, tools/buf and
# client/packages/node (only when node_modules is missing or older than package-lock.json).
# Needs root (or sudo) for apt-get.
#
# apt packages:
#   python3-grpcio python3-protobuf      the Python example (/usr/bin/python3)
#   protobuf-compiler libprotobuf-dev    protoc + google/protobuf/*.proto (run.sh)
#   protobuf-compiler-grpc               /usr/bin/grpc_python_plugin (run.sh)
#   golang-github-gogo-googleapis-dev    google/rpc/*.proto, google/type/*.proto
#   nodejs npm                           only when `node` or `npm` is missing
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

packages=(python3-grpcio python3-protobuf protobuf-compiler libprotobuf-dev
          protobuf-compiler-grpc golang-github-gogo-googleapis-dev)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup.sh: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Try from the current package lists first; refresh them only if that fails.
  if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
  fi
else
  echo "setup.sh: apt packages already installed"
fi

/usr/bin/python3 -c 'import grpc, google.protobuf' \
  || { echo "setup.sh: /usr/bin/python3 cannot import grpc/google.protobuf" >&2; exit 1; }

# npm ci where node_modules is missing or older than package-lock.json: the
# decode_errors.js example, buf (buf generate), ts-proto + tsc (the npm package).
repo=$(cd "$here/../.." && pwd)
for dir in "$here/node" "$repo/tools/buf" "$repo/client/packages/node"; do
  if [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules ]]; then
    echo "setup.sh: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
  else
    echo "setup.sh: ${dir#"$repo"/}/node_modules is up to date"
  fi
done
echo "setup.sh: done; run $here/run.sh ADDR"
