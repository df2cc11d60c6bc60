#!/usr/bin/env bash
# CI fragment for everything around the gateway that is not C++: deployment
# manifests, the API's lint/breaking checks, and stubs for other languages.
# Needs no Docker and no network beyond Debian's apt and the npm registry.
#
# Usage: scripts/ci-ecosystem.sh
#   1 deploy     deploy/check.sh (yamllint, kustomize render, schema/unknown-field/
#                policy validation, Dockerfile checks, self-test)
#   2 buf        scripts/buf-check.sh (buf lint; buf breaking against the merge base with main or the last release tag)
#   3 stubs      scripts/gen-stubs.sh python go node java into a temp dir
#   4 python     /usr/bin/python3 imports the generated modules and calls GetCustomer
#                through the generated stub (see "target" below), decoding an
#                error's google.rpc details with the generated google/rpc modules
#   5 node       node loads the generated package (index.js, @grpc/proto-loader)
#                and makes the same two calls
#   6 java       javac compiles the generated Java (+ google/type) against Debian's
#                grpc-java 1.41 and protobuf-java 3.21 jars
# Target of 4 and 5: a real `eko-gateway-dev --dev` on a loopback port when a built
# binary exists (EKO_GATEWAY_BIN, else build/server/eko-gateway-dev); otherwise an
# in-process server built from the same generated code.
#
# Installs what it needs (Debian 12, root or sudo): apt-get update, then the apt
# packages below; `npm ci` in tools/buf, tools/node-stubs and deploy.
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
  protobuf-compiler-grpc python3-grpcio python3-protobuf     # Python stubs + check
  protoc-gen-go protoc-gen-go-grpc                           # Go stubs
  protobuf-compiler-grpc-java-plugin                         # Java stubs
  libprotobuf-java libgrpc-java libguava-java libgeronimo-annotation-1.3-spec-java
)
command -v javac >/dev/null || packages+=(openjdk-17-jdk-headless)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
echo "ecosystem: apt-get update"
"${sudo_cmd[@]}" apt-get update >/dev/null || echo "ecosystem: apt-get update failed; trying the cached lists" >&2
echo "ecosystem: apt-get install (${#packages[@]} packages, already-installed ones are kept)"
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null \
  || { echo "ecosystem: apt-get install failed" >&2; exit 1; }
for d in tools/buf tools/node-stubs deploy; do
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
gw_pid=
cleanup() {
  if [[ -n "$gw_pid" ]]; then kill "$gw_pid" 2>/dev/null; wait "$gw_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

step deploy bash deploy/check.sh
step buf bash scripts/buf-check.sh
step stubs bash scripts/gen-stubs.sh --out "$tmp/stubs" python go node java

# ---- target for the Python and Node calls -------------------------------------------------
target=
bin=${EKO_GATEWAY_BIN:-$root/build/server/eko-gateway-dev}
if [[ -x "$bin" ]]; then
  : > "$tmp/gw.out"
  "$bin" --dev --listen 127.0.0.1:0 > "$tmp/gw.out" 2> "$tmp/gw.err" &
  gw_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/^eko-gateway listening on port \([0-9]*\)$/\1/p' "$tmp/gw.out")
    [[ -n "$port" ]] && break
    kill -0 "$gw_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -n "${port:-}" ]]; then
    target=127.0.0.1:$port
    echo "ecosystem: stubs call ${bin#"$root"/} --dev on $target"
  else
    echo "ecosystem: ${bin#"$root"/} --dev did not start; stubs call an in-process server" >&2
    cat "$tmp/gw.err" >&2
  fi
else
  echo "ecosystem: no built eko-gateway-dev; stubs call an in-process server"
fi

python_check() {
  EKO_TARGET=$target PYTHONPATH="$tmp/stubs/python" /usr/bin/python3 - <<'EOF'
import os
from concurrent import futures

import grpc
from eko.onboarding.v1 import onboarding_service_pb2 as pb
from eko.onboarding.v1 import onboarding_service_pb2_grpc as pb_grpc
from google.rpc import error_details_pb2, status_pb2

methods = [m.name for m in pb.DESCRIPTOR.services_by_name["OnboardingService"].methods]
assert len(methods) == 7, methods
target, server = os.environ.get("EKO_TARGET"), None
if not target:  # in-process server built from the same generated code
    class Fake(pb_grpc.OnboardingServiceServicer):
        def GetCustomer(self, request, context):
            if len(request.customer_id) != 10:
                st = status_pb2.Status(code=grpc.StatusCode.INVALID_ARGUMENT.value[0], message="bad customer_id")
                st.details.add().Pack(error_details_pb2.ErrorInfo(reason="FIELD_INVALID", domain="eko-onboarding-gateway"))
                context.abort_with_status(_status(st))
            return pb.GetCustomerResponse(next_step=pb.NEXT_STEP_VERIFY_CUSTOMER_OTP, otp_ref_id="ref")

    def _status(st):
        class S(grpc.Status):
            code = grpc.StatusCode.INVALID_ARGUMENT
            details = st.message
            trailing_metadata = (("grpc-status-details-bin", st.SerializeToString()),)
        return S()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    pb_grpc.add_OnboardingServiceServicer_to_server(Fake(), server)
    target = "127.0.0.1:%d" % server.add_insecure_port("127.0.0.1:0")
    server.start()

with grpc.insecure_channel(target) as channel:
    stub = pb_grpc.OnboardingServiceStub(channel)
    reply = stub.GetCustomer(pb.GetCustomerRequest(customer_id="6111111111"), timeout=10)
    assert reply.next_step != pb.NEXT_STEP_UNSPECIFIED, reply
    print("python: GetCustomer ->", pb.NextStep.Name(reply.next_step))
    try:
        stub.GetCustomer(pb.GetCustomerRequest(customer_id="12"), timeout=10)
        raise SystemExit("python: an invalid customer_id was accepted")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
        raw = dict(e.trailing_metadata())["grpc-status-details-bin"]
        st = status_pb2.Status.FromString(raw)
        reasons = []
        for a in st.details:
            if a.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                a.Unpack(info)
                reasons.append(info.reason)
        assert reasons == ["FIELD_INVALID"], reasons
        print("python: invalid customer_id ->", e.code().name, reasons[0])
if server:
    server.stop(0)
EOF
}

node_check() {
  EKO_TARGET=$target NODE_PATH="$root/tools/node-stubs/node_modules" node - "$tmp/stubs/node" <<'EOF'
const path = require('path');
const stubs = require(path.resolve(process.argv[2]));
const { grpc, onboarding } = stubs;
const protoLoader = require('@grpc/proto-loader');
const methods = Object.keys(onboarding.OnboardingService.service);
if (methods.length !== 7) throw new Error(`expected 7 methods, got ${methods}`);
// google/rpc protos shipped with the stubs (decoded with protobufjs below).
protoLoader.loadSync(stubs.errorDetailProtos, { includeDirs: [stubs.protoDir] }); // they load as well
let target = process.env.EKO_TARGET;
let server = null;

function check() {
  const client = new onboarding.OnboardingService(target, grpc.credentials.createInsecure());
  const deadline = () => new Date(Date.now() + 10000);
  client.GetCustomer({ customer_id: '6111111111' }, { deadline: deadline() }, (err, reply) => {
    if (err) throw err;
    if (!reply.next_step || reply.next_step === 'NEXT_STEP_UNSPECIFIED') throw new Error(`bad reply ${JSON.stringify(reply)}`);
    console.log('node: GetCustomer ->', reply.next_step);
    client.GetCustomer({ customer_id: '12' }, { deadline: deadline() }, (err2) => {
      if (!err2 || err2.code !== grpc.status.INVALID_ARGUMENT) throw new Error(`expected INVALID_ARGUMENT, got ${err2}`);
      const raw = err2.metadata.get('grpc-status-details-bin')[0];
      const protobuf = require('protobufjs');
      const root = new protobuf.Root();
      root.resolvePath = (_o, t) => path.join(stubs.protoDir, t);
      root.loadSync(stubs.errorDetailProtos);
      const st = root.lookupType('google.rpc.Status').decode(raw);
      const ErrorInfo = root.lookupType('google.rpc.ErrorInfo');
      const reasons = st.details.filter((a) => a.type_url.endsWith('/google.rpc.ErrorInfo'))
        .map((a) => ErrorInfo.decode(a.value).reason);
      if (reasons.length !== 1 || reasons[0] !== 'FIELD_INVALID') throw new Error(`reasons ${reasons}`);
      console.log('node: invalid customer_id ->', 'INVALID_ARGUMENT', reasons[0]);
      client.close();
      if (server) server.forceShutdown();
    });
  });
}

if (target) {
  check();
} else {
  // In-process server from the same package definition.
  const protobuf = require('protobufjs');
  const root = new protobuf.Root();
  root.resolvePath = (_o, t) => path.join(stubs.protoDir, t);
  root.loadSync(stubs.errorDetailProtos);
  const Status = root.lookupType('google.rpc.Status');
  const ErrorInfo = root.lookupType('google.rpc.ErrorInfo');
  server = new grpc.Server();
  server.addService(onboarding.OnboardingService.service, {
    GetCustomer(call, cb) {
      if (call.request.customer_id.length !== 10) {
        const md = new grpc.Metadata();
        md.set('grpc-status-details-bin', Buffer.from(Status.encode({ code: 3, message: 'bad', details: [{
          type_url: 'type.googleapis.com/google.rpc.ErrorInfo',
          value: ErrorInfo.encode({ reason: 'FIELD_INVALID', domain: 'eko-onboarding-gateway' }).finish() }] }).finish()));
        cb({ code: grpc.status.INVALID_ARGUMENT, details: 'bad customer_id', metadata: md });
        return;
      }
      cb(null, { next_step: 'NEXT_STEP_VERIFY_CUSTOMER_OTP', otp_ref_id: 'ref' });
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    target = `127.0.0.1:${port}`;
    check();
  });
}
EOF
}

java_check() {
  local g=/usr/share/gocode/src/github.com/gogo/googleapis j=/usr/share/java
  mkdir -p "$tmp/java-deps" "$tmp/java-classes"
  # The stubs leave com.google.type to proto-google-common-protos; generate it here
  # only to compile.
  protoc -I"$g" --java_out="$tmp/java-deps" google/type/date.proto google/type/money.proto || return 1
  local cp="$j/protobuf.jar:$j/grpc-api.jar:$j/grpc-stub.jar:$j/grpc-protobuf.jar:$j/grpc-protobuf-lite.jar"
  cp+=":$j/guava.jar:$j/geronimo-annotation-1.3-spec.jar"
  find "$tmp/stubs/java" "$tmp/java-deps" -name '*.java' > "$tmp/java-sources.txt"
  javac -nowarn -d "$tmp/java-classes" -cp "$cp" "@$tmp/java-sources.txt" || return 1
  echo "java: compiled $(find "$tmp/java-classes" -name '*.class' | wc -l) classes"
}

step python python_check
step node node_check
step java java_check

echo "ecosystem: finished in $(( $(date +%s) - start )) s"
echo "ecosystem: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
