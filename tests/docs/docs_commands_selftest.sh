#!/usr/bin/env bash
# ctest docs_commands_selftest: proves docs_commands.py fails, naming file:line,
# on copies of the READMEs with one command broken, on malformed markers and
# fences, on an error line, on a timeout and on an expect-fail block that
# succeeds.
# Usage: docs_commands_selftest.sh GATEWAY_DEV_BINARY CLI_BINARY REPO_DIR
set -euo pipefail
gateway=$1
cli=$2
repo=$3
runner="$repo/tests/docs/docs_commands.py"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
run_args=(--gateway "$gateway" --cli "$cli" --repo "$repo")
passed=0
failed=0

# expect_failure NAME EXPECTED_TEXT... -- RUNNER_ARGS...: the runner must exit
# non-zero and print every EXPECTED_TEXT.
expect_failure() {
  local name=$1 expected=() status=0 missing=0
  shift
  while [ "$1" != "--" ]; do expected+=("$1"); shift; done
  shift
  "$runner" "$@" >"$scratch/out" 2>&1 || status=$?
  for text in "${expected[@]}"; do grep -qF -- "$text" "$scratch/out" || missing=1; done
  if [ "$status" -ne 0 ] && [ "$missing" -eq 0 ]; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: exit $status, expected a failure printing: ${expected[*]}; output:"
    sed 's/^/    /' "$scratch/out"
    failed=$((failed + 1))
  fi
}

# broken_readme NAME README SED_SCRIPT BROKEN_LINE_REGEX: a copy of README with
# SED_SCRIPT applied must fail at the block holding the first line matching
# BROKEN_LINE_REGEX (and, when the command itself exits non-zero, name it).
broken_readme() {
  local name=$1 readme=$2 script=$3 pattern=$4 copy line fence
  copy="$scratch/$name/$readme"
  mkdir -p "$(dirname "$copy")"
  sed "$script" "$repo/$readme" >"$copy"
  line=$(grep -n -m1 -e "$pattern" "$copy" | cut -d: -f1)
  if [ -z "$line" ] || cmp -s "$copy" "$repo/$readme"; then
    echo "FAIL $name: $readme no longer has the line to break ($pattern)"
    failed=$((failed + 1))
    return
  fi
  fence=$(awk -v n="$line" 'NR <= n && /^```sh/ { f = NR } END { print f }' "$copy")
  expect_failure "$name" "FAIL $copy:$fence " "${@:5}" -- "${run_args[@]}" "$copy"
}

broken_readme subcommand README.md \
  's/^\$B get-customer --customer-id 6111111111$/$B get-custmer --customer-id 6111111111/' \
  'get-custmer' "(the command at $scratch/subcommand/README.md:"
broken_readme flag client/README.md \
  's/--customer-id 9000002136 --name/--customer 9000002136 --name/' '--customer 9000002136'
# buf put on the PATH from a folder that npm ci does not create.
broken_readme buf-path README.md \
  's|node_modules/@bufbuild/buf-linux-$(uname -m \| sed s/x86_64/x64/)/bin|node_modules/.bin|' \
  '^buf curl --protocol grpc --http2-prior-knowledge --list-services' "command not found"

# write NAME TEXT: a Markdown file of its own; prints its path.
write() { printf '%b' "$2" >"$scratch/$1.md"; echo "$scratch/$1.md"; }
sh_block() { printf '```sh\\n%s\\n```\\n' "$1"; }

f=$(write error-line "# t\n\n$(sh_block 'echo "error: something broke"')")
expect_failure "error line, exit 0" "FAIL $f:3 " -- "${run_args[@]}" "$f"
f=$(write expect-fail "<!-- docs-commands: expect-fail: shows a refusal -->\n$(sh_block true)")
expect_failure "expect-fail block that succeeds" "FAIL $f:2 " -- "${run_args[@]}" "$f"
f=$(write timeout "# t\n\n$(sh_block 'sleep 5')")
expect_failure "block over its timeout" "FAIL $f:3 " "timed out" \
  -- --timeout 1 "${run_args[@]}" "$f"

# Markers and fences, checked before anything runs.
sed '0,/docs-commands: skip ci-runs-it:/s//docs-commands: skip ci-run-it:/' "$repo/README.md" \
  >"$scratch/reason.md"
line=$(grep -n 'docs-commands: skip ci-run-it:' "$scratch/reason.md" | cut -d: -f1)
expect_failure "unknown skip reason" \
  "ERROR $scratch/reason.md:$line: unknown docs-commands skip reason 'ci-run-it'" \
  -- --check "$scratch/reason.md"
f=$(write no-why "<!-- docs-commands: skip cluster -->\n$(sh_block ls)")
expect_failure "skip without a reason text" "ERROR $f:1: malformed" -- --check "$f"
f=$(write no-colon "<!-- docs-commands skip cluster: x -->\n$(sh_block ls)")
expect_failure "marker without its colon" "ERROR $f:1: malformed" -- --check "$f"
f=$(write detached "<!-- docs-commands: skip cluster: x -->\n\n$(sh_block ls)")
expect_failure "marker not right before a fence" "ERROR $f:1: docs-commands marker must be" \
  -- --check "$f"
f=$(write unlabelled '# t\n\n```\nls\n```\n')
expect_failure "unlabelled fence" "ERROR $f:3: unlabelled code fence" -- --check "$f"
f=$(write bash '# t\n\n```bash\nls\n```\n')
expect_failure "fence labelled bash" "ERROR $f:3: code fence labelled bash" -- --check "$f"
f=$(write syntax "# t\n\n$(sh_block 'if true; then ls')")
expect_failure "sh block bash cannot parse" "ERROR $f:3: sh block bash cannot parse" -- --check "$f"
f=$(write unclosed '# t\n\n```sh\nls\n')
expect_failure "unclosed fence" "ERROR $f:3: code fence never closed" -- --check "$f"

echo "docs-commands-selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
