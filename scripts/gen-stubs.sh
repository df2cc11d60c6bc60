#!/usr/bin/env bash
# Generates the client stubs of eko.onboarding.v1 alone (no packaging): a thin
# wrapper over `buf generate` (buf.gen.yaml, local plugins only, offline), i.e.
# `scripts/build-packages.sh --stubs-only`. For installable packages use
# scripts/build-packages.sh; docs/clients.md describes both.
#
# Usage: scripts/gen-stubs.sh [--out DIR] [LANG...]
#   LANG   python | go | node | java | all (default: all)
#   --out  output root (default: build-stubs/, ignored by git); each language goes
#          to DIR/LANG/, which is emptied first
#
#   python  eko/onboarding/v1/*_pb2{,_grpc}.py (+ .pyi), google/{rpc,type}/*_pb2.py
#   go      eko/onboarding/v1/*.pb.go (package onboardingv1), google/* mapped to genproto
#   node    TypeScript from ts-proto (@grpc/grpc-js clients): eko/, google/
#   java    in/eko/onboarding/v1/*.java, com/google/{rpc,type}/*.java
# Needs what buf.gen.yaml lists (scripts/setup.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
esac
# A later --out in "$@" overrides the default.
exec bash "$root/scripts/build-packages.sh" --stubs-only --out "$root/build-stubs" "$@"
