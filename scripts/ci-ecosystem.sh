#!/usr/bin/env bash
# CI fragment for everything around the gateway that is not C++: deployment
# manifests, the API's lint/breaking checks, and the client stub packages.
# Needs no Docker and no network beyond Debian's apt and the npm registry.
#
# Usage: scripts/ci-ecosystem.sh
#   1 deploy     deploy/check.sh (yamllint, kustomize render, schema/unknown-field/
#                policy validation, Dockerfile checks, self-test)
#   2 buf        scripts/buf-check.sh (buf lint; buf breaking against the merge base with main or the last release tag)
#   3 packages   scripts/build-packages.sh: `buf generate` (buf.gen.yaml, local plugins),
#                then the Python wheel, the npm package (tsc, .d.ts), the Go module
#                (compiled) and the Java jar, each versioned from the proto; the step
#                checks that all four artifacts exist and carry the version
# The clients that use these packages against a real gateway are ctest tests
# (client_example_python, client_example_node, client_example_go, client_example_java;
# docs/clients.md).
#
# Installs what it needs (Debian 12, root or sudo): apt-get update, then the apt
# packages below; `npm ci` in tools/buf, client/packages/node and deploy.
# Prints "ecosystem: N passed, N failed" and exits 1 if any step failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
start=$(date +%s)

# ---- install -------------------------------------------------------------------------
packages=(
  yamllint binutils                                          # deploy/check.sh (objdump)
  protobuf-compiler libprotobuf-dev golang-github-gogo-googleapis-dev
  protobuf-compiler-grpc python3-grpcio python3-protobuf     # Python stubs
  python3-setuptools python3-wheel python3-pip               # Python wheel
  protoc-gen-go protoc-gen-go-grpc golang-go                 # Go stubs + module build
  golang-google-grpc-dev golang-google-protobuf-dev golang-google-genproto-dev
  golang-github-golang-protobuf-1-5-dev
  protobuf-compiler-grpc-java-plugin                         # Java stubs + jar
  libprotobuf-java libgrpc-java libguava-java libgeronimo-annotation-1.3-spec-java
)
command -v javac >/dev/null || packages+=(openjdk-17-jdk-headless)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
echo "ecosystem: apt-get update"
"${sudo_cmd[@]}" apt-get update >/dev/null || echo "ecosystem: apt-get update failed; trying the cached lists" >&2
echo "ecosystem: apt-get install (${#packages[@]} packages, already-installed ones are kept)"
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null \
  || { echo "ecosystem: apt-get install failed" >&2; exit 1; }
for d in tools/buf client/packages/node deploy; do
  echo "ecosystem: npm ci in $d"
  (cd "$d" && npm ci --no-audit --no-fund --loglevel=error) || { echo "ecosystem: npm ci in $d failed" >&2; exit 1; }
done

passed=0 failed=0
step() { # step NAME COMMAND...
  local name=$1 t0
  t0=$(date +%s)
  shift
  echo "ecosystem: ---- $name"
  if "$@"; then
    echo "ecosystem: PASS $name ($(( $(date +%s) - t0 )) s)"; passed=$((passed + 1))
  else
    echo "ecosystem: FAIL $name ($(( $(date +%s) - t0 )) s)" >&2; failed=$((failed + 1))
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

packages_check() {
  bash scripts/build-packages.sh --out "$tmp/packages" || return 1
  local version name=eko-onboarding-v1 p=$tmp/packages f
  version=$(sed -n 's/^project(eko_onboarding_gateway VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
  for f in "$p/eko_onboarding_v1-$version-py3-none-any.whl" "$p/$name-$version.tgz" \
           "$p/$name-$version.jar" "$p/go/go.mod" "$p/go/eko/onboarding/v1/onboarding_service_grpc.pb.go"; do
    [[ -s $f ]] || { echo "packages: $f missing" >&2; return 1; }
  done
  # Read each file whole before matching: `grep -q` stops reading at the first
  # match, and under pipefail the writer's broken pipe would fail the check.
  local package_json manifest
  package_json=$(tar -xOzf "$p/$name-$version.tgz" package/package.json) || return 1
  grep -q "\"version\": \"$version\"" <<< "$package_json" \
    || { echo "packages: npm package version is not $version" >&2; return 1; }
  manifest=$(/usr/bin/python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("META-INF/MANIFEST.MF").decode())' \
    "$p/$name-$version.jar") || return 1
  grep -q "^Implementation-Version: $version" <<< "$manifest" \
    || { echo "packages: jar version is not $version" >&2; return 1; }
  echo "packages: $(cd "$p" && printf '%s ' *.whl *.tgz *.jar)go/"
}

step deploy bash deploy/check.sh
step buf bash scripts/buf-check.sh
step packages packages_check

echo "ecosystem: finished in $(( $(date +%s) - start )) s"
echo "ecosystem: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
