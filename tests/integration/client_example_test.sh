#!/usr/bin/env bash
# ctest client_example_<LANG>: builds the LANG package with scripts/build-packages.sh
# (buf generate, offline) into a temp dir, starts eko-gateway-dev --dev on a free
# port and runs client/examples/<LANG>/ against it: a customer journey plus two
# errors whose ErrorInfo/BadRequest/RetryInfo are decoded (client/examples/README.md).
# Fails (never skips) when the toolchain is missing: scripts/setup.sh installs it.
# Usage: client_example_test.sh python|node|go|java GATEWAY_BINARY REPO_DIR
set -euo pipefail
lang=$1
gateway=$2
repo=$3
tmp=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

t0=$(date +%s)
bash "$repo/scripts/build-packages.sh" --out "$tmp/pkg" "$lang"
echo "client_example_$lang: package built in $(( $(date +%s) - t0 )) s"

# Made here: the redirections below happen in the child, maybe after the
# first read of the loop.
: >"$tmp/gw.out"
: >"$tmp/gw.err"
"$gateway" --dev --listen 127.0.0.1:0 >>"$tmp/gw.out" 2>>"$tmp/gw.err" &
pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^eko-gateway listening on port //p' "$tmp/gw.out")
  [[ -n $port ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
admin=$(sed -n 's/^eko-gateway simulator on //p' "$tmp/gw.out")
[[ -n $port && -n $admin ]] || { echo "gateway did not start"; cat "$tmp/gw.err"; exit 1; }
addr=127.0.0.1:$port
examples=$repo/client/examples

t0=$(date +%s)
case "$lang" in
  python)
    # The wheel as a consumer installs it; google.rpc/google.type from the CI
    # stand-in for googleapis-common-protos (not packaged by Debian).
    PIP_ROOT_USER_ACTION=ignore /usr/bin/python3 -m pip install --quiet --disable-pip-version-check --no-deps --no-index --target "$tmp/site" "$tmp"/pkg/*.whl
    PYTHONPATH="$tmp/site:$tmp/pkg/ci-deps/python" PYTHONDONTWRITEBYTECODE=1 \
      /usr/bin/python3 "$examples/python/journey.py" "$addr" "$admin"
    ;;
  node)
    # The npm package unpacked as `npm install` would; its dependencies and the
    # compiler from client/packages/node (npm ci). journey.ts is type-checked
    # against the package's .d.ts, then run.
    mkdir -p "$tmp/app/node_modules/eko-onboarding-v1"
    tar -xzf "$tmp"/pkg/eko-onboarding-v1-*.tgz -C "$tmp/app/node_modules/eko-onboarding-v1" --strip-components=1
    deps=$repo/client/packages/node/node_modules
    for d in @grpc @bufbuild @types; do
      [[ -e $deps/$d ]] || { echo "$deps/$d missing: run scripts/setup.sh" >&2; exit 1; }
      ln -s "$deps/$d" "$tmp/app/node_modules/$d"
    done
    cp "$examples/node/journey.ts" "$examples/node/tsconfig.json" "$tmp/app/"
    (cd "$tmp/app" && "$deps/.bin/tsc" -p tsconfig.json)
    node "$tmp/app/journey.js" "$addr" "$admin"
    ;;
  go)
    # The module from the package dir; the example compiled offline against it
    # (GOPATH mode over Debian's Go packages, like build-packages.sh).
    gopath=$tmp/gopath
    mkdir -p "$gopath/src/github.com/eko/onboarding-gateway/gen" "$gopath/src/example.com"
    ln -s "$tmp/pkg/go" "$gopath/src/github.com/eko/onboarding-gateway/gen/go"
    cp -r "$examples/go" "$gopath/src/example.com/journey"
    (cd "$gopath/src/example.com/journey" && GO111MODULE=off GOFLAGS='' GOPATH="$gopath:/usr/share/gocode" \
       go build -o "$tmp/journey" .)
    "$tmp/journey" "$addr" "$admin"
    ;;
  java)
    # The jar as a dependency; google.rpc/google.type from the CI stand-in for
    # proto-google-common-protos; grpc-java 1.41, Netty and protobuf-java from Debian.
    j=/usr/share/java
    cp=$(echo "$tmp"/pkg/eko-onboarding-v1-[0-9]*[0-9].jar):$tmp/pkg/ci-deps/java/google-common-protos-ci.jar
    for jar in protobuf grpc-api grpc-context grpc-core grpc-netty grpc-stub grpc-protobuf grpc-protobuf-lite \
               guava gson perfmark-api netty-common netty-buffer netty-transport netty-resolver netty-codec \
               netty-codec-http netty-codec-http2 netty-handler netty-codec-socks netty-handler-proxy \
               geronimo-annotation-1.3-spec; do
      [[ -f $j/$jar.jar ]] || { echo "$j/$jar.jar missing: run scripts/setup.sh" >&2; exit 1; }
      cp+=:$j/$jar.jar
    done
    mkdir -p "$tmp/classes"
    javac -nowarn -d "$tmp/classes" -cp "$cp" "$examples/java/Journey.java"
    java -cp "$tmp/classes:$cp" Journey "$addr" "$admin"
    ;;
  *) echo "unknown language $lang" >&2; exit 2 ;;
esac
echo "client_example_$lang: client ran in $(( $(date +%s) - t0 )) s"
