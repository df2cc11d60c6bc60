#!/usr/bin/env bash
# Regenerates the documentation tables that are generated from code:
#   README.md        configuration table  (eko-gateway --print-config-table)
#   docs/flow.md     next-step table      (eko-gateway --print-flow-table)
#   docs/errors.md   error table          (eko-gateway --print-error-table)
# Tests fail when a table and its copy differ; run this after changing one.
set -euo pipefail
cd "$(dirname "$0")/.."
GATEWAY="${EKO_BUILD_DIR:-build}/server/eko-gateway"
[ -x "$GATEWAY" ] || { echo "gen-docs: build first ($GATEWAY missing)" >&2; exit 1; }

# splice FILE BEGIN_PREFIX END_LINE FLAG: replaces the lines strictly between
# the line starting with BEGIN_PREFIX and the line END_LINE with the output of
# `eko-gateway FLAG`.
splice() {
  local file=$1 begin=$2 end=$3 flag=$4 table
  table=$(mktemp)
  "$GATEWAY" "$flag" >"$table"
  awk -v begin="$begin" -v end="$end" -v table="$table" '
    index($0, begin) == 1 { print; while ((getline line < table) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
  ' "$file" >"$file.tmp"
  mv "$file.tmp" "$file"
  rm -f "$table"
}

splice README.md "<!-- BEGIN configuration table" "<!-- END configuration table -->" \
  --print-config-table
splice docs/flow.md "<!-- BEGIN step table" "<!-- END step table -->" --print-flow-table
splice docs/errors.md "<!-- BEGIN error table" "<!-- END error table -->" --print-error-table
echo "gen-docs: README.md, docs/flow.md, docs/errors.md regenerated"
