#!/usr/bin/env bash
# Generates client/server stubs of eko.onboarding.v1 for other languages, offline,
# with Debian's protoc 3.21 and locally installed plugins (no buf remote plugins,
# no downloads at generation time).
#
# Usage: scripts/gen-stubs.sh [--out DIR] [LANG...]
#   LANG     python | go | node | java | all (default: all)
#   --out    output root (default: build-stubs/, ignored by git); each language
#            goes to DIR/LANG/, which is emptied first
#
# What each language gets (details in tools/README.md):
#   python  protoc --python_out/--pyi_out + /usr/bin/grpc_python_plugin:
#           eko/onboarding/v1/onboarding_service_pb2{,_grpc}.py (+ .pyi), plus
#           google/type/{date,money}_pb2.py and google/rpc/{status,error_details,code}_pb2.py
#           (Debian has no googleapis-common-protos; drop DIR/python/google/ if your
#           environment provides them). Runtime: grpcio >= 1.51, protobuf >= 4.21 (3.21 C++).
#   go      /usr/bin/protoc-gen-go (1.28) + /usr/bin/protoc-gen-go-grpc (1.33, Debian):
#           eko/onboarding/v1/onboarding_service{,_grpc}.pb.go, package onboardingv1;
#           google/type comes from google.golang.org/genproto/googleapis/type/{date,money}.
#   node    no codegen plugin exists offline (Debian has no grpc_node_plugin; npm
#           grpc-tools downloads its protoc from a non-npm host at install time), so:
#           the .proto files (ours + google/type + google/rpc) under proto/, an
#           index.js that loads them with @grpc/proto-loader, TypeScript typings
#           from proto-loader-gen-types under types/, and a package.json.
#   java    protoc --java_out + /usr/bin/grpc_java_plugin (1.41, Debian):
#           in/eko/onboarding/v1/*.java (OnboardingServiceGrpc + messages);
#           com.google.type.* comes from com.google.api.grpc:proto-google-common-protos.
#
# Needs: protoc (protobuf-compiler), golang-github-gogo-googleapis-dev; per language
# protobuf-compiler-grpc (python), protoc-gen-go + protoc-gen-go-grpc (go),
# protobuf-compiler-grpc-java-plugin (java), node + `npm ci` in tools/node-stubs (node).
# Env: EKO_GOOGLEAPIS_DIR (default Debian's gogo googleapis), PROTOC (default protoc).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
proto_dir="$root/proto"
googleapis=${EKO_GOOGLEAPIS_DIR:-/usr/share/gocode/src/github.com/gogo/googleapis}
protoc=${PROTOC:-protoc}
out="$root/build-stubs"
langs=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) [[ $# -ge 2 ]] || { echo "gen-stubs: --out needs a directory" >&2; exit 2; }
           out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    -h|--help) usage; exit 0 ;;
    python|go|node|java) langs+=("$1"); shift ;;
    all) langs+=(python go node java); shift ;;
    *) echo "gen-stubs: unknown argument '$1' (languages: python go node java all)" >&2; exit 2 ;;
  esac
done
[[ ${#langs[@]} -gt 0 ]] || langs=(python go node java)
mkdir -p "$out"
out=$(cd "$out" && pwd)

die() { echo "gen-stubs: $*" >&2; exit 1; }
need() { # need BINARY APT-PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "$1 not found (apt-get install $2)"
}

need "$protoc" protobuf-compiler
[[ -f "$googleapis/google/type/date.proto" ]] \
  || die "no google/type/date.proto under $googleapis (apt-get install golang-github-gogo-googleapis-dev)"

# Our API files, relative to proto/.
mapfile -t api < <(cd "$proto_dir" && find eko -name '*.proto' | LC_ALL=C sort)
[[ ${#api[@]} -gt 0 ]] || die "no .proto files under $proto_dir/eko"
# Google dependencies that ship with the stubs where the language has no common package.
google_type=(google/type/date.proto google/type/money.proto)
google_rpc=(google/rpc/status.proto google/rpc/error_details.proto google/rpc/code.proto)
inc=(-I"$proto_dir" -I"$googleapis")

fresh() { rm -rf "${out:?}/$1"; mkdir -p "$out/$1"; }

gen_python() {
  need /usr/bin/grpc_python_plugin protobuf-compiler-grpc
  fresh python
  "$protoc" "${inc[@]}" --python_out="$out/python" --pyi_out="$out/python" \
    --grpc_out="$out/python" --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin "${api[@]}"
  "$protoc" "${inc[@]}" --python_out="$out/python" --pyi_out="$out/python" \
    "${google_type[@]}" "${google_rpc[@]}"
}

gen_go() {
  need protoc-gen-go protoc-gen-go
  need protoc-gen-go-grpc protoc-gen-go-grpc
  fresh go
  # Debian's gogo copies say go_package "type"; map them to the real genproto packages.
  local m=(Mgoogle/type/date.proto=google.golang.org/genproto/googleapis/type/date
           Mgoogle/type/money.proto=google.golang.org/genproto/googleapis/type/money)
  local go_opts=(--go_opt=paths=source_relative --go-grpc_opt=paths=source_relative)
  local x
  for x in "${m[@]}"; do go_opts+=(--go_opt="$x" --go-grpc_opt="$x"); done
  "$protoc" "${inc[@]}" --go_out="$out/go" --go-grpc_out="$out/go" "${go_opts[@]}" "${api[@]}"
}

gen_java() {
  need /usr/bin/grpc_java_plugin protobuf-compiler-grpc-java-plugin
  fresh java
  "$protoc" "${inc[@]}" --java_out="$out/java" \
    --grpc-java_out="$out/java" --plugin=protoc-gen-grpc-java=/usr/bin/grpc_java_plugin "${api[@]}"
}

gen_node() {
  need node nodejs
  local tools="$root/tools/node-stubs"
  local gen_types="$tools/node_modules/.bin/proto-loader-gen-types"
  [[ -x "$gen_types" ]] || die "$gen_types missing (run: npm ci --prefix tools/node-stubs)"
  fresh node
  local d="$out/node"
  mkdir -p "$d/proto"
  local f
  for f in "${api[@]}"; do install -D -m 0644 "$proto_dir/$f" "$d/proto/$f"; done
  for f in "${google_type[@]}" "${google_rpc[@]}"; do install -D -m 0644 "$googleapis/$f" "$d/proto/$f"; done
  # Same loader options in index.js and in the typings, so the types describe what
  # the loaded objects really hold (proto field names, longs/enums as strings,
  # defaults filled in).
  "$gen_types" --grpcLib=@grpc/grpc-js --keepCase --longs=String --enums=String --defaults --oneofs \
    --includeDirs "$d/proto" --outDir "$d/types" "${api[@]}" >/dev/null
  local grpc_js_version proto_loader_version
  grpc_js_version=$(node -p "require('$tools/node_modules/@grpc/grpc-js/package.json').version")
  proto_loader_version=$(node -p "require('$tools/node_modules/@grpc/proto-loader/package.json').version")
  cat > "$d/index.js" <<'EOF'
'use strict';
// Generated by scripts/gen-stubs.sh. Loads eko.onboarding.v1 with @grpc/proto-loader.
//   const { onboarding, grpc } = require('<this dir>');
//   const client = new onboarding.OnboardingService('host:50051', grpc.credentials.createInsecure());
// Typings for TypeScript: types/ (proto-loader-gen-types, same options as below).
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protoDir = path.join(__dirname, 'proto');
const loaderOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
                        includeDirs: [protoDir] };
const files = [
EOF
  for f in "${api[@]}"; do printf "  '%s',\n" "$f" >> "$d/index.js"; done
  cat >> "$d/index.js" <<'EOF'
];
const packageDefinition = protoLoader.loadSync(files, loaderOptions);
const root = grpc.loadPackageDefinition(packageDefinition);

module.exports = {
  grpc,
  protoDir,
  loaderOptions,
  packageDefinition,
  onboarding: root.eko.onboarding.v1,
  // For decoding grpc-status-details-bin: load these with protobufjs or proto-loader.
  errorDetailProtos: ['google/rpc/status.proto', 'google/rpc/error_details.proto'],
};
EOF
  cat > "$d/package.json" <<EOF
{
  "name": "eko-onboarding-gateway-stubs",
  "version": "0.0.0",
  "private": true,
  "description": "Generated by scripts/gen-stubs.sh: eko.onboarding.v1 loaded with @grpc/proto-loader, plus TypeScript typings",
  "main": "index.js",
  "license": "UNLICENSED",
  "dependencies": {
    "@grpc/grpc-js": "$grpc_js_version",
    "@grpc/proto-loader": "$proto_loader_version"
  }
}
EOF
}

for l in "${langs[@]}"; do
  "gen_$l"
  n=$(find "$out/$l" -type f | wc -l)
  echo "gen-stubs: $l -> $out/$l ($n files)"
done
