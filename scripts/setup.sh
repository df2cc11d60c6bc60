#!/usr/bin/env bash
# Installs every Debian 12 package needed to build, run and test the gateway,
# plus the packages named as arguments (scripts/setup-clang.sh passes its own).
# Idempotent: re-running only re-checks the package list.
# Usage: scripts/setup.sh [EXTRA_PACKAGE...]
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libprotoc-dev protobuf-compiler grpc-proto
  golang-github-gogo-googleapis-dev
  libcurl4-openssl-dev libssl-dev rapidjson-dev libabsl-dev libevent-dev prometheus-cpp-dev
  libhiredis-dev redis-server
  libgtest-dev libgmock-dev libcli11-dev
  curl ca-certificates openssl
  # nghttpx: the HTTP/2 TLS upstream of tests/integration/upstream_connections_test.cc
  nghttp2-proxy
  # jq: client/README.md's scripting example, run by the docs_commands test
  jq
  # client stub packages (scripts/build-packages.sh) and the client_example_* tests
  python3-setuptools python3-wheel python3-pip protoc-gen-go protoc-gen-go-grpc
  golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-google-genproto-dev golang-github-golang-protobuf-1-5-dev
  protobuf-compiler-grpc-java-plugin openjdk-17-jdk-headless libprotobuf-java libgrpc-java libguava-java
  libgeronimo-annotation-1.3-spec-java libnetty-java libperfmark-java libgoogle-gson-java
)
PACKAGES+=("$@")

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} build packages already installed"
else
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The Python and Node client examples that the test suite runs against the
# gateway (Debian python3-grpcio; Node from apt only if missing; npm ci).
bash "$(dirname "$0")/../client/examples/setup.sh"
