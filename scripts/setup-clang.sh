#!/usr/bin/env bash
# Installs the project's packages (setup.sh) plus clang 14 with its sanitizer
# and libFuzzer runtimes and llvm-symbolizer (for readable stacks), as the
# sanitizer and fuzzing checks need. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup-clang: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
