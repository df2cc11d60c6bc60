#!/usr/bin/env bash
# Builds the client stubs of the gateway's API as packages, offline: runs
# `buf generate` (buf.gen.yaml) and turns its output into
#   python  eko_onboarding_v1-VERSION-py3-none-any.whl   (setuptools, pip wheel --no-index)
#   node    eko-onboarding-v1-VERSION.tgz                (tsc to JS + .d.ts, npm pack)
#   go      go/ module github.com/eko/onboarding-gateway/gen/go, compiled with `go build`
#   java    eko-onboarding-v1-VERSION.jar               (javac + jar, pom.xml inside)
# plus ci-deps/: google.rpc + google.type for Python (PYTHONPATH) and Java (a jar)
# that CI uses in place of googleapis-common-protos / proto-google-common-protos
# (neither is packaged by Debian). Sources and metadata: client/packages/<lang>/.
#
# Usage: scripts/build-packages.sh [--out DIR] [--stubs-only] [LANG...]
#   LANG          python | node | go | java (default: all four)
#   --out         output directory (default: build-packages/, ignored by git)
#   --stubs-only  no packages: the generated stubs of each LANG go to DIR/LANG/
#                 (emptied first); scripts/gen-stubs.sh is this
#
# Names and version come from the proto: package eko.onboarding.v1 names the
# packages eko-onboarding-v1 (Go: package onboardingv1, Java: in.eko.onboarding.v1),
# and VERSION is the gateway release that ships the proto: project(... VERSION x.y.z)
# in CMakeLists.txt, the same number as the release tag vx.y.z and `eko-gateway
# --version`. Env EKO_PACKAGE_VERSION overrides it (e.g. 0.2.0-rc.1 for a pre-release).
#
# Needs (scripts/setup.sh installs them): protoc, protobuf-compiler-grpc,
# protoc-gen-go, protoc-gen-go-grpc, protobuf-compiler-grpc-java-plugin,
# golang-github-gogo-googleapis-dev, `npm ci` in tools/buf and client/packages/node;
# python: python3-setuptools python3-wheel python3-pip; go: golang-go
# golang-google-grpc-dev golang-google-protobuf-dev golang-google-genproto-dev
# golang-github-golang-protobuf-1-5-dev;
# java: openjdk-17-jdk-headless libprotobuf-java libgrpc-java libguava-java
# libgeronimo-annotation-1.3-spec-java.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/build-packages"
langs=()
stubs_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) [[ $# -ge 2 ]] || { echo "build-packages: --out needs a directory" >&2; exit 2; }
           out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --stubs-only) stubs_only=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    python|node|go|java) langs+=("$1"); shift ;;
    all) langs+=(python node go java); shift ;;
    *) echo "build-packages: unknown argument '$1' (python node go java all)" >&2; exit 2 ;;
  esac
done
[[ ${#langs[@]} -gt 0 ]] || langs=(python node go java)
mkdir -p "$out"
out=$(cd "$out" && pwd)
die() { echo "build-packages: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found (run scripts/setup.sh; apt package $2)"; }

# ---- names and version from the proto ------------------------------------------------
api=$(sed -n 's/^package \([a-z0-9_.]*\);$/\1/p' "$root/proto/eko/onboarding/v1/onboarding_service.proto")
[[ $api =~ ^eko\.onboarding\.(v[0-9]+)$ ]] || die "unexpected proto package '$api'"
api_version=${BASH_REMATCH[1]}
name="eko-onboarding-$api_version"
version=${EKO_PACKAGE_VERSION:-$(sed -n 's/^project(eko_onboarding_gateway VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")}
[[ -n $version ]] || die "no project VERSION in CMakeLists.txt"
echo "build-packages: $name $version (API $api) -> $out"

# ---- buf generate ---------------------------------------------------------------------
case "$(uname -m)" in
  x86_64) buf="$root/tools/buf/node_modules/@bufbuild/buf-linux-x64/bin/buf" ;;
  aarch64|arm64) buf="$root/tools/buf/node_modules/@bufbuild/buf-linux-aarch64/bin/buf" ;;
  *) die "no pinned buf for $(uname -m)" ;;
esac
[[ -x $buf ]] || die "$buf missing (npm ci in tools/buf; scripts/setup.sh does it)"
[[ -x $root/client/packages/node/node_modules/.bin/protoc-gen-ts_proto ]] \
  || die "ts-proto missing (npm ci in client/packages/node; scripts/setup.sh does it)"
need protoc protobuf-compiler
need grpc_python_plugin protobuf-compiler-grpc
need protoc-gen-go protoc-gen-go
need protoc-gen-go-grpc protoc-gen-go-grpc
need grpc_java_plugin protobuf-compiler-grpc-java-plugin
[[ -e $root/tools/buf/googleapis/google/rpc/status.proto ]] \
  || die "tools/buf/googleapis/google/rpc/status.proto missing (apt-get install golang-github-gogo-googleapis-dev)"
# buf.gen.yaml writes to build-packages/gen/ relative to the output base.
(cd "$root" && "$buf" generate --output "$out/.buf")
gen="$out/gen"
rm -rf "$gen"
mv "$out/.buf/build-packages/gen" "$gen"
rm -rf "$out/.buf"
service_config="$root/deploy/grpc-service-config.json"
if [[ $stubs_only -eq 1 ]]; then
  for l in "${langs[@]}"; do
    rm -rf "${out:?}/$l"
    cp -r "$gen/$l" "$out/$l"
    echo "build-packages: $l stubs -> $out/$l ($(find "$out/$l" -type f | wc -l) files)"
  done
  rm -rf "$gen"
  exit 0
fi

# ---- python ---------------------------------------------------------------------------
build_python() {
  need /usr/bin/python3 python3
  /usr/bin/python3 -c 'import setuptools, wheel' 2>/dev/null || die "python3-setuptools python3-wheel missing"
  local src="$out/python-src"
  rm -rf "$src" "$out/ci-deps/python" "$out"/*.whl
  mkdir -p "$src" "$out/ci-deps/python"
  cp -r "$gen/python/eko" "$src/"
  cp "$service_config" "$src/eko/onboarding/$api_version/grpc-service-config.json"
  touch "$src/eko/onboarding/$api_version/py.typed"
  sed "s/^version = .*/version = \"$version\"/" "$root/client/packages/python/pyproject.toml" > "$src/pyproject.toml"
  # google.* only for CI (pip users get googleapis-common-protos); no empty *_grpc.py.
  cp -r "$gen/python/google" "$out/ci-deps/python/"
  find "$out/ci-deps/python" -name '*_pb2_grpc.py' -delete
  (cd "$src" && /usr/bin/python3 -m pip wheel --quiet --no-deps --no-build-isolation --no-index \
     --wheel-dir "$out" .) || die "pip wheel failed"
  rm -rf "$src/build" "$src"/*.egg-info
  ls "$out"/*.whl
}

# ---- node -----------------------------------------------------------------------------
build_node() {
  need node nodejs
  need npm npm
  local pkg="$root/client/packages/node" src="$out/node-src"
  rm -rf "$src" "$out/$name"-*.tgz
  mkdir -p "$src/src"
  cp "$pkg/package.json" "$pkg/tsconfig.json" "$src/"
  cp "$pkg/src/index.ts" "$src/src/"
  cp -r "$gen/node" "$src/src/gen"
  cp "$service_config" "$src/grpc-service-config.json"
  ln -s "$pkg/node_modules" "$src/node_modules"
  (cd "$src" && node -e '
      const fs = require("fs");
      const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
      p.version = process.argv[1];
      fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");' "$version" \
   && ./node_modules/.bin/tsc -p tsconfig.json \
   && npm pack --silent --pack-destination "$out" >/dev/null) || die "node package failed"
  ls "$out/$name-$version.tgz"
}

# ---- go -------------------------------------------------------------------------------
build_go() {
  need go golang-go
  local mod="$out/go"
  rm -rf "$mod"
  mkdir -p "$mod"
  cp -r "$root/client/packages/go/." "$mod/"
  cp "$gen/go/eko/onboarding/$api_version/"*.go "$mod/eko/onboarding/$api_version/"
  cp "$service_config" "$mod/eko/onboarding/$api_version/grpc-service-config.json"
  echo "$version" > "$mod/VERSION"
  go_build_offline "$mod" ./eko/... || die "go build failed"
  echo "$mod (module $(sed -n 's/^module //p' "$mod/go.mod"), compiled)"
}

# go_build_offline MODULE_DIR PACKAGES... : `go build` without module
# downloads: GOPATH mode over Debian's /usr/share/gocode with the module linked at
# its import path (tests/integration/client_example_test.sh does the same for the example).
go_build_offline() {
  local mod=$1
  shift
  local gopath
  gopath=$(mktemp -d)
  local path
  path=$(sed -n 's/^module //p' "$mod/go.mod")
  mkdir -p "$gopath/src/$(dirname "$path")"
  ln -s "$mod" "$gopath/src/$path"
  (cd "$gopath/src/$path" && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS='' go build "$@")
  local rc=$?
  rm -rf "$gopath"
  return $rc
}

# ---- java -----------------------------------------------------------------------------
java_classpath() {
  local j=/usr/share/java
  echo "$j/protobuf.jar:$j/grpc-api.jar:$j/grpc-stub.jar:$j/grpc-protobuf.jar:$j/grpc-protobuf-lite.jar:$j/guava.jar:$j/geronimo-annotation-1.3-spec.jar"
}
build_java() {
  need javac openjdk-17-jdk-headless
  need jar openjdk-17-jdk-headless
  local j=/usr/share/java f
  for f in protobuf grpc-api grpc-stub grpc-protobuf guava geronimo-annotation-1.3-spec; do
    [[ -f $j/$f.jar ]] || die "$j/$f.jar missing (run scripts/setup.sh)"
  done
  local work="$out/java-build" package_dir="in/eko/onboarding/$api_version"
  rm -rf "$work" "$out/$name"-*.jar "$out/ci-deps/java"
  mkdir -p "$work/deps" "$work/classes/META-INF/maven/in.eko/$name" "$out/ci-deps/java"
  # google.rpc + google.type: CI's stand-in for proto-google-common-protos.
  find "$gen/java/com" -name '*.java' > "$work/deps.txt"
  javac -nowarn -d "$work/deps" -cp "$(java_classpath)" "@$work/deps.txt" || die "javac (google) failed"
  jar --create --file "$out/ci-deps/java/google-common-protos-ci.jar" -C "$work/deps" .
  find "$gen/java/$package_dir" -name '*.java' > "$work/sources.txt"
  javac -nowarn -d "$work/classes" -cp "$(java_classpath):$work/deps" "@$work/sources.txt" \
    || die "javac failed"
  cp "$service_config" "$work/classes/$package_dir/grpc-service-config.json"
  sed "0,/<version>0.0.0-SNAPSHOT<\/version>/s//<version>$version<\/version>/" \
    "$root/client/packages/java/pom.xml" > "$work/classes/META-INF/maven/in.eko/$name/pom.xml"
  printf 'groupId=in.eko\nartifactId=%s\nversion=%s\n' "$name" "$version" \
    > "$work/classes/META-INF/maven/in.eko/$name/pom.properties"
  printf 'Implementation-Title: %s\nImplementation-Version: %s\nAutomatic-Module-Name: in.eko.onboarding.%s\n' \
    "$name" "$version" "$api_version" > "$work/manifest.txt"
  jar --create --file "$out/$name-$version.jar" --manifest "$work/manifest.txt" -C "$work/classes" .
  (cd "$gen/java" && jar --create --file "$out/$name-$version-sources.jar" "$package_dir")
  rm -rf "$work"
  ls "$out/$name-$version.jar"
}

for l in "${langs[@]}"; do
  t0=$(date +%s)
  "build_$l"
  echo "build-packages: $l done in $(( $(date +%s) - t0 )) s"
done
