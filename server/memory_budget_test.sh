#!/usr/bin/env bash
# The start-up log line of eko-gateway names the --max-inflight in effect and
# why: derived from a cgroup memory limit (EKO_CGROUP_MEMORY_MAX_FILE points the
# gateway at a file of this test instead of /sys/fs/cgroup/memory.max), given
# explicitly (EKO_MAX_INFLIGHT), or the default of 20000 when there is no limit.
#
# Usage: memory_budget_test.sh EKO_GATEWAY_BINARY
set -uo pipefail
gateway=$1
dir=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0

# expect_started NAME LIMIT-FILE-TEXT EXPECTED-REGEX [NAME=VALUE...]: starts the
# gateway with the limit file and the settings, and matches its "started" line.
expect_started() {
  local name=$1 limit=$2 expected=$3 line
  shift 3
  printf '%s\n' "$limit" > "$dir/memory.max"
  env -u EKO_MAX_INFLIGHT EKO_BASE_URL=http://127.0.0.1:9/v3 EKO_DEVELOPER_KEY=developer \
    EKO_ACCESS_KEY=access EKO_INITIATOR_ID=9999999999 EKO_CGROUP_MEMORY_MAX_FILE="$dir/memory.max" \
    EKO_MAX_CONNECTIONS=1024 EKO_DEDUPE_WINDOW_MS=0 "$@" \
    "$gateway" --listen=127.0.0.1:0 > /dev/null 2> "$dir/$name.log" &
  pid=$!
  for _ in $(seq 150); do
    grep -q '"event": *"started"' "$dir/$name.log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  pid=
  line=$(grep '"event": *"started"' "$dir/$name.log")
  if [[ $line =~ $expected ]]; then
    echo "PASS $name: $line"
  else
    echo "FAIL $name: expected /$expected/ in the started line; stderr:" >&2
    cat "$dir/$name.log" >&2
    failures=$((failures + 1))
  fi
}

# 192 MiB, 1,024 connections, no dedupe store: (192 MiB - 24 MiB - 10 % - 1024 x 14 KiB) / 38 KiB.
expect_started derived 201326592 \
  '"max_inflight": *"?3632"?.*"max_inflight_from": *"cgroup memory limit 192 MiB \('"$dir"'/memory.max\)"'
expect_started no-limit max \
  '"max_inflight": *"?20000"?.*"max_inflight_from": *"no memory limit \('"$dir"'/memory.max\)"'
expect_started explicit 201326592 \
  '"max_inflight": *"?777"?.*"max_inflight_from": *"explicit"' EKO_MAX_INFLIGHT=777

[[ $failures == 0 ]] && echo "memory_budget_test: 3 passed" && exit 0
echo "memory_budget_test: $failures failed" >&2
exit 1
