#!/usr/bin/env bash
# Checks everything under deploy/ offline, without Docker or a cluster.
#
# Usage: deploy/check.sh [--rehearse-image]
#
#   1 yamllint      every YAML file under deploy/ (deploy/.yamllint: default rules, 120 cols)
#   2 render        base + every overlay, and every overlay with each optional component
#                   (k8s/components/hpa-inflight), with `kubectl kustomize` (Kustomize v5);
#                   without kubectl, or with an older one, with deploy/render.js (the fallback)
#   3 renderer      when kubectl is there: render.js must produce the same objects as
#                   kubectl, so the fallback stays exact
#   4 validate      deploy/validate.js: kubernetes-models schemas, unknown fields, and
#                   the project's policy on each rendered overlay (memory arithmetic with
#                   deploy/memory-budget.json, drain timing, no dev mode, HPA metrics, ...);
#                   secret.template.yaml must hold placeholders only
#   5 dockerfile    static checks (bases, non-root USER, ENTRYPOINT, EXPOSE, no secrets,
#                   tests-off build) and, when a built eko-gateway is found
#                   (EKO_GATEWAY_BIN, else build/server/eko-gateway, else the newest
#                   build*/server/eko-gateway), that the runtime stage installs the
#                   Debian package of every shared library the binary links
#   6 self-test     breaks a copy of the manifests (a misspelled field; a drain grace above
#                   terminationGracePeriodSeconds; a drain delay that the grace period does
#                   not cover; UAT's Redis URL naming a Service that is not rendered; the
#                   gateway's egress to Redis on the wrong port; calls in flight beyond the
#                   memory limit; EKO_MAX_INFLIGHT unset; dev mode; an in-flight HPA target
#                   above 80 % of EKO_MAX_INFLIGHT) and expects step 4 to fail on it
#   7 image build   only with --rehearse-image: replays the Dockerfile's build stage
#                   without Docker (same COPY set minus Dockerfile.dockerignore, same
#                   build command) and checks the result like step 5 (a full build)
#
# Env: EKO_DEPLOY_RENDERER=node forces the fallback renderer; EKO_GATEWAY_BIN names the binary.
# Installs what it lacks (Debian 12, root or sudo): yamllint (apt), node modules
# (`npm ci` in deploy/). Prints "deploy-check: N passed, N failed" and exits 1 on any failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rehearse=0
for a in "$@"; do
  case "$a" in
    --rehearse-image) rehearse=1 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
pass() { echo "check: PASS $*"; passed=$((passed + 1)); }
fail() { echo "check: FAIL $*" >&2; failed=$((failed + 1)); }
skip() { echo "check: SKIP $*"; skipped=$((skipped + 1)); }

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
apt_install() {
  echo "check: apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "$@" >/dev/null \
    || { "${sudo_cmd[@]}" apt-get update >/dev/null && "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

# ---- tools -----------------------------------------------------------------------
command -v yamllint >/dev/null || apt_install yamllint || true
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm || true; fi
if [[ ! -d "$here/node_modules/kubernetes-models" || "$here/package-lock.json" -nt "$here/node_modules" ]]; then
  echo "check: npm ci in deploy/"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || echo "check: npm ci failed" >&2
fi

renderer=node
if [[ "${EKO_DEPLOY_RENDERER:-}" == node ]]; then
  :  # forced fallback (to exercise render.js alone)
elif command -v kubectl >/dev/null 2>&1; then
  kv=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
  if [[ -n "$kv" && "$kv" -ge 5 ]]; then renderer=kubectl; fi
fi
render() { # render DIR > out
  if [[ $renderer == kubectl ]]; then kubectl kustomize "$1"; else node "$here/render.js" "$1"; fi
}
echo "check: renderer = $renderer$([[ $renderer == kubectl ]] && echo " ($(kubectl version --client 2>/dev/null | tr '\n' ' '))")"

targets=(base)
for d in "$here"/k8s/overlays/*/; do targets+=("overlays/$(basename "$d")"); done
# Optional components no overlay includes, rendered on top of each overlay
# (combos/OVERLAY+COMPONENT, written into a copy of k8s/ by with_combos).
optional_components=(hpa-inflight)
for d in "$here"/k8s/overlays/*/; do
  for c in "${optional_components[@]}"; do targets+=("combos/$(basename "$d")+$c"); done
done
with_combos() { # with_combos DEST: copies k8s/ to DEST and adds the combos/ kustomizations
  local dest=$1 t o c
  cp -r "$here/k8s" "$dest"
  for t in "${targets[@]}"; do
    [[ $t == combos/* ]] || continue
    o=${t#combos/}; c=${o#*+}; o=${o%+*}
    mkdir -p "$dest/$t"
    printf '%s\n' 'apiVersion: kustomize.config.k8s.io/v1beta1' 'kind: Kustomization' \
      'resources:' "  - ../../overlays/$o" 'components:' "  - ../../components/$c" > "$dest/$t/kustomization.yaml"
  done
}

# ---- 1 yamllint --------------------------------------------------------------------
if out=$(cd "$root" && yamllint -f parsable -c deploy/.yamllint deploy/ 2>&1); then
  pass "yamllint deploy/ ($(cd "$root" && find deploy -path deploy/node_modules -prune -o \( -name '*.yaml' -o -name '*.yml' \) -print | wc -l) files)"
else
  echo "$out" >&2
  fail "yamllint"
fi

# ---- 2 render ------------------------------------------------------------------------
render_all() { # render_all K8S_DIR OUT_DIR
  local ok=0 t
  for t in "${targets[@]}"; do
    if ! render "$1/$t" > "$2/${t//\//_}.yaml" 2> "$2/${t//\//_}.err"; then
      cat "$2/${t//\//_}.err" >&2
      echo "check: rendering $t failed" >&2
      ok=1
    fi
  done
  return $ok
}
mkdir -p "$tmp/out"
with_combos "$tmp/k8s"
if render_all "$tmp/k8s" "$tmp/out"; then
  pass "render ${targets[*]} with $renderer"
else
  fail "render"
fi

# ---- 3 renderer cross-check -------------------------------------------------------------
if [[ $renderer == kubectl ]]; then
  ok=1
  for t in "${targets[@]}"; do
    f=${t//\//_}
    node "$here/render.js" "$tmp/k8s/$t" > "$tmp/out/$f.fallback" && \
      node "$here/render.js" --compare "$tmp/out/$f.yaml" "$tmp/out/$f.fallback" || ok=0
  done
  if [[ $ok == 1 ]]; then pass "render.js fallback matches kubectl kustomize"; else fail "render.js fallback differs from kubectl kustomize"; fi
else
  skip "renderer cross-check (no kubectl with Kustomize v5)"
fi

# ---- 4 validate --------------------------------------------------------------------------
validate_args=(--schema-only base.yaml --deployable)
for t in "${targets[@]}"; do [[ $t == base ]] || validate_args+=("${t//\//_}.yaml"); done
validate_args+=(--secret-template "$here/k8s/secret.template.yaml")
if (cd "$tmp/out" && node "$here/validate.js" "${validate_args[@]}"); then
  pass "validate (schemas, unknown fields, policy, secret template)"
else
  fail "validate"
fi

# ---- 5 Dockerfile ---------------------------------------------------------------------------
dockerfile="$here/Dockerfile"
# Runtime packages named in the runtime stage's apt-get install.
runtime_packages() {
  awk '/^FROM .* AS runtime/{r=1} r&&/apt-get install/{i=1} i{print} i&&/rm -rf \/var\/lib\/apt\/lists/{exit}' "$dockerfile" \
    | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vE '^(apt-get|install|rm|update|groupadd|useradd)$' | sort -u
}
# Debian packages owning the shared libraries BINARY needs directly, minus the ones
# every debian:12-slim has (libc6, libgcc-s1, libstdc++6 come with apt itself).
needed_packages() {
  local bin=$1 lib p
  local -A where=()
  while read -r lib p; do where[$lib]=$p; done < <(ldd "$bin" | awk '$2=="=>"{print $1, $3}')
  for lib in $(objdump -p "$bin" | awk '/NEEDED/{print $2}'); do
    p=${where[$lib]:-}
    if [[ -z "$p" || ! -e "$p" ]]; then echo "MISSING:$lib"; continue; fi
    dpkg -S "$(readlink -f "$p")" 2>/dev/null | head -1 | cut -d: -f1 \
      || dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1
  done | sort -u | grep -vE '^(libc6|libgcc-s1|libstdc\+\+6)$'
}
check_runtime_packages() { # check_runtime_packages BINARY -> 0 if covered
  local bin=$1 have need missing
  have=$(runtime_packages)
  need=$(needed_packages "$bin")
  missing=$(comm -23 <(echo "$need") <(echo "$have"))
  if [[ -n "$missing" ]]; then
    echo "check: $bin needs Debian packages the runtime stage does not install: $(echo $missing)" >&2
    return 1
  fi
  echo "check: $bin links libraries from: $(echo $need)"
  return 0
}
df_ok=1
df_need() { grep -qE "$1" "$dockerfile" || { echo "check: Dockerfile: expected /$1/ ($2)" >&2; df_ok=0; }; }
df_need '^ARG DEBIAN_BUILD_IMAGE=debian:12$' 'build stage on debian:12'
df_need '^ARG DEBIAN_RUNTIME_IMAGE=debian:12-slim$' 'runtime on debian:12-slim'
df_need '^FROM \$\{DEBIAN_BUILD_IMAGE\} AS build$' 'build stage'
df_need '^FROM \$\{DEBIAN_RUNTIME_IMAGE\} AS runtime$' 'runtime stage'
df_need 'EKO_BUILD_DIR=/build bash scripts/build.sh -DEKO_BUILD_TESTS=OFF' 'tests-off build with the repo script'
df_need '^USER 10001:10001$' 'non-root user 10001'
df_need '^EXPOSE 50051 9464$' 'gRPC and metrics ports'
df_need '^ENTRYPOINT \["/usr/local/bin/eko-gateway"\]$' 'exec-form entrypoint'
[[ $(grep -c '^FROM ' "$dockerfile") -eq 2 ]] || { echo "check: Dockerfile: expected exactly two stages" >&2; df_ok=0; }
[[ $(grep '^FROM\|^USER' "$dockerfile" | tail -1) == 'USER 10001:10001' ]] \
  || { echo "check: Dockerfile: USER 10001:10001 must come after the last FROM" >&2; df_ok=0; }
if grep -nE '^(ENV|ARG)\b.*(KEY|SECRET|TOKEN|PASSWORD)' "$dockerfile" >&2; then
  echo "check: Dockerfile: secrets must not be build args or baked-in env" >&2; df_ok=0
fi
for src in $(awk '/^COPY / && !/--from/{for(i=2;i<NF;i++) print $i}' "$dockerfile"); do
  [[ -e "$root/$src" ]] || { echo "check: Dockerfile: COPY source $src does not exist" >&2; df_ok=0; }
done
[[ -f "$here/Dockerfile.dockerignore" ]] || { echo "check: deploy/Dockerfile.dockerignore is missing" >&2; df_ok=0; }
# Every runtime package must exist in Debian 12 (catches misspelled names).
if apt-cache show libgrpc++1.51 >/dev/null 2>&1; then
  mapfile -t listed < <(runtime_packages)
  unknown=$(comm -23 <(printf '%s\n' "${listed[@]}") \
    <(apt-cache show --no-all-versions "${listed[@]}" 2>/dev/null | sed -n 's/^Package: //p' | sort -u))
  [[ -z "$unknown" ]] || { echo "check: Dockerfile: no Debian package named: $(echo $unknown)" >&2; df_ok=0; }
fi
bin=${EKO_GATEWAY_BIN:-}
if [[ -z "$bin" ]]; then
  if [[ -x "$root/build/server/eko-gateway" ]]; then bin="$root/build/server/eko-gateway"
  else bin=$(ls -t "$root"/build*/server/eko-gateway 2>/dev/null | head -1); fi
fi
if [[ -n "$bin" && -x "$bin" ]]; then
  check_runtime_packages "$bin" || df_ok=0
  note="runtime packages cover ${bin#"$root"/}"
else
  note="no built eko-gateway found, runtime packages not re-derived"
fi
if [[ $df_ok == 1 ]]; then pass "Dockerfile ($note)"; else fail "Dockerfile"; fi

# ---- 6 self-test: the checks must catch broken manifests --------------------------------------
self_test() { # self_test NAME TARGET FILE SED-EXPR EXPECTED-MESSAGE (FILE under k8s/)
  local name=$1 target=$2 file=$3 expr=$4 expected=$5 d="$tmp/mutant-$1"
  mkdir -p "$d/out"
  with_combos "$d/k8s"
  sed -i "$expr" "$d/k8s/$file"
  if cmp -s "$d/k8s/$file" "$here/k8s/$file"; then
    echo "check: self-test $name: the mutation did not apply" >&2; return 1
  fi
  render_all "$d/k8s" "$d/out" 2>/dev/null || { echo "check: self-test $name: render failed" >&2; return 1; }
  if node "$here/validate.js" --deployable "$d/out/${target//\//_}.yaml" > "$d/log" 2>&1; then
    echo "check: self-test $name: validate.js accepted a broken manifest" >&2; return 1
  fi
  grep -q -- "$expected" "$d/log" || { cat "$d/log" >&2; echo "check: self-test $name: expected '$expected'" >&2; return 1; }
  echo "check: self-test $name rejected as expected: $(grep -m1 -- "$expected" "$d/log")"
}
if self_test unknown-field overlays/production base/deployment.yaml \
     's/readOnlyRootFilesystem: true/readOnlyRootFilesytem: true/' 'unknown field' \
   && self_test drain-grace overlays/production base/deployment.yaml \
     's/terminationGracePeriodSeconds: [0-9]*/terminationGracePeriodSeconds: 20/' 'must exceed EKO_SHUTDOWN_GRACE_MS' \
   && self_test drain-delay overlays/production overlays/production/kustomization.yaml \
     's/^\( *\)- EKO_LOG_LEVEL=info$/&\n\1- EKO_DRAIN_DELAY_MS=60000/' '+ EKO_DRAIN_DELAY_MS (60000 ms) by at least' \
   && self_test redis-service overlays/uat components/redis/kustomization.yaml \
     's#redis://eko-gateway-redis:#redis://eko-gateway-redis-missing:#' 'no Service eko-gateway-redis-missing is rendered' \
   && self_test redis-egress overlays/uat components/redis/networkpolicy-egress.yaml \
     's/port: 6379/port: 6380/' 'allows no egress to eko-gateway-redis on TCP 6379' \
   && self_test memory-inflight overlays/production overlays/production/kustomization.yaml \
     's/EKO_MAX_INFLIGHT=[0-9]*/EKO_MAX_INFLIGHT=20000/' 'EKO_MAX_INFLIGHT=20000 needs .* more than resources.limits.memory' \
   && self_test memory-dedupe overlays/production overlays/production/kustomization.yaml \
     's/EKO_DEDUPE_MAX_ENTRIES=[0-9]*/EKO_DEDUPE_MAX_ENTRIES=100000/' '100000 dedupe entries' \
   && self_test memory-unset overlays/uat overlays/uat/kustomization.yaml \
     '/- EKO_MAX_INFLIGHT=/d' 'EKO_MAX_INFLIGHT is not set' \
   && self_test dev-mode overlays/uat overlays/uat/kustomization.yaml \
     's/^\( *\)- EKO_LOG_LEVEL=debug$/&\n\1- EKO_GATEWAY_DEV=true/' 'EKO_GATEWAY_DEV=true turns on development mode' \
   && self_test hpa-inflight-target combos/uat+hpa-inflight components/hpa-inflight/hpa-inflight.yaml \
     's/averageValue: "[0-9]*"/averageValue: "2500"/' 'at most 80 % of EKO_MAX_INFLIGHT (3000)'; then
  pass "self-test (broken manifests are rejected)"
else
  fail "self-test"
fi

# ---- 7 image build rehearsal (opt-in) -----------------------------------------------------------
if [[ $rehearse == 1 ]]; then
  ctx="$tmp/context"
  mkdir -p "$ctx"
  for src in $(awk '/^COPY / && !/--from/{for(i=2;i<NF;i++) print $i}' "$dockerfile"); do
    mkdir -p "$ctx/$(dirname "${src%/}")"
    cp -r "$root/${src%/}" "$ctx/${src%/}"
  done
  # Dockerfile.dockerignore's exclusions below the allow-listed folders.
  (cd "$ctx" && rm -rf client/examples \
     && find . \( -name node_modules -o -name __pycache__ \) -prune -exec rm -rf {} +)
  echo "check: rehearsing the image build in $ctx (a full build; takes minutes)"
  if (cd "$ctx" && EKO_BUILD_DIR="$tmp/image-build" bash scripts/build.sh -DEKO_BUILD_TESTS=OFF -DEKO_BUILD_DEV_TOOLS=OFF > "$tmp/image-build.log" 2>&1) \
     && "$tmp/image-build/server/eko-gateway" --help >/dev/null \
     && check_runtime_packages "$tmp/image-build/server/eko-gateway" \
     && check_runtime_packages "$tmp/image-build/client/eko-cli"; then
    pass "image build rehearsal (Dockerfile build stage without Docker)"
  else
    tail -30 "$tmp/image-build.log" >&2
    fail "image build rehearsal"
  fi
fi

echo "deploy-check: $passed passed, $failed failed$([[ $skipped -gt 0 ]] && echo ", $skipped skipped")"
[[ $failed -eq 0 ]]
