#!/usr/bin/env bash
# Quick-start command 2: installs what is needed, builds, and runs every test
# (unit and integration) with ctest. Exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR="${EKO_BUILD_DIR:-build}"
ctest --test-dir "$BUILD_DIR" --output-on-failure --parallel "$(nproc)" "$@"
