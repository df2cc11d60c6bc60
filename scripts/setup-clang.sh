#!/usr/bin/env bash
# Installs the project's packages (setup.sh) plus clang 14 with its sanitizer
# and libFuzzer runtimes and llvm-symbolizer (for readable stacks), as the
# sanitizer and fuzzing checks need. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh clang-14 libclang-rt-14-dev llvm-14
