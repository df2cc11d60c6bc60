#!/usr/bin/env bash
# Lints the API with buf and checks it for breaking changes, offline.
#
# Usage: scripts/buf-check.sh [--against GIT_REF]
#
#   1 buf lint      STANDARD rules on proto/ (buf.yaml at the repo root)
#   2 buf breaking  FILE rules (wire, JSON and generated-code compatibility, which the
#                   C++ build depends on): the working tree's proto/ against proto/ as
#                   it was in GIT_REF
#
# GIT_REF by default: on a branch other than main, its merge base with main (so a break
# spread over several commits of the branch is caught as a whole); on main (or detached),
# the newest release tag v* reachable from HEAD (every change since the release counts);
# without either, HEAD~1 (said in the output).
#
# Offline by construction: buf is the pinned npm package in tools/buf (the Linux
# binary package @bufbuild/buf-linux-<arch>; the binary ships inside it), and google/type/*.proto comes from Debian's
# golang-github-gogo-googleapis-dev through the symlink tools/buf/googleapis (a
# second, lint-exempt module in buf.yaml) instead of the BSR. buf's own git input
# (`--against '.git#ref=HEAD~1,subdir=proto'`) would read that commit's tree, where
# google/type cannot resolve without the BSR; so the GIT_REF side is taken with
# `git archive` and compiled to a descriptor image by Debian's protoc
# (--include_imports --include_source_info), and buf compares against that image.
# When GIT_REF does not exist (first commit, shallow clone) or has no proto/, the
# breaking check is skipped with a notice, not failed.
#
# Installs what it lacks (Debian 12, root or sudo): protobuf-compiler,
# golang-github-gogo-googleapis-dev (apt); `npm ci` in tools/buf.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
against=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --against) [[ $# -ge 2 ]] || { echo "buf-check: --against needs a git ref" >&2; exit 2; }
               against=$2; shift 2 ;;
    --against=*) against=${1#--against=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "buf-check: unknown argument $1" >&2; exit 2 ;;
  esac
done
cd "$root"

googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
[[ -f "$googleapis/google/type/date.proto" ]] || missing+=(golang-github-gogo-googleapis-dev)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "buf-check: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { "${sudo_cmd[@]}" apt-get update >/dev/null \
         && "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
case "$(uname -m)" in
  x86_64) buf_pkg="buf-linux-x64" ;;
  aarch64|arm64) buf_pkg="buf-linux-aarch64" ;;
  *) echo "buf-check: no pinned buf binary for $(uname -m) in tools/buf" >&2; exit 1 ;;
esac
buf="$root/tools/buf/node_modules/@bufbuild/$buf_pkg/bin/buf"
if [[ ! -x "$buf" || tools/buf/package-lock.json -nt tools/buf/node_modules ]]; then
  echo "buf-check: npm ci in tools/buf"
  (cd tools/buf && npm ci --no-audit --no-fund --loglevel=error)
fi
# The committed symlink; recreated if a checkout dropped it.
if [[ ! -e tools/buf/googleapis/google/type/date.proto ]]; then
  ln -sfn "$googleapis" tools/buf/googleapis
fi
echo "buf-check: $("$buf" --version | sed 's/^/buf /')"

echo "buf-check: buf lint"
"$buf" lint
echo "buf-check: lint OK ($(find proto -name '*.proto' | wc -l) files, STANDARD)"

if [[ -z "$against" ]]; then
  branch=$(git symbolic-ref -q --short HEAD || true)
  main_ref=
  for candidate in main origin/main; do
    if git rev-parse --verify -q "$candidate^{commit}" >/dev/null; then main_ref=$candidate; break; fi
  done
  if [[ -n "$branch" && "$branch" != main && -n "$main_ref" ]]; then
    against=$(git merge-base HEAD "$main_ref")
    echo "buf-check: against the merge base of $branch with $main_ref"
  elif release=$(git describe --tags --abbrev=0 --match 'v*' HEAD 2>/dev/null); then
    against=$release
    echo "buf-check: against the last release tag $release"
  else
    against=HEAD~1
    echo "buf-check: no main branch to merge with and no release tag: against HEAD~1"
  fi
fi
if ! git rev-parse --verify -q "$against^{commit}" >/dev/null 2>&1; then
  echo "buf-check: SKIP breaking: no commit $against here (first commit or shallow clone)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive --format=tar "$against" proto | tar -x -C "$tmp" 2>/dev/null || true
if [[ ! -d "$tmp/proto/eko" ]]; then
  echo "buf-check: SKIP breaking: $against has no proto/eko"
  exit 0
fi
mapfile -t old_files < <(cd "$tmp/proto" && find eko -name '*.proto' | LC_ALL=C sort)
protoc -I"$tmp/proto" -I"$googleapis" --include_imports --include_source_info \
  -o "$tmp/against.binpb" "${old_files[@]}"
echo "buf-check: buf breaking proto --against $against ($(git rev-parse --short "$against^{commit}"))"
"$buf" breaking proto --against "$tmp/against.binpb"
echo "buf-check: no breaking change against $against"
